"""Presentation shared by every page: numbers with their definition card, tables with CSV download,
Altair charts with tooltips (and their data a click away), and empty states that say what to connect."""

import math
from datetime import date
from functools import partial
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from payoff.app import csv_writer, loaders, review
from payoff.app.access import Viewer
from payoff.app.review import Subject
from payoff.metrics import cards
from payoff.metrics.cards import Card
from payoff.metrics.periods import add_months

MISSING = "–"
# The per-team columns a page shows (the metrics API returns more; the review export carries them all).
TEAM_COLUMNS = [
    "team",
    "people",
    "suppressed",
    "prs_merged",
    "pr_cycle_time_hours",
    "tickets_closed",
    "bugs_fixed",
    "bugs_opened",
    "bug_rate",
    "ai_assisted_pr_share",
    "weekly_active_share",
    "meets_adoption_target",
    "tokens",
    "cost_usd",
    "outcome_units",
    "value_per_million_tokens",
    "time_saved_hours_per_week",
]
QUALITY_COLUMNS = [
    "suppressed",
    "prs_merged",
    "bug_rate",
    "revert_rate",
    "bugs_reported",
    "bugs_traced",
    "link_coverage",
    "tickets_cycled",
    "ticket_cycle_time_hours",
    "tickets_reopened",
]
# A card by its key and by every column it explains.
CARDS: dict[str, Card] = {name: card for card in cards.CARDS for name in (card.key, *card.covers)}


def present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def fmt(value: Any, kind: str = "count", unit: str = "") -> str:
    """``count`` 12 · ``hours`` 20.5 h · ``share`` 42 % · ``usd`` $1,234 · ``ratio`` 0.32 · large numbers 1.2M;
    ``unit`` follows the number (``0.19 units``), so the figure reads the same out of context."""
    if not present(value):
        return MISSING
    if unit:
        return f"{fmt(value, kind)} {unit}"
    if kind == "hours":
        return f"{value:,.1f} h"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "usd":
        return f"${value:,.2f}" if value < 100 else "$" + compact(value)
    if kind == "ratio" and abs(value) < 10:
        return f"{value:.2g}"
    return compact(value)


def compact(value: float) -> str:
    """Short enough for a figure's box on a laptop screen: 950 · 9,500 · 95k · 9.5M · 1.2B."""
    for unit, suffix, shortest in ((1e9, "B", 1e9), (1e6, "M", 1e6), (1e3, "k", 1e4)):
        if abs(value) >= shortest:
            scaled = value / unit
            return f"{scaled:,.1f}{suffix}" if abs(scaled) < 10 else f"{scaled:,.0f}{suffix}"
    return f"{value:,.0f}"


def card_markdown(card: Card) -> str:
    """A metric's definition card, as the tooltip beside its number."""
    return (
        f"**{card.name}** ({card.unit})\n\n{card.formula}\n\n*Sources:* {card.sources}\n\n"
        f"*Caveats:* {card.caveats}\n\n*How it could be gamed:* {card.gaming}"
    )


def number(label: str, value: Any, key: str, kind: str = "count", *, delta: str | None = None, unit: str = "") -> None:
    """A figure with the definition card of metric column ``key`` one hover away (the ? beside the label).
    ``unit`` (or which parts the figure holds), for figures whose kind carries none (h, %, $), is written
    under the number, where it fits."""
    delta = " · ".join(part for part in (unit if present(value) else "", delta) if part) or None
    st.metric(
        label,
        fmt(value, kind),
        delta=delta,
        delta_color="off",
        delta_arrow="off",
        help=card_markdown(CARDS[key]),
        border=True,
    )


def numbers(row: Any, figures: list[tuple]) -> None:
    """A row of figures side by side: each ``(label, metric column, kind[, unit])`` with its card."""
    for cell, (label, key, kind, *unit) in zip(st.columns(len(figures)), figures, strict=True):
        with cell:
            number(label, row[key], key, kind, unit="".join(unit))


def bill(row: Any) -> tuple:
    """The cost figure for ``numbers``: the whole bill, with its parts written under it."""
    return (
        "Cost",
        "cost_usd",
        "usd",
        f"usage {fmt(row['usage_cost_usd'], 'usd')} + seats {fmt(row['seat_cost_usd'], 'usd')}",
    )


def interval_text(value: dict, kind: str = "hours") -> str:
    """An estimate's 80 % interval as text: ``80 % interval 1.7 h to 5.0 h``."""
    return f"80 % interval {fmt(value['low'], kind)} to {fmt(value['high'], kind)}"


