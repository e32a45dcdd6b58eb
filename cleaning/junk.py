"""Junk lines that extraction leaves inside the article: counters, widgets, forms, spam.

What makes a line junk is data (``data/junk.toml``): kinds, each with term lists by language
and rules on how the terms must occur. This module only reads that file and applies it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaning.linemodel import LineModel, load_line_model
from cleaning.words import word_count as _count_words

DEFAULT_JUNK_FILE = Path(__file__).with_name("data") / "junk.toml"

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+")
# the word after a byline's "by" or "von": a person's name when it is capitalised
_NEXT_WORD = re.compile(r"[\s:]+(\w+)")
# what stands between a label and its link ("Read more: ...", "LEES OOK | ...", "Lies auch →")
_MARK = re.compile("\\s*(?:[:|\u00bb\u2192\u203a\u2013\u2014]|\\s-\\s)\\s*\\S")
# code in the text (a tutorial's "print(x)", "@app.get('/')"): its words are not the page's;
# also a statement ending in a semicolon that starts in lower case, with a symbol or with a
# word in capitals ("rewrite ^(/download/.*)$ $1/mp3/$2.mp3 last;", "flex: 1 100px;",
# "SELECT 2+2;": a sentence starts with a capitalised word), a comment ("/* … */", "// Logs:
# 1, 2") and a shell command after its prompt ("$ open http://localhost:5555"), which
# downloader rules and the line model took for junk in documentation pages (wcxb-dev 0684,
# 0672, 0673, 2863, 0665)
_CODE = re.compile(
    r"\w\(|[={}]|\[[\d'\"]|::|^(?:[a-z_$@#.\-]|[A-Z]+\s).*;$|^/\*|\*/$|^//\s|^\$ [a-z]"
)
# every branch of _CODE needs one of these characters, which two lines in three lack: a
# character class finds them faster than _CODE's nine branches tried at every place of the
# line (the test's time halved on the extraction data sets' lines)
_CODE_MARK = re.compile(r"[(={}\[:;/$]")


def looks_like_code(line: str) -> bool:
    """Whether ``_CODE`` finds code in the line."""
    return _CODE_MARK.search(line) is not None and _CODE.search(line) is not None


_BULLET = re.compile(r"^\s*[-*•·–]\s+")
# full stops of Chinese and Japanese too (\u3002, \uff01, \uff1f), and their closing quotes
_SENTENCE_END = re.compile("[.!?\u3002\uff01\uff1f]['\"”’»)\\]\u300d\u300f]*$")
_NUMBER = r"(?<![\w.,])\d[\d.,\u00a0\u202f ]*\s*[kKmM]?\+?\s*"
# a free label before a colon or a question ("Spread the word: Facebook, Telegram", "Want
# more? Sign up for …"), for rules with label
_LABEL = re.compile(r"^\W*[^\W\d][^:.!?]{0,40}[:?]\s+")
_LABEL_MAX_WORDS = 4
# a step's number at the start of a line: "1.", "2)", "#3", "Step 4:", "Schritt 5 -", "⑥";
# the step word is any word, so that it holds in every language
_STEP_NUMBER = re.compile(
    r"^\W*(?:(?:[^\W\d_]+\s*)?\d{1,2}\s*[.):\-\u2013\u2014]|[\u2460-\u2473\u2776-\u277f])"
)


# a word of a person's name: letters, maybe a hyphen or an apostrophe inside ("Jean-Luc",
# "O'Neill"), maybe a comma after it ("Anja Seidel, Jahrgang 1984, ...")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*,?")
# a biography's verb comes within this many words after the name's two ("Jean Paul Sartre
# Jr. was ...")
NAME_VERB_WITHIN = 4
# and the role within this many words after the verb ("ist freier Journalist", "is a senior
# correspondent"), not in a later sentence ("... is moving to Prime. Our writer asked ...")
ROLE_WITHIN = 5
# the lower-case words inside a name ("Jan de Vries", "Luiz da Silva")
_NAME_PARTICLES = frozenset({"de", "da", "di", "do", "dos", "du", "del", "van", "von", "ten"})
# quotation marks: a sentence that quotes someone is the article's report
_QUOTE = re.compile('["\u201c\u201d\u201e\u00ab\u00bb]')


# A line's words are counted by several steps (its kind, the runs of short lines, the
# subheadings, the model's gate): counted once. Strings keep their hash, so a look-up costs
# far less than counting a paragraph again.
word_count = lru_cache(maxsize=8192)(_count_words)


@dataclass(frozen=True, slots=True)
class Rule:
    """One way a line can be of a kind (see the header of ``data/junk.toml``)."""

    need: tuple[tuple[str, int], ...]
    only: bool = False
    start: bool = False
    number_before: str | None = None
    label: bool = False
    not_sentence: bool = False
    number: bool = False
    name_after: bool = False
    mark_after: bool = False
    numbered: bool = False
    name_first: bool = False


@dataclass(frozen=True, slots=True)
class JunkKind:
    """A kind of junk line, compiled from its table in the junk file."""

    name: str
    max_words: int
    sentences: bool
    absorbs: bool
    patterns: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...]
    terms: dict[str, re.Pattern[str]]  # group name -> any of its terms
    starts: dict[str, re.Pattern[str]]  # group name -> a term at the start of the line
    numbered: dict[str, re.Pattern[str]]  # group name -> a number right before a term
    # group name -> the first word of each of its terms: a rule needing a group cannot hold
    # on a line without one of them, which is cheaper to check than the terms' regexes
    triggers: dict[str, frozenset[str]]
    # words of which a line needs one for any rule to hold (a required group of each rule);
    # None when a rule requires no group
    any_trigger: frozenset[str] | None = None
    # words that cannot be a name's first (a sentence's article), for rules with name_first
    not_first: frozenset[str] = frozenset()

    def matches(self, line: str, words: int, sentence: bool, tokens: frozenset[str]) -> bool:
        if words > self.max_words or (sentence and not self.sentences):
            return False
        for pattern in self.patterns:  # a loop: most kinds have none, a generator cost more
            if pattern.search(line):
                return True
        if self.any_trigger is not None and self.any_trigger.isdisjoint(tokens):
            return False
        return any(
            self._rule_matches(rule, line)
            for rule in self.rules
            if not (rule.not_sentence and sentence)
            and all(not self.triggers[g].isdisjoint(tokens) for g, n in rule.need if n > 0)
        )

    def _after_name(self, line: str) -> str | None:
        """What follows a biography's verb, when the line begins with a person's name, the
        verb comes within `NAME_VERB_WITHIN` words of it and no one is quoted."""
        if _QUOTE.search(line) or "verb" not in self.terms:
            return None
        words = line.split(maxsplit=NAME_VERB_WITHIN + 3)
        if len(words) > 2 and words[1] in _NAME_PARTICLES:
            del words[1]  # "Jan de Vries", "Ursula von der Leyen" read as their two names
        first = words[:2]
        if not (
            len(first) == 2
            and all(word[0].isupper() and _NAME_WORD.fullmatch(word) for word in first)
            and first[0].casefold() not in self.not_first
        ):
            return None
        near = " ".join(words[2 : 2 + NAME_VERB_WITHIN])
        verb = self.terms["verb"].search(near)
        if verb is None:
            return None
        after = f"{near[verb.end() :]} {' '.join(words[2 + NAME_VERB_WITHIN :])}"
        return " ".join(after.split()[:ROLE_WITHIN])

    def _rule_matches(self, rule: Rule, line: str) -> bool:
        if rule.numbered and not _STEP_NUMBER.match(line):
            return False
        if (
            rule.label
            and (label := _LABEL.match(line))
            and (len(_WORD.findall(label.group(0))) <= _LABEL_MAX_WORDS)
        ):
            line = line[label.end() :]
        if rule.name_first:
            # the role comes after the verb: "Jane Doe is a writer", not "Video Editor is"
            rest = self._after_name(line)
            if rest is None:
                return False
            line = rest
        for group, count in rule.need:
            if count == 1:  # most rules: one term is enough, and the first found tells
                if self.terms[group].search(line) is None:
                    return False
                continue
            found = {m.group(0).casefold() for m in self.terms[group].finditer(line)}
            if len(found) < count:
                return False
        groups = [group for group, _ in rule.need]
        if rule.start:
            start = next((m for g in groups if (m := self.starts[g].match(line))), None)
            if start is None:
                return False
            after = _NEXT_WORD.match(line, start.end()) if rule.name_after else None
            if rule.name_after and not (after and after.group(1)[0].isupper()):
                return False
            if rule.mark_after and not _MARK.match(line, start.end()):
                return False
        if rule.number_before and not self.numbered[rule.number_before].search(line):
            return False
        if rule.number and not _DIGIT.search(line):
            return False
        if rule.only:
            rest = line
            for group in groups:
                rest = self.terms[group].sub(" ", rest)
            return not _LETTER.search(rest)
        return True


_KindsByBit = tuple[tuple[int, JunkKind], ...]


@dataclass(frozen=True, slots=True)
class JunkRules:
    """Every junk kind of a junk file, and the date-line parser built from it."""

    kinds: tuple[JunkKind, ...]
    absorbing: frozenset[str]
    date_line: re.Pattern[str] | None
    months: dict[str, int]
    model: LineModel | None = None
    # names of sites (casefolded) whose lists are junk, from the junk file's [site_list]
    site_names: frozenset[str] = frozenset()
    # the largest max_words of the kinds: a longer line is of no kind (but may be a site list)
    longest: int = 0
    # for a line of n words (n <= longest), the kinds it may be, each with its bit (see
    # ``always``): [n][0] as no sentence, [n][1] as a sentence (max_words and sentences of each
    # kind, checked once here)
    by_length: tuple[tuple[_KindsByBit, _KindsByBit], ...] = ()
    # A kind is a bit of an int (1 << its place in ``kinds``). Most kinds can hold on a line
    # only if it has one of their trigger words (``JunkKind.any_trigger``): the kinds a line's
    # words make possible are found by one set intersection with every kind's triggers,
    # instead of a ``matches`` call per kind (13 a line, 2 in 3 of them for kinds whose
    # triggers the line has none of). Kinds with patterns, or with a rule that needs no
    # group, are possible on every line.
    always: int = 0
    triggers: frozenset[str] = frozenset()
    kinds_of_trigger: dict[str, int] = field(default_factory=dict)
    # a date (weekday and time too) anywhere in a line, for dates with words of any label
    date_anywhere: re.Pattern[str] | None = None


@lru_cache(maxsize=8)
def load_junk_rules(path: Path = DEFAULT_JUNK_FILE) -> JunkRules:
    """Read and compile a junk file once per process; errors name the file and the kind."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    dates = data.pop("date_line", None)
    model_name = data.pop("line_model", None)
    sites = data.pop("site_list", {}).get("sites", [])
    kinds = []
    for name, table in data.items():
        try:
            kinds.append(_kind(name, table))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise ValueError(f"junk file {path}, kind [{name}]: {exc}") from exc
    months, date_line, date_anywhere = _date_parser(
        dates, data.get("updated_label", {}).get("terms", {})
    )
    absorbing = frozenset(kind.name for kind in kinds if kind.absorbs)
    model = load_line_model(path.parent / model_name) if model_name else None
    site_names = frozenset(" ".join(str(site).casefold().split()) for site in sites)
    longest = max((kind.max_words for kind in kinds), default=0)
    bits = [(1 << place, kind) for place, kind in enumerate(kinds)]
    by_length = tuple(
        (
            tuple((bit, k) for bit, k in bits if n <= k.max_words),
            tuple((bit, k) for bit, k in bits if n <= k.max_words and k.sentences),
        )
        for n in range(longest + 1)
    )
    always = sum(bit for bit, k in bits if k.patterns or k.any_trigger is None)
    kinds_of_trigger: dict[str, int] = {}
    for bit, kind in bits:
        for word in kind.any_trigger or ():
            kinds_of_trigger[word] = kinds_of_trigger.get(word, 0) | bit
    return JunkRules(
        tuple(kinds),
        absorbing,
        date_line,
        months,
        model,
        site_names,
        longest,
        by_length,
        always,
        frozenset(kinds_of_trigger),
        kinds_of_trigger,
        date_anywhere,
    )


