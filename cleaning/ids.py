"""Row ids: the same URL with the same text gets the same id, however it was cleaned
(a crawl, ``cleancrawl clean``, the datatrove step)."""

from __future__ import annotations

import uuid


def article_id(url: str, text_hash: str) -> str:
    """Stable row id: UUID5 of the URL and the text's ``content_hash``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{url}#{text_hash}"))
