"""One person's month: outcomes first, AI usage and cost beside them, what it bought, waste signals.

My payoff shows it for the viewer; Team shows it read-only for a report the viewer may drill into.
Every figure comes through a loader that checks (and audits) the viewer on the server.
"""

import altair as alt
import pandas as pd
import streamlit as st

from payoff.app import loaders, ui
from payoff.app.access import Viewer
from payoff.app.markdown import text
from payoff.store.self_service import NOTE_MAX_CHARS

PHASES = {"coding_hours": "coding", "pickup_hours": "pickup", "review_hours": "review"}
NO_OUTCOMES = (
    "No merged pull requests or closed tickets this month. Once GitHub (`payoff sync github`) and Jira "
    "(`payoff sync jira`) are connected, and your GitHub login and Jira account are on your people row, "
    "this shows what you delivered, how long it took, and what your AI use bought per token and per "
    "dollar. If your role has no delivery work, these figures stay empty and say nothing about you."
)
NOT_DELIVERY = (
    "Your role is marked as having no delivery work (people file, column `codes` = no), so no "
    "outcomes are expected of you: pull requests, tickets, cycle time and value per token are not "
    "shown, and no spend-without-outcomes signal is raised. Your AI usage and its cost are below."
)
NO_USAGE = (
    "No AI usage recorded this month. Connect your AI tools (`payoff sync copilot | claude-code | cursor | "
    "openai`) or import usage with `payoff import usage FILE`."
)


def render(viewer: Viewer, person_id: int, month: str, *, view: str, editable: bool) -> None:
    """Draw the person's month (``editable``: the person themselves, who may add context to signals)."""
    data = loaders.person(viewer, person_id, month, view=view)
    if not data.codes:  # outcome figures would be empty and read as failure
        ui.empty(NOT_DELIVERY)
        _usage(data.row, data.trend, outcomes=False)
        _signals(viewer, data.signals, month, editable)
        return
    _outcomes(data.row, data.trend)
    st.subheader("Quality")
    ui.quality(data.quality, whose="assigned to you" if editable else "assigned to them")
    _usage(data.row, data.trend)
    _value(data.row)
    st.subheader("AI-assisted vs other pull requests")
    st.caption(
        "Pull requests merged this month and in the two months before, with 80 % intervals. Overlapping "
        "intervals are not evidence of a difference."
    )
    ui.comparison(data.ai_vs_other, name=f"ai-vs-other-{month}")
    _signals(viewer, data.signals, month, editable)


def _outcomes(row: dict, trend: pd.DataFrame) -> None:
    st.subheader("Outcomes")
    if not (row["prs_merged"] or row["tickets_closed"]):
        ui.empty(NO_OUTCOMES)
    ui.numbers(
        row,
        [
            ("PRs merged", "prs_merged", "count"),
            ("Cycle time", "pr_cycle_time_hours", "hours"),
            ("Tickets closed", "tickets_closed", "count"),
            ("Bugs fixed", "bugs_fixed", "count"),
            ("Bugs caused", "bugs_opened", "count"),
            ("Bug rate", "bug_rate", "share"),
        ],
    )
    left, right = st.columns(2)
    with left:
        phases = pd.DataFrame({"phase": list(PHASES.values()), "hours": [row[k] for k in PHASES]}).dropna()
        if phases.empty:
            ui.empty("No cycle-time phases yet: they need merged pull requests with commits and reviews.")
        else:
            spec = (
                alt.Chart(phases, title="Where cycle time goes (median hours per PR)")
                .mark_bar()
                .encode(
                    x=alt.X("hours:Q", title="hours (median of each phase on its own)"),
                    y=alt.Y("phase:N", title=None, sort=list(PHASES.values()), axis=alt.Axis(labelOverlap=False)),
                    tooltip=["phase", alt.Tooltip("hours:Q", format=",.1f")],
                )
                .properties(height=ui.ROW)
            )
            st.caption(":material/info: " + ui.CARDS["pr_phases"].formula + " " + ui.CARDS["pr_phases"].caveats)
            ui.chart(spec, phases, name="cycle-time-phases", height="content")
    with right:
        ui.trend_chart(
            trend,
            {"prs_merged": "PRs merged", "tickets_closed": "tickets closed", "bugs_fixed": "bugs fixed"},
            title="Outcomes, last six months",
            y_title="count",
            name="outcome-trend",
        )