def _kind(name: str, table: dict[str, Any]) -> JunkKind:
    groups = {key: value for key, value in table.items() if isinstance(value, dict)}
    not_first = frozenset(t.casefold() for t in _all_terms(groups.pop("not_first", {})))
    alternations = {group: _alternation(_all_terms(terms)) for group, terms in groups.items()}
    rules = tuple(
        Rule(
            need=tuple((group, int(n)) for group, n in rule["need"].items()),
            only=bool(rule.get("only", False)),
            start=bool(rule.get("start", False)),
            number_before=rule.get("number_before"),
            label=bool(rule.get("label", False)),
            not_sentence=bool(rule.get("not_sentence", False)),
            number=bool(rule.get("number", False)),
            name_after=bool(rule.get("name_after", False)),
            mark_after=bool(rule.get("mark_after", False)),
            numbered=bool(rule.get("numbered", False)),
            name_first=bool(rule.get("name_first", False)),
        )
        for rule in table.get("rules", [])
    )
    for rule in rules:
        missing = {g for g, _ in rule.need} - alternations.keys()
        if missing or (rule.number_before and rule.number_before not in alternations):
            raise ValueError(f"a rule names term groups that are not defined: {sorted(missing)}")
    flags = re.IGNORECASE
    return JunkKind(
        name=name,
        max_words=int(table.get("max_words", 10)),
        sentences=bool(table.get("sentences", False)),
        absorbs=bool(table.get("absorbs", False)),
        patterns=tuple(re.compile(p, flags) for p in table.get("patterns", [])),
        rules=rules,
        terms={g: re.compile(rf"(?<!\w)(?:{a})(?!\w)", flags) for g, a in alternations.items()},
        # the start and number forms only of the groups whose rules ask for them: compiling
        # every group three times was 0.1 of a worker's 0.2 CPU s of start-up
        starts={
            g: re.compile(rf"^\W*(?:{alternations[g]})(?!\w)", flags)
            for g in sorted({g for rule in rules if rule.start for g, _ in rule.need})
        },
        triggers={g: _first_words(_all_terms(terms)) for g, terms in groups.items()},
        any_trigger=_any_trigger(rules, groups),
        numbered={
            g: re.compile(rf"{_NUMBER}(?:{alternations[g]})(?!\w)", flags)
            for g in sorted({rule.number_before for rule in rules if rule.number_before})
        },
        not_first=not_first,
    )


