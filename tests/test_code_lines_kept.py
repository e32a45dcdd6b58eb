"""Lines of code in a documentation page are the page's text, whatever their words (issue 15):
a server's rewrite rule naming "download" and "mp3" is no downloader spam, a CSS comment and
declaration are no junk for the line model (wcxb-dev 0684, 0672)."""

from __future__ import annotations

from cleaning import CleaningOptions, clean_page

PAGE = """<html><head><title>Module rewrite</title></head><body><main><h1>Module rewrite</h1>
<p>The rewrite directive changes the request URI with a regular expression, and its flags tell
the server what to do after the change has been made, in what order and how often.</p>
<pre>
location /download/ {
    rewrite ^(/download/.*)/media/(.*)\\..*$ $1/mp3/$2.mp3 break;
    rewrite ^(/download/.*)/audio/(.*)\\..*$ $1/mp3/$2.ra  break;
    return  403;
}
</pre>
<p>If these directives are put inside the location, the last flag should be replaced by break,
or otherwise the server will make ten cycles and return the 500 error to the client.</p>
<pre>
.box {
  display: flex;
}
/* Add your flexbox CSS below here */
.box &gt; * {
  flex: 1 100px;
}
</pre>
<pre>
SELECT * FROM distributors ORDER BY name;
// Logs: 1, 2
$ open http://localhost:5555
</pre>
<p>Each item now takes at least a hundred pixels, and the space that is left over is shared out
among the items in proportion to their flex-grow values, one unit each here.</p>
<p>Download YouTube videos to MP3 free: fast, safe, no registration</p>
</main></body></html>"""


def test_code_lines_are_kept_and_junk_beside_them_goes() -> None:
    result = clean_page(PAGE, "https://docs.example.org/http/rewrite.html", CleaningOptions())
    for line in (
        "rewrite ^(/download/.*)/media/(.*)\\..*$ $1/mp3/$2.mp3 break;",
        "/* Add your flexbox CSS below here */",
        "flex: 1 100px;",
        "SELECT * FROM distributors ORDER BY name;",
        "// Logs: 1, 2",
        "$ open http://localhost:5555",
    ):
        assert line in result.text.split("\n")
    # the downloader spam beside them still goes
    cut = [(r.reason, r.line) for r in result.removed_lines]
    assert (
        "downloader_spam",
        "Download YouTube videos to MP3 free: fast, safe, no registration",
    ) in cut
