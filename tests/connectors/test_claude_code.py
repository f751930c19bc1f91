from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.connectors.claude_code import mapping
from payoff.connectors.claude_code.client import REPORT, AnthropicClient
from payoff.connectors.claude_code.streams import ClaudeCodeUsage
from payoff.connectors.daily import today
from payoff.connectors.sync import SourceError
from tests.connectors.conftest import Reply, no_sleep, remapped_usage_ids, resumed_sync_matches_clean, usage_table

KEY = "sk-ant-admin01-secret"
PAGE_SIZE = 2


def user_record(day: date, email: str, *, sessions=3, input_tokens=1000, cents=150) -> dict:
    return {
        "date": f"{day.isoformat()}T00:00:00Z",
        "organization_id": "org_1",
        "customer_type": "api",
        "terminal_type": "vscode",
        "actor": {"type": "user_actor", "email_address": email},
        "core_metrics": {
            "num_sessions": sessions,
            "lines_of_code": {"added": 120, "removed": 30},
            "commits_by_claude_code": 2,
            "pull_requests_by_claude_code": 1,
        },
        "tool_actions": {"edit_tool": {"accepted": 10, "rejected": 2}, "write_tool": {"accepted": 4, "rejected": 0}},
        "model_breakdown": [
            {
                "model": "claude-sonnet-4-5-20250929",
                "tokens": {"input": input_tokens, "output": 500, "cache_read": 2000, "cache_creation": 100},
                "estimated_cost": {"amount": cents, "currency": "USD"},
            },
            {
                "model": "claude-haiku-4-5",
                "tokens": {"input": 10, "output": 5, "cache_read": 0, "cache_creation": 0},
                "estimated_cost": {"amount": 1, "currency": "USD"},
            },
        ],
    }


def api_record(day: date) -> dict:
    return {
        "date": f"{day.isoformat()}T00:00:00Z",
        "actor": {"type": "api_actor", "api_key_name": "ci-bot"},
        "core_metrics": {"num_sessions": 1, "lines_of_code": {"added": 5, "removed": 0}},
        "model_breakdown": [
            {
                "model": "claude-opus-4-1",
                "tokens": {"input": 7, "output": 3},
                "estimated_cost": {"amount": 25, "currency": "USD"},
            }
        ],
    }


def test_user_actor_sums_models_and_converts_cents():
    rows = mapping.day_rows({"data": [user_record(date(2026, 5, 4), "Ana@Acme.io")]})
    assert rows["identity"][0]["id"] == "claude_code:ana@acme.io"
    [usage] = rows["ai_usage_daily"]
    assert usage["id"] == "claude_code:ana@acme.io:2026-05-04:claude_code"
    assert (
        usage["input_tokens"],
        usage["output_tokens"],
        usage["cost_usd"],
        usage["sessions"],
        usage["lines_accepted"],
        usage["lines_removed"],
        usage["commits"],
        usage["pull_requests"],
    ) == (1010, 505, 1.51, 3, 120, 30, 2, 1)
    assert usage["extra"]["edit_tool_accepted"] == 10 and usage["extra"]["edit_tool_rejected"] == 2
    assert "write_tool_rejected" not in usage["extra"]
    assert usage["extra"]["models"]["claude-sonnet-4-5-20250929"]["cache_read_tokens"] == 2000


def test_api_actor_becomes_a_key_identity_and_optional_parts_may_be_missing():
    rows = mapping.day_rows({"data": [api_record(date(2026, 5, 4))]})
    assert rows["identity"] == [
        {
            "id": "claude_code:api_key:ci-bot",
            "source": "claude_code",
            "external_id": "api_key:ci-bot",
            "label": "ci-bot",
        }
    ]
    [usage] = rows["ai_usage_daily"]
    assert (usage["input_tokens"], usage["cost_usd"], usage["commits"]) == (7, 0.25, 0)


def test_two_records_of_one_person_and_day_are_added_up():
    day = date(2026, 5, 4)
    [usage] = mapping.day_rows({"data": [user_record(day, "a@x.io"), user_record(day, "A@x.io", sessions=1)]})[
        "ai_usage_daily"
    ]
    assert usage["sessions"] == 4 and usage["input_tokens"] == 2020


def anthropic_api(api, records: list[dict]):
    """Speak the Claude Code report: x-api-key checked, one day per call, paged by has_more/next_page."""

    def report(request):
        if request.headers.get("x-api-key") != KEY or request.headers.get("anthropic-version") != "2023-06-01":
            return Reply(
                401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
            )
        day = request.query["starting_at"][0]
        of_day = [r for r in records if r["date"].startswith(day)]
        start = int(request.query.get("page", ["page_0"])[0].removeprefix("page_"))
        end = start + PAGE_SIZE
        return Reply(
            200,
            {
                "data": of_day[start:end],
                "has_more": end < len(of_day),
                "next_page": f"page_{end}" if end < len(of_day) else None,
            },
        )

    api.route("GET", REPORT, report)


def client(api, key=KEY, **options):
    return AnthropicClient(key, api.url, sleep=no_sleep([]), backoff=0.01, **options)


def records_for(days):
    return [
        rec
        for day in days
        for rec in (user_record(day, "ana@acme.io"), user_record(day, "bo@acme.io", cents=40), api_record(day))
    ]


def test_sync_command_fills_usage_per_actor_and_day(api, db_url, monkeypatch):
    days = [today() - timedelta(days=2), today() - timedelta(days=1)]
    anthropic_api(api, records_for(days))
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", KEY)
    result = CliRunner().invoke(cli, ["sync", "claude-code", "--base-url", api.url, "--since", days[0].isoformat()])
    assert result.exit_code == 0, result.output
    assert KEY not in result.output
    # three days (two with data, today empty); two pages each for the days with three actors
    assert "5 API requests made" in result.output
    rows = usage_table(db_url)
    assert [(r["identity_id"], r["day"], r["cost_usd"]) for r in rows] == [
        (who, day, cost)
        for who, cost in (
            ("claude_code:ana@acme.io", 1.51),
            ("claude_code:api_key:ci-bot", 0.25),
            ("claude_code:bo@acme.io", 0.41),
        )
        for day in days
    ]
    assert remapped_usage_ids(db_url, "claude_code") == {r["id"] for r in rows}


def test_wrong_key_is_refused_with_a_clear_message(api):
    anthropic_api(api, [])
    with pytest.raises(SourceError, match="refused the key.*invalid x-api-key.*ANTHROPIC_ADMIN_KEY"):
        list(client(api, key="sk-ant-admin01-wrong").claude_code_day(date(2026, 5, 4)))


def test_failure_on_a_later_page_then_rerun_equals_a_clean_sync(api, db_url, tmp_path):
    days = [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)]
    anthropic_api(api, records_for(days))

    def fault():
        api.fail(Reply(200, {"data": [], "has_more": True, "next_page": "page_2"}), path=REPORT)  # day 1 again
        api.fail(Reply(200, "{not json"), path=REPORT)  # its second page

    rows = resumed_sync_matches_clean(
        db_url,
        tmp_path,
        lambda **kw: ClaudeCodeUsage(client=client(api), **kw),
        days[0],
        days[-1],
        fault=fault,
        error=SourceError,
    )
    assert len(rows) == 9
