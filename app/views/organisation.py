"""Organisation: aggregates by team with the minimum group size enforced — cost vs outcomes, adoption
breadth, time saved. For leaders and admins; no individual appears here."""

import altair as alt
import streamlit as st

from payoff.app import loaders, ui
from payoff.app.access import AccessDenied
from payoff.app.markdown import text
from payoff.app.review import Subject
from payoff.app.views import viewer

me = viewer()
st.title("Organisation")
month = ui.month_picker()

try:
    trend = loaders.group_trend(me, "organisation", month)
except AccessDenied as denied:
    ui.empty(str(denied))
    st.stop()
teams = loaders.group_teams(me, "organisation", month)
shown = teams[~teams["suppressed"].astype(bool)]
hidden = teams[teams["suppressed"].astype(bool)]

current = trend.iloc[-1]
ui.numbers(
    current,
    [
        ("PRs merged", "prs_merged", "count"),
        ("Tickets closed", "tickets_closed", "count"),
        ("Outcome units", "outcome_units", "ratio", "units"),
        ui.bill(current),
        ("Value per M tokens", "value_per_million_tokens", "ratio", "units/M tokens"),
        ("Cycle time", "pr_cycle_time_hours", "hours"),
    ],
)
if not current["tokens"] and not current["prs_merged"]:
    ui.empty(
        "Nothing recorded for this month yet. Connect GitHub and Jira for outcomes and your AI tools for "
        "usage (`payoff sync --help`), or import CSV/JSONL (`payoff import --help`)."
    )
if len(hidden):
    st.caption(
        f"{len(hidden)} team(s) with fewer people than the minimum group size are hidden: "
        + ", ".join(map(text, hidden["team"]))
        + "."
    )

st.subheader("Cost vs outcomes")
left, right = st.columns(2)
with left:
    ui.cost_and_outcomes(trend, title="Organisation, last six months", name="org-cost-and-outcomes")
with right:
    if shown.empty:
        ui.empty("No team is large enough to show on its own.")
    else:
        points = shown[["team", "people", "cost_usd", "outcome_units", "value_per_million_tokens"]].astype(
            {"cost_usd": float, "outcome_units": float, "people": int}
        )
        base = alt.Chart(points, title="Teams: cost against outcome units").encode(
            x=alt.X("cost_usd:Q", title="cost (USD)", axis=alt.Axis(format="$,.0f")),
            y=alt.Y("outcome_units:Q", title="outcome units"),
            tooltip=[
                "team",
                "people",
                alt.Tooltip("cost_usd:Q", format="$,.0f", title="cost"),
                alt.Tooltip("outcome_units:Q", format=",.1f", title="outcome units"),
                alt.Tooltip("value_per_million_tokens:Q", format=",.1f", title="units per M tokens"),
            ],
        )
        spec = base.mark_circle(size=120).encode(
            color=alt.Color(
                "team:N", scale=alt.Scale(scheme="tableau10"), legend=alt.Legend(orient="bottom", columns=5)
            )
        )
        ui.chart(spec, points, name="org-team-cost-vs-outcomes")

st.subheader("Adoption breadth and time saved")
left, right = st.columns(2)
with left:
    ui.adoption_chart(shown, loaders.adoption_target(me), name="org-adoption")
with right:
    saved = ui.flat(shown[["team", "people", "time_saved_people", "time_saved_hours_per_week"]])
    saved = saved.dropna(subset=["time_saved_hours_per_week"])
    if saved.empty:
        ui.empty(
            "No time-saved estimate yet: it needs weeks of outcomes before and after adoption, and "
            "non-adopters to compare with (see the card)."
        )
    else:
        base = alt.Chart(saved, title="Time saved per person-week (mean, 80 % interval)").encode(
            y=alt.Y("team:N", title=None, sort="ascending")
        )
        spec = alt.layer(
            base.mark_rule(strokeWidth=2).encode(
                x=alt.X("time_saved_hours_per_week_low:Q", title="hours per week"),
                x2="time_saved_hours_per_week_high:Q",
            ),
            base.mark_point(filled=True, size=80).encode(
                x="time_saved_hours_per_week:Q",
                tooltip=[
                    "team",
                    "time_saved_people",
                    alt.Tooltip("time_saved_hours_per_week:Q", format=",.1f"),
                    alt.Tooltip("time_saved_hours_per_week_low:Q", format=",.1f"),
                    alt.Tooltip("time_saved_hours_per_week_high:Q", format=",.1f"),
                ],
            ),
        ).properties(height=ui.ROW)
        st.caption(":material/info: " + ui.CARDS["time_saved_hours_per_week"].caveats)
        ui.chart(spec, saved, name="org-time-saved", height="content")

st.subheader("Quality")
quality = loaders.group_quality(me, "organisation", month)
ui.quality(quality.iloc[0], whose="across the organisation")
ui.table(quality[["team", "people", *ui.QUALITY_COLUMNS]], name=f"org-quality-{month}")

st.subheader("AI-assisted vs other work")
ui.comparison(loaders.group_ai_vs_other(me, "organisation", month), name=f"org-ai-vs-other-{month}")

st.subheader("By team")
ui.table(teams[ui.TEAM_COLUMNS], name=f"org-teams-{month}")
ui.review_downloads(me, month, Subject("org"))