def flat(df: pd.DataFrame) -> pd.DataFrame:
    """Lists become "a, b"; an interval dict becomes ``<column>``, ``<column>_low``, ``<column>_high``;
    figures are rounded to two decimals."""
    frame = df.copy()
    for column in df.columns:
        values = df[column].dropna()
        if values.map(lambda v: isinstance(v, list)).any():
            frame[column] = df[column].map(lambda v: ", ".join(map(str, v)) if isinstance(v, list) else v)
        elif values.map(lambda v: isinstance(v, dict)).any():
            for part, name in (("estimate", column), ("low", f"{column}_low"), ("high", f"{column}_high")):
                frame[name] = df[column].map(lambda v, p=part: v.get(p) if isinstance(v, dict) else None)
    return frame.map(lambda v: round(v, 2) if isinstance(v, float) else v)


WORDS = {"prs": "PRs", "pr": "PR", "ai": "AI", "usd": "USD", "id": "ID", "p75": "75th percentile"}


def heading(column: str) -> str:
    """A column's plain-language heading: its card's name where it has one, else its words
    (``pr_cycle_time_hours_low`` -> ``PR cycle time hours low``); the CSV keeps the column's own name."""
    card = CARDS.get(column)
    if card is not None and card.key == column:
        return card.name
    words = [WORDS.get(word, word) for word in column.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def table(df: pd.DataFrame, *, name: str, csv: pd.DataFrame | None = None) -> None:
    """A table and its CSV download (``csv``: other data to download than shown, e.g. unformatted);
    every table in the app goes through here. Headings are plain words (the card's unit on hover), empty
    cells read "–", and the first column stays in view when a wide table scrolls."""
    df = flat(df)
    config = {
        column: st.column_config.Column(
            heading(column), pinned=index == 0, help=CARDS[column].unit if column in CARDS else None
        )
        for index, column in enumerate(df.columns)
    }
    st.dataframe(_shown(df), hide_index=True, width="stretch", column_config=config)
    st.download_button(
        "Download CSV",
        csv_writer.frame_csv(flat(df if csv is None else csv)),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        icon=":material/download:",
    )


def _shown(df: pd.DataFrame) -> pd.DataFrame:
    """A column with gaps is shown as text, the gaps as "–" (Streamlit would print "None") and whole numbers
    without decimals; a column without gaps keeps its type, so it sorts as numbers."""
    shown = df.copy()
    for column in df.columns[df.isna().any()]:
        shown[column] = df[column].map(_cell)
    return shown


def _cell(value: Any) -> Any:
    if not present(value) or value is pd.NA:
        return MISSING
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return value


def empty(message: str) -> None:
    """An empty state: what is missing and what to connect or import to fill it."""
    st.info(message, icon=":material/info:")


ROW = alt.Step(32)  # height of one bar in a horizontal bar chart


def chart(spec: alt.Chart, data: pd.DataFrame, *, name: str, height: int | str = 300) -> None:
    """An Altair chart, with the numbers behind it (and their CSV) in an expander below.

    The height is given to Streamlit (Streamlit 1.67 ignores a chart's own pixel height); a chart whose
    height grows with its rows (``ROW`` steps) passes ``"content"``.
    """
    st.altair_chart(spec, width="stretch", height=height)
    with st.expander("Data"):
        table(data, name=name)


def since_first_data(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Months (rows, oldest first) before a column's first non-zero value blanked for that column: before a
    source's data begins there is nothing to draw, and drawing zero there would show a cliff that never was."""
    frame = df.copy()
    for column in columns:
        started = frame[column].fillna(0).ne(0).cummax()
        frame[column] = frame[column].where(started)
    return frame


def trend_chart(df: pd.DataFrame, columns: dict[str, str], *, title: str, y_title: str, name: str) -> None:
    """Lines over months (``month``) for ``columns`` (column -> label), tooltips on every point; each line
    starts at its first month with data. A ``count`` axis has whole-number ticks."""
    data = _dated(df, list(columns)).rename(columns=columns)
    long = (
        since_first_data(data, list(columns.values())).melt("period", var_name="measure", value_name="value").dropna()
    )
    whole = alt.Axis(tickMinStep=1, format=",d") if y_title == "count" else alt.Axis()
    spec = (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(period):T", title=None),
            y=alt.Y("value:Q", title=y_title, axis=whole),
            color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("yearmonth(period):T", title="month"),
                "measure:N",
                alt.Tooltip("value:Q", format=",.1f"),
            ],
        )
    )
    chart(spec, data, name=name)


