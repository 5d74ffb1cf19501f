"""mkdocs hooks: the scenario card and claim references are generated from the pydantic models'
JSON Schema at build time (a page says ``<!-- schema: card -->`` where the reference goes), so the
docs cannot drift from the code."""

from __future__ import annotations

import re
from typing import Any

MARK = re.compile(r"<!-- schema: (card|claim) -->")


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """The page with each schema mark replaced by its reference (network.commands.schema)."""
    if not MARK.search(markdown):
        return markdown
    from network.commands.schema import schema_markdown

    return MARK.sub(lambda m: schema_markdown(m.group(1)), markdown)
