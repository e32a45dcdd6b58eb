"""A hostile web site for end-to-end tests: wrong charsets, binaries, huge and endless bodies.

Every route is built at request time (nothing large is stored in git or kept in memory):
``HOSTILE`` maps a path to its builder, the outcome the crawl must reach, and the words the
Parquet text must hold when the page is written.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from crawler.sample_server import LocalServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

MB = 1024 * 1024
STALL_SECONDS = 5.0  # the crawl's DOWNLOAD_TIMEOUT must be below this


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html"),)
    body: bytes | Callable[[], Iterator[bytes]] = b""
    length: int | None = None  # Content-Length to declare for a streamed body (None: none)
    stall: bool = False  # send part of the body, then stop sending


def article(title: str, paragraphs: list[str], *, lang: str, meta: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang}"><head>{meta}<title>{title}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
</head><body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>
{body}</article><footer>Hostile Times</footer></body></html>"""


FRENCH = [
    "Le café crème à Noël coûte déjà deux euros à Besançon, même pour les élèves qui "
    "préfèrent le thé et les crêpes.",
    "Les opérateurs français déploient la fibre optique dans les départements ruraux, où "
    "l'accès à Internet reste très inégal selon les communes.",
    "Selon l'Arcep, près de quatre-vingts pour cent des foyers sont désormais éligibles, "
    "mais les délais de raccordement dépassent souvent trois mois.",
]
GERMAN = [
    "Die Größe der Übertragung ändert sich täglich, heißt es aus München, wo die Behörde "
    "die Netzbetreiber regelmäßig prüft.",
    "Für Verbraucher bedeutet das höhere Gebühren, während die Anbieter über steigende "
    "Kosten für Strom und Wartung klagen.",
    "Außerdem müssen Geräte künftig fünf Jahre lang Sicherheitsupdates erhalten, was "
    "Hersteller zu längeren Planungszyklen zwingt.",
]
RUSSIAN = [
    "Новая версия программы вышла сегодня утром, и разработчики обещают более быструю "
    "работу на старых компьютерах.",
    "По словам компании, обновление исправляет десятки ошибок безопасности и уменьшает "
    "потребление памяти почти вдвое.",
    "Пользователи смогут загрузить его бесплатно в течение следующей недели через "
    "официальный сайт и магазин приложений.",
]
JAPANESE = [
    "新しいスマートフォンが今日、東京で発表されました。価格は十万円で、来月から販売されます。",
    "このカメラは、暗い場所でも、きれいな写真を撮ることができます。電池は、二日間持ちます。",
    "専門家によると、半導体の不足は、来年まで続く見込みです。メーカーは、生産を増やしています。",
]
CHINESE = [
    "今天，一家公司在北京发布了新的智能手机，价格为五千元人民币，消费者反应热烈。",
    "专家表示，芯片短缺问题，预计将持续到明年，厂商正在扩大生产，以满足市场需求。",
    "这款手机的摄像头，在夜间也能拍出清晰的照片，电池可以使用两天，充电速度很快。",
]
SPANISH = [
    "La compañía española presentó ayer un teléfono más barato, diseñado para niños y "
    "mayores que sólo necesitan llamar y enviar mensajes.",
    "Según el fabricante, la batería dura una semana y la pantalla se lee bien bajo el sol "
    "de agosto en Andalucía.",
    "Los análisis independientes señalan, sin embargo, que la cámara es pobre y que el "
    "almacenamiento se llena en pocos días.",
]


def _html(text: str, encoding: str, content_type: str = "text/html", *, status: int = 200) -> Reply:
    return Reply(
        status=status, headers=(("Content-Type", content_type),), body=text.encode(encoding)
    )


def _binary() -> Reply:
    return Reply(body=random.Random(6).randbytes(20_000))


def _pdf() -> Reply:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 4
    return Reply(headers=(("Content-Type", "application/pdf"),), body=body)


def _big_page() -> Reply:
    """An article with about 5 MB of inline JSON state, as single-page-app pages carry."""
    state = '{"items": [' + ",".join(f'{{"id": {n}, "v": "x"}}' for n in range(260_000)) + "]}"
    page = article("Five megabytes of state", GERMAN, lang="de").replace(
        "</body>", f'<script type="application/json">{state}</script></body>'
    )
    return _html(page, "utf-8", "text/html; charset=utf-8")


def _endless(total: int) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        chunk = b"<p>" + b"filler text " * 5000 + b"</p>\n"
        sent = 0
        yield b"<html><body>"
        while sent < total:
            yield chunk
            sent += len(chunk)

    return chunks