def cost_and_outcomes(df: pd.DataFrame, *, title: str, name: str) -> None:
    """Outcome units and cost over months on two axes of their own, so neither flattens the other; each
    line starts at its first month with data."""
    data = since_first_data(
        _dated(df, ["outcome_units", "cost_usd"]).astype({"outcome_units": float, "cost_usd": float}),
        ["outcome_units", "cost_usd"],
    )
    base = alt.Chart(data).encode(
        x=alt.X("yearmonth(period):T", title=None),
        tooltip=[
            alt.Tooltip("yearmonth(period):T", title="month"),
            alt.Tooltip("outcome_units:Q", format=",.1f", title="outcome units"),
            alt.Tooltip("cost_usd:Q", format="$,.0f", title="cost"),
        ],
    )
    units = base.mark_line(point=alt.OverlayMarkDef(color="#1f77b4"), color="#1f77b4").encode(
        y=alt.Y("outcome_units:Q", title="outcome units", axis=alt.Axis(titleColor="#1f77b4"))
    )
    cost = base.mark_line(point=alt.OverlayMarkDef(color="#d62728"), color="#d62728", strokeDash=[5, 3]).encode(
        y=alt.Y("cost_usd:Q", title="cost (USD, dashed)", axis=alt.Axis(titleColor="#d62728", format="$,.0f"))
    )
    chart(alt.layer(units, cost, title=title).resolve_scale(y="independent"), data, name=name)


