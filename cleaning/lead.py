"""The article's lead paragraph (standfirst, teaser, intro), kept where trafilatura leaves it out.

trafilatura deletes every block whose class or id holds "teaser" (``TEASER_DISCARD_XPATH``),
and its main-content search starts at the article's body container, so a lead paragraph set
apart above it (``p.lead``, ``div.article__intro``, ``p.entry-excerpt``, TYPO3's
``div.teaser-text``) is not in the text: of the 163 trafilatura-eval "with" snippets both
trafilatura and cleancrawl missed, 45 were in such leads (37 in blocks named so, 8 that
trafilatura's recall mode finds). The same class names mark related-story
teasers, which is why trafilatura drops them; a lead is told from those by where it sits: it
comes after one of the page's titles (``<h1>``), and one of the few paragraphs that follow it
in the page is among the first lines of the extracted text, so it stands right before the
article's text, with no other article's ``<h1>`` between (a teaser list sits before other
teasers, in a sidebar or after the article); and its class name is the only one of its kind
after the title (teasers come in lists). It is put back there, before the junk rules and the
line model judge the text's lines. A lead is sentences (each line ends as one does), a
paragraph to three, with few links, no script, picture or ``<h1>``.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

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
# a lead follows the article's title: the elements after each of the page's first <h1>s (up
# to the next) are looked at, this many of them (a byline and share buttons may come first);
# a test of every element's class and id on the page cost 0.03x to 0.07x of an extraction
WINDOW = 150
MAX_TITLES = 3
# the words of LEAD_NAME, a cheap test before it
_WORDS = (
    *("lead", "intro", "teaser", "standfirst", "excerpt", "chapo", "abstract", "summary"),
    *("subtitle", "subheadline", "preface"),
)
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
_MIN_FOLLOWER_CHARS = 40


@dataclass(frozen=True, slots=True)
class Lead:
    """A lead block of the page: its lines, and the beginnings of the paragraphs after it."""

    lines: tuple[str, ...]
    followers: tuple[str, ...]


def _fold(text: str) -> str:
    return " ".join(text.split())


def find_leads(tree: HtmlElement) -> tuple[Lead, ...]:
    """The blocks named like a lead after the page's titles (``<h1>``), in page order, each
    with the paragraphs that follow it; read before extraction, which changes the tree."""
    leads: list[Lead] = []
    for title in itertools.islice(tree.iter("h1"), MAX_TITLES):
        window = list(itertools.islice(_after(title), WINDOW))
        leads += _leads_in(window)
        if len(leads) >= MAX_LEADS:
            break
    return tuple(leads[:MAX_LEADS])


def _leads_in(window: list[HtmlElement]) -> list[Lead]:
    named = [(element, _name(element)) for element in window]
    # a lead is the one block of its name; teasers of other stories come in lists
    counts = Counter(name for _, name in named)
    leads: list[Lead] = []
    taken: list[HtmlElement] = []
    for element, name in named:
        if not name.strip() or counts[name] > 1 or element.tag not in _LEAD_TAGS:
            continue
        if not _lead_name(name) or _OTHER_WIDGET.search(name):
            continue
        if any(parent in taken for parent in element.iterancestors()):
            continue
        lead = _lead(element)
        if lead is None:
            continue
        taken.append(element)
        leads.append(lead)
    return leads


def _name(element: HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _after(element: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after ``element`` in document order (not its own), up to the next
    ``<h1>``: the following siblings' subtrees, then its parent's, and so on up."""
    for ancestor in (element, *element.iterancestors()):
        for sibling in ancestor.itersiblings():
            for node in sibling.iter():
                if not isinstance(node.tag, str):  # comments
                    continue
                if node.tag == "h1":
                    return
                yield node


@functools.lru_cache(maxsize=4096)
def _lead_name(name: str) -> bool:
    """Whether a class or id value names a lead (pages of a site repeat the same names)."""
    low = name.lower()  # a test of the words first: most names have none
    return any(word in low for word in _WORDS) and LEAD_NAME.search(name) is not None


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
    followers = _followers(element)
    if not followers:
        return None
    return Lead(lines, followers)


def _followers(element: HtmlElement) -> tuple[str, ...]:
    """The beginnings of the first ``FOLLOWERS`` paragraphs (of over 40 characters) after
    ``element`` in the page, up to the next ``<h1>`` (``_after``)."""
    followers: list[str] = []
    for node in _after(element):
        if node.tag != "p":
            continue
        text = _fold(node.text_content())
        if len(text) > _MIN_FOLLOWER_CHARS:
            followers.append(text[:_PREFIX_CHARS])
            if len(followers) == FOLLOWERS:
                break
    return tuple(followers)


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
