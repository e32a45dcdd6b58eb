"""Metadata columns: title without the site's name, no host as site name, tags once, names only."""

from __future__ import annotations

import pytest

from cleaning import CleaningOptions, clean_page
from cleaning.metadata import author_names, host_like, title_and_site, unique_tags

OPTIONS = CleaningOptions()
PARAGRAPHS = "".join(
    f"<p>Paragraph {i} explains how a short daily walk improves sleep and mood for people "
    f"who sit at a desk all day, and what the studies measured.</p>"
    for i in range(6)
)


def article(title: str, head: str = "", heading: str | None = None) -> str:
    """An article page whose ``<h1>`` repeats the title without its site name."""
    return (
        f"<html><head><title>{title}</title><meta property='og:type' content='article'>"
        f"<meta property='og:title' content='{title}'>{head}</head><body><article>"
        f"<h1>{heading or title}</h1>{PARAGRAPHS}</article></body></html>"
    )


def test_site_suffix_leaves_the_title_and_the_repeated_title_line_goes() -> None:
    html = article(
        "Five ways to walk more | The Beachbody Blog",
        "<meta property='og:site_name' content='Beachbody On Demand'>",
        heading="Five ways to walk more",
    )
    result = clean_page(html, "https://www.beachbodyondemand.com/blog/walk", OPTIONS)
    assert result.title == "Five ways to walk more"
    assert result.sitename == "Beachbody On Demand"  # the declared name stays
    # the body's first line repeats the title: junk.py's ``title`` step now finds it
    assert [(r.reason, r.line) for r in result.removed_lines] == [
        ("title", "Five ways to walk more")
    ]
    assert result.text.splitlines()[0].startswith("Paragraph 0")


def test_site_suffix_becomes_the_site_name_when_none_is_declared() -> None:
    html = article(
        "Hybrid and EV Buying Guide - Consumer Reports", heading="Hybrid and EV Buying Guide"
    )
    result = clean_page(html, "https://www.consumerreports.org/cars/guide/", OPTIONS)
    assert (result.title, result.sitename) == ("Hybrid and EV Buying Guide", "Consumer Reports")
    assert ("title", "Hybrid and EV Buying Guide") in {
        (r.reason, r.line) for r in result.removed_lines
    }


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/walk", "http://localhost:8765/walk", "https://www.example.com/a"]
)
def test_no_host_as_site_name(url: str) -> None:
    # trafilatura falls back to the host (and port) when the page names no site
    result = clean_page(article("Five ways to walk more"), url, OPTIONS)
    assert result.kept
    assert result.sitename is None


def test_keywords_string_beside_its_pieces_gives_each_tag_once() -> None:
    head = (
        "<meta name='keywords' content='Walking, Sleep, Health'>"
        "<meta property='article:tag' content='Walking'>"
        "<meta property='article:tag' content='sleep'>"
    )
    result = clean_page(article("Five ways to walk more", head), "https://example.org/a", OPTIONS)
    assert result.tags == ["Walking", "Sleep", "Health"]


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("John Smith, AP Sports Writer", ["John Smith"]),
        ("CNN Editor-at-large", []),
        ("Editorial Staff", []),
    ],
)
def test_role_words_are_no_author(byline: str, authors: list[str]) -> None:
    head = f"<meta name='author' content='{byline}'>"
    result = clean_page(article("Five ways to walk more", head), "https://example.org/a", OPTIONS)
    assert result.authors == authors