def _gzip_bomb() -> Reply:
    # 64 MiB of spaces in ~64 KiB: over DOWNLOAD_MAXSIZE only once decompressed
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * MB
    body = b"".join(compressor.compress(block) for _ in range(64)) + compressor.flush()
    return Reply(headers=(("Content-Type", "text/html"), ("Content-Encoding", "gzip")), body=body)


def _nested(depth: int) -> Reply:
    """Markup nested ``depth`` levels deep, unclosed and stray tags, before a real article."""
    junk = "<div><span><b>" * (depth // 3) + "</i></p></table>" * 50
    page = article("Deeply nested markup", SPANISH, lang="es").replace(
        "<article>", junk + "<article>"
    )
    return _html(page, "utf-8", "text/html; charset=utf-8")


def _malformed() -> Reply:
    page = (
        '<html><head><title>Broken tags</title><meta property="og:type" content="article">'
        "<body><article><h1>Broken tags<p>"
        + "<p>".join(SPANISH)
        + "<td>stray cell</tr></tbody><!-- unclosed comment <script>var a = '</scr'+'ipt>'"
        " --></article></html></html></body>"
    )
    return _html(page, "utf-8", "text/html; charset=utf-8")


def _slow_extraction() -> Reply:
    """A page of 3,000 tiny elements and a 50x50 table: a long run for the extractor.

    Kept to about a second, as the crawl's cleaning still runs in the reactor thread.
    """
    cells = "".join("<tr>" + "<td>x</td>" * 50 + "</tr>" for _ in range(50))
    spans = "".join(f'<div class="c{n % 97}"><span>w{n}</span></div>' for n in range(3_000))
    page = article("Forty thousand elements", FRENCH, lang="fr").replace(
        "</article>", f"<table>{cells}</table>{spans}</article>"
    )
    return _html(page, "utf-8", "text/html; charset=utf-8")


def _utf16(encoding: str, content_type: str, meta: str = "") -> Reply:
    """German in UTF-16 or UTF-32 without a byte-order mark (Python's -le/-be codecs add none)."""
    page = article("Größe in UTF-16", GERMAN, lang="de", meta=meta)
    return _html(page, encoding, content_type)


def _nul_byte() -> Reply:
    """An article with one NUL byte near its start, as a broken CMS template leaves."""
    page = article("Ein Nullbyte", GERMAN, lang="de").replace("<nav>", "<nav>\x00")
    return _html(page, "utf-8", "text/html; charset=utf-8")


def _mostly_utf8() -> Reply:
    """UTF-8, declared, with a footer of windows-1252 bytes: invalid as UTF-8."""
    page = article("Übertragung", GERMAN, lang="de", meta='<meta charset="utf-8">')
    body = page.encode("utf-8").replace(b"Hostile Times", "Édition Hostile".encode("cp1252"))
    return Reply(headers=(("Content-Type", "text/html; charset=utf-8"),), body=body)


def _lone(title: str, paragraphs: list[str], lang: str) -> Reply:
    """An article without links, for the pages on subdomains: they lead nowhere else."""
    page = article(title, paragraphs, lang=lang).replace('<nav><a href="/">Home</a></nav>', "")
    return _html(page, "utf-8")


def _redirect(target: str) -> Reply:
    return Reply(status=302, headers=(("Location", target), ("Content-Type", "text/html")))


@dataclass(frozen=True)
class Case:
    """A hostile page, and what the crawl must make of it."""

    reply: Callable[[], Reply]
    outcome: str  # "written", or the drop reason counted as cleaning/dropped/<reason>
    words: tuple[str, ...] = ()  # words the written text must hold, exactly
    what: str = ""  # the input, for the README table
    host: str = ""  # served on this subdomain of DOMAIN (a fake DNS name in the crawl)
    fetched: bool = True  # False: refused before any request reaches the server


HOSTILE: dict[str, Case] = {
    "/enc/cp1252-undeclared": Case(
        lambda: _html(article("Café à Noël", FRENCH, lang="fr"), "cp1252"),
        "written",
        ("crème", "Noël", "éligibles", "délais"),
        "French in windows-1252, no charset anywhere",
    ),
    "/enc/latin1-header": Case(
        lambda: _html(
            article("Größe", GERMAN, lang="de"), "latin-1", "text/html; charset=ISO-8859-1"
        ),
        "written",
        ("Größe", "heißt", "Außerdem", "fünf"),
        "German in ISO-8859-1, declared in the HTTP header",
    ),
    "/enc/cp1251-meta": Case(
        lambda: _html(
            article("Обновление", RUSSIAN, lang="ru", meta='<meta charset="windows-1251">'),
            "cp1251",
        ),
        "written",
        ("программы", "безопасности", "бесплатно"),
        "Russian in windows-1251, declared in `<meta>` only",
    ),
    "/enc/cp1251-conflict": Case(
        lambda: _html(
            article("Версия", RUSSIAN, lang="ru", meta='<meta charset="windows-1251">'),
            "cp1251",
            "text/html; charset=windows-1252",
        ),
        "written",
        ("Новая", "разработчики", "памяти"),
        "Russian in windows-1251, header says windows-1252, `<meta>` says windows-1251",
    ),
    "/enc/sjis-wrong-header": Case(
        lambda: _html(
            article(
                "新製品",
                JAPANESE,
                lang="ja",
                meta='<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
            ),
            "shift_jis",
            "text/html; charset=utf-8",
        ),
        "written",
        ("新しいスマートフォンが今日", "半導体の不足は"),
        "Japanese in Shift_JIS, header says UTF-8, `<meta>` says Shift_JIS",
    ),
    "/enc/gbk-undeclared": Case(
        lambda: _html(article("新手机", CHINESE, lang="zh"), "gbk"),
        "written",
        ("价格为五千元人民币", "芯片短缺问题"),
        "Chinese in GBK, no charset anywhere",
    ),
    "/enc/utf8-latin1-header": Case(
        lambda: _html(
            article("Fibre à la campagne", FRENCH, lang="fr"),
            "utf-8",
            "text/html; charset=ISO-8859-1",
        ),
        "written",
        ("crème", "opérateurs", "départements"),
        "French in UTF-8, header says ISO-8859-1 (a stale server default)",
    ),
    "/enc/cp1252-says-utf8": Case(
        lambda: _html(
            article("Teléfono", SPANISH, lang="es", meta='<meta charset="utf-8">'),
            "cp1252",
            "text/html; charset=utf-8",
        ),
        "written",
        ("compañía", "batería", "análisis"),
        "Spanish in windows-1252, header and `<meta>` both say UTF-8",
    ),
    "/binary": Case(_binary, "binary", what="20 kB of random bytes served as text/html"),
    "/doc/report": Case(_pdf, "not_html", what="a PDF (application/pdf)"),
    "/empty": Case(lambda: Reply(), "empty", what="an empty 200 text/html"),
    "/big-5mb": Case(
        _big_page, "written", ("Übertragung",), "a 5 MB page (an article and 5 MB of inline JSON)"
    ),
    "/huge-declared": Case(
        lambda: Reply(body=_endless(50 * MB), length=50 * MB + 12),
        "too_large",
        what="a 50 MB page with Content-Length (over DOWNLOAD_MAXSIZE, 16 MiB)",
    ),
    "/huge-streamed": Case(
        lambda: Reply(body=_endless(50 * MB)),
        "too_large",
        what="a 50 MB page without Content-Length, cut off at 16 MiB",
    ),
    "/gzip-bomb": Case(
        _gzip_bomb, "too_large", what="gzip: 64 kB on the wire, 64 MiB decompressed"
    ),
    "/nested": Case(
        lambda: _nested(5000),
        "no_text",
        what="markup nested 5,000 levels deep: libxml2 stops at 256 levels, the article after"
        " them is lost (what is left, the menu's lone 'Home', is cut as junk)",
    ),
    "/nested-200": Case(
        lambda: _nested(200),
        "written",
        ("batería", "Andalucía"),
        "markup nested 200 levels deep with stray closing tags",
    ),
    "/malformed": Case(
        _malformed,
        "written",
        ("compañía", "almacenamiento"),
        "unclosed tags and comment, tags in the wrong order",
    ),
    "/slow-extraction": Case(
        _slow_extraction,
        "written",
        ("Besançon",),
        "3,000 tiny elements and a 50×50 table (a long extraction: about 1 s)",
    ),
    "/loop-a": Case(
        lambda: _redirect("/loop-b"),
        "redirect_loop",
        what="redirect loop /loop-a → /loop-b → /loop-a",
    ),
    "/loop-b": Case(lambda: _redirect("/loop-a"), ""),  # reached only from /loop-a
    "/loop-self": Case(lambda: _redirect("/loop-self"), "redirect_loop", what="redirect to itself"),
    "/chain/0": Case(
        lambda: _redirect("/chain/1"), "too_many_redirects", what="a chain of 30 redirects"
    ),
    **{
        f"/chain/{n}": Case(lambda n=n: _redirect(f"/chain/{n + 1}"), "")  # type: ignore[misc]
        for n in range(1, 30)
    },
    "/missing": Case(
        lambda: _html("<h1>Not found</h1>", "utf-8", status=404), "http_404", what="404"
    ),
    "/error-500": Case(
        lambda: _html("<h1>Oops</h1>", "utf-8", status=500), "http_500", what="500, retried"
    ),
    "/unavailable": Case(
        lambda: _html("<h1>Busy</h1>", "utf-8", status=503), "http_503", what="503, retried"
    ),
    "/stall": Case(
        lambda: Reply(body=b"<html><body><p>The start of a page", length=100_000, stall=True),
        "download_timeout",
        what="stalls mid-body (past DOWNLOAD_TIMEOUT)",
    ),
    "/nul-byte": Case(
        _nul_byte,
        "written",
        ("Größe", "Außerdem"),
        "a UTF-8 article with one NUL byte in its first 8 KiB",
    ),
    "/enc/utf16le-header": Case(
        lambda: _utf16("utf-16-le", "text/html; charset=utf-16"),
        "written",
        ("Größe", "heißt", "fünf"),
        "German in UTF-16LE without BOM, declared in the HTTP header",
    ),
    "/enc/utf16be-meta": Case(
        lambda: _utf16("utf-16-be", "text/html", '<meta charset="utf-16">'),
        "written",
        ("Größe", "heißt", "fünf"),
        "German in UTF-16BE without BOM, declared in `<meta>` only",
    ),
    "/enc/utf16le-undeclared": Case(
        lambda: _utf16("utf-16-le", "text/html"),
        "written",
        ("Größe", "heißt", "fünf"),
        "German in UTF-16LE without BOM, no charset anywhere",
    ),
    "/enc/utf32be-undeclared": Case(
        lambda: _utf16("utf-32-be", "text/html"),
        "written",
        ("Größe", "heißt", "fünf"),
        "German in UTF-32BE without BOM, no charset anywhere",
    ),
    "/enc/mostly-utf8": Case(
        _mostly_utf8,
        "written",
        ("Übertragung", "Größe", "Außerdem"),
        "German in UTF-8 (declared) with a few windows-1252 bytes (invalid UTF-8) in its footer",
    ),
    "/redirect/file": Case(
        lambda: _redirect("file:///etc/passwd"), "bad_scheme", what="a redirect to `file:`"
    ),
    "/redirect/data": Case(
        lambda: _redirect("data:text/html,<p>injected</p>"),
        "bad_scheme",
        what="a redirect to `data:`",
    ),
    "/redirect/ftp": Case(
        lambda: _redirect("ftp://hostile.test/pub/x"), "bad_scheme", what="a redirect to `ftp:`"
    ),
    "/redirect/offsite": Case(
        lambda: _redirect("http://elsewhere.test/page"),
        "offsite",
        what="a redirect to a host outside the site's allowed domains",
    ),
    "/redirect/private": Case(
        lambda: _redirect("http://intranet.hostile.test/admin"),
        "private_host",
        what="a redirect to a name that resolves to a private address",
    ),
    "/dns/rebind": Case(
        lambda: _lone("Rebinding", FRENCH, "fr"),
        "written",
        ("crème", "éligibles"),
        "a name answering a public address, then a private one (DNS rebinding)",
        host="rebind",
    ),
    "/dns/private": Case(
        lambda: _lone("Intranet", FRENCH, "fr"),
        "private_host",
        what="a name that resolves to a private address",
        host="intranet",
        fetched=False,
    ),
    "/dns/nxdomain": Case(
        lambda: _lone("Nowhere", FRENCH, "fr"),
        "dns_error",
        what="a name that does not resolve",
        host="nxdomain",
        fetched=False,
    ),
    "/robots/huge": Case(
        lambda: _lone("Huge robots.txt", SPANISH, "es"),
        "written",
        ("batería",),
        "a page on a host whose robots.txt is 700 kB of rules",
        host="bigrobots",
    ),
    "/private/secret": Case(
        lambda: _html(article("Secret", GERMAN, lang="de"), "utf-8"),
        "robots_txt",
        what="disallowed by robots.txt",
        fetched=False,
    ),
}

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
DOMAIN = "hostile.test"  # the crawl resolves it, and its subdomains, with tests/fake_dns.py


def huge_robots() -> bytes:
    """About 700 kB of rules (over RFC 9309's 500 KiB), none of which disallows /robots/huge.

    Not more: robots.txt is parsed in the reactor thread, and a parse of seconds would time
    out the crawl's 3-second downloads."""
    rules = "".join(f"Disallow: /archive/{n}/\n" for n in range(28_000))
    return f"User-agent: *\n{rules}".encode()


# Sitemaps of the "maps" site (tests/test_hostile_crawl.py): entity attacks, a flood of
# entries and a gzip bomb. Their entries are relative, so they stay on the test server.
_LOL = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{n} "{("&lol;" if n == 1 else f"&lol{n - 1};") * 10}">' for n in range(1, 10)
)
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
FLOOD_URLS = 100_000