def _any_trigger(rules: tuple[Rule, ...], groups: dict[str, Any]) -> frozenset[str] | None:
    words: set[str] = set()
    for rule in rules:
        required = [g for g, n in rule.need if n > 0]
        if not required:
            return None
        words |= _first_words(_all_terms(groups[required[0]]))
    return frozenset(words)


def _first_words(terms: list[str]) -> frozenset[str]:
    return frozenset(words[0] for t in terms if (words := _WORD.findall(t.casefold())))


def _all_terms(by_language: dict[str, list[str]]) -> list[str]:
    return [term for terms in by_language.values() for term in terms]


def _alternation(terms: list[str]) -> str:
    # longest first, so "share this article" wins over "share"; a space matches white space or
    # a hyphen ("video downloader", "Video-Downloader")
    unique = sorted({t.strip().casefold() for t in terms if t.strip()}, key=len, reverse=True)
    return "|".join(r"[\s-]+".join(re.escape(part) for part in t.split()) for t in unique)


def _date_parser(
    table: dict[str, Any] | None, labels: dict[str, list[str]]
) -> tuple[dict[str, int], re.Pattern[str] | None, re.Pattern[str] | None]:
    if not table:
        return {}, None, None
    months: dict[str, int] = {}
    for names in table["months"].values():
        for number, spellings in enumerate(names, 1):
            for spelling in spellings.split("|"):
                months[spelling.casefold()] = number
    month = _alternation(list(months))
    weekday = _alternation(_all_terms(table.get("weekdays", {})))
    label = _alternation(_all_terms(labels)) if labels else "(?!)"
    day, year = r"(?P<d>\d{1,2})(?:\.|er|st|nd|rd|th|º)?", r"(?P<y>(?:19|20)\d\d)"
    forms = [
        rf"{day}\s+(?:de\s+)?(?P<m>{month})\.?,?\s+(?:de\s+)?{year}",
        rf"(?P<m2>{month})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)",
        r"(?P<y3>(?:19|20)\d\d)-(?P<n3>\d{1,2})-(?P<d3>\d{1,2})",
        r"(?P<d4>\d{1,2})[./](?P<n4>\d{1,2})[./](?P<y4>(?:19|20)\d\d)",
    ]
    time = (
        r"(?:,?\s+(?:at\s+|à\s+|um\s+|a\s+las\s+|alle\s+|om\s+)?"
        r"\d{1,2}[:h.]\d{2}(?:\s*[ap]\.?m\.?|\s*uhr|\s*h)?)?"
    )
    pattern = rf"^\W*(?:(?:{label})\s*:?\s+)?(?:(?:{weekday}),?\s+)?(?:{'|'.join(forms)}){time}\W*$"
    anywhere = rf"(?<!\w)(?:(?:{weekday}),?\s+)?(?:{'|'.join(forms)}){time}(?!\w)"
    return months, re.compile(pattern, re.IGNORECASE), re.compile(anywhere, re.IGNORECASE)


def parse_date_line(line: str, rules: JunkRules) -> date | None:
    """The date of a line that holds nothing but a date (and a label such as "Updated on")."""
    # a cheap bound before the regular expression, not a judgement of length: white space
    # tokens, so that "10:30" or "12.03.2024" count once
    if rules.date_line is None or len(line.split()) > 10:
        return None
    if not _YEAR.search(line):  # every form of the date line has a year (_date_parser)
        return None
    match = rules.date_line.match(line.strip())
    if not match:
        return None
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    year = int(parts.get("y") or parts.get("y2") or parts.get("y3") or parts["y4"])
    name = parts.get("m") or parts.get("m2")
    month = rules.months[name.casefold()] if name else int(parts.get("n3") or parts["n4"])
    day = int(parts.get("d") or parts.get("d2") or parts.get("d3") or parts["d4"])
    try:
        return date(year, month, day)
    except ValueError:  # 31 February, or a month-first numeric date
        try:
            return date(year, day, month)
        except ValueError:
            return None


