"""Admin: people and roles, IdP group mapping, unmatched identities, connector health, settings, audit log."""

import json

import pandas as pd
import streamlit as st

from payoff.app import loaders, ui
from payoff.app.markdown import text
from payoff.app.views import viewer
from payoff.store.models import ROLES
from payoff.store.org_settings import VISIBILITY

me = viewer()
st.title("Admin")
people_tab, identities_tab, health_tab, settings_tab, audit_tab = st.tabs(
    ["People & roles", "Unmatched identities", "Connector health", "Settings", "Audit log"]
)

with people_tab:
    people = loaders.admin_people(me)
    if people.empty:
        ui.empty(
            "No people yet. Import them with `payoff import people FILE.csv` "
            "(columns email, name, team, manager_email, role)."
        )
    else:
        ui.table(people.drop(columns="id"), name="people")
        with st.form("role"):
            st.subheader("Change a role")
            left, right = st.columns(2)
            email = left.selectbox("Person", people["email"], format_func=lambda e: f"{e}")
            role = right.selectbox("Role", ROLES)
            if st.form_submit_button("Save role"):
                loaders.set_role(me, email=email, role=role)
                st.success(f"{text(email)} is now {role}.")

    st.subheader("IdP groups → roles")
    st.caption(
        "A group listed here overrides the people table's role for its members at sign-in; the first "
        "matching group wins. The groups come from the verified ID token, never from the user."
    )
    mapping = loaders.admin_settings(me)
    with st.form("groups"):
        claim = st.text_input("Group claim in the ID token", mapping["group_claim"])
        rows = pd.DataFrame(list(mapping["group_roles"].items()), columns=["group", "role"])
        edited = st.data_editor(
            rows,
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={"role": st.column_config.SelectboxColumn(options=list(ROLES))},
            key="group_roles_editor",
        )
        if st.form_submit_button("Save group mapping"):
            groups = {
                str(g).strip(): r
                for g, r in zip(edited["group"], edited["role"], strict=True)
                if isinstance(g, str) and g.strip() and r in ROLES
            }
            loaders.save_setting(me, "group_claim", claim.strip() or "groups")
            loaders.save_setting(me, "group_roles", groups)
            st.success("Group mapping saved.")

with identities_tab:
    unmatched = loaders.admin_unmatched_identities(me)
    if not unmatched:
        ui.empty("Every identity the sources reported matches a person.")
    else:
        st.caption(
            "GitHub logins, Jira accounts and AI-tool users that match no person. Their rows are kept and "
            "wait; mapping an identity to a person moves them at once (recorded in the audit log)."
        )
        ui.table(
            pd.DataFrame(
                [
                    {
                        **{k: v for k, v in row.items() if k not in ("suggestions", "new_person")},
                        "suggested": "; ".join(f"{s.email} ({s.why})" for s in row["suggestions"]),
                    }
                    for row in unmatched
                ]
            ),
            name="unmatched-identities",
        )
        by_id = {row["identity"]: row for row in unmatched}
        chosen = st.selectbox(
            "Identity",
            list(by_id),
            key="map_identity",
            format_func=lambda i: f"{i} — {by_id[i]['rows_waiting']} rows waiting",
        )
        suggested = {s.person_id: f"{s.name} <{s.email}> — suggested: {s.why}" for s in by_id[chosen]["suggestions"]}
        everyone = loaders.admin_people(me)
        names = {
            **suggested,
            **{int(p.id): f"{p.name} <{p.email}>" for p in everyone.itertuples() if int(p.id) not in suggested},
        }
        person = st.selectbox("Is this person", list(names), format_func=names.get, key="map_person")
        if st.button("Map identity", type="primary"):
            moved = loaders.map_identity(me, identity_id=chosen, person_id=person)
            st.session_state["mapped"] = f"{text(chosen)} is now {text(names[person])}: {moved} rows moved."
            st.rerun()
        with st.expander("Nobody here fits: add them as a new person"):
            st.caption(
                "For a GitHub member or Jira user the sync has seen who is not in the people file yet. "
                "They join as an employee; a later people import updates them (team, manager, role)."
            )
            said = by_id[chosen]["new_person"]
            with st.form("add_person"):
                email = st.text_input("Email (used for sign-in)", said["email"], key=f"new_email_{chosen}")
                name = st.text_input("Name", said["name"], key=f"new_name_{chosen}")
                teams = sorted(set(everyone["team"].dropna()))
                team = st.selectbox(
                    "Team", [None, *teams], format_func=lambda t: "–" if t is None else t, key=f"new_team_{chosen}"
                )
                if st.form_submit_button("Add person and map identity"):
                    try:
                        moved = loaders.add_person_from_identity(
                            me, identity_id=chosen, email=email, name=name, team=team
                        )
                    except ValueError as error:
                        st.error(text(str(error)))
                    else:
                        st.session_state["mapped"] = (
                            f"{text(chosen)} is now {text(name)} <{text(email)}>: {moved} rows moved."
                        )
                        st.rerun()
    if "mapped" in st.session_state:
        st.success(st.session_state.pop("mapped"))