@pytest.mark.parametrize(
    ("title", "declared", "url", "expected"),
    [
        # a suffix naming the site by the host's name, the declared name kept
        (
            "Top 10 tips | The Beachbody Blog",
            "Beachbody On Demand",
            "https://www.beachbodyondemand.com/blog/x",
            ("Top 10 tips", "Beachbody On Demand"),
        ),
        # each separator, matched with case, spaces and punctuation folded
        (
            "Title - Left Brain Buddha",
            None,
            "https://leftbrainbuddha.com/x",
            ("Title", "Left Brain Buddha"),
        ),
        ("Title – React", "legacy.reactjs.org", "https://legacy.reactjs.org/x", ("Title", "React")),
        (
            "Title — Polly Barks",
            "Polly Barks",
            "https://pollybarks.com/x",
            ("Title", "Polly Barks"),
        ),
        ("Title :: ByteWire", "ByteWire", "http://127.0.0.1:8080/x", ("Title", "ByteWire")),
        ("Title • Gardenary", None, "https://www.gardenary.com/x", ("Title", "Gardenary")),
        ("Hakutsuru - SakéOne", None, "https://www.sakeone.com/x", ("Hakutsuru", "SakéOne")),
        # the declared name with a word more, the host's name with words beside it
        ("Sleeping Bags | REI Co-op", "REI", "https://www.rei.com/c", ("Sleeping Bags", "REI")),
        ("Story - BBC News", None, "https://www.bbc.co.uk/news/1", ("Story", "BBC News")),
        ("Picks | The Motley Fool", None, "https://www.fool.com/x", ("Picks", "The Motley Fool")),
        (
            "Recruiters - Redfish Technology",
            None,
            "https://redfishtech.com/x",
            ("Recruiters", "Redfish Technology"),
        ),
        ("Tiny houses | LoadUp", None, "https://goloadup.com/x", ("Tiny houses", "LoadUp")),
        # a sub-domain that names the site
        (
            "Machine learning, explained | MIT Sloan",
            None,
            "https://mitsloan.mit.edu/x",
            ("Machine learning, explained", "MIT Sloan"),
        ),
        # the site's name and a tagline after it both go
        (
            "NFL Schedule - 2026 Season - ESPN",
            "ESPN",
            "https://www.espn.com/x",
            ("NFL Schedule - 2026 Season", "ESPN"),
        ),
        (
            "Guide | Old Crows Antiques - Mall in Littleton CO",
            None,
            "https://oldcrowsantiques.com/x",
            ("Guide", "Old Crows Antiques"),
        ),
        # the site's name in front
        (
            "GitHub - golemfactory/yapapi: API for Golem.",
            "GitHub",
            "https://github.com/x",
            ("golemfactory/yapapi: API for Golem.", "GitHub"),
        ),
        (
            "Diario HOY | Darán bendición a vehículos",
            "Diario HOY",
            "https://www.hoy.com.py/x",
            ("Darán bendición a vehículos", "Diario HOY"),
        ),
        # a site name that is the whole title is none
        (
            "Fastarz picks - Fastarz",
            "Fastarz picks - Fastarz",
            "https://fastarz.com/x",
            ("Fastarz picks", "Fastarz"),
        ),
        # a suffix that is a host name comes off but is no site name
        (
            "Best Tax Software | accounting.com",
            None,
            "https://www.accounting.com/x",
            ("Best Tax Software", None),
        ),
    ],
)
def test_site_name_comes_off_the_title(
    title: str, declared: str | None, url: str, expected: tuple[str, str | None]
) -> None:
    assert title_and_site(title, declared, url) == expected


