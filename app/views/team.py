"""Team: the viewer's direct and indirect reports — trends, AI-assisted vs other work, adoption breadth,
distributions (never a list ordered by usage), waste-signal counts, and a drill-down into one person
where the individual-visibility setting allows."""

import pandas as pd
import streamlit as st

from payoff.app import loaders, person_view, ui
from payoff.app.access import AccessDenied
from payoff.app.markdown import text
from payoff.app.review import Subject
from payoff.app.views import viewer

me = viewer()
st.title("Team")
month = ui.month_picker()
team = loaders.group(me, "team")

if not team.members:
    ui.empty(
        "Nobody reports to you in Payoff's people table. Reports are people whose `manager_email` is yours "
        "(or whose manager reports to you); import them with `payoff import people FILE.csv`."
    )
    st.stop()

overview, drill = st.tabs(["Overview", "One person"], default="One person" if st.query_params.get("person") else None)

with overview:
    try:
        trend = loaders.group_trend(me, "team", month)
    except AccessDenied as denied:
        ui.empty(f"{denied} Individual-level settings and the minimum group size are on the Admin page.")
    else:
        current = trend.iloc[-1]
        st.caption(f"{len(team.members)} people report to you, directly or indirectly.")
        ui.numbers(
            current,
            [
                ("PRs merged", "prs_merged", "count"),
                ("Cycle time", "pr_cycle_time_hours", "hours"),
                ("Tickets closed", "tickets_closed", "count"),
                ("Bugs fixed", "bugs_fixed", "count"),
                ui.bill(current),
                ("Value per M tokens", "value_per_million_tokens", "ratio", "units/M tokens"),
            ],
        )
        left, right = st.columns(2)
        with left:
            ui.trend_chart(
                trend,
                {"prs_merged": "PRs merged", "tickets_closed": "tickets closed", "bugs_fixed": "bugs fixed"},
                title="Outcomes, last six months",
                y_title="count",
                name="team-outcome-trend",
            )
        with right:
            ui.trend_chart(
                trend,
                {"pr_cycle_time_hours": "PR cycle time (h, median)"},
                title="Cycle time, last six months",
                y_title="hours",
                name="team-cycle-time-trend",
            )

        st.subheader("Quality")
        quality = loaders.group_quality(me, "team", month)
        ui.quality(quality.iloc[0], whose="assigned to your reports")
        ui.table(quality[["team", "people", *ui.QUALITY_COLUMNS]], name=f"team-quality-{month}")

        st.subheader("AI-assisted vs other work")
        st.caption(
            "Pull requests of this month and the two before it, with 80 % intervals. " + ui.CARDS["ai_vs_other"].caveats
        )
        ui.comparison(loaders.group_ai_vs_other(me, "team", month), name=f"team-ai-vs-other-{month}")

        teams = loaders.group_teams(me, "team", month)
        st.subheader("Adoption breadth")
        ui.adoption_chart(teams, loaders.adoption_target(me), name="team-adoption")

        st.subheader("Distributions")
        st.caption("How your reports spread — no names, no order. Each bar counts people.")
        spread = loaders.group_distribution(me, "team", month)
        cells = st.columns(3)
        for cell, (field, label) in zip(
            cells,
            [
                ("outcome_units", "outcome units"),
                ("pr_cycle_time_hours", "PR cycle time (h)"),
                ("weekly_active_share", "weekly-active share"),
            ],
            strict=True,
        ):
            with cell:
                ui.histogram(
                    spread,
                    field,
                    title=label,
                    x_title=label,
                    name=f"team-distribution-{field}",
                    share=field == "weekly_active_share",
                )

        st.subheader("Waste signals")
        counts = spread["flags"].explode().dropna().value_counts()
        signal_counts = pd.DataFrame(
            {"signal": [ui.CARDS[name].name for name in counts.index], "people": counts.to_numpy()}
        ).sort_values("signal")
        if signal_counts.empty:
            st.success("No waste signals among your reports this month.", icon=":material/check_circle:")
        else:
            st.caption(
                "How many of your reports carry each signal. Who they are, and the evidence, is on their own "
                "page, where the individual-visibility setting allows."
            )
            ui.table(signal_counts, name=f"team-signal-counts-{month}")

        st.subheader("By team")
        ui.table(teams[ui.TEAM_COLUMNS], name=f"team-breakdown-{month}")

        st.subheader("Monthly review")
        shown = sorted(teams.loc[~teams["suppressed"].astype(bool), "team"].dropna())
        if shown:
            chosen_team = st.selectbox("Team", shown) if len(shown) > 1 else shown[0]
            ui.review_downloads(me, month, Subject("team", chosen_team))
        else:
            ui.empty("No team here is large enough to export on its own (minimum group size).")

with drill:
    people = loaders.drillable(me)
    if people.empty:
        ui.empty(
            "Individual figures of your reports are not available: the organisation's individual-visibility "
            "setting is `self_only` or `nobody`."
        )
    else:
        requested = st.query_params.get("person")
        ids = people["person_id"].tolist()
        labels = dict(zip(ids, people["name"] + " (" + people["team"].fillna("no team") + ")", strict=True))
        chosen = st.selectbox(
            "Person",
            ids,
            format_func=labels.get,
            index=ids.index(int(requested)) if requested in map(str, ids) else None,
            placeholder="Pick one of your reports",
        )
        if chosen is not None:
            st.query_params["person"] = str(chosen)
    person = st.query_params.get("person")
    if person:
        try:
            person_id = int(person)
            st.header(text(loaders.person_name(me, person_id)))
            st.caption("Viewing someone's figures is recorded in the audit log.")
            person_view.render(me, person_id, month, view="team.person", editable=False)
        except (AccessDenied, ValueError):
            st.error("You may not see this person's figures.")