# a site named by its domain ("tudn.com", "ok.ru")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|tv|me|co|app|ru|cn|to|cc)$")
# items of a menu run into one line, and what may stand between them
_MENU_SEPARATOR = re.compile(r"\s+[|·•]\s+")
_MENU_ITEM_MAX_WORDS = 3
SITE_LIST_MIN_ITEMS = 8
_SITE_SEPARATORS = ",;|·•"


def is_site_list(line: str, site_names: frozenset[str] = frozenset()) -> bool:
    """A long run of site names (downloader spam's "YouTube, VK, Vimeo, …") or of a menu's
    sections ("Home | News | Sport | …"), not a sentence.

    A list of other names is article text: a cast or production credits, ingredients, places,
    a company's services. So at least half the items must be names of ``site_names`` or
    domains; only a menu (short capitalised items between pipes or dots, no label, no
    digits) needs no names.
    """
    if line.lstrip().startswith("|"):
        return False  # a table row, as trafilatura writes tables: cells, not names
    if _too_few_items(line):
        return False
    if _SENTENCE_END.search(line) and not line.rstrip().endswith("..."):
        return False
    items = [item.strip(" .…") for item in re.split(f"[{_SITE_SEPARATORS}]", line)]
    items = [item for item in items if item]
    if len(items) < SITE_LIST_MIN_ITEMS:
        return False
    sites = sum(1 for item in items if _site_name(item, site_names))
    return 2 * sites >= len(items) or _menu(line)


def _too_few_items(line: str) -> bool:
    # n separators make at most n + 1 items: counted, which is cheaper than splitting
    return sum(map(line.count, _SITE_SEPARATORS)) < SITE_LIST_MIN_ITEMS - 1


def _site_name(item: str, site_names: frozenset[str]) -> bool:
    name = " ".join(item.casefold().split())
    return name in site_names or bool(_DOMAIN.match(name))


def _menu(line: str) -> bool:
    items = _MENU_SEPARATOR.split(line.strip())
    return len(items) >= SITE_LIST_MIN_ITEMS and all(
        word_count(item) <= _MENU_ITEM_MAX_WORDS
        and item[:1].isupper()
        and not _DIGIT.search(item)
        and not set(item) & set(":_")
        for item in items
    )


def is_sentence(line: str, words: int) -> bool:
    return words >= 5 and bool(_SENTENCE_END.search(line)) and not line.endswith("...")


# A CMS shortcode left in the text (WordPress, page builders): "[button link=...]Go[/button]",
# "[/vc_column][vc_row]", "[Embed]https://…[/Embed]". By its bracket syntax, whatever the
# tag's name: a line with a tag with attributes or a closing tag is markup; "[applause]" in a
# transcript or "[logger_root]" in a configuration file is not.
_SHORTCODE = re.compile(
    r"""\[/?[a-z][a-z0-9]*(?:[_:.-][a-z0-9]+)*(?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s\]]+))?)*\s*/?\]""",
    re.IGNORECASE,
)
_MARKUP_TAG = re.compile(r"^\[(?:/|[^\]]*=)")
# a shortcode's content that is an address (an embed's video), not words
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
# words of a shortcode line that are not markup or addresses: a button's label ("Download now")
SHORTCODE_MAX_WORDS = 4
SHORTCODE = "shortcode"


def is_shortcode_line(line: str) -> bool:
    """A line of CMS shortcodes, with at most a short label or an address between them."""
    tags = [m.group(0) for m in _SHORTCODE.finditer(line)]
    if not tags or not any(_MARKUP_TAG.match(tag) for tag in tags):
        return False
    return word_count(_URL.sub(" ", _SHORTCODE.sub(" ", line))) <= SHORTCODE_MAX_WORDS


# A date with a few words of any label or place around it ("Freigegeben: 02.07.2023, 14:16
# Uhr", "Berlin, 24. März 2021", "Monday July 8, 2019, 01:45 local time"): the date is the
# line, whatever its label's wording. More words than this make it a sentence about the date.
DATE_LABEL_MAX_WORDS = 3
_YEAR = re.compile(r"(?:19|20)\d\d")


def labelled_date(line: str, rules: JunkRules) -> bool:
    """A full date (day, month, year) with at most `DATE_LABEL_MAX_WORDS` other words."""
    if rules.date_anywhere is None or not _YEAR.search(line):
        return False
    match = rules.date_anywhere.search(line)
    if match is None:
        return False
    rest = f"{line[: match.start()]} {line[match.end() :]}".strip()
    return word_count(rest) <= DATE_LABEL_MAX_WORDS and not _SENTENCE_END.search(rest)


# A breadcrumb trail ("Home > News > World", "Sie sind hier: Startseite » Wirtschaft »
# Börse"): at least three short items between one and the same separator. Its wording is the
# site's sections, so it is known by its shape; a pipe is left out (titles and table rows), and
# a slash (file paths, "SLS / SLES / PARABENS" lists, both kept by wcxb-dev's annotators).
BREADCRUMB = "breadcrumb"
BREADCRUMB_MAX_WORDS = 16
BREADCRUMB_MIN_ITEMS = 3
BREADCRUMB_ITEM_MAX_WORDS = 4
_CRUMB = re.compile("\\s+([\u203a\u00bb>\u2192\u276f\u2023]|::)\\s+")
_CRUMB_MARK = re.compile("[\u203a\u00bb>\u2192\u276f\u2023]|::")


def is_breadcrumb(line: str) -> bool:
    """Three or more items of at most four words, between the same breadcrumb separator."""
    if not _CRUMB_MARK.search(line):  # no separator: one item
        return False
    parts = _CRUMB.split(line)
    items, separators = parts[0::2], set(parts[1::2])
    return (
        len(items) >= BREADCRUMB_MIN_ITEMS
        and len(separators) == 1
        and not _SENTENCE_END.search(line)
        and all(
            0 < word_count(item) <= BREADCRUMB_ITEM_MAX_WORDS and _LETTER.search(item)
            for item in items
        )
    )


def _introduces(line: str) -> bool:
    return line.endswith(":")


def possible_kinds(tokens: frozenset[str], rules: JunkRules) -> int:
    """The kinds (bits, see ``JunkRules.always``) a line of these words may be of: those
    whose triggers it has, and those tested on every line."""
    possible = rules.always
    for word in tokens & rules.triggers:
        possible |= rules.kinds_of_trigger[word]
    return possible


