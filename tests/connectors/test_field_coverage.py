"""No field a real payload carries is lost without a written reason.

Payloads in real shapes (``tests/connectors/corpus/``: a Jira Cloud site in Chinese, a Jira Server
site, Copilot enterprise and organisation report records with CLI and agent use and seats, Cursor's
documented responses and their numeric-string variants) go through each mapping. Every field of each
object listed below is then changed, one at a time (a string or number altered, a flag flipped, a list
shortened, inside a nested object each of its fields): the field counts as kept when the rows change
(a column, ``extra``, or the mapping refusing it). Any other field must be on the documented ignore list
in docs/connectors.md ("Fields not kept"), whose entries in turn must name fields the corpus has.
"""

import copy
import json
import re
from pathlib import Path

import pytest

from payoff.connectors.copilot import mapping as copilot
from payoff.connectors.cursor import mapping as cursor
from payoff.connectors.jira import mapping as jira

CORPUS = Path(__file__).parent / "corpus"
DOCS = Path(__file__).parents[2] / "docs" / "connectors.md"


def load(name: str) -> dict:
    return json.loads((CORPUS / name).read_text())


def report() -> dict:
    records = [json.loads(line) for line in (CORPUS / "copilot_users_1_day.ndjson").read_text().splitlines()]
    return {"day": "2026-03-03", "records": records, "credit_price_usd": 0.04}


def custom_type(subtask: bool, level: int) -> dict:
    """The Chinese site's issue with a type of its own (no English name Payoff knows): the flags decide."""
    payload = load("jira_cloud_zh.json")
    payload["issue_type"].update(untranslatedName="Checklist", subtask=subtask, hierarchyLevel=level)
    return payload


def seats() -> dict:
    return {"org": "acme", "seats": load("copilot_seats.json")["seats"], "default_seat_usd": 19.0}


# (what, the ignore-list entry, payload, how it is mapped, the objects whose every field is checked)
CASES = [
    (
        "jira cloud (zh)",
        "jira issue",
        load("jira_cloud_zh.json"),
        lambda p: jira.remap("issues", p),
        [("issue",), ("issue", "fields")],
    ),
    (
        "jira cloud (zh)",
        "jira issue type",
        load("jira_cloud_zh.json"),
        lambda p: jira.remap("issues", p),
        [("issue_type",), ()],
    ),
    (
        "jira cloud (zh), a sub-task type",
        "jira issue type",
        custom_type(True, 0),
        lambda p: jira.remap("issues", p),
        [("issue_type",)],
    ),
    (
        "jira cloud (zh), a child type",
        "jira issue type",
        custom_type(False, -1),
        lambda p: jira.remap("issues", p),
        [("issue_type",)],
    ),
    (
        "jira server",
        "jira issue",
        load("jira_server.json"),
        lambda p: jira.remap("issues", p),
        [("issue",), ("issue", "fields"), ()],
    ),
    (
        "copilot report",
        "copilot record",
        report(),
        lambda p: copilot.remap("users_1_day", p),
        [("records", 0), ("records", 1)],
    ),
    ("copilot report", "copilot report", report(), lambda p: copilot.remap("users_1_day", p), [()]),
    ("copilot seats", "copilot seat", seats(), lambda p: copilot.remap("seats", p), [("seats", 0), ("seats", 1), ()]),
    (
        "cursor daily usage",
        "cursor record",
        load("cursor_daily_usage.json"),
        lambda p: cursor.remap("daily_usage", p),
        [("data", 0), ("data", 1), ("data", 2), ("data", 3), ()],
    ),
    (
        "cursor daily usage",
        "cursor event",
        load("cursor_daily_usage.json"),
        lambda p: cursor.remap("daily_usage", p),
        [("events", 0), ("events", 1)],
    ),
    ("cursor spend", "cursor spend", load("cursor_spend.json"), lambda p: cursor.remap("spend", p), [()]),
    (
        "cursor spend",
        "cursor spend member",
        load("cursor_spend.json"),
        lambda p: cursor.remap("spend", p),
        [("teamMemberSpend", 0), ("teamMemberSpend", 1)],
    ),
]


def ignore_list() -> dict[str, set[str]]:
    """``- `<entry>`: `field`, `field` — why`` lines of the docs' "Fields not kept" section."""
    section = DOCS.read_text().split("## Fields not kept", 1)[1].split("\n## ", 1)[0]
    found = {}
    for entry, names in re.findall(r"^- `([^`]+)`: (.*?) — ", section, flags=re.MULTILINE):
        found[entry] = set(re.findall(r"`([^`]+)`", names))
    return found


