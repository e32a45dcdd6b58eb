"""jusText's paragraphs of a page (``justext.core.ParagraphMaker``), made with less work.

trafilatura runs jusText on about one page in eight (a short or unclean extraction, and the
recall escalation), and there it was about a tenth of ``clean_page``'s time: for every block
of the page jusText writes out its path twice (``"html.body.div"`` and
``"/html[1]/body[1]/div[1]"``), although four blocks in five hold no text and are thrown
away; it reads a paragraph's text again for each of its tests, and folds white space with a
Python call for every run of spaces. Here a paragraph keeps a link to its place in the path
and writes the path out when asked, keeps its text once read, and white space is folded by
two regular expressions without a callback. The paragraphs are the same: the same text,
paths, counts and classes (``tests/test_paragraphs.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from justext.core import ParagraphMaker  # type: ignore[import-untyped]
from justext.paragraph import Paragraph  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.etree import _Element

# a run of white space holding a line break, and one without
_BROKEN_SPACE = re.compile(r"\s*[\n\r]\s*")
_SPACE = re.compile(r"[^\S\n]+")


def normalize_whitespace(text: str) -> str:
    """``justext.utils.normalize_whitespace``: each run of white space one line break if it
    holds one (``\\n`` or ``\\r``), else one space."""
    return _SPACE.sub(" ", _BROKEN_SPACE.sub("\n", text))


# a place in the page's path: (the place above, tag name, its number among its siblings of
# that name, the numbers of its children by name); None above the root
_Place = tuple[Any, str, int, dict[str, int]]


class _PathInfo:
    """``justext.core.PathInfo``, each place a link to the one above: a paragraph keeps the
    path as it was when it started by keeping its last place."""

    def __init__(self) -> None:
        self.place: _Place | None = None

    def append(self, tag_name: str) -> _PathInfo:
        children: dict[str, int] = {} if self.place is None else self.place[3]
        order = children.get(tag_name, 0) + 1
        children[tag_name] = order
        self.place = (self.place, tag_name, order, {})
        return self

    def pop(self) -> _PathInfo:
        assert self.place is not None
        self.place = self.place[0]
        return self


def _places(place: _Place | None) -> list[_Place]:
    found = []
    while place is not None:
        found.append(place)
        place = place[0]
    return found[::-1]


class _Paragraph(Paragraph):  # type: ignore[misc]
    """``justext.paragraph.Paragraph``, its paths written out and its text read when asked,
    once."""

    def __init__(self, path: _PathInfo) -> None:
        self._place = path.place
        self._dom_path: str | None = None
        self._text: str | None = None
        self._words: list[str] = []
        self.text_nodes: list[str] = []
        self.chars_count_in_links = 0
        self.tags_count = 0
        self.class_type = ""

    @property
    def dom_path(self) -> str:
        if self._dom_path is None:
            self._dom_path = ".".join(place[1] for place in _places(self._place))
        return self._dom_path

    @property
    def xpath(self) -> str:
        return "/" + "/".join(f"{place[1]}[{place[2]:d}]" for place in _places(self._place))

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = normalize_whitespace("".join(self.text_nodes).strip())
            self._words = self._text.split()
        return self._text

    @property
    def words_count(self) -> int:
        self.text  # noqa: B018 (reads the words)
        return len(self._words)

    def stopwords_count(self, stopwords: frozenset[str]) -> int:
        self.text  # noqa: B018
        return sum(word.lower() in stopwords for word in self._words)

    def append_text(self, text: str) -> str:
        text = normalize_whitespace(text)
        self.text_nodes.append(text)
        self._text = None
        return text


class FastParagraphMaker(ParagraphMaker):  # type: ignore[misc]
    """``justext.core.ParagraphMaker`` making ``_Paragraph``s along a ``_PathInfo``, fed by a
    walk of the tree rather than lxml.sax (which builds each element's attributes and
    namespaces for the handler, which reads neither)."""

    @classmethod
    def make_paragraphs(cls, root: _Element) -> list[_Paragraph]:
        if root.getprevious() is not None or root.getnext() is not None:
            # processing instructions beside the root, which lxml.sax reports too
            return super().make_paragraphs(root)  # type: ignore[no-any-return]
        handler = cls()
        handler._walk(root)
        handler.endDocument()
        return handler.paragraphs

    def _walk(self, root: _Element) -> None:
        """The calls ``lxml.sax.saxify`` makes of the handler, but no attributes: each
        element's start, text, children, end and tail, in document order; the tail of a
        comment or processing instruction."""
        stack: list[tuple[_Element | None, Iterator[_Element]]] = [(None, iter((root,)))]
        while stack:
            parent, children = stack[-1]
            for node in children:
                tag = node.tag
                if isinstance(tag, str):
                    name = (None, tag) if tag[0] != "{" else tuple(tag[1:].split("}", 1))
                    self.startElementNS(name, name[1], None)
                    if node.text:
                        self.characters(node.text)
                    stack.append((node, iter(node)))
                    break
                if node.tail:
                    self.characters(node.tail)
            else:
                stack.pop()
                if parent is not None:
                    tag = parent.tag
                    name = (None, tag) if tag[0] != "{" else tuple(tag[1:].split("}", 1))
                    self.endElementNS(name, name[1])
                    if parent.tail:
                        self.characters(parent.tail)

    def __init__(self) -> None:
        self.path = _PathInfo()
        self.paragraphs: list[_Paragraph] = []
        self.paragraph: _Paragraph | None = None
        self.link = False
        self.br = False
        self._start_new_pragraph()

    def _start_new_pragraph(self) -> None:
        if self.paragraph and self.paragraph.contains_text():
            self.paragraphs.append(self.paragraph)
        self.paragraph = _Paragraph(self.path)