def classify_line(line: str, rules: JunkRules) -> str | None:
    """The junk kind of one line of text, or None if it is article text."""
    bare = _BULLET.sub("", line).strip()
    if not bare:
        return None
    # before the code test: a shortcode's attributes look like code ("id=3"); anywhere in
    # the line ("Get it here: [button url=…]")
    if "[" in bare and is_shortcode_line(bare):
        return SHORTCODE
    if looks_like_code(bare):
        return None
    words = word_count(bare)
    # most lines are paragraphs longer than any kind: only a site list is left to test
    if words <= rules.longest:
        sentence = is_sentence(bare, words)
        # first: a bare date is the publication date, which other kinds would take as a label;
        # a date ending in a colon heads what follows (a changelog's or a diary's entry,
        # "2025-12-19:"), it is no publication date
        dated = words <= 10 and not _introduces(bare)
        if dated and parse_date_line(bare, rules) is not None:
            return "date_line"
        kinds = rules.by_length[words][sentence]
        if kinds:
            tokens = frozenset(_WORD.findall(bare.casefold()))
            possible = possible_kinds(tokens, rules)
            for bit, kind in kinds:
                if possible & bit and kind.matches(bare, words, sentence, tokens):
                    return kind.name
        if words <= BREADCRUMB_MAX_WORDS and is_breadcrumb(bare):
            return BREADCRUMB
    if words >= SITE_LIST_MIN_ITEMS and is_site_list(bare, rules.site_names):
        return "site_list"
    return None


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line cut from the text, and why."""

    reason: str
    line: str


@dataclass(frozen=True, slots=True)
class JunkRemoval:
    """The text without its junk lines, what was cut, and a date found on a bare date line."""

    text: str
    removed: tuple[RemovedLine, ...]
    date_found: date | None


# An absorbed run (related links after "Related posts", field labels after "Leave a Reply")
# is made of lines at most this long that are not sentences.
ABSORB_MAX_WORDS = 16
# A line this short between two junk lines belongs to them ("For Example:" in a spam block).
SANDWICH_MAX_WORDS = 4


def remove_junk(
    text: str,
    rules: JunkRules,
    *,
    title: str | None = None,
    skip: frozenset[str] = frozenset(),
    headings: frozenset[str] = frozenset(),
    links: frozenset[str] = frozenset(),
) -> JunkRemoval:
    """Cut junk lines out of extracted text, keeping every other line as it was.

    Args:
        text: Extracted text, one paragraph, heading or list item per line.
        rules: Compiled junk file (``load_junk_rules``).
        title: The page title; a body line that repeats it is cut (reason ``title``).
        skip: Junk kinds not to cut.
        headings: The lines the extractor found marked up as headings (white space folded):
            the article's section titles, which the line model does not judge.
        links: The texts of the page's links to its own site (``link_texts``): a short line
            that is one of them is judged against the model's lower threshold.
    """
    lines = text.split("\n")
    # a title longer than TITLE_MAX_WORDS is a page whose only paragraph was taken for it
    title_words = word_count(title) if title else 0
    folded_title = _folded(title) if title and title_words <= TITLE_MAX_WORDS else None
    found_reasons = [_reason(line, rules, folded_title, title_words) for line in lines]
    reasons = [None if r in skip else r for r in found_reasons]
    _absorb(lines, reasons, rules.absorbing - skip)
    if LEARNED not in skip:
        at_headings = (
            {i for i, line in enumerate(lines) if " ".join(line.split()) in headings}
            if headings
            else set()
        )
        # a line of a kind the user keeps is not the model's to cut either
        of_kept_kinds = {i for i, r in enumerate(found_reasons) if r is not None and r in skip}
        spared = (
            of_kept_kinds
            | at_headings
            | _wrapped(lines)
            | _subheadings(lines)
            | _named_leads(lines)
            | _echoed(lines, title, links)
        )
        _learned(lines, reasons, rules, at_headings, spared)
        _edge_labels(lines, reasons, rules, at_headings | spared)
        _suspects(lines, reasons, rules, at_headings | spared, links, skip, title, at_headings)
    else:
        _suspects(lines, reasons, rules, set(), links, skip)
    _sandwiched(lines, reasons)
    found = None
    for line, reason in zip(lines, reasons, strict=True):
        if reason == "date_line" and found is None:
            found = parse_date_line(_BULLET.sub("", line), rules)
    removed = tuple(
        RemovedLine(r, line) for line, r in zip(lines, reasons, strict=True) if r is not None
    )
    kept = "\n".join(line for line, r in zip(lines, reasons, strict=True) if r is None)
    return JunkRemoval(kept, removed, found)


# A title longer than this is a page whose only paragraph was taken for its title: keep it.
TITLE_MAX_WORDS = 30


def _reason(line: str, rules: JunkRules, folded_title: str | None, title_words: int) -> str | None:
    # lines that fold alike have as many words: the count is cached, the folding is not
    if (
        folded_title is not None
        and word_count(line) == title_words
        and _folded(line) == folded_title
    ):
        return "title"
    return classify_line(line, rules)


def _folded(text: str) -> str:
    return " ".join(re.sub(r"\W+", " ", text).casefold().split())


def short_line(line: str, max_words: int) -> bool:
    """At most ``max_words`` words, and not a sentence."""
    words = word_count(line)
    return 0 < words <= max_words and not is_sentence(line, words)


def _absorb(lines: list[str], reasons: list[str | None], absorbing: frozenset[str]) -> None:
    # A heading such as "Related posts" takes the short lines after it, but only when they
    # run to the end of the text or to another junk line: a section heading followed by
    # article paragraphs keeps them.
    i = 0
    while i < len(lines):
        reason = reasons[i]
        if reason in absorbing:
            end = i + 1
            while (
                end < len(lines)
                and reasons[end] is None
                and short_line(lines[end], ABSORB_MAX_WORDS)
            ):
                end += 1
            if end > i + 1 and (end == len(lines) or reasons[end] is not None):
                reasons[i + 1 : end] = [reason] * (end - i - 1)
            i = end
        else:
            i += 1


LEARNED = "learned"
# reasons that are not tables of the junk file: a bare date, a run of site names, the page
# title repeated in the body, CMS shortcodes, breadcrumb trails and the line model's verdict
BUILT_IN_KINDS = ("date_line", "site_list", "title", SHORTCODE, BREADCRUMB, LEARNED, "item_list")


def junk_kinds(rules: JunkRules) -> tuple[str, ...]:
    """Every reason a line can be cut for: the junk file's kinds and the built-in ones."""
    return tuple(sorted({kind.name for kind in rules.kinds} | set(BUILT_IN_KINDS)))