with health_tab:
    health = loaders.admin_connector_health(me)
    if health.empty and loaders.admin_demo_only(me):
        ui.empty(
            "The figures on every page are the demo organisation's, generated by `payoff demo`: no connector "
            "has synced yet. To go live, remove it with `payoff db reset --demo-only`, import your people and "
            "run `payoff sync` (docs/getting-started.md)."
        )
    elif health.empty:
        ui.empty(
            "No connector has synced yet. Run `payoff sync github …`, `payoff sync jira …` or an AI-usage "
            "sync (see `payoff sync --help`), or import CSV/JSONL with `payoff import usage`."
        )
    else:
        failing = int(health["last_error"].notna().sum())
        st.metric(
            "Streams with an error",
            f"{failing} of {len(health)}",
            help="A stream whose last run failed keeps its cursor; the next sync resumes from there.",
        )
        ui.table(health, name="connector-health")

SETTING_HELP = {
    "seat_prices": 'Your contract price of a seat, USD a month, per "tool" or "tool:plan" (the plan '
    'wins), e.g. {"copilot:business": 15, "cursor": 32}. A seat not named here costs the '
    "list price its tool reports (the default). Seats are part of every cost figure."
}

with settings_tab:
    current = loaders.admin_settings(me)
    with st.form("settings"):
        target = st.slider(
            "Adoption target (share of people using AI in a week)", 0.0, 1.0, float(current["adoption_target"]), 0.05
        )
        k = st.number_input("Minimum group size (k) for aggregates", 2, 100, int(current["min_group_size"]))
        visibility = st.selectbox(
            "Individual visibility",
            VISIBILITY,
            index=VISIBILITY.index(current["individual_visibility"]),
            help="self_and_manager: a person and their manager chain; self_only: only the "
            "person; nobody: individual figures are off.",
        )
        others = {
            key: value
            for key, value in current.items()
            if key not in {"adoption_target", "min_group_size", "individual_visibility", "group_claim", "group_roles"}
        }
        edited = {
            key: st.text_area(
                key.replace("_", " ").capitalize() + " (JSON)", json.dumps(value, indent=2), help=SETTING_HELP.get(key)
            )
            for key, value in others.items()
        }
        if st.form_submit_button("Save settings"):
            try:
                parsed = {key: json.loads(text) for key, text in edited.items()}
            except json.JSONDecodeError as error:
                st.error(f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).")
            else:
                for key, value in {
                    "adoption_target": target,
                    "min_group_size": int(k),
                    "individual_visibility": visibility,
                    **parsed,
                }.items():
                    loaders.save_setting(me, key, value)
                st.success("Settings saved.")

with audit_tab:
    log = loaders.admin_audit_log(me)
    if log.empty:
        ui.empty(
            "Nothing recorded yet: looks at someone else's figures, exports, refused attempts and admin "
            "changes appear here."
        )
    else:
        st.caption(
            "Every look at someone else's figures and every export; refused looks and exports (detail "
            "*refused: …*); admin changes to roles and settings (views *admin.role*, *admin.setting*, "
            "with the old and the new value)."
        )
        ui.table(log, name="audit-log")
