"""An article's two long paragraphs and its URL, for tests that plant junk among them."""

URL = "https://news.example.org/2025/trade"

PARAGRAPH = (
    "The ministers met for a second day on Tuesday and agreed on a timetable for the talks, "
    "which will resume in March after both sides have consulted their industries at home."
)
OTHER = (
    "Exporters welcomed the news, though several warned that the tariffs already in place "
    "would keep weighing on orders until the end of the year at the very least."
)