def learned_junk(line: str, rules: JunkRules) -> bool:
    """Whether the line model takes a line for junk (never a list item, a table row or code);
    a line shaped as a sentence must pass the model's stricter sentence threshold."""
    text, model = line.strip(), rules.model
    words = word_count(text)
    if model is None or words > model.max_words or text.startswith("|"):
        return False
    if _BULLET.match(text) or looks_like_code(text):
        return False
    return model.is_junk(text, sentence=is_sentence(text, words))


# Junk comes in twos and threes too (a share line over a newsletter prompt, a junk line over
# a section heading); a longer run of short lines is a list, the article's own contents or a
# spec sheet, and is never judged.
LEARNED_MAX_RUN = 3


def _learned(
    lines: list[str],
    reasons: list[str | None],
    rules: JunkRules,
    at_headings: set[int],
    spared: set[int],
) -> None:
    # A run is the short lines between two paragraphs or headings (or junk lines, or the
    # text's ends); in a run this short each line is judged on its own, so a junk line goes
    # and a short line beside it that is not junk stays. A short sentence ("What do you think?
    # Tell us below.") is judged wherever it is, against the model's stricter threshold for
    # sentences. Headings are never judged: the article's own section titles are short too.
    run: list[int] = []
    for i in range(len(lines) + 1):
        if (
            i < len(lines)
            and reasons[i] is None
            and i not in at_headings
            and short_line(lines[i], ABSORB_MAX_WORDS)
        ):
            run.append(i)
            continue
        # with the line that ended the run: a paragraph, a short sentence or a junk line
        judged = [*run, i] if len(run) <= LEARNED_MAX_RUN else [i]
        for j in judged:
            free = j < len(lines) and reasons[j] is None and j not in spared
            if free and learned_junk(lines[j], rules):
                reasons[j] = LEARNED
        run = []


# a wrapped sentence is followed up to this many lines before it ends
WRAP_MAX_LINES = 3
# words this long carry a subheading's topic ("Keyboard space"); shorter ones are mostly
# function words
TOPIC_MIN_LETTERS = 4
_TOPIC_WORD = re.compile(rf"[^\W\d_]{{{TOPIC_MIN_LETTERS},}}")


def _wrapped(lines: list[str]) -> set[int]:
    """Lines of a sentence broken over several lines (documentation, ``<pre>`` text): the
    line stops mid-sentence and the next ones go on in lower case until a sentence ends.
    Junk is a line of its own, so the model does not judge these."""
    found = set()
    for i, line in enumerate(lines):
        if not _open_end(line):
            continue
        for following in lines[i + 1 : i + 1 + WRAP_MAX_LINES]:
            text = following.strip()
            if not text[:1].islower() or looks_like_code(text):
                break
            if _SENTENCE_END.search(text):
                found.add(i)
                break
            if not _open_end(text):
                break
    return found


def _open_end(line: str) -> bool:
    last = line.rstrip()[-1:]
    return last.isalnum() or last in ",;"


def _subheadings(lines: list[str]) -> set[int]:
    """Short lines whose every topic word occurs in the paragraph right after them: a
    subheading not marked up as one ("Keyboard space" over "The keyboard space score…").
    Junk has its own words (share, subscribe, newsletter), which the paragraph does not."""
    found = set()
    for i in range(len(lines) - 1):
        if word_count(lines[i]) > ABSORB_MAX_WORDS or short_line(lines[i + 1], ABSORB_MAX_WORDS):
            continue
        words = {w.casefold() for w in _TOPIC_WORD.findall(lines[i])}
        if words and words <= {w.casefold() for w in _TOPIC_WORD.findall(lines[i + 1])}:
            found.add(i)
    return found


# A line's topic words, compared by their first letters so that "Netzwerken" meets
# "Netzwerk" and "sozialen" "soziale" (inflections, plurals) in most languages the cleaner
# reads; shorter words are mostly function words ("this", "with", "und").
ECHO_MIN_LETTERS = 5
_ECHO_WORD = re.compile(rf"[^\W\d_]{{{ECHO_MIN_LETTERS},}}")
# at least this many of a line's topic words, and this share of them, recur around it
ECHO_MIN_WORDS = 2
ECHO_MIN_SHARE = 0.6
# a line with this many list separators is a list (tags, a menu), whose items echo the
# article's topic by design
_ECHO_LIST_MARKS = re.compile("[,|\u00b7;\u2022/#\u203a\u00bb>\u2192]")


def _stems(text: str) -> set[str]:
    return {w.casefold()[:ECHO_MIN_LETTERS] for w in _ECHO_WORD.findall(text)}


def _echoed(lines: list[str], title: str | None, links: frozenset[str]) -> set[int]:
    """Short lines most of whose topic words recur in the line before or after them or in
    the title: the article's own subheading or sentence, speaking of what the paragraphs
    around it speak of ("Hohe Bedeutung von sozialen Netzwerken bestätigt" between
    paragraphs on social networks). Junk speaks of the page's tools (share, subscribe,
    comments, the app), which the article's paragraphs do not. Not a list of items (tags,
    breadcrumbs, whose items are the article's topics by design), nor one of the page's
    links (another article's headline shares the topic too)."""
    found = set()
    around_title = _stems(title) if title else set()
    # a paragraph is read once, though it stands beside two short lines
    stems_of: dict[int, set[str]] = {}

    def stems_at(j: int) -> set[str]:
        if j not in stems_of:
            stems_of[j] = _stems(lines[j]) if 0 <= j < len(lines) else set()
        return stems_of[j]

    for i, line in enumerate(lines):
        if word_count(line) > ABSORB_MAX_WORDS or len(_ECHO_LIST_MARKS.findall(line)) >= 2:
            continue
        stems = stems_at(i)
        if len(stems) < ECHO_MIN_WORDS or _link_key(line) in links:
            continue
        shared = len(stems & (around_title | stems_at(i - 1) | stems_at(i + 1)))
        if shared >= ECHO_MIN_WORDS and shared >= ECHO_MIN_SHARE * len(stems):
            found.add(i)
    return found


