"""Page metadata from what the extractor found, made fit for the Parquet columns.

trafilatura hands over what the page declares, and a few fallbacks of its own: the title with
the site's name still on it (``"Top 10 tips | The Beachbody Blog"``), the host name (and port)
when the page names no site, a meta keywords string as one tag, role words as author names.
Each function here takes that raw value and gives the column's value; all are pure.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

_SPACE = re.compile(r"\s+")


def clean_value(value: str | None) -> str | None:
    """NFC, white space folded and stripped; None for nothing left."""
    value = _SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip() if value else ""
    return value or None


def _unique(values: list[str]) -> list[str]:
    # the first spelling of each value, case folded when comparing
    seen: dict[str, str] = {}
    for value in values:
        cleaned = clean_value(value)
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return list(seen.values())


# ---------------------------------------------------------------------------------------------
# Title and site name

# What sits between a title and the site's name: " | ", " - ", " – ", " — ", " :: ", " · ",
# " • ", " » ", " ~ ", " / ", " // ". Spaces on both sides, so "COVID-19" or "and/or" never split.
_TITLE_SEPARATOR = re.compile(r"\s+(?:\|\|?|//?|::|[-–—·•»~])\s+")
# A host name or an address, maybe with a port: trafilatura's fallback when a page names no site.
_HOST_LIKE = re.compile(
    r"(?:https?://)?(?:(?:[a-z0-9-]+\.)+[a-z0-9-]+\.?|[a-z0-9-]+(?=:\d)|localhost|\[[0-9a-f:.]+\])"
    r"(?::\d+)?/?",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"\d+(?:\.\d+){3}")
# Labels in front of a host name that are not the site's name.
_HOST_PREFIXES = frozenset({"www", "www1", "www2", "www3", "w3", "m", "amp", "mobile"})
# Second-level labels of country domains ("co" of example.co.uk): the name is the label before.
_SECOND_LEVEL = frozenset(
    {"ac", "co", "com", "edu", "go", "gob", "gov", "gv", "ltd", "ne", "net", "or", "org", "plc"}
)
# Sub-domains that name a part of a site, not the site: "Blog" is no site's name.
_SECTION_LABELS = frozenset(
    {
        "about", "account", "blogs", "careers", "community", "discuss", "forum", "forums",
        "learn", "media", "news", "press", "shop", "store", "support",
    }
)  # fmt: skip
# Words a site's name carries beside the host's name ("The Beachbody Blog").
_NAME_WORDS = frozenset(
    {
        "ag", "blog", "co", "com", "daily", "de", "gmbh", "group", "inc", "journal", "llc",
        "ltd", "magazin", "magazine", "media", "news", "official", "online", "shop", "site",
        "store", "the", "weekly",
    }
)  # fmt: skip
# Words of a title part that say where, not who: "https://www.example.com".
_ADDRESS_WORDS = frozenset({"http", "https", "www"})
# A part names the site with at most this many words beside the site's name: "REI Co-op" for a
# site declared "REI", "BBC News" on bbc.co.uk, "The Motley Fool" on fool.com.
_EXTRA_NAME_WORDS = 2
# A run of a title's words taken for the start or the end of the host's name ("Beachbody" in
# beachbodyondemand.com, "LoadUp" in goloadup.com) must be this long, and at least half of it.
_MIN_NAME_PART = 4
# A host's name this long, found at the start of a title part and ending inside a word, is the
# site's ("Redfish Technology" on redfishtech.com); a shorter one could be any word's start.
_MIN_HOST_PREFIX = 5
# A title cut at the front ("Site | Title") keeps at least this many words: "Shop" of
# "The Barn Swallow - Shop" is a section, not a title.
_MIN_TITLE_WORDS = 2


def host_like(value: str) -> bool:
    """Whether a site name is a host name or an address (with or without a port), not a name.

    A host name spelled in lower case, with ``www.``, a port or as an address is what
    trafilatura falls back to when the page names no site (``127.0.0.1:8080``,
    ``www.example.com``); a name cased like a brand (``Booking.com``, ``DW.COM``) is how the
    site calls itself and stays.
    """
    value = value.strip()
    if not _HOST_LIKE.fullmatch(value):
        return False
    host = urlsplit(value if "//" in value else f"//{value}")
    return (
        value == value.lower()
        or "//" in value
        or host.hostname is None
        or host.hostname.startswith("www.")
        or host.port is not None
        or bool(_IPV4.fullmatch(host.hostname))
    )


def title_and_site(
    title: str | None, sitename: str | None, url: str
) -> tuple[str | None, str | None]:
    """The title without the site's name on it, and the site's name.

    A title part after a separator (``"Title | Site"``, ``"Title - Site - Tagline"``) that
    names the site is cut off, and so is a first part (``"Site | Title"``) that names it
    exactly. A part names the site when it matches the declared site name or the host's
    name, compared with case, accents, spaces and punctuation folded. A title that merely
    holds a dash stays whole. The site name is the declared one unless that is a host name
    (``127.0.0.1:8080``) or the title itself; then it is the part cut off, or None.
    """
    title, sitename = clean_value(title), clean_value(sitename)
    if sitename is not None and host_like(sitename):
        sitename = None
    if title is None:
        return None, sitename
    # trafilatura takes a whole title for the site's name on some pages: no name to match
    declared = sitename if sitename is None or _fold(sitename) != _fold(title) else None
    cut = _cut_site(title, _Site(declared, urlsplit(url).hostname or ""))
    if cut is None:
        return title, sitename
    rest, part = cut
    # the part cut off is a better name than the title ("Gardenary Planting vs. Ordinary
    # Planting • Gardenary" declared as the site's name)
    if sitename is not None and _fold(sitename) in {_fold(title), _fold(rest)}:
        sitename = None
    if sitename is None and not host_like(part):
        sitename = part
    return rest, sitename


def _cut_site(title: str, site: _Site) -> tuple[str, str] | None:
    separators = list(_TITLE_SEPARATOR.finditer(title))
    if not separators:
        return None
    starts = [0, *(s.end() for s in separators)]
    ends = [*(s.start() for s in separators), len(title)]
    parts = [title[start:end] for start, end in zip(starts, ends, strict=True)]
    # the first part after the title that names the site goes, and everything after it (a
    # tagline, a second name); a loose match only for the last part, where site names sit,
    # so that a middle part that starts like the host ("Apple Watch") is not taken
    for i in range(1, len(parts)):
        if site.named_by(parts[i], loose=i == len(parts) - 1):
            rest = title[: separators[i - 1].start()].strip()
            if _fold(rest):
                return rest, parts[i].strip()
    if site.named_by(parts[0], loose=False):
        rest = title[separators[0].end() :].strip()
        if len(_words(rest)) >= _MIN_TITLE_WORDS:
            return rest, parts[0].strip()
    return None


class _Site:
    """What a title part is compared against: the declared name and the host's labels."""

    def __init__(self, declared: str | None, host: str) -> None:
        self.declared = _words(declared) if declared else []
        self.host = _fold(_without_www(host))
        labels = [] if _IPV4.fullmatch(host) or ":" in host else host.lower().split(".")
        while labels and labels[0] in _HOST_PREFIXES:
            labels = labels[1:]
        labels = labels[:-1]  # the top-level domain
        if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
            labels = labels[:-1]
        # the registrable name: beachbodyondemand of www.beachbodyondemand.com
        self.name = _fold(labels[-1]) if labels else ""
        # and sub-domains that name the site (mitsloan of mitsloan.mit.edu), not a section
        self.labels = {self.name} | {
            _fold(label)
            for label in labels[:-1]
            if len(label) >= _MIN_HOST_PREFIX and label not in _SECTION_LABELS
        }
        self.labels.discard("")

    def named_by(self, part: str, *, loose: bool) -> bool:
        """Whether a title part names the site; ``loose`` also takes a name with words more."""
        words = _words(part)
        while words and words[0] in _ADDRESS_WORDS:
            words = words[1:]  # "http://www.example.com"
        folded = "".join(words)
        if not folded:
            return False
        declared = self.declared
        if folded in {"".join(declared), self.host} or folded in self.labels:
            return True
        # the start of the declared name ("Utne" of "Utne – Cure Ignorance")
        if declared and words == declared[: len(words)] and len(folded) >= _MIN_NAME_PART:
            return True
        if not loose:
            return False
        # the declared name and a word or two more ("REI Co-op" for "REI")
        extra = len(words) - len(declared)
        if declared and 0 < extra <= _EXTRA_NAME_WORDS and words[: len(declared)] == declared:
            return True
        return bool(self.name) and self._host_name_in(words)

    def _host_name_in(self, words: list[str]) -> bool:
        name = self.name
        for start in range(len(words)):
            for end in range(start + 1, len(words) + 1):
                others = [*words[:start], *words[end:]]
                if len(others) > _EXTRA_NAME_WORDS:
                    continue
                run = "".join(words[start:end])
                if run == name:
                    return True  # "BBC News" on bbc.co.uk, "The Motley Fool" on fool.com
                if start == 0 and len(name) >= _MIN_HOST_PREFIX and run.startswith(name):
                    # the name ends inside the run's last word: "Redfish Technology" on
                    # redfishtech.com
                    return len(run) - len(name) < len(words[end - 1])
                if (
                    len(run) >= _MIN_NAME_PART
                    and (name.startswith(run) or name.endswith(run))
                    and 2 * len(run) >= len(name)
                    and all(w in _NAME_WORDS for w in others)
                ):
                    # "The Beachbody Blog" on beachbodyondemand.com, "LoadUp" on goloadup.com
                    return True
        return False