@pytest.mark.parametrize(
    ("title", "declared", "url"),
    [
        # a dash in a title that names no site
        (
            "Financial Planning for the Future You - Tips for Millennials",
            None,
            "https://reith.com/x",
        ),
        (
            "Bundesliga: Dortmund - Gladbach live sehen!",
            "COMPUTER BILD",
            "https://computerbild.de/x",
        ),
        ("COVID-19 cases rise in Berlin", None, "https://example.de/x"),
        # a part that starts like the host but is more than a name
        (
            "'Types of Threads' - Flarum as a 'Discussion Engine'?",
            None,
            "https://discuss.flarum.org/d/1",
        ),
        ("Verte Chair | Best Ergonomic Chair", None, "https://www.ergonomichome.com/x"),
        # a section name in front is no title of its own
        ("The Barn Swallow - Shop", "The Barn Swallow", "https://www.thebarnswallow.com/shop"),
        # nothing to compare against: an address, no declared name
        ("Five ways - Walking", None, "http://127.0.0.1:8080/x"),
    ],
)
def test_a_title_that_names_no_site_stays_whole(title: str, declared: str | None, url: str) -> None:
    assert title_and_site(title, declared, url)[0] == title


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("127.0.0.1:8080", True),
        ("localhost:8765", True),
        ("[::1]:8080", True),
        ("www.example.com", True),
        ("example.com", True),
        ("https://pawszilla.com", True),
        ("Booking.com", False),  # how the site spells its own name
        ("DW.COM", False),
        ("The Beachbody Blog", False),
        ("UsingEnglish.com ESL Forum", False),
    ],
)
def test_host_like_site_names(value: str, host: bool) -> None:
    assert host_like(value) is host
    assert title_and_site("A title", value, "http://127.0.0.1:8080/")[1] == (
        None if host else value
    )


@pytest.mark.parametrize(
    ("values", "tags"),
    [
        # a keywords string beside its pieces
        (["AI, Chips, Laptops", "AI", "chips", "Laptops"], ["AI", "Chips", "Laptops"]),
        (
            ["Design 101, How to Style", "design 101", "how to style"],
            ["Design 101", "How to Style"],
        ),
        # a keywords string alone, with semicolons, a trailing comma, no spaces
        (["business, startups, technology"], ["business", "startups", "technology"]),
        (["wein; finnland; kultur"], ["wein", "finnland", "kultur"]),
        (["barbecue,charbon,gaz,"], ["barbecue", "charbon", "gaz"]),
        # case duplicates, blanks, escaped ampersands
        (["Cloud", "cloud", " ", "", "CLOUD"], ["Cloud"]),
        (["M&amp;A Tracker"], ["M&A Tracker"]),
        # a tag with a comma among tags stays; commas in parentheses never split
        (["Access, Use and Reuse", "Access", "WDPD"], ["Access, Use and Reuse", "Access", "WDPD"]),
        # joined as no one writes a tag: no space after the comma, a comma at the end
        (["News", "Marketing,Social Media"], ["News", "Marketing", "Social Media"]),
        (["News", "País, Presidente Boric,"], ["News", "País", "Presidente Boric"]),
        (
            ["Internet of Things (IoT, IIoT), Edge, Cloud"],
            ["Internet of Things (IoT, IIoT)", "Edge", "Cloud"],
        ),
    ],
)
def test_tags_each_once(values: list[str], tags: list[str]) -> None:
    assert unique_tags(values) == tags


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Ap Sports Writer", []),
        ("AP Sports Writer", []),
        ("CNN Editor-at-large", []),
        ("Jane Doe; CNN Editor-at-large", ["Jane Doe"]),
        ("Staff; Staff Writer; Editorial Staff; Newsdesk; Admin; Super User", []),
        ("Teufel Editorial Team; N-Land Redaktion; Redaktion", []),
        ("Keith Barry Senior Autos Reporter", ["Keith Barry"]),
        ("By Jane Doe", ["Jane Doe"]),
        ("Written by Jane Doe; View all posts by Daniel Lemire", ["Jane Doe", "Daniel Lemire"]),
        ("Autor: Max Muster; Par Stefan Häne", ["Max Muster", "Stefan Häne"]),
        ("Genevieve Carlton; Ph D; Unknown; No Author", ["Genevieve Carlton"]),
        # names stay, whatever they hold, and are not doubled
        ("Jane Doe; jane doe; Byron Smith", ["Jane Doe", "Byron Smith"]),
        (
            "Associated Press; Reuters; Deutsche Welle",
            ["Associated Press", "Reuters", "Deutsche Welle"],
        ),
        ("Harry Writer Jones", ["Harry Writer Jones"]),
        ("", []),
        (None, []),
    ],
)
def test_author_names(value: str | None, names: list[str]) -> None:
    assert author_names(value) == names