# what ends the lead of a line that names its topic first ("ISTELive 26: June 28-July 1 |
# Orlando", "Fal.Con – Las Vegas"); a colon inside a word ("re:Invent") is none
_LEAD_END = re.compile(r":\s|\s[|\u2013\u2014]\s")
LEAD_MAX_WORDS = 6
# a name: a word of at least this many characters with a capital letter in it
NAME_MIN_CHARS = 3


def _named_leads(lines: list[str]) -> set[int]:
    """Short lines that name a topic first and give its details after a colon or a bar, the
    name recurring in the paragraph right after them: a subheading of that paragraph ("VMware
    Explore: August 31-September 3, 2026 | Las Vegas, NV" over "VMware Explore aims to...").
    Junk names no topic its next paragraph is about. The name must stand inside the paragraph,
    not as its first word, where any word is capitalised."""
    found = set()
    for i in range(len(lines) - 1):
        line, after = lines[i], lines[i + 1]
        if word_count(line) > ABSORB_MAX_WORDS or short_line(after, ABSORB_MAX_WORDS):
            continue
        lead = _LEAD_END.search(line)
        if lead is None or word_count(line[: lead.start()]) > LEAD_MAX_WORDS:
            continue
        names = {
            word
            for word in _WORD.findall(line[: lead.start()])
            if len(word) >= NAME_MIN_CHARS and not word.islower() and not word.isdigit()
        }
        later = set(_WORD.findall(after)[1:])
        if names & later:
            found.add(i)
    return found


# A lone label at the text's edges ("Comments", "Teilen", "Tags") is the page's tools, left
# before or after the article: there, a line of at most this many words is judged against
# the model's lower edge threshold, whatever its wording. (Between paragraphs the same
# threshold cut 20 more article lines of wcxb-dev, "Key quote", "Feb 2024", "Yes!", whose
# scores (0.52 to 0.96) overlap those of the short junk it would catch there, player and
# gallery labels, and none of the development set's lone labels: it is not used there.)
EDGE_MAX_WORDS = 3
EDGE_THRESHOLD = 0.5


def _edge_labels(
    lines: list[str], reasons: list[str | None], rules: JunkRules, spared: set[int]
) -> None:
    model = rules.model
    texts = [i for i, line in enumerate(lines) if line.strip() and reasons[i] is None]
    if model is None or len(texts) < 3:
        return
    for i in sorted({texts[0], texts[-1]}):
        text = lines[i].strip()
        if (
            i in spared
            or not short_line(text, EDGE_MAX_WORDS)
            or _BULLET.match(text)
            or looks_like_code(text)
            or text.startswith("|")
        ):
            continue
        if model.probability(text) >= EDGE_THRESHOLD:
            reasons[i] = LEARNED


def _sandwiched(lines: list[str], reasons: list[str | None]) -> None:
    for i in range(1, len(lines) - 1):
        before, after = reasons[i - 1], reasons[i + 1]
        if reasons[i] is None and before and after and short_line(lines[i], SANDWICH_MAX_WORDS):
            reasons[i] = before


# Shapes that junk has whatever its wording, on a short line standing alone between
# paragraphs: a date with a few words of any label; a label over one link to the site
# ("Also on the site: <headline>"); and, judged against the model's lower edge threshold, a
# label over a list of short items ("Topics — housing, interest rates, mortgages", "Mehr zu:
# Bahn | Streik | Pendler"), a line of hashtags, a line that is one link to another page of
# the site (a lone "Reactions"). The shape alone would take article lines ("Ingredients:
# flour, sugar, eggs"), the model alone misses wordings it has not seen. (A short line the
# text holds twice was tried too: it cut 100 more lines of wcxb-dev's expected texts, prices,
# "Pre Order Now", code.)
SUSPECT_MAX_WORDS = 12
_LIST_LABEL = re.compile(r"^\W*[^\W\d][^:.!?\u2013\u2014]{0,30}?(?::|\s[\u2013\u2014-])\s+")
_LIST_LABEL_MAX_WORDS = 3
_LIST_SEPARATORS = (",", "|", "\u00b7", ";", "\u2022", "/")
LIST_MIN_ITEMS = 3
LIST_ITEM_MAX_WORDS = 3
_HASHTAGS = re.compile(r"^(?:#\w+[\s,]*){2,}$")


def is_label_list(line: str) -> bool:
    """A label of at most three words, a colon or a dash, and three or more short items; or a
    line of hashtags."""
    if _HASHTAGS.match(line):
        return True
    label = _LIST_LABEL.match(line)
    if label is None or word_count(label.group(0)) > _LIST_LABEL_MAX_WORDS:
        return False
    rest = line[label.end() :]
    for separator in _LIST_SEPARATORS:
        items = rest.split(separator)
        if len(items) >= LIST_MIN_ITEMS and all(
            0 < word_count(item) <= LIST_ITEM_MAX_WORDS for item in items
        ):
            return True
    return False


# what a link's text may be at most to be kept: the lines it is compared with are at most
# SUSPECT_MAX_WORDS words long
_LINK_MAX_CHARS = 160
_NOT_PAGES = ("javascript:", "mailto:", "tel:")


def link_texts(tree: Any, url: str) -> frozenset[str]:
    """The texts of a page's links to its own site (relative, or the same host without
    ``www.``), read from the parsed page before extraction; white space folded and case
    folded (``_link_key``), which is cheaper than folding punctuation on every link."""
    host = _host(url)
    texts = set()
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if not href or href[:1] == "#" or href[:11].casefold().startswith(_NOT_PAGES):
            continue
        # a relative address is the site's; only an absolute one needs its host read
        if "//" in href[:8] and _host(href.strip()) != host:
            continue  # another site's, or an address no parser reads ("http://[x]")
        # most links hold their text alone, which is cheaper to read than text_content()
        text = anchor.text_content() if len(anchor) else anchor.text
        if text and len(text) <= _LINK_MAX_CHARS and (key := _link_key(text)):
            texts.add(key)
    return frozenset(texts)


def _link_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _host(url: str) -> str | None:
    """The host of an address, without ``www.``; "" for a relative one, None if unreadable."""
    try:
        return urlsplit(url).netloc.casefold().removeprefix("www.")
    except ValueError:
        return None