def _usage(row: dict, trend: pd.DataFrame, outcomes: bool = True) -> None:
    st.subheader("AI usage and cost, beside the outcomes" if outcomes else "AI usage and cost")
    if not row["active_days"]:
        ui.empty(NO_USAGE)
    ui.numbers(
        row,
        [
            ("Active AI days", "active_days", "count"),
            ("Weeks active", "weekly_active_share", "share"),
            ("Tokens", "tokens", "tokens"),
            ui.bill(row),
            ("Unused seats", "unused_seats", "count"),
        ],
    )
    st.caption("Tools used: " + (", ".join(map(text, row["tools"])) if row["tools"] else "none") + ".")
    if outcomes:
        ui.cost_and_outcomes(trend, title="Outcome units and cost, last six months", name="cost-and-outcomes")
    else:
        ui.trend_chart(
            trend, {"cost_usd": "cost (usage + seats)"}, title="Cost, last six months", y_title="USD", name="cost-trend"
        )


def _value(row: dict) -> None:
    st.subheader("What it bought")
    cells = st.columns(4)
    with cells[0]:
        ui.number("Outcome units", row["outcome_units"], "outcome_units", "ratio", unit="units")
    with cells[1]:
        ui.number(
            "Value per million tokens",
            row["value_per_million_tokens"],
            "value_per_million_tokens",
            "ratio",
            unit="units/M tokens",
            delta=f"{ui.fmt(row['value_per_100_usd'], 'ratio', 'units')} per 100 USD",
        )
    with cells[2]:
        saved = row["time_saved_hours_per_week"]
        ui.number(
            "Time saved per week",
            saved["estimate"] if saved else None,
            "time_saved_hours_per_week",
            "hours",
            delta=ui.interval_text(saved) if saved else row["time_saved_reason"],
        )
    with cells[3]:
        ui.number(
            "Hours saved (survey)",
            row["survey_hours_saved_per_week"],
            "survey_hours_saved_per_week",
            "hours",
            delta=_agreement(row.get("survey_agreement")),
        )


def _agreement(agreement: str | None) -> str | None:
    return {
        "within": "within the estimate's interval",
        "survey higher": "above the estimate",
        "survey lower": "below the estimate",
    }.get(agreement or "")


def _signals(viewer: Viewer, found: list[dict[str, str]], month: str, editable: bool) -> None:
    """The person's waste signals with their evidence; the person may add context to each."""
    st.subheader("Waste signals")
    if not found:
        st.success("No waste signals this month.", icon=":material/check_circle:")
        return
    st.caption("Prompts for a conversation, never a score. Context added here is shown beside the signal.")
    for signal in found:
        with st.container(border=True):
            card = ui.CARDS[signal["name"]]
            st.markdown(f"**{card.name}**", help=ui.card_markdown(card))
            st.markdown(text(signal["evidence"]))
            if signal["note"]:
                st.caption(f"Context: {text(signal['note'])}")
            if editable:
                with st.form(f"note-{signal['name']}", border=False):
                    note = st.text_input(
                        'Add context (e.g. "planned migration")',
                        signal["note"],
                        key=f"note-text-{signal['name']}",
                        max_chars=NOTE_MAX_CHARS,
                    )
                    if st.form_submit_button("Save context"):
                        loaders.add_signal_note(viewer, month=month, signal=signal["name"], note=note)
                        st.rerun()
