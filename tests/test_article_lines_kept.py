"""Article lines the junk rules and the line model used to cut (issue 15), each kept by a
signal of the text's shape, not by its wording; the junk beside them still goes."""

from __future__ import annotations

from cleaning import CleaningOptions, clean_page

OPTIONS = CleaningOptions(min_words=10)


def _page(body: str) -> str:
    return (
        "<html><head><title>Notes</title>"
        '<meta property="og:type" content="article"></head>'
        f"<body><article><h1>Notes</h1>{body}</article></body></html>"
    )


def _cut(html: str) -> list[tuple[str, str]]:
    result = clean_page(html, "https://blog.example.com/2025/notes", OPTIONS)
    return [(r.reason, r.line) for r in result.removed_lines]


def test_a_date_heading_an_entry_of_a_log_is_kept() -> None:
    # a changelog or diary entry's date ends in a colon: it heads what follows, it is no
    # publication date (wcxb-dev 0466 lost five such lines as date_line)
    body = """<p>Every morning I wrote the tasks of the day into one plain text file, under the
date, and marked each one when it was done, so that nothing a client asked for was forgotten.</p>
<pre>2025-12-19:
    FashionNova
        Jenny: Add support for Fedex (fixed)</pre>
<p>That is all there was to it, and it worked for years while the company grew from three
people to forty, with more clients and more tasks every single month.</p>
<p>12 March 2024</p>"""
    cut = _cut(_page(body))
    assert ("date_line", "2025-12-19:") not in cut
    # a bare date is still the publication date, and goes
    assert ("date_line", "12 March 2024") in cut


EVENTS = """<p>Conferences are where we meet our partners and customers, and this year our teams
will travel to more of them than ever before, from education to security and the cloud.</p>
<p><a href="https://conference.example.org/2026/"><strong>ISTELive 26</strong></a>: June
28-July 1, 2026 | Orlando, FL</p>
<p>Our education strategy team will represent us at ISTELive 26, one of the most influential
education events in the world, with talks on classroom technology and digital learning.</p>
<p><strong>VMware Explore</strong>: August 31-September 3, 2026 | Las Vegas, NV</p>
<p>This year VMware Explore aims to help attendees unravel cloud complexity, stay ahead of new
advancements, and grow professionally in sessions led by engineers and customers.</p>
<p><strong>AWS re:Invent</strong>: November 30-December 4, 2026 | Las Vegas, NV</p>
<p>We are a consulting partner for Amazon Web Services, and with over 300 AWS certifications
our engineers are here to help you transform your cloud landscape with confidence.</p>"""


def test_an_event_line_naming_the_topic_of_the_next_paragraph_is_kept() -> None:
    # "<name>: <dates> | <place>" over a paragraph about <name>: a subheading, whatever its
    # words (wcxb-dev 4366 lost four such lines to the line model)
    cut = _cut(_page(EVENTS))
    assert [line for reason, line in cut if reason == "learned"] == []


def test_a_junk_line_with_a_label_first_still_goes() -> None:
    # the label of a junk line ("Share:", "Newsletter:") is no name the paragraph after it
    # is about
    body = EVENTS.replace(
        "<p><strong>VMware Explore</strong>",
        "<p>Newsletter: get our weekly briefing | free</p><p><strong>VMware Explore</strong>",
    )
    cut = _cut(_page(body))
    assert "Newsletter: get our weekly briefing | free" in [line for _, line in cut]
