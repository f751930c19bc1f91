"""Lay out the monthly review of an authorised scope from what the metrics layer computed.

Nothing is computed here beyond layout: every number is a value of a ``payoff metrics`` row, of the
AI-vs-other comparison or of a waste signal, formatted by ``fields``.
"""

from datetime import datetime

import pandas as pd
from sqlmodel import Session

from payoff.app.access import Viewer
from payoff.app.review import charts_spec
from payoff.app.review.document import Chart, Figure, Figures, Paragraph, Review, Section, Table
from payoff.app.review.facts import Facts, gather, is_quiet
from payoff.app.review.fields import available, figure_parts, label, show
from payoff.app.review.scope import Scope

TREND_OUTCOMES = [
    "prs_merged",
    "pr_cycle_time_hours",
    "pr_cycle_time_p75_hours",
    "pr_size_lines",
    "tickets_closed",
    "story_points",
    "bugs_opened",
    "bugs_fixed",
]
TREND_USAGE = ["people", "adopters", "active_days", "input_tokens", "output_tokens", "cost_usd", "unused_seats"]
PHASES = ["coding_hours", "pickup_hours", "review_hours"]
GUARDRAILS = ["bug_rate", "prs_buggy", "reverts", "bugs_opened", "pr_size_lines"]
QUALITY = ["revert_rate", "link_coverage", "ticket_cycle_time_hours", "tickets_reopened"]  # facts.quality
TEAM_COLUMNS = [
    "people",
    "prs_merged",
    "pr_cycle_time_hours",
    "tickets_closed",
    "bugs_opened",
    "cost_usd",
    "ai_assisted_pr_share",
    "value_per_million_tokens",
    "time_saved_hours_per_week",
]


