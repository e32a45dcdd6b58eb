"""Plant page furniture inside an article's main container, to measure how much of it survives.

Extractors are good at dropping navigation, footers and sidebars: whole blocks outside the
article. The junk that leaks into extracted text sits inside the article container, between the
paragraphs: view counters, share prompts, "advertisement" labels, photo credits, newsletter
teasers. `plant_junk` builds a variant of a page with 3 to 5 such blocks inserted among the
paragraphs of the element that holds the most paragraph text, and records the exact strings it
planted, so a benchmark can count how many of them reach the output.

Everything is deterministic: the choices come from `random.Random(page_id)`. The wordings
(`benchmarks/data/planted_junk.jsonl`, read by `benchmarks.junk_data`) are written for this
benchmark, in eight languages, with numbers, names and dates that vary per page. `plant_junk`
takes other wordings and class names as arguments: the held-out sets of `benchmarks.junk_data`
are planted the same way.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

from benchmarks import junk_data

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    Wordings = Mapping[str, Mapping[str, Sequence[str]]]
    """Junk kind to language to templates, shaped like `JUNK_WORDINGS`."""

    KindClasses = Mapping[str, Sequence[str]]
    """Junk kind to the class names its markup may carry, shaped like `_KIND_CLASSES`."""

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl")
"""Languages with their own junk wordings; any other language falls back to English."""

MIN_BLOCKS = 3
MAX_BLOCKS = 5

_WHITESPACE = re.compile(r"\s+")

# Placeholders: {n} large count, {k} small count, {votes} vote count, {rating} score out of 5,
# {min} minutes, {ss} seconds, {hours} hours, {i}/{j} position in a series, {name} person,
# {agency} photo agency, {date} long date, {numdate} numeric date, {weekday}, {time} HH:MM.
JUNK_WORDINGS = junk_data.planted_wordings()
"""Junk kind to language to templates (`benchmarks/data/planted_junk.jsonl`)."""

# Class names a site might give each kind of block; neutral ones are mixed in so that
# class-name heuristics alone cannot catch every block.
_KIND_CLASSES = junk_data.planted_classes()
"""Junk kind to class names (`benchmarks/data/planted_classes.json`)."""
_NEUTRAL_CLASSES = ("small", "meta", "info", "text-muted", "note", "block", "c-text--secondary")

# How a block is marked up: outer tag, whether it has a class, inner tag (or None).
_MARKUPS: tuple[tuple[str, bool, str | None], ...] = (
    ("p", False, None),
    ("p", True, None),
    ("div", True, None),
    ("div", True, "span"),
    ("p", False, "span"),
    ("span", True, None),
)

_AGENCIES = (
    "Reuters", "AFP", "dpa", "AP", "EFE", "ANSA", "Lusa", "ANP", "PAP", "Getty Images",
    "picture alliance", "Shutterstock", "Keystone", "Imago",
)  # fmt: skip

# Elements whose paragraphs are not the article's, even when they hold many.
_OUTSIDE_ARTICLE = frozenset({"footer", "nav", "aside", "noscript", "template"})


@dataclass(frozen=True)
class Locale:
    """How one language writes numbers, dates and names.

    Attributes:
        thousands: Thousands separator of counts.
        decimal: Decimal separator of ratings.
        months: Month names as used in a long date, January first.
        weekdays: Weekday names, Monday first.
        long_date: Format of a long date with `day`, `month` and `year` fields.
        numeric_date: Format of a numeric date with `d`, `m` and `y` fields.
        names: Person names for bylines and photo credits.
    """

    thousands: str
    decimal: str
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    long_date: str
    numeric_date: str
    names: tuple[str, ...]


LOCALES: dict[str, Locale] = {
    "en": Locale(
        ",", ".",
        ("January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"),
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "{month} {day}, {year}", "{m:02d}/{d:02d}/{y}",
        ("Sarah Mitchell", "James O'Connor", "Priya Raman", "Daniel Brooks", "Emily Carter",
         "Marcus Webb"),
    ),
    "de": Locale(
        ".", ",",
        ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
         "Oktober", "November", "Dezember"),
        ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        "{day}. {month} {year}", "{d:02d}.{m:02d}.{y}",
        ("Katrin Vogel", "Jonas Albrecht", "Miriam Hoffmann", "Lukas Brandt", "Anja Seidel",
         "Tobias Krämer"),
    ),
    "fr": Locale(
        "\u00a0", ",",
        ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre"),
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        "{day} {month} {year}", "{d:02d}/{m:02d}/{y}",
        ("Camille Lefèvre", "Julien Moreau", "Élodie Garnier", "Thomas Rousseau", "Inès Benali",
         "Hugo Marchand"),
    ),
    "es": Locale(
        ".", ",",
        ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
         "octubre", "noviembre", "diciembre"),
        ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        "{day} de {month} de {year}", "{d:02d}/{m:02d}/{y}",
        ("Lucía Fernández", "Javier Ortega", "Marta Castillo", "Diego Romero", "Carmen Vidal",
         "Pablo Serrano"),
    ),
    "it": Locale(
        ".", ",",
        ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
         "settembre", "ottobre", "novembre", "dicembre"),
        ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
        "{day} {month} {year}", "{d:02d}/{m:02d}/{y}",
        ("Giulia Ferri", "Matteo Colombo", "Chiara Esposito", "Luca Marchetti",
         "Francesca Rinaldi", "Davide Greco"),
    ),
    "pt": Locale(
        ".", ",",
        ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
         "outubro", "novembro", "dezembro"),
        ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado",
         "domingo"),
        "{day} de {month} de {year}", "{d:02d}/{m:02d}/{y}",
        ("Beatriz Almeida", "João Carvalho", "Mariana Costa", "Rafael Nogueira", "Inês Tavares",
         "Tiago Moreira"),
    ),
    "nl": Locale(
        ".", ",",
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
         "oktober", "november", "december"),
        ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "{day} {month} {year}", "{d:02d}-{m:02d}-{y}",
        ("Sanne de Vries", "Bram Jansen", "Lotte Bakker", "Daan Visser", "Femke Smit",
         "Joris van Dijk"),
    ),
    "pl": Locale(
        "\u00a0", ",",
        ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
         "września", "października", "listopada", "grudnia"),
        ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
        "{day} {month} {year}", "{d:02d}.{m:02d}.{y}",
        ("Anna Kowalczyk", "Piotr Nowicki", "Magdalena Wiśniewska", "Tomasz Zieliński",
         "Karolina Mazur", "Michał Wróbel"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class PlantedPage:
    """A page with junk planted in its main container.

    Attributes:
        html: The page's HTML with the junk blocks inserted.
        junk: The exact text of each planted block, in document order.
        kinds: The kind of each block (a key of the wordings planted), parallel to `junk`.
    """

    html: str
    junk: tuple[str, ...]
    kinds: tuple[str, ...]


def normalize_whitespace(text: str) -> str:
    """Collapse every run of white space to one space and strip both ends.

    Args:
        text: Any text.

    Returns:
        The normalized text; snippet and junk matching compare normalized strings.
    """
    return _WHITESPACE.sub(" ", text).strip()


def junk_language(code: str | None) -> str:
    """Map a page's language code to a language with junk wordings.

    Args:
        code: An ISO 639-1 code, possibly with a region (`pt-BR`, `zh-cn`), or None.

    Returns:
        The code's base language if it is in `LANGUAGES`, else `"en"`.
    """
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else "en"


def format_count(value: int, lang: str) -> str:
    """Write a count with the language's thousands separator.

    Args:
        value: A non-negative count.
        lang: A key of `LOCALES`.

    Returns:
        The count, e.g. `12,345` in English or `12.345` in German.
    """
    return f"{value:,}".replace(",", LOCALES[lang].thousands)


def _random_date(rng: random.Random) -> dt.datetime:
    start = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
    return start + dt.timedelta(days=rng.randrange(4000), minutes=rng.randrange(24 * 60))


def placeholder_values(lang: str, rng: random.Random) -> dict[str, str]:
    """Draw a value for every placeholder a junk wording may use.

    Args:
        lang: A key of `LOCALES`.
        rng: The page's random generator.

    Returns:
        Placeholder name to text.
    """
    locale = LOCALES[lang]
    when = _random_date(rng)
    j = rng.randint(5, 40)
    return {
        "n": format_count(rng.randint(120, 98_000), lang),
        "k": str(rng.randint(2, 480)),
        "votes": format_count(rng.randint(9, 2_400), lang),
        "rating": f"{rng.randint(26, 49) / 10:.1f}".replace(".", locale.decimal),
        "min": str(rng.randint(2, 14)),
        "ss": f"{rng.randrange(60):02d}",
        "hours": str(rng.randint(2, 11)),
        "i": str(rng.randint(1, j)),
        "j": str(j),
        "name": rng.choice(locale.names),
        "agency": rng.choice(_AGENCIES),
        "date": locale.long_date.format(
            day=when.day, month=locale.months[when.month - 1], year=when.year
        ),
        "numdate": locale.numeric_date.format(d=when.day, m=when.month, y=when.year),
        "weekday": locale.weekdays[when.weekday()],
        "time": f"{when.hour:02d}:{when.minute:02d}",
    }


def junk_wording(
    kind: str, lang: str, rng: random.Random, *, wordings: Wordings | None = None
) -> str:
    """Pick one wording of a kind of junk and fill in its numbers, names and dates.

    Args:
        kind: A key of `wordings`.
        lang: A language; one without wordings falls back to English.
        rng: The page's random generator.
        wordings: Kind to language to templates; `JUNK_WORDINGS` if None.

    Returns:
        The junk text.
    """
    lang = junk_language(lang)
    templates = (JUNK_WORDINGS if wordings is None else wordings)[kind][lang]
    template = rng.choice(templates)
    return template.format(**placeholder_values(lang, rng))


def _is_new(text: str, page_text: str, chosen: Sequence[str]) -> bool:
    """Whether a junk text is absent from the page and unrelated to the junk chosen so far."""
    norm = normalize_whitespace(text)
    if not norm or norm in page_text:
        return False
    return all(norm not in other and other not in norm for other in chosen)


def choose_junk(
    lang: str,
    rng: random.Random,
    page_text: str,
    count: int,
    attempts: int = 6,
    *,
    wordings: Wordings | None = None,
) -> list[tuple[str, str]]:
    """Choose junk blocks of distinct kinds whose text does not already occur in the page.

    A wording already present in the page (a real "Advertisement" label, say) would make its
    survival unmeasurable, so such draws are skipped.

    Args:
        lang: The page's language.
        rng: The page's random generator.
        page_text: The page's whole text, whitespace-normalized.
        count: How many blocks to choose.
        attempts: Draws per kind before the kind is given up for this page.
        wordings: Kind to language to templates; `JUNK_WORDINGS` if None.

    Returns:
        Up to `count` pairs of kind and text.
    """
    wordings = JUNK_WORDINGS if wordings is None else wordings
    kinds = sorted(wordings)
    rng.shuffle(kinds)
    chosen: list[tuple[str, str]] = []
    for kind in kinds:
        if len(chosen) == count:
            break
        for _ in range(attempts):
            text = junk_wording(kind, lang, rng, wordings=wordings)
            if _is_new(text, page_text, [normalize_whitespace(t) for _, t in chosen]):
                chosen.append((kind, text))
                break
    return chosen


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """Parse a whole page; None if no tree can be built."""
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError, UnicodeError):
        return None


def _outside_article(element: lxml.html.HtmlElement) -> bool:
    return any(
        isinstance(ancestor.tag, str) and ancestor.tag in _OUTSIDE_ARTICLE
        for ancestor in element.iterancestors()
    )


def find_container(
    root: lxml.html.HtmlElement,
) -> tuple[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] | None:
    """Find the element whose child paragraphs hold the most text.

    Args:
        root: The page's root element.

    Returns:
        The container and its non-empty child `<p>` elements in document order, or None if the
        page has no paragraph with text outside footers, navigation and asides.
    """
    chars: dict[lxml.html.HtmlElement, int] = {}
    paragraphs: dict[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        text = normalize_whitespace(p.text_content())
        if parent is None or not text or _outside_article(p):
            continue
        chars[parent] = chars.get(parent, 0) + len(text)
        paragraphs.setdefault(parent, []).append(p)
    if not chars:
        return None
    best = max(chars, key=lambda parent: (chars[parent], len(paragraphs[parent])))
    return best, paragraphs[best]


def insertion_points(n_paragraphs: int, n_blocks: int, rng: random.Random) -> list[int]:
    """Choose after which paragraphs the junk blocks go.

    The first three go after the first, the middle and the last paragraph; more go after
    paragraphs drawn at random.

    Args:
        n_paragraphs: Paragraphs in the container (at least 1).
        n_blocks: Blocks to place.
        rng: The page's random generator.

    Returns:
        `n_blocks` paragraph indices, in ascending order.
    """
    last = n_paragraphs - 1
    slots = [0, last // 2, last][:n_blocks]
    slots += [rng.randrange(n_paragraphs) for _ in range(n_blocks - len(slots))]
    return sorted(slots)


def junk_element(
    kind: str, text: str, rng: random.Random, *, classes: KindClasses | None = None
) -> lxml.html.HtmlElement:
    """Build the markup of one junk block.

    Args:
        kind: The junk kind, for a fitting class name.
        text: The block's text.
        rng: The page's random generator.
        classes: Kind to the class names its markup may carry; `_KIND_CLASSES` if None.

    Returns:
        A `<p>`, `<div>` or `<span>` element, possibly with an inner `<span>`, holding `text`.
    """
    kind_classes = (_KIND_CLASSES if classes is None else classes)[kind]
    tag, has_class, inner = rng.choice(_MARKUPS)
    element = lxml.html.Element(tag)
    if has_class:
        pool = kind_classes if rng.random() < 0.5 else _NEUTRAL_CLASSES
        element.set("class", rng.choice(pool))
    if inner is None:
        element.text = text
    else:
        child = lxml.html.Element(inner)
        if not has_class:
            child.set("class", rng.choice(kind_classes))
        child.text = text
        element.append(child)
    element.tail = "\n"
    return element


def plant_junk(
    html: str,
    page_id: str,
    lang: str | None = None,
    *,
    wordings: Wordings | None = None,
    classes: KindClasses | None = None,
) -> PlantedPage | None:
    """Insert 3 to 5 junk blocks among the paragraphs of a page's main container.

    With the default wordings and classes this builds the benchmark's `planted` variant; other
    sets (such as the held-out ones of `benchmarks.junk_data`) are planted with the same draws.

    Args:
        html: The page's HTML.
        page_id: The page's id; it seeds every choice, so a page always gets the same junk.
        lang: The page's language code; wordings fall back to English.
        wordings: Kind to language to templates, every kind with every language of
            `LANGUAGES`; `JUNK_WORDINGS` if None.
        classes: Kind to the class names a block of that kind may carry, for every kind of
            `wordings`; `_KIND_CLASSES` if None.

    Returns:
        The planted page, or None if the page has no paragraphs to plant junk among.
    """
    rng = random.Random(page_id)
    root = _parse(html)
    if root is None:
        return None
    found = find_container(root)
    if found is None:
        return None
    _, paragraphs = found
    page_text = normalize_whitespace(root.text_content())
    count = rng.randint(MIN_BLOCKS, MAX_BLOCKS)
    blocks = choose_junk(junk_language(lang), rng, page_text, count, wordings=wordings)
    if not blocks:
        return None
    points = insertion_points(len(paragraphs), len(blocks), rng)
    anchor, previous = paragraphs[points[0]], points[0]
    for point, (kind, text) in zip(points, blocks, strict=True):
        if point != previous:
            anchor, previous = paragraphs[point], point
        element = junk_element(kind, text, rng, classes=classes)
        anchor.addnext(element)
        anchor = element
    planted = lxml.html.tostring(root.getroottree(), encoding="unicode", method="html")
    return PlantedPage(
        html=planted,
        junk=tuple(text for _, text in blocks),
        kinds=tuple(kind for kind, _ in blocks),
    )