def _without_www(host: str) -> str:
    first, _, rest = host.lower().partition(".")
    return rest if first in _HOST_PREFIXES and rest else host


def _words(text: str) -> list[str]:
    """Lower-case words without accents: what two spellings of a name share."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [w for w in re.split(r"[\W_]+", plain) if w]


def _fold(text: str) -> str:
    return "".join(_words(text))


# ---------------------------------------------------------------------------------------------
# Tags

# Commas and semicolons outside parentheses: "Internet of Things (IoT, IIoT)" is one tag.
_TAG_SEPARATOR = re.compile(r"[,;](?![^()]*\))")
# How a machine joins a list, where a person writing one tag would not: "Marketing,Social Media"
# (no space after the comma), "País, Presidente Boric," (a comma at the end).
_JOINED_MARK = re.compile(r"[,;](?=\S)(?![^()]*\))|[,;]$")
# A value split into this many pieces is a keywords list, not a tag with a comma in it.
_MIN_LIST_PIECES = 3


def unique_tags(values: list[str]) -> list[str]:
    """Tags and categories, each once: keyword lists split, case duplicates and blanks gone.

    trafilatura keeps a meta keywords string as one value (``"AI, Chips, Laptops"``), often
    beside the same words from ``article:tag``. A value is split on commas and semicolons
    (outside parentheses) when it is the only one, when it has three or more pieces, when
    each piece is also a value of its own, or when it is joined as no one writes a tag
    (``"Marketing,Social Media"``, a comma at the end); a single tag with one comma in a
    list of tags (``"Access, Use and Reuse"``) stays whole.
    """
    values = [html.unescape(v) for v in values if v and v.strip()]
    folded = {_SPACE.sub(" ", v).strip().casefold() for v in values}
    tags: list[str] = []
    for value in values:
        pieces = [p for p in (clean_value(p) for p in _TAG_SEPARATOR.split(value)) if p]
        joined = len(pieces) > 1 and (
            len(values) == 1
            or len(pieces) >= _MIN_LIST_PIECES
            or all(p.casefold() in folded for p in pieces)
            or bool(_JOINED_MARK.search(value.strip()))
        )
        tags.extend(pieces if joined else [value])
    return _unique(tags)


# ---------------------------------------------------------------------------------------------
# Authors

# Words in front of a name: "By Jane Doe", "Autor: Max Muster", "View all posts by Jane Doe".
_AUTHOR_PREFIX = re.compile(
    r"^(?:(?:view\s+all\s+posts|zeige\s+alle\s+beiträge|beitrag|artikel|article|posted|post"
    r"|written|words|story|text|reported)\s+(?:by|von|par|por)|by|par|por|author|autor"
    r"|autorin|auteur)\b[\s:]*",
    re.IGNORECASE,
)
# What a byline says someone is: a role ends on one of these nouns ("Writer", "Editor-at-large")
# and may start with the role words below ("Senior Autos Reporter", "Editorial Staff").
_ROLE_NOUNS = frozenset(
    {
        "admin", "administrator", "author", "autor", "columnist", "contributor", "contributors",
        "correspondent", "desk", "editor", "editorial", "editors", "moderator", "newsdesk",
        "redaccion", "redaktion", "reporter", "reporters", "staff", "team", "user", "webmaster",
        "writer", "writers",
    }
)  # fmt: skip
_ROLE_WORDS = _ROLE_NOUNS | frozenset(
    {
        "assistant", "associate", "at", "auto", "autos", "business", "chief", "contributing",
        "deputy", "digital", "entertainment", "executive", "features", "foreign", "guest",
        "health", "large", "managing", "national", "news", "online", "opinion", "political",
        "politics", "science", "senior", "special", "sports", "super", "tech", "technology",
        "the", "web",
    }
)  # fmt: skip
# Whole strings that are no name (folded): placeholders, credentials split off a name
# ("Jane Doe, PhD" comes as "Jane Doe" and "PhD").
_NOT_NAMES = frozenset({"anonymous", "anonimo", "md", "noauthor", "phd", "posted", "unknown"})
# Roles that say a desk, not a person, wrote it ("Editorial Team", "Newsdesk").
_COLLECTIVE = frozenset({"desk", "newsdesk", "team", "redaktion", "redaccion"})
# A name left after its role is cut ("Keith Barry" of "Keith Barry Senior Autos Reporter")
# has at least this many words; one word before a role is an outlet ("AP", "Resy Staff").
_MIN_NAME_WORDS = 2


def author_names(value: str | None) -> list[str]:
    """Author names from trafilatura's ``"; "``-joined author string, each once.

    ``By``-style prefixes are cut; a string that is only a role ("Staff Writer",
    "AP Sports Writer", "CNN Editor-at-large", "Editorial Team") or a placeholder
    ("Unknown") goes; a name followed by its role keeps the name ("Keith Barry Senior
    Autos Reporter" gives "Keith Barry"). Anything else stays: a name the rules do not know
    is kept rather than lost.
    """
    if not value:
        return []
    names = []
    for raw in value.split(";"):
        name = _AUTHOR_PREFIX.sub("", clean_value(raw) or "").strip(" :-–—,")
        name = _without_role(name)
        if name and _fold(name) not in _NOT_NAMES:
            names.append(name)
    return _unique(names)


def _without_role(name: str) -> str:
    tokens = name.split()
    # the longest run of role words at the end that finishes on a role noun
    # ("Editor-at-large" is one token: its words are looked at one by one)
    if not tokens or not _role_token(tokens[-1], nouns=True):
        return name
    start = len(tokens) - 1
    while start > 0 and _role_token(tokens[start - 1], nouns=False):
        start -= 1
    role = {w for t in tokens[start:] for w in _words(t)}
    head = tokens[:start]
    if not head or role & _COLLECTIVE:
        return ""  # "Staff Writer", "Teufel Editorial Team"
    if len(head) < _MIN_NAME_WORDS:
        return ""  # "AP Sports Writer", "CNN Editor-at-large", "Resy Staff"
    return " ".join(head)


def _role_token(token: str, *, nouns: bool) -> bool:
    words = _words(token)
    if not words:
        return False
    if nouns:
        # "Editor-at-large": a role noun and role words
        return words[0] in _ROLE_NOUNS and all(w in _ROLE_WORDS for w in words)
    return all(w in _ROLE_WORDS for w in words)
