"""The article's lead paragraph (standfirst, teaser, intro), kept where trafilatura leaves it out.

trafilatura deletes every block whose class or id holds "teaser" (``TEASER_DISCARD_XPATH``),
and its main-content search starts at the article's body container, so a lead paragraph set
apart above it (``p.lead``, ``div.article__intro``, ``p.entry-excerpt``, TYPO3's
``div.teaser-text``) is not in the text: of the 163 trafilatura-eval "with" snippets both
trafilatura and cleancrawl missed, 44 were such leads. The same class names mark related-story
teasers, which is why trafilatura drops them; a lead is told from those by where it sits: one of
the few paragraphs that follow it in the page is among the first lines of the extracted text,
so it stands right before the article's text, with no other article's ``<h1>`` between
(a teaser list sits before other teasers, in a sidebar or after the article); and its class
name is the only one of its kind on the page (teasers come in lists). It is put back there,
before the junk rules and the line model judge the text's lines. A lead is sentences (each
line ends as one does), a paragraph to three, with few links, no script, picture or ``<h1>``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml.etree import XPath

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# class or id names of a lead (a part of the name: "tb-article-intro", "ts-intro",
# "article-header-full__lead", "c-article-head__subtitle", "teaser-text", "chapo"); not
# Tailwind's "leading-6" (line height)
LEAD_NAME = re.compile(
    "lead(?!ing)|intro|teaser|standfirst|excerpt|chapo|abstract|summary|subtitle|subheadline|"
    "preface",
    re.IGNORECASE,
)
# a name that also says it is another widget's: a newsletter box's intro, an author's or a
# company's summary, a cookie banner's text, a card of another story
_OTHER_WIDGET = re.compile("newsletter|author|cookie|company|card|promo|subscri", re.IGNORECASE)
_LEAD_TAGS = frozenset({"p", "div", "section", "span", "h2", "h3", "header"})
# what a lead is not made of: scripts (an ad slot's code), a picture and its caption
_NOT_IN_LEAD = ("script", "style", "noscript", "figure", "figcaption", "img", "h1")
# a lead is sentences: each of its lines ends as a sentence does ("…" and "..." end the cut
# teasers of other stories, no full stop the headlines of a list)
_SENTENCE_END = re.compile(r"(?<!\.\.)[.!?]['\"”“»«)\]]*$")
MAX_LEAD_LINES = 3
_NAMED = XPath(".//*[@class or @id]")
# a lead is a paragraph or two: a block this long is the article or a teaser list
MIN_LEAD_WORDS = 8
MAX_LEAD_CHARS = 1500
MAX_LINK_SHARE = 0.3
MAX_LEADS = 3
# the paragraphs after a lead one of which must begin the text (a photo caption may come
# first), and the first lines of the text where that one is looked for (a title may come first)
FOLLOWERS = 3
FIRST_LINES = 4
_PREFIX_CHARS = 50
# the paragraphs after a block, up to the next <h1> (the title of the article a teaser is
# followed by is no lead's)
_FOLLOWING = XPath(
    "following::*[self::h1 or self::p[string-length(normalize-space()) > 40]][position() <= 3]"
)


@dataclass(frozen=True, slots=True)
class Lead:
    """A lead block of the page: its lines, and the beginnings of the paragraphs after it."""

    lines: tuple[str, ...]
    followers: tuple[str, ...]


def _fold(text: str) -> str:
    return " ".join(text.split())


def find_leads(tree: HtmlElement) -> tuple[Lead, ...]:
    """The blocks of the page named like a lead, in page order, each with the paragraphs that
    follow it; read before extraction, which changes the tree."""
    leads: list[Lead] = []
    taken: list[HtmlElement] = []
    named: dict[str, bool] = {}  # pages repeat the same class names
    elements = _NAMED(tree)
    # a lead is the one block of its name on the page; teasers of other stories come in lists
    names = Counter(f"{element.get('class', '')} {element.get('id', '')}" for element in elements)
    for element in elements:
        if element.tag not in _LEAD_TAGS:
            continue
        name = f"{element.get('class', '')} {element.get('id', '')}"
        if names[name] > 1:
            continue
        if (match := named.get(name)) is None:
            match = named[name] = bool(LEAD_NAME.search(name)) and not _OTHER_WIDGET.search(name)
        if not match or any(parent in taken for parent in element.iterancestors()):
            continue
        lead = _lead(element)
        if lead is None:
            continue
        taken.append(element)
        leads.append(lead)
        if len(leads) >= MAX_LEADS:
            break
    return tuple(leads)


def _lead(element: HtmlElement) -> Lead | None:
    text = _fold(element.text_content())
    if not text or len(text) > MAX_LEAD_CHARS or len(text.split()) < MIN_LEAD_WORDS:
        return None
    # the article's header (title and all), an ad's code, a photo's caption
    if next(element.iter(*_NOT_IN_LEAD), None) is not None or "©" in text:
        return None
    if any(parent.tag in ("figure", "figcaption") for parent in element.iterancestors()):
        return None
    linked = sum(len(_fold(link.text_content())) for link in element.iter("a"))
    if linked > MAX_LINK_SHARE * len(text):
        return None
    paragraphs = [_fold(p.text_content()) for p in element.iter("p")]
    lines = tuple(line for line in paragraphs if line) or (text,)
    if len(lines) > MAX_LEAD_LINES or not all(_SENTENCE_END.search(line) for line in lines):
        return None
    followers = []
    for follower in _FOLLOWING(element):
        if follower.tag == "h1":
            break
        followers.append(_fold(follower.text_content())[:_PREFIX_CHARS])
    if not followers:
        return None
    return Lead(lines, tuple(followers))


def with_leads(text: str, leads: tuple[Lead, ...]) -> tuple[str, int]:
    """``text`` with the leads it lacks put before the first of its lines that one of the
    paragraphs after the lead begins; and how many lines were put back."""
    lines = text.split("\n")
    folded = _fold(text)
    added = 0
    for lead in leads:
        if any(line[:_PREFIX_CHARS] in folded for line in lead.lines):
            continue
        first = [_fold(line) for line in lines[: FIRST_LINES + added]]
        at = next(
            (
                index
                for index, line in enumerate(first)
                if any(line.startswith(follower) for follower in lead.followers)
            ),
            None,
        )
        if at is None:
            continue
        lines[at:at] = lead.lines
        added += len(lead.lines)
    return ("\n".join(lines), added) if added else (text, 0)