def get(payload, path):
    for step in path:
        payload = payload[step]
    return payload


def altered(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value * 2 + 7  # far enough to move an epoch to another day
    if isinstance(value, str):
        return value + "7"
    if isinstance(value, list):
        return value[:-1]
    return None


def outcome(mapper, payload) -> str:
    try:
        return repr(mapper(payload))
    except Exception as error:  # noqa: BLE001 — refusing the changed field is using it
        return f"refused: {type(error).__name__}"


def kept(mapper, payload, path, before: str) -> bool:
    """Whether changing the field at ``path`` (inside an object: any of its fields) changes the rows."""
    value = get(payload, path)
    if isinstance(value, dict):
        return any(kept(mapper, payload, (*path, key), before) for key in value)
    if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        return kept(mapper, payload, (*path, 0), before) or kept_changed(mapper, payload, path, before)
    return kept_changed(mapper, payload, path, before)


def kept_changed(mapper, payload, path, before: str) -> bool:
    changed = copy.deepcopy(payload)
    *parent, last = path
    get(changed, parent)[last] = altered(get(payload, path))
    return outcome(mapper, changed) != before


def coverage(entry: str) -> tuple[set[str], set[str]]:
    """The fields of ``entry`` across its cases (``a.b.c`` paths in the first case that has them) and those
    that some case keeps."""
    fields, kept_somewhere = {}, set()
    for what, name, payload, mapper, objects in CASES:
        if name != entry:
            continue
        before = outcome(mapper, payload)
        assert not before.startswith("refused"), f"{what}: {before}"
        for path in objects:
            for key, value in get(payload, path).items():
                if value in (None, "", [], {}):
                    continue  # nothing to lose
                fields.setdefault(key, ".".join(map(str, (*path, key))))
                if key not in kept_somewhere and kept(mapper, payload, (*path, key), before):
                    kept_somewhere.add(key)
    return set(fields), kept_somewhere


ENTRIES = sorted({entry for _, entry, *_ in CASES})


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_field_is_kept_or_on_the_documented_ignore_list(entry):
    fields, kept_somewhere = coverage(entry)
    ignored = ignore_list().get(entry, set())
    assert fields, "the corpus has no fields here"
    assert sorted(fields - kept_somewhere - ignored) == [], (
        f"{entry}: fields neither mapped, kept in extra, nor documented as not kept"
    )
    assert sorted(ignored & kept_somewhere) == [], f"{entry}: documented as not kept, yet kept"
    assert ignored <= fields, f"{entry}: the ignore list names fields the corpus does not have"


def test_the_ignore_list_names_only_entries_the_corpus_has():
    assert set(ignore_list()) <= set(ENTRIES)


def test_the_corpus_maps_to_what_it_says():
    [bug] = jira.remap("issues", load("jira_cloud_zh.json"))["ticket"]
    assert (bug["type"], bug["original_type"], bug["story_points"], bug["remote_links"]) == (
        "bug",
        "缺陷",
        3.0,
        ["https://github.com/acme/pay/pull/88"],
    )
    [task] = jira.remap("issues", load("jira_server.json"))["ticket"]
    assert (task["type"], task["identity_id"], task["story_points"]) == ("task", "jira:JIRAUSER10417", 2.0)
    octocat, hubot = copilot.remap("users_1_day", report())["ai_usage_daily"]
    assert (octocat["requests"], octocat["ai_credits"], octocat["cost_usd"]) == (14, 23.5, pytest.approx(0.94))
    assert (hubot["ai_credits"], octocat["lines_accepted"] > octocat["lines_suggested"]) == (2.0, True)
    rows = {r["identity_id"]: r for r in cursor.remap("daily_usage", load("cursor_daily_usage.json"))["ai_usage_daily"]}
    strings = rows["cursor:strings@acme.io"]
    assert (strings["requests"], strings["lines_accepted"], strings["input_tokens"], strings["cost_usd"]) == (
        13,
        80,
        2088,
        0,
    )
    assert rows["cursor:dev@acme.io"]["extra"]["totalLinesDeleted"] == 892 and "cursor:idle@acme.io" not in rows
    assert {s["id"]: s["cycle_spend_usd"] for s in cursor.remap("spend", load("cursor_spend.json"))["seat"]} == {
        "cursor:seat:dev@acme.io": 24.5,
        "cursor:seat:owner@acme.io": 0.0,
    }
