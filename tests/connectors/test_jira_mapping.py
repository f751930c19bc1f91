"""Jira mapping: this issue in, these rows out."""

import pytest

from payoff.connectors.jira.mapping import ticket_rows
from tests.connectors.jira_fake import CLOUD_POINTS, STATUSES, adf, history, issue, user


def mapped(found: dict, field: str | None = CLOUD_POINTS) -> dict:
    return ticket_rows({"issue": found, "story_points_field": field})


@pytest.mark.parametrize(
    "original, normalised",
    [
        ("Bug", "bug"),
        ("Defect", "bug"),
        ("Story", "story"),
        ("New Feature", "story"),
        ("Task", "task"),
        ("Sub-task", "task"),
        ("Epic", "other"),
        ("Spike", "task"),
        ("Design review", "other"),
    ],
)
def test_type_is_normalised_and_the_original_kept(original, normalised):
    ticket = mapped(issue("ABC-1", kind=original))["ticket"][0]
    assert (ticket["type"], ticket["original_type"]) == (normalised, original)


@pytest.mark.parametrize(
    "site_type, issuetype, normalised",
    [
        ({"untranslatedName": "Bug", "name": "缺陷"}, {"id": "1", "name": "缺陷"}, "bug"),
        ({"untranslatedName": "Story", "name": "Historia"}, {"id": "2", "name": "Historia"}, "story"),
        ({"untranslatedName": "Checklist", "subtask": True}, {"id": "3", "name": "Prüfliste"}, "task"),
        (None, {"id": "4", "name": "子任务", "subtask": False, "hierarchyLevel": -1}, "task"),
        (None, {"id": "5", "name": "Task"}, "task"),  # Server without the list entry: the name
        ({"untranslatedName": "Epic", "hierarchyLevel": 1}, {"id": "6", "name": "長篇"}, "other"),
    ],
)
def test_type_by_the_sites_english_name_then_the_subtask_flags_then_the_name(site_type, issuetype, normalised):
    found = issue("ABC-1")
    found["fields"]["issuetype"] = issuetype
    rows = ticket_rows({"issue": found, "story_points_field": CLOUD_POINTS, "issue_type": site_type})
    assert (rows["ticket"][0]["type"], rows["ticket"][0]["original_type"]) == (normalised, issuetype["name"])


@pytest.mark.parametrize(
    "sent, stored", [(3, 3.0), ("5", 5.0), (" 2.5 ", 2.5), ("", None), ("lots", None), (None, None)]
)
def test_story_points_as_numbers_or_numeric_strings(sent, stored):
    assert mapped(issue("ABC-1", points=sent))["ticket"][0]["story_points"] == stored


def test_cloud_assignee_with_and_without_a_visible_email():
    visible = mapped(issue("ABC-1", assignee=user("ana")))
    assert visible["identity"] == [
        {
            "id": "jira:5b10ac8d82e05b22cc7d4e03ana",
            "source": "jira",
            "external_id": "5b10ac8d82e05b22cc7d4e03ana",
            "label": "ana@acme.io",
        }
    ]
    hidden = mapped(issue("ABC-1", assignee=user("bo", email=None)))
    assert hidden["identity"][0]["label"] == "Bo"


def test_server_assignee_is_named_by_user_key():
    rows = mapped(issue("ABC-1", assignee=user("cy", cloud=False)))
    assert rows["ticket"][0]["identity_id"] == "jira:JIRAUSER2cy"


def test_unassigned_unresolved_ticket_without_points_field():
    rows = mapped(issue("ABC-9", status="To Do", category="new", points=8), field=None)
    ticket = rows["ticket"][0]
    assert rows["identity"] == [] and ticket["identity_id"] is None
    assert (ticket["resolved_at"], ticket["resolution"], ticket["story_points"]) == (None, None, None)
    assert ticket["status_category"] == "new"


def test_times_are_utc_and_links_read_from_this_ticket():
    ticket = mapped(
        issue(
            "ABC-1",
            created="2026-03-01T23:30:00.000-0500",
            resolved="2026-03-02T01:00:00.000+0200",
            links=(("out", "ABC-2"), ("in", "OPS-7")),
        )
    )["ticket"][0]
    assert ticket["created_at"].isoformat() == "2026-03-02T04:30:00+00:00"
    assert ticket["resolved_at"].isoformat() == "2026-03-01T23:00:00+00:00"
    assert ticket["links"] == [
        {"type": "blocks", "key": "ABC-2", "name": "Blocks", "direction": "outward"},
        {"type": "is blocked by", "key": "OPS-7", "name": "Blocks", "direction": "inward"},
    ]


@pytest.mark.parametrize(
    "description, text",
    [
        ("Broken since https://github.com/acme/api/pull/7", "Broken since https://github.com/acme/api/pull/7"),  # v2
        (
            adf("Broken since the deploy.", url="https://github.com/acme/api/pull/7"),  # Cloud v3 (ADF)
            "Broken since the deploy. https://github.com/acme/api/pull/7",
        ),
        (None, ""),
    ],
)
def test_description_is_plain_text_in_both_api_versions(description, text):
    assert mapped(issue("ABC-1", description=description))["ticket"][0]["description"] == text


def test_status_changes_become_transitions_with_their_categories_and_remote_links_their_urls():
    found = issue(
        "ABC-1",
        histories=[
            history(2, "2026-03-02T10:00:00.000+0000", "Done", "In Progress"),
            history(1, "2026-03-01T10:00:00.000+0100", "In Progress"),
        ],
        remote_links=("https://github.com/acme/api/pull/7",),
    )
    links = found.pop("remote_links")
    rows = ticket_rows(
        {
            "issue": found,
            "story_points_field": None,
            "remote_links": links,
            "status_categories": dict(STATUSES.values()),
        }
    )
    assert [
        (t["id"], t["at"].isoformat(), t["from_status"], t["to_status"], t["from_category"], t["to_category"])
        for t in rows["ticket_transition"]
    ] == [
        ("jira:ABC-1:1:0", "2026-03-01T09:00:00+00:00", "To Do", "In Progress", "new", "indeterminate"),
        ("jira:ABC-1:2:0", "2026-03-02T10:00:00+00:00", "In Progress", "Done", "indeterminate", "done"),
    ]
    assert rows["ticket"][0]["remote_links"] == ["https://github.com/acme/api/pull/7"]
