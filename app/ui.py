"""Presentation shared by every page: numbers with their definition card, tables with CSV download,
Altair charts with tooltips, and empty states that say what to connect."""

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st


def _card_field(card: Any, name: str) -> Any:
    return card.get(name) if isinstance(card, dict) else getattr(card, name, None)


def card_markdown(card: Any) -> str:
    """A metric's definition card (name, unit, formula, caveats) as the tooltip beside its number."""
    parts = [f"**{_card_field(card, 'name')}**"]
    for label in ("unit", "formula"):
        if value := _card_field(card, label):
            parts.append(f"*{label.capitalize()}:* {value}")
    caveats = _card_field(card, "caveats")
    if caveats:
        caveats = [caveats] if isinstance(caveats, str) else caveats
        parts.append("*Caveats:* " + " ".join(caveats))
    return "\n\n".join(parts)


def number(label: str, value: str, card: Any, *, delta: str | None = None) -> None:
    """A figure with its definition card one hover away (the ⓘ beside the label)."""
    st.metric(label, value, delta=delta, help=card_markdown(card), delta_color="off")


def table(df: pd.DataFrame, *, name: str, key: str | None = None) -> None:
    """A table and its CSV download; every table in the app goes through here."""
    st.dataframe(df, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV", df.to_csv(index=False).encode(), file_name=f"{name}.csv", mime="text/csv",
        key=key or f"csv_{name}", icon=":material/download:",
    )


def empty(message: str) -> None:
    """An empty state: what is missing and what to connect or import to fill it."""
    st.info(message, icon=":material/info:")


def line_chart(df: pd.DataFrame, *, x: str, y: str, color: str | None = None, title: str = "",
               y_title: str | None = None, tooltip: Sequence[str] = ()) -> None:
    """A trend over time with tooltips on every point."""
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:T", title=None),
        "y": alt.Y(f"{y}:Q", title=y_title or y),
        "tooltip": list(tooltip) or [x, y],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None)
    chart = alt.Chart(df, title=title).mark_line(point=True).encode(**encoding)
    st.altair_chart(chart, width="stretch")


def bar_chart(df: pd.DataFrame, *, x: str, y: str, color: str | None = None, title: str = "",
              tooltip: Sequence[str] = (), sort: Sequence[str] | None = None) -> None:
    """Bars over a category with tooltips; ``sort`` fixes the category order (never by a usage figure)."""
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:N", title=None, sort=list(sort) if sort is not None else None),
        "y": alt.Y(f"{y}:Q"),
        "tooltip": list(tooltip) or [x, y],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None)
    st.altair_chart(alt.Chart(df, title=title).mark_bar().encode(**encoding), width="stretch")


def histogram(df: pd.DataFrame, *, field: str, title: str, x_title: str) -> None:
    """A distribution across people: shows the spread without naming or ranking anyone."""
    chart = alt.Chart(df, title=title).mark_bar().encode(
        x=alt.X(f"{field}:Q", bin=alt.Bin(maxbins=12), title=x_title),
        y=alt.Y("count():Q", title="people"),
        tooltip=[alt.Tooltip(f"{field}:Q", bin=alt.Bin(maxbins=12), title=x_title),
                 alt.Tooltip("count():Q", title="people")],
    )
    st.altair_chart(chart, width="stretch")


def review_downloads_slot(scope: str) -> None:
    """Where the monthly-review downloads (PDF, HTML, CSV, Markdown) appear once the review module exists."""
    st.caption(f"Monthly review downloads for {scope} will appear here.")