def _flood() -> Iterator[bytes]:
    yield f'<?xml version="1.0"?>{_URLSET}'.encode()
    for start in range(0, FLOOD_URLS, 10_000):
        yield "".join(
            f"<url><loc>/maps/page/{n}</loc></url>" for n in range(start, start + 10_000)
        ).encode()
    yield b"</urlset>"


def _sitemap_gzip_bomb() -> Reply:
    # 20 MiB once decompressed (over DOWNLOAD_MAXSIZE), served as a .gz file, not gzip-encoded
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = compressor.compress(f'<?xml version="1.0"?>{_URLSET}'.encode())
    body += b"".join(compressor.compress(b" " * MB) for _ in range(20)) + compressor.flush()
    return Reply(headers=(("Content-Type", "application/x-gzip"),), body=body)


def _xml(text: str) -> Reply:
    return Reply(headers=(("Content-Type", "application/xml"),), body=text.encode())


SITEMAPS: dict[str, tuple[Callable[[], Reply], str]] = {
    "/maps/billion-laughs.xml": (
        lambda: _xml(
            f'<?xml version="1.0"?><!DOCTYPE urlset [{_LOL}]>{_URLSET}'
            "<url><loc>/maps/lol/&lol9;</loc></url></urlset>"
        ),
        "billion laughs: entities nested 10 deep (10⁹ × lol)",
    ),
    "/maps/xxe.xml": (
        lambda: _xml(
            '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f"{_URLSET}<url><loc>/maps/xxe/&xxe;</loc></url></urlset>"
        ),
        "XXE: an external entity naming `file:///etc/passwd`",
    ),
    "/maps/flood.xml": (
        lambda: Reply(headers=(("Content-Type", "application/xml"),), body=_flood),
        "a sitemap of 100,000 URLs",
    ),
    "/maps/huge.xml.gz": (
        _sitemap_gzip_bomb,
        "a `.xml.gz` sitemap of 20 kB, 20 MiB once decompressed",
    ),
}