# a link this long after a label is a headline ("Sport: Football" is a section, not a teaser)
HEADLINE_MIN_WORDS = 3


def _labelled_link(line: str, links: frozenset[str]) -> bool:
    """A label of a few words, then one link to the site ("Also on the site: <headline>",
    "LEES OOK | <headline>"), whatever the label's wording: another page's teaser."""
    label = _LABEL.match(line) or _MARK.search(line)
    if label is None or word_count(line[: label.end() - 1]) > _LABEL_MAX_WORDS:
        return False
    rest = line[label.end() - 1 :]
    return word_count(rest) >= HEADLINE_MIN_WORDS and _link_key(rest) in links


READ_MORE = "read_more"


def _suspects(
    lines: list[str],
    reasons: list[str | None],
    rules: JunkRules,
    spared: set[int],
    links: frozenset[str],
    skip: frozenset[str],
    title: str | None = None,
    at_headings: set[int] | frozenset[int] = frozenset(),
) -> None:
    # the model's part is off when the user keeps "learned" or the junk file names no model
    model = None if LEARNED in skip else rules.model
    # junk comes in pairs too (a tags line over a share prompt): a line cut is no neighbour,
    # so a short line left alone once its junk neighbour is cut is judged on the next pass
    judged: set[int] = set()
    for _ in range(SUSPECT_PASSES):
        alone = [i for i in _isolated(lines, reasons, at_headings) if i not in judged]
        judged.update(alone)
        cut = 0
        for i in alone:
            before = reasons[i]
            _suspect(i, lines, reasons, rules, model, spared, links, skip, title)
            cut += reasons[i] is not None and before is None
        if not cut:
            break  # no line newly cut: no line newly alone


# a short line becomes alone at most twice over (its junk neighbours on both sides cut)
SUSPECT_PASSES = 3


def _suspect(
    i: int,
    lines: list[str],
    reasons: list[str | None],
    rules: JunkRules,
    model: LineModel | None,
    spared: set[int],
    links: frozenset[str],
    skip: frozenset[str],
    title: str | None,
) -> None:
    text = lines[i].strip()
    if reasons[i] == LEARNED and "date_line" not in skip and labelled_date(text, rules):
        # the model may know a dated label too: the date is what the line is
        reasons[i] = "date_line"
    if (
        reasons[i] is not None
        or i in spared
        or _BULLET.match(text)
        or looks_like_code(text)
        or text.startswith("|")
    ):
        return
    if "date_line" not in skip and labelled_date(text, rules):
        reasons[i] = "date_line"
    elif ITEM_LIST not in skip and is_item_list(text):
        reasons[i] = ITEM_LIST
    elif links and READ_MORE not in skip and _labelled_link(text, links):
        reasons[i] = READ_MORE
    elif model is not None and (
        (
            (is_label_list(text) or _link_key(text) in links)
            and model.probability(text) >= EDGE_THRESHOLD
        )
        or (
            word_count(text) <= LONE_MAX_WORDS
            and _unechoed(lines, i, title)
            and model.probability(text) >= LONE_THRESHOLD
        )
    ):
        reasons[i] = LEARNED


# A single word standing alone between paragraphs ("Reaktionen", "Discussion") that the
# paragraphs around it and the title do not use is the page's tools, not a subheading of what
# follows: judged against this threshold, lower than the line threshold. (Two words cut ten
# more article lines of wcxb-dev, "Key quote" four times, "Key points", "Typical usage:",
# "DCX760 Summary"; one word cuts one, a review's "Comfort".)
LONE_MAX_WORDS = 1
LONE_THRESHOLD = 0.3


def _unechoed(lines: list[str], i: int, title: str | None) -> bool:
    stems = _stems(lines[i])
    if not stems:
        return False  # "Yes!", "Tags": too short to tell
    around = _stems(title) if title else set()
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines):
            around |= _stems(lines[j])
    return not stems & around


# A line of nothing but three or more short items between one and the same bar or dot
# ("Themen | Handel | Zölle | Export", "Home • Science • Space"), standing alone between
# paragraphs: a site's sections or a story's topics, whatever their words (the model, which
# reads words, scored such lines 0.002 to 0.37). Items with digits are a spec sheet or a
# score line, a comma or a slash separates an article's own lists.
ITEM_LIST = "item_list"
_ITEM_SEPARATORS = ("|", "\u2022", "\u00b7")
ITEM_MAX_WORDS = 3


def is_item_list(line: str) -> bool:
    """Three or more items of one to three words, no digits, between the same bar or dot."""
    if line.startswith("|") or _SENTENCE_END.search(line):
        return False
    for separator in _ITEM_SEPARATORS:
        items = line.split(separator)
        if len(items) >= LIST_MIN_ITEMS and all(
            0 < word_count(item) <= ITEM_MAX_WORDS
            and _LETTER.search(item)
            and not _DIGIT.search(item)
            for item in items
        ):
            return True
    return False


def _isolated(
    lines: list[str], reasons: list[str | None], at_headings: set[int] | frozenset[int]
) -> list[int]:
    """Short lines standing alone: between two paragraphs, or a paragraph and the text's edge,
    the lines already cut left out (they are no neighbours) and a heading counted as a
    paragraph (it begins a section: "Tags: a, b, c" over the next section's title). In a run
    of short lines the same shapes are a product's specifications, a deal's dates, a mail's
    headers, prices, and the expected texts keep them (wcxb-dev 0148, 0435, 3069)."""
    # short_line of each line once: None for a line cut (no neighbour of anything)
    short = [
        short_line(line, SUSPECT_MAX_WORDS) if reason in (None, LEARNED) else None
        for line, reason in zip(lines, reasons, strict=True)
    ]
    # whether a line counts as short beside another: a heading does not
    beside = [bool(is_short) and i not in at_headings for i, is_short in enumerate(short)]
    # whether the nearest line kept before (after) each line is short
    short_before, last = [], False
    for i in range(len(lines)):
        short_before.append(last)
        if reasons[i] is None:
            last = beside[i]
    short_after, last = [False] * len(lines), False
    for i in range(len(lines) - 1, -1, -1):
        short_after[i] = last
        if reasons[i] is None:
            last = beside[i]
    return [
        i
        for i, is_short in enumerate(short)
        if is_short and not short_before[i] and not short_after[i]
    ]
