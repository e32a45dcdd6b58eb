"""A short line whose topic words recur in the paragraphs around it is the article's own
subheading or sentence, whatever its wording (issue 15, the line model's false positives);
junk beside it, and lists whose items are the article's topics, still go (issue 18)."""

from __future__ import annotations

from cleaning import CleaningOptions, clean_page

OPTIONS = CleaningOptions(min_words=10)
URL = "https://zeitung.example.at/2025/inklusion"

BEFORE = (
    "Durch die Betrachtung der Geschichte wird deutlich, dass die sozialen Netzwerke der "
    "Menschen mit Behinderung lange übersehen wurden; dies bedeutet, dass ihre Teilhabe am "
    "gesellschaftlichen Leben vom Zufall abhing und nicht von ihren Rechten."
)
AFTER = (
    "Der Mensch ist ein bio-psychosoziales Wesen und braucht soziale Verbindungen. Die "
    "heutige Gesellschaft ist hingegen geprägt von Isolierung und Vereinsamung, und ein "
    "Netzwerk aus Freunden und Nachbarn hilft mehr als jede Einrichtung."
)
# unsere-zeitung.at: "<p><strong>…</strong></p>" between two paragraphs, no heading markup;
# the line model (0.98) took it for junk
SUBHEADING = "Hohe Bedeutung von sozialen Netzwerken bestätigt"


def _page(middle: str) -> str:
    return (
        "<html><head><title>Ist die Inklusion im Kapitalismus umsetzbar?</title>"
        '<meta property="og:type" content="article"></head><body><article>'
        f"<h1>Ist die Inklusion im Kapitalismus umsetzbar?</h1><p>{BEFORE}</p>{middle}"
        f"<p>{AFTER}</p><p>{AFTER.replace('Der Mensch', 'Jeder Mensch')}</p>"
        "</article></body></html>"
    )


def _cut(html: str) -> list[str]:
    return [r.line for r in clean_page(html, URL, OPTIONS).removed_lines]


def test_a_subheading_whose_words_recur_around_it_is_kept() -> None:
    result = clean_page(_page(f"<p><strong>{SUBHEADING}</strong></p>"), URL, OPTIONS)
    assert SUBHEADING in result.text.split("\n")
    assert SUBHEADING not in [r.line for r in result.removed_lines]


def test_junk_in_the_same_place_still_goes() -> None:
    # its words (share, article) are not what the paragraphs speak of
    assert "Diesen Artikel teilen" in _cut(_page("<p>Diesen Artikel teilen</p>"))


def test_a_tags_line_echoing_the_topic_still_goes() -> None:
    # tags name the article's topics by design: a list is never spared for its echo
    tags = "Themen: soziale Netzwerke, Inklusion, Gesellschaft"
    assert tags in _cut(_page(f"<p>{tags}</p>"))
