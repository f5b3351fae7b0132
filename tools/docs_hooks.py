"""MkDocs hook (mkdocs.yml `hooks:`): draws the configuration reference's key tables when the
site is built, from the config reader itself (`config.reference`), so the page cannot drift."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, installed or not

from config.reference import reference_markdown

MARK = "<!-- config-keys -->"
PAGE = "configuration.md"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """The configuration page with its marker replaced by the tables of every key."""
    if page.file.src_uri != PAGE:
        return markdown
    return fill(markdown)


def fill(markdown: str) -> str:
    """`markdown` with the marker replaced; a page without it is an error, not a silent gap."""
    if MARK not in markdown:
        raise ValueError(f"docs/{PAGE}: the marker {MARK} for the key tables is missing")
    return markdown.replace(MARK, reference_markdown())