def case_url(path: str, port: int | None = None) -> str:
    """The URL of a case: its path, or an absolute URL on its subdomain."""
    case = HOSTILE[path]
    return f"http://{case.host}.{DOMAIN}:{port}{path}" if case.host and port else path


def index_page(port: int | None = None) -> bytes:
    # pages reached only through a redirect (outcome "") are not linked
    links = "".join(
        f'<li><a href="{case_url(path, port)}">{path}</a></li>'
        for path, case in HOSTILE.items()
        if case.outcome
    )
    return (
        '<html><head><title>Hostile Times</title><meta property="og:type" content="website">'
        f"</head><body><h1>Hostile Times</h1><ul>{links}</ul></body></html>"
    ).encode()


class HostileServer(LocalServer):
    """Serve ``HOSTILE`` on 127.0.0.1 at a free port; ``requests`` counts requests per path."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.hosts: Counter[tuple[str, str]] = Counter()  # (host name, path)
        self._lock = threading.Lock()
        super().__init__(type("Handler", (_Handler,), {"server_state": self}))

    def count(self, host: str, path: str) -> None:
        with self._lock:
            self.requests[path] += 1
            self.hosts[host, path] += 1


class _Handler(BaseHTTPRequestHandler):
    server_state: HostileServer
    protocol_version = "HTTP/1.1"

    def handle(self) -> None:
        # the crawler hangs up when a size limit or a time-out does its work
        with contextlib.suppress(ConnectionError):
            super().handle()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        self.server_state.count(host, path)
        if path == "/":
            reply = Reply(body=index_page(self.server_state.port))
        elif path == "/robots.txt":
            robots = huge_robots() if host.startswith("bigrobots.") else ROBOTS
            reply = Reply(headers=(("Content-Type", "text/plain"),), body=robots)
        elif path in SITEMAPS:
            reply = SITEMAPS[path][0]()
        elif path in HOSTILE:
            reply = HOSTILE[path].reply()
        else:
            reply = Reply(status=404, body=b"<h1>Not found</h1>")
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        length = reply.length
        if length is None and isinstance(reply.body, bytes):
            length = len(reply.body)
        if length is None:
            self.send_header("Connection", "close")  # the body ends when the connection does
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body()
        for chunk in chunks:
            self.wfile.write(chunk)
        if reply.stall:
            self.wfile.flush()
            time.sleep(STALL_SECONDS)
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass
