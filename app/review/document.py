"""The monthly review as plain data: what it says, independent of how it is rendered.

The builder fills a ``Review``; each renderer (PDF, HTML, Markdown, CSV) only lays it out, so the
four formats can never disagree about a number. Values are already formatted strings here: the
renderers compute nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One headline number, e.g. ``PRs merged: 12 (9 in September)``."""

    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Figures:
    items: tuple[Figure, ...]


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    """``widths``: relative column widths for paged formats (equal when empty)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite chart; ``table`` holds the same data as text (Markdown, screen readers) and
    ``caption`` says in words what matters in it (the PDF's searchable text)."""

    title: str
    spec: dict[str, Any]
    table: Table
    caption: str = ""


Block = Paragraph | Figures | Table | Chart


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Review:
    """A monthly review of one subject (a person, a team or the organisation) as one viewer may see it.

    ``records`` are the metric rows behind the numbers, exactly as ``payoff metrics`` gives them; the
    CSV export is these rows, so it round-trips into the same numbers.
    """

    title: str
    subject: str
    month: str
    viewer: str
    exported_at: datetime
    sections: tuple[Section, ...]
    records: tuple[dict[str, Any], ...] = field(default=())

    @property
    def footer(self) -> str:
        return f"Exported for {self.viewer} on {self.exported_at:%Y-%m-%d %H:%M} UTC · confidential"
