"""A local news site whose articles carry the markers that used to get them dropped.

Articles that declare ``og:type=website``, that sit beside many related-post ``<article>`` cards
or linked related headlines, a WordPress ``/?p=`` post and a 45-word news item; and the real
listing pages (home, category, tag) that link to them, served by ``tests.tiny_site.TinySite``.
"""

from __future__ import annotations

HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
{meta}</head><body>
<header><nav><a href="/">Home</a> <a href="/category/batteries/">Batteries</a>
<a href="/tag/chips/">Chips</a> <a href="/forum/">Forum</a></nav></header>
<main>"""
FOOT = """</main><footer><p>Voltline News, 12 Harbour Street, Bristol.</p>
<p><a href="/about/">About</a> <a href="/contact/">Contact</a></p></footer></body></html>"""

ARTICLES: dict[str, tuple[str, list[str]]] = {
    "/2025/06/solid-state-battery-pilot-line/": (
        "Solid-state battery maker opens its first pilot line",
        [
            "A battery start-up from Bristol has opened a pilot line that can make solid-state "
            "cells for about two thousand electric scooters a year, the company said on Monday.",
            "The cells replace the liquid electrolyte of today's lithium-ion batteries with a "
            "thin ceramic layer, which the company says stores more energy and cannot catch fire "
            "when a cell is punctured.",
            "Engineers spent three years moving the process from glove boxes in a university "
            "laboratory to machines that coat, stack and seal the cells without manual steps.",
            "The first customers are two scooter makers that will test the packs through the "
            "winter, when cold weather usually cuts the range of electric vehicles sharply.",
            "Analysts warn that the cost per kilowatt hour is still several times that of "
            "conventional cells and that larger factories will be needed to close the gap.",
        ],
    ),
    "/2025/06/chip-plant-opens-in-dresden/": (
        "New chip plant in Dresden starts production",
        [
            "A semiconductor plant on the northern edge of Dresden started production this week "
            "after two years of construction and a public subsidy of almost one billion euros.",
            "The factory makes power chips for cars and wind turbines on wafers three hundred "
            "millimetres across, and is expected to employ about one thousand people at full "
            "capacity.",
            "Local officials hope the plant will draw suppliers to the region, which already "
            "hosts several chip makers and a growing number of equipment companies.",
            "Unions welcomed the new jobs but criticised the use of temporary contracts for "
            "many of the technicians hired during the ramp-up of the clean rooms.",
            "The operator said it plans to double the output within three years if demand "
            "from the car industry recovers as expected.",
        ],
    ),
    "/2025/06/router-flaw-patched/": (
        "Router maker patches flaw that exposed home networks",
        [
            "A widely sold home router let attackers on the internet change its settings "
            "without a password until a firmware update released on Thursday closed the hole.",
            "Security researchers found that a debugging page left in the firmware answered "
            "requests from any address, not only from devices inside the home network.",
            "The manufacturer said it had no evidence that the flaw was used in attacks, but "
            "urged owners to install the update through the router's web interface at once.",
            "Routers often run outdated software for years because few owners update them, "
            "and several countries now require vendors to ship security fixes automatically.",
            "The researchers reported the problem in March and agreed to wait for the fix "
            "before publishing the technical details of their findings.",
        ],
    ),
    "/?p=1234": (
        "City council votes to put fibre into every school",
        [
            "The city council voted on Tuesday to connect every public school to the fibre "
            "network by the end of next year, replacing copper lines that date from the 1990s.",
            "Teachers had complained that video lessons froze whenever more than one class "
            "went online at the same time, which made remote teaching during closures difficult.",
            "The plan costs about four million pounds, most of it paid by a national programme "
            "for digital infrastructure in schools and libraries.",
            "Work starts in the autumn with the largest secondary schools, and smaller primary "
            "schools will follow once the cables along the main roads are in place.",
        ],
    ),
    "/2025/06/short-item/": (
        "Ferry service adds charging points",
        [
            "The harbour ferry now has charging points for electric bikes on both decks, the "
            "operator said. Riders pay nothing for the first hour. The points use power from "
            "solar panels on the terminal roof, and more will follow next spring if they are "
            "used.",
        ],
    ),
    "/forum/t/which-laptop-for-linux-123/": (
        "Which laptop for Linux development?",
        [
            "I am looking for a laptop that runs Linux well for programming, with at least "
            "sixteen gigabytes of memory and a keyboard that is comfortable for long days.",
            "I have used a ThinkPad for six years and never had a driver problem; the trackpad "
            "works out of the box and suspend works reliably with the current kernel.",
            "Check the wireless chip before you buy, because some models ship cards whose "
            "drivers only arrived in recent kernels and older distributions lack them.",
            "Thanks everyone, I ordered a refurbished model and installed Debian on it "
            "yesterday without any trouble at all.",
        ],
    ),
}
LISTINGS = ("/", "/category/batteries/", "/tag/chips/")
WEBSITE = '<meta property="og:type" content="website">'


def _teasers(tag: str, css: str, heading: str) -> str:
    cards = []
    for path, (title, paragraphs) in ARTICLES.items():
        summary = paragraphs[0].split(", ")[0]
        cards.append(
            f'<{tag} class="{css}"><{heading}><a href="{path}">{title}</a></{heading}>'
            f"<p>{summary}.</p><span>June 2025</span></{tag}>"
        )
    return "\n".join(cards * 2)


def _related_cards(count: int) -> str:
    # related posts as <article> cards outside any <aside>: a real post carried 111 of them
    return "\n".join(
        f'<article class="related"><h4><a href="/2024/0{i % 9 + 1}/older-story-{i}/">'
        f"Older story number {i} about batteries and chips</a></h4></article>"
        for i in range(count)
    )


def _article(path: str) -> str:
    title, paragraphs = ARTICLES[path]
    meta = WEBSITE  # many CMSs declare og:type=website on every page
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    extra = ""
    if "dresden" in path:
        extra = f'<div class="sidebar">{_related_cards(30)}</div>'
    elif "router" in path:
        extra = "<div class='more'><h2>More from Voltline</h2>" + "".join(
            f'<h3><a href="{p}">{t}</a></h3>' for p, (t, _) in ARTICLES.items() if p != path
        )
        extra += "</div>"
    elif "forum" in path:
        body = "".join(
            f'<div class="post"><a href="/forum/u/{n}/">user{n}</a><p>{p}</p></div>'
            for n, p in enumerate(paragraphs)
        )
    return (
        HEAD.format(title=f"{title} | Voltline", meta=meta)
        + f"<article><h1>{title}</h1><time datetime='2025-06-02'>2 June 2025</time>{body}"
        + f"</article>{extra}"
        + FOOT
    )


def page(path: str) -> str | None:
    """The HTML served at ``path`` (query included), or None for a 404."""
    if path in ARTICLES:
        return _article(path)
    if path == "/":
        return (
            HEAD.format(title="Voltline News", meta=WEBSITE)
            + _teasers("article", "card", "h2")
            + FOOT
        )
    if path == "/category/batteries/":
        meta = (
            '<script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "CollectionPage", "name": "Batteries"}</script>'
        )
        listing = "<h1>Batteries</h1><ul class='posts'>" + _teasers("li", "post", "h3") + "</ul>"
        return HEAD.format(title="Batteries | Voltline", meta=meta) + listing + FOOT
    if path == "/tag/chips/":
        tag = "<h1>Posts tagged chips</h1>" + _teasers("div", "teaser", "h3")
        return HEAD.format(title="Chips | Voltline", meta=WEBSITE) + tag + FOOT
    return None


def site_pages() -> dict[str, tuple[int, bytes]]:
    """Every page of the site, as ``tests.tiny_site.TinySite`` serves them."""
    return {path: (200, (page(path) or "").encode()) for path in (*ARTICLES, *LISTINGS)}