def month_name(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def short_month(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%b %Y")


def build(session: Session, viewer: Viewer, scope: Scope, month: str, *, now: datetime) -> Review:
    facts = gather(session, viewer, scope, month)
    title = f"Monthly review — {scope.label} — {month_name(month)}"
    sections = _empty(scope, month, facts) if facts.empty else _full(scope, month, facts)
    return Review(
        title=title,
        subject=scope.subject.key,
        month=month,
        viewer=f"{viewer.name} <{viewer.email}>",
        exported_at=now,
        sections=tuple(sections),
        records=tuple(facts.records),
    )


def _empty(scope: Scope, month: str, facts: Facts) -> list[Section]:
    """The short, honest review of a month without outcomes or AI usage."""
    text = (
        f"No outcomes recorded for {scope.label} in {month_name(month)}: no pull request merged, no ticket "
        f"closed, no bug opened, and no AI usage. If work did happen, check that the GitHub, Jira and AI-tool "
        f"connectors have synced this month (Admin → Connector health) and that everyone's identities are matched."
    )
    earlier = [r["month"] for r in facts.trend[:-1] if not is_quiet(r)]
    if earlier:
        text += f" The latest month with data is {month_name(earlier[-1])}."
    return [Section("The month at a glance", (Paragraph(text),))]


def _full(scope: Scope, month: str, facts: Facts) -> list[Section]:
    sections = [
        _glance(scope, month, facts),
        _outcomes(facts),
        _usage(facts),
        _value(facts),
        _ai_vs_other(facts),
        _guardrails(facts),
    ]
    if scope.private:
        sections.append(_signals(facts))
    if facts.breakdown:
        sections.append(_teams(facts))
    sections.append(_definitions(facts))
    return sections


def _versus(facts: Facts, key: str) -> str:
    previous = facts.trend[-2] if len(facts.trend) > 1 else None
    return f"{show(previous, key)} in {short_month(previous['month'])}" if previous else ""


def _glance(scope: Scope, month: str, facts: Facts) -> Section:
    current = facts.current
    keys = [
        "prs_merged",
        "pr_cycle_time_hours",
        "tickets_closed",
        "bugs_opened",
        "cost_usd",
        "time_saved_hours_per_week",
    ]
    figures = [_figure(current, k, _versus(facts, k)) for k in available([current], keys)]
    tokens = (
        f"{show(current, 'input_tokens')} input and {show(current, 'output_tokens')} output tokens"
        if "input_tokens" in current
        else f"{show(current, 'tokens')} tokens"
    )
    summary = (
        f"In {month_name(month)}, {scope.label} merged {show(current, 'prs_merged')} pull requests and "
        f"closed {show(current, 'tickets_closed')} tickets, using {tokens} of AI tools for "
        f"{show(current, 'cost_usd')} (usage {show(current, 'usage_cost_usd')} + seats "
        f"{show(current, 'seat_cost_usd')})."
    )
    return Section("The month at a glance", (Paragraph(summary), Figures(tuple(figures))))


def _figure(record: dict, key: str, context: str = "") -> Figure:
    """A headline figure; an interval's bounds go to the detail line, before any ``context``."""
    value, bounds = figure_parts(record, key)
    if key == "time_saved_hours_per_week":
        context = f"self-reported: {show(record, 'survey_hours_saved_per_week')}"
    return Figure(label(key), value, " · ".join(part for part in (bounds, context) if part))


def _trend_table(facts: Facts, keys: list[str], caption: str) -> Table:
    keys = available(facts.trend, keys)
    rows = tuple((short_month(r["month"]), *(show(r, k) for k in keys)) for r in facts.trend)
    return Table(("Month", *(label(k) for k in keys)), rows, caption)


def _long(facts: Facts, keys: list[str]) -> pd.DataFrame:
    """month, measure, value (and the measure's order) for the charts; missing values are left out."""
    rows = [
        {"month": short_month(r["month"]), "measure": label(k), "value": r.get(k), "order": i}
        for r in facts.trend
        for i, k in enumerate(keys)
    ]
    return pd.DataFrame(rows, columns=["month", "measure", "value", "order"]).dropna(subset=["value"])


def _chart_table(frame: pd.DataFrame, unit: str) -> Table:
    wide = frame.pivot_table(index="month", columns="measure", values="value", sort=False)
    rows = tuple((m, *(f"{v:,.1f}{unit}" if pd.notna(v) else "—" for v in row)) for m, row in wide.iterrows())
    return Table(("Month", *wide.columns), rows)


def _outcomes(facts: Facts) -> Section:
    blocks = []
    counts = _long(facts, available(facts.trend, ["prs_merged", "tickets_closed", "bugs_opened", "bugs_fixed"]))
    if not counts.empty:
        blocks.append(
            Chart(
                "Pull requests, tickets and bugs per month",
                charts_spec.grouped_bars(counts, "count"),
                _chart_table(counts, ""),
            )
        )
    phases = _long(facts, available(facts.trend, PHASES))
    if not phases.empty:
        current = facts.current
        caption = (
            f"{month_name(current['month'])}: "
            + ", ".join(f"{label(k).lower()} {show(current, k)}" for k in available([current], PHASES))
            + "."
        )
        blocks.append(
            Chart(
                "PR cycle time by phase (medians, hours)",
                charts_spec.stacked_bars(phases, "hours"),
                _chart_table(phases, " h"),
                caption,
            )
        )
    blocks.append(_trend_table(facts, TREND_OUTCOMES, "Outcomes per month; the last row is the month under review."))
    return Section("Outcomes against the previous months", tuple(blocks))


def _usage(facts: Facts) -> Section:
    cost = "AI cost, usage + seats (USD)"
    frame = pd.DataFrame(
        [
            {"month": short_month(r["month"]), cost: r.get("cost_usd") or 0.0, "PRs merged": r.get("prs_merged") or 0}
            for r in facts.trend
        ]
    )
    table = Table(
        ("Month", cost, "PRs merged"),
        tuple((r["month"], f"{r[cost]:,.2f}", f"{r['PRs merged']:,}") for r in frame.to_dict("records")),
    )
    chart = Chart(
        "AI cost (bars) beside PRs merged (line)", charts_spec.bars_and_line(frame, cost, "PRs merged"), table
    )
    keys = TREND_USAGE if available(facts.trend, ["input_tokens"]) else [*TREND_USAGE, "tokens"]
    return Section(
        "AI usage and cost beside the outcomes",
        (chart, _trend_table(facts, keys, "AI usage per month, all tools together.")),
    )


def _value(facts: Facts) -> Section:
    current = facts.current
    keys = available(
        [current],
        ["value_per_million_tokens", "value_per_100_usd", "time_saved_hours_per_week", "survey_hours_saved_per_week"],
    )
    blocks: list = [Figures(tuple(_figure(current, k) for k in keys))]
    blocks.append(
        Paragraph(
            "Value counts quality-adjusted outcome units (merged PRs that held up, story points, tickets) per million "
            "tokens and per 100 USD; it is empty when nothing was spent, and in a month in which someone's AI use "
            "began after the 1st (a part-month of tokens against a whole month of outcomes). Time saved compares "
            "capacity with the person's own pre-adoption baseline, corrected by the change among non-adopters, and is "
            "shown with its "
            "80 % interval beside what people report in the weekly survey. Where the two disagree, neither is the "
            "truth on its own: talk about it."
        )
    )
    saved = [
        r
        for r in facts.trend
        if isinstance(r.get("time_saved_hours_per_week"), dict)
        and r["time_saved_hours_per_week"].get("estimate") is not None
    ]
    if saved:
        frame = pd.DataFrame(
            [
                {
                    "month": short_month(r["month"]),
                    **r["time_saved_hours_per_week"],
                    "survey": r.get("survey_hours_saved_per_week"),
                }
                for r in saved
            ]
        )
        table = Table(
            ("Month", "Estimate", "Low", "High", "Self-reported"),
            tuple(
                (
                    r["month"],
                    *(f"{r[c]:.1f} h" if pd.notna(r[c]) else "—" for c in ("estimate", "low", "high", "survey")),
                )
                for r in frame.to_dict("records")
            ),
        )
        blocks.append(
            Chart(
                "Time saved per week: estimate with 80 % interval (dots) and self-reported (diamonds)",
                charts_spec.interval_band(frame, "hours per week"),
                table,
            )
        )
    return Section("Value per token and time saved", tuple(blocks))


def _ai_vs_other(facts: Facts) -> Section:
    current = facts.current
    share = [
        Figure(label(k) + (" (high confidence)" if k.endswith("_high") else " (all signals)"), show(current, k))
        for k in ("ai_assisted_pr_share_high", "ai_assisted_pr_share")
        if k in current
    ]
    blocks: list = [Figures(tuple(share))] if share else []
    if facts.comparison:
        blocks.append(
            Table(
                ("Measure", "PRs", "n", "Estimate", "80 % interval", ""),
                tuple(_comparison_row(row) for row in facts.comparison),
                "AI-assisted PRs (any signal) against the other PRs of the same people, over this month "
                "and the two before it. The difference compares each person's AI-assisted PRs with their "
                "other ones; only its verdict says whether there is evidence of one.",
            )
        )
    else:
        blocks.append(Paragraph("No merged pull requests to compare this month."))
    return Section("AI-assisted vs other work", tuple(blocks))


def _comparison_row(row: dict) -> tuple[str, ...]:
    side = {"ai_assisted": "AI-assisted", "difference": "Difference (within people)"}.get(row["side"], "Other")
    if not row["n"]:
        return label(row["measure"]), side, "0", "none", "", ""
    interval = f"{show(row, 'low', row['measure'])} – {show(row, 'high', row['measure'])}"
    note = row.get("verdict") or ("small sample" if row["small_sample"] else "")
    if row.get("estimate") is None:
        return label(row["measure"]), side, str(row["n"]), "—", "", note
    return (label(row["measure"]), side, str(row["n"]), show(row, "estimate", row["measure"]), interval, note)


def _guardrails(facts: Facts) -> Section:
    keys = available([facts.current], GUARDRAILS)
    figures = Figures(
        tuple(_figure(facts.current, k, _versus(facts, k)) for k in keys)
        + tuple(_figure(facts.quality, k) for k in available([facts.quality], QUALITY))
    )
    note = Paragraph(
        "Guardrails watch what faster delivery could cost: bugs linked to merged work, reverts and "
        "growing PR size. A rise here weighs more than any gain in volume. " + _coverage(facts.quality)
    )
    return Section("Quality guardrails", (figures, note))


def _coverage(record: dict) -> str:
    """Link coverage in words, so that a 0 % bug rate reads as "no bugs" only when the bugs are traced."""
    reported, traced = record.get("bugs_reported") or 0, record.get("bugs_traced") or 0
    if not reported:
        return "No bugs were opened this month."
    return (
        f"{traced} of {reported} bugs opened this month are traced to a change; the others count against "
        "nobody, so the bug rate is a floor."
    )


def _signals(facts: Facts) -> Section:
    if not facts.signals:
        return Section("Waste signals", (Paragraph("No waste signal this month."),))
    rows = tuple((s["name"].replace("_", " ").capitalize(), s["evidence"], s["note"]) for s in facts.signals)
    return Section(
        "Waste signals",
        (
            Paragraph(
                "Private to the person and their manager. A signal is a question, not a verdict: the context "
                "the person added in the app stands beside it."
            ),
            Table(("Signal", "Evidence", "Context"), rows, widths=(22, 50, 28)),
        ),
    )


def _teams(facts: Facts) -> Section:
    keys = available(facts.breakdown, TEAM_COLUMNS)
    rows = tuple((r["team"], *(show(r, k) for k in keys)) for r in facts.breakdown)
    widths = (14, *(16 if k == "time_saved_hours_per_week" else 9 for k in keys))
    blocks: list = [Table(("Team", *(label(k) for k in keys)), rows, "Teams in alphabetical order.", widths)]
    if facts.hidden_groups:
        blocks.append(
            Paragraph(
                f"{facts.hidden_groups} team(s) with fewer people than the minimum group size "
                "are left out here; they still count in the totals above."
            )
        )
    return Section("By team", tuple(blocks))


def _definitions(facts: Facts) -> Section:
    rows = tuple((c.name, c.unit, c.formula, c.caveats) for c in facts.cards)
    return Section(
        "Definitions",
        (
            Paragraph("The same definition cards the app shows next to each number."),
            Table(("Metric", "Unit", "Formula", "Caveats"), rows, widths=(18, 14, 42, 26)),
        ),
    )