def _dated(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The month (``period``, as a date for a time axis) and ``columns``, one row per month."""
    return df[columns].assign(period=pd.to_datetime(df["month"])).reindex(columns=["period", *columns])


def histogram(df: pd.DataFrame, field: str, *, title: str, x_title: str, name: str, share: bool = False) -> None:
    """A distribution across people: the spread, without naming or ranking anyone."""
    values = df[[field]].dropna().astype(float)
    bins = alt.Bin(maxbins=10, extent=[0, 1]) if share else alt.Bin(maxbins=10)
    spec = (
        alt.Chart(values, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{field}:Q", bin=bins, title=x_title),
            y=alt.Y("count():Q", title="people", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip(f"{field}:Q", bin=bins, title=x_title), alt.Tooltip("count():Q", title="people")],
        )
    )
    chart(spec, values.rename(columns={field: x_title}), name=name, height=260)


COMPARED = {
    "cycle_time_hours": ("Cycle time (median)", "hours"),
    "size_lines": ("PR size (median lines)", "count"),
    "bug_rate": ("Bug rate", "share"),
    "revert_rate": ("Revert rate", "share"),
    "ticket_cycle_time_hours": ("Ticket cycle time (median)", "hours"),
}


def comparison(df: pd.DataFrame, *, name: str) -> None:
    """AI-assisted vs other PRs (and tickets): each measure's estimate, 80 % interval and n side by side, and the
    difference: for PRs the within-person difference with its interval and verdict (``ai_vs_other``), for
    tickets whether the intervals overlap. The CSV carries the raw numbers."""
    if not df["n"].sum():
        empty("No merged pull requests in these three months. Connect GitHub with `payoff sync github`.")
        return
    rows = []
    for measure, (label, kind) in COMPARED.items():
        sides = df[df["measure"] == measure].set_index("side")
        if sides.empty:  # a comparison without tickets (or without PRs) shows what it has
            continue
        ai, other = sides.loc["ai_assisted"], sides.loc["other"]
        row = {"measure": label}
        for title, side in (("AI-assisted", ai), ("other", other)):
            row[title] = (
                f"{fmt(side['estimate'], kind)} ({fmt(side['low'], kind)} to {fmt(side['high'], kind)}), "
                f"n = {side['n']}"
                if present(side["estimate"])
                else f"{MISSING} (n = {side['n']})"
            )
        if "difference" in sides.index:  # PRs: one within-person difference with its own interval and verdict
            found = sides.loc["difference"]
            row["difference"] = found["verdict"] + (
                f": {fmt(found['estimate'], kind)} ({fmt(found['low'], kind)} to {fmt(found['high'], kind)}), "
                f"{found['people']} people"
                if present(found["estimate"])
                else ""
            )
        elif not (present(ai["estimate"]) and present(other["estimate"])):
            row["difference"] = "nothing to compare"
        elif ai["low"] > other["high"] or ai["high"] < other["low"]:
            row["difference"] = "AI-assisted higher" if ai["low"] > other["high"] else "AI-assisted lower"
        else:
            row["difference"] = "no evidence (intervals overlap)"
        rows.append(row)
    table(pd.DataFrame(rows), name=name, csv=df)


def adoption_chart(teams: pd.DataFrame, target: float, *, name: str) -> None:
    """Each team's weekly-active share against the adoption target (breadth, never intensity)."""
    columns = [
        "team",
        "people",
        "adopters",
        "weekly_active_share",
        "meets_adoption_target",
        *(c for c in teams.columns if c.startswith("cohort_")),
    ]
    data = (
        teams[columns]
        .dropna(subset=["weekly_active_share"])
        .astype({"weekly_active_share": float, "people": int, "adopters": int})
    )
    if data.empty:
        empty(
            "No team to show: none is large enough, or no AI usage is recorded. Connect your AI tools "
            "(`payoff sync --help`) or import usage with `payoff import usage FILE`."
        )
        return
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "weekly_active_share:Q",
                title="weekly-active share",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("team:N", title=None, sort="ascending"),
            tooltip=["team", "people", "adopters", alt.Tooltip("weekly_active_share:Q", format=".0%")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(color="firebrick", strokeDash=[4, 3])
        .encode(x="target:Q", tooltip=[alt.Tooltip("target:Q", format=".0%", title="adoption target")])
    )
    spec = (bars + rule).properties(title=f"Weekly-active share by team against the {target:.0%} target", height=ROW)
    chart(spec, data, name=name, height="content")


def months(count: int = 6, today: date | None = None) -> list[str]:
    """The ``count`` most recent months (this one first) as YYYY-MM."""
    first = (today or date.today()).replace(day=1)
    return [add_months(first, -n).strftime("%Y-%m") for n in range(count)]


def month_picker(key: str = "month") -> str:
    """Which month to show; the last complete month unless the viewer picks another."""
    options = months()
    column, _ = st.columns([1, 3])
    return column.selectbox("Month", options, index=1, key=key, format_func=_month_label)


def _month_label(month: str) -> str:
    label = date.fromisoformat(f"{month}-01").strftime("%B %Y")
    return f"{label} (so far)" if month == months(1)[0] else label


def review_downloads(viewer: Viewer, month: str, subject: Subject) -> None:
    """Buttons for the monthly review of ``subject`` in every format. A file is built, access-checked
    and audited only when its button is clicked (Streamlit calls ``data`` then), not on every rerun."""
    st.caption(
        f"The monthly review of {_month_label(month)} — what leadership reads and what you bring to a "
        "one-to-one. Every export is recorded in the audit log."
    )
    for column, fmt in zip(st.columns(4), review.RENDERERS, strict=True):
        column.download_button(
            f"Review as {fmt.upper()}",
            data=partial(loaders.review_file, viewer, month, subject, fmt),
            file_name=review.filename(subject, month, fmt),
            mime=review.MIME[fmt],
            icon=":material/download:",
            key=f"review-{subject.key}-{month}-{fmt}",
            on_click="ignore",
        )


def quality(row: Any, *, whose: str) -> None:
    """Bug and revert rates with the link coverage beside them (so a 0 % bug rate that only means "no links"
    reads as such), and ticket cycle time with its reopened tickets."""
    numbers(
        row,
        [
            ("Bug rate", "bug_rate", "share"),
            ("Revert rate", "revert_rate", "share"),
            ("Bugs traced to a change", "link_coverage", "share"),
            ("Ticket cycle time", "ticket_cycle_time_hours", "hours"),
            ("Tickets reopened", "tickets_reopened", "count"),
        ],
    )
    reported, traced = row["bugs_reported"], row["bugs_traced"]
    coverage = (
        f"{fmt(traced)} of {fmt(reported)} bugs opened this month {whose} are traced to a change"
        if present(reported) and reported
        else f"No bugs opened this month {whose}"
    )
    phases = (
        f"; a ticket's cycle (median): {fmt(row['ticket_in_progress_hours'], 'hours')} in progress, "
        f"{fmt(row['ticket_new_hours'], 'hours')} sent back to To Do, {fmt(row['ticket_done_hours'], 'hours')} "
        f"done before a reopen, over {fmt(row['tickets_cycled'])} tickets"
        if present(row["tickets_cycled"]) and row["tickets_cycled"]
        else ""
    )
    st.caption(f":material/info: {coverage}{phases}. " + CARDS["link_coverage"].caveats)
