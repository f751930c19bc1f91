import base64
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.connectors.cursor import mapping
from payoff.connectors.cursor.client import CursorClient, Pacer
from payoff.connectors.cursor.streams import DailyUsage
from payoff.connectors.daily import epoch_ms, today
from payoff.connectors.sync import RateLimited, SourceError
from payoff.store import db
from payoff.store.models import AIUsageDaily, Identity, RawPayload, Seat
from tests.connectors.conftest import Reply, no_sleep, remapped_usage_ids, resumed_sync_matches_clean


KEY = "key_cursor_secret_123"
DAY1, DAY2, DAY3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)

OLD_SHAPE = {
    "date": epoch_ms(DAY1),
    "email": "Ana@Acme.io",
    "isActive": True,
    "totalLinesAdded": 120,
    "totalLinesDeleted": 14,
    "acceptedLinesAdded": 80,
    "acceptedLinesDeleted": 9,
    "totalTabsShown": 40,
    "totalTabsAccepted": 25,
    "composerRequests": 3,
    "chatRequests": 4,
    "agentRequests": 5,
    "cmdkUsages": 1,
    "usageBasedReqs": 2,
    "mostUsedModel": "claude-4-sonnet",
}
NEW_SHAPE = {"day": "2026-03-03", "userId": "user_42", "linesAdded": 30, "agentRequests": 2}
INACTIVE = {"date": epoch_ms(DAY2), "email": "bo@acme.io", "isActive": False}


def test_old_shape_maps_counters_and_keys_by_lower_case_email():
    rows = mapping.daily_rows({"data": [OLD_SHAPE]})
    assert rows["identity"] == [
        {"id": "cursor:ana@acme.io", "source": "cursor", "external_id": "ana@acme.io", "label": "Ana@Acme.io"}
    ]
    [usage] = rows["ai_usage_daily"]
    assert usage["id"] == "cursor:ana@acme.io:2026-03-02:cursor"
    assert (
        usage["day"],
        usage["requests"],
        usage["lines_suggested"],
        usage["lines_accepted"],
        usage["lines_removed"],
    ) == (DAY1, 13, 120, 80, 9)
    assert usage["extra"] == {
        "totalTabsShown": 40,
        "totalTabsAccepted": 25,
        "usageBasedReqs": 2,
        "mostUsedModel": "claude-4-sonnet",
        "totalLinesDeleted": 14,
    }


def test_numbers_as_numeric_strings_map_alike():
    text = {
        key: str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for key, value in OLD_SHAPE.items()
    }
    assert text["date"] == str(epoch_ms(DAY1))  # "1772409600000", as some responses send it
    [usage] = mapping.daily_rows({"data": [text]})["ai_usage_daily"]
    assert (usage["day"], usage["requests"], usage["lines_accepted"], usage["lines_removed"]) == (DAY1, 13, 80, 9)
    [seat] = mapping.spend_rows(
        {
            "teamMemberSpend": [{"email": "ana@acme.io", "spendCents": "2450"}],
            "subscriptionCycleStart": str(epoch_ms(DAY1)),
        }
    )["seat"]
    assert (seat["cycle_started_on"], seat["cycle_spend_usd"]) == (DAY1, 24.5)


def event(day: date, email: str, model: str = "claude-4-sonnet", kind: str = "Usage-based", **tokens) -> dict:
    """A usage event as /teams/filtered-usage-events documents it: the timestamp is a numeric string."""
    used = {
        "inputTokens": 1200,
        "outputTokens": 300,
        "cacheWriteTokens": 50,
        "cacheReadTokens": 4000,
        "totalCents": 2.5,
        **tokens,
    }
    return {
        "timestamp": str(epoch_ms(day) + 3_600_000),
        "model": model,
        "kind": kind,
        "maxMode": False,
        "requestsCosts": 1,
        "isTokenBasedCall": True,
        "isChargeable": True,
        "isHeadless": False,
        "tokenUsage": used,
        "userEmail": email,
    }


def test_usage_events_add_tokens_and_cost_to_the_members_day():
    events = [
        event(DAY1, "ana@acme.io"),
        event(DAY1, "ana@acme.io", model="gpt-5", inputTokens="800"),
        event(DAY1, "cy@acme.io"),
        {**event(DAY1, "ana@acme.io"), "timestamp": "soon"},
    ]
    rows = mapping.daily_rows({"data": [OLD_SHAPE], "events": events})
    ana, cy = sorted(rows["ai_usage_daily"], key=lambda r: r["id"])
    assert (ana["requests"], ana["input_tokens"], ana["output_tokens"], ana["cost_usd"]) == (13, 2000, 600, 0.05)
    assert ana["extra"]["tokens_by_model"]["gpt-5"]["input"] == 800 and ana["extra"]["cache_read_tokens"] == 8000
    assert ana["extra"]["usage_events"] == 2 and ana["extra"]["events_by_kind"] == {"Usage-based": 2}
    assert (cy["identity_id"], cy["input_tokens"], cy["output_tokens"]) == ("cursor:cy@acme.io", 1200, 300)


def test_new_shape_uses_day_user_id_and_lines_added():
    [usage] = mapping.daily_rows({"data": [NEW_SHAPE]})["ai_usage_daily"]
    assert (usage["identity_id"], usage["day"], usage["lines_accepted"], usage["requests"]) == (
        "cursor:user_42",
        DAY2,
        30,
        2,
    )


def test_inactive_member_keeps_identity_but_writes_no_usage():
    rows = mapping.daily_rows({"data": [INACTIVE]})
    assert [who["id"] for who in rows["identity"]] == ["cursor:bo@acme.io"]
    assert rows["ai_usage_daily"] == []


def cursor_api(api, records, spend_pages, events=None):
    """Speak the Cursor Admin API: Basic auth, epoch-ms ranges of at most 90 days, paged spend, usage events
    (their ``timestamp`` a numeric string, as documented) paged by page/pageSize."""
    expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()

    def authorised(handler):
        def check(request):
            if request.headers.get("authorization") != expected:
                return Reply(401, {"error": "Unauthorized", "message": "Invalid API key"})
            return handler(request)

        return check

    def daily(request):
        body = request.json()
        if body["endDate"] - body["startDate"] > 90 * 86_400_000:
            return Reply(400, {"error": "Date range cannot exceed 90 days"})

        def inside_range(record):  # a date the fake cannot read is sent with every range
            when = str(record.get("date") or epoch_ms(date.fromisoformat(record["day"])))
            return not when.isdigit() or body["startDate"] <= int(when) <= body["endDate"]

        inside = [r for r in records if inside_range(r)]
        return Reply(200, {"data": inside, "period": {"startDate": body["startDate"], "endDate": body["endDate"]}})

    def spend(request):
        page = request.json()["page"]
        return Reply(
            200,
            {
                "teamMemberSpend": spend_pages[page - 1],
                "subscriptionCycleStart": epoch_ms(DAY1),
                "totalMembers": sum(map(len, spend_pages)),
                "totalPages": len(spend_pages),
            },
        )

    def usage_events(request):
        body = request.json()
        inside = [e for e in events or [] if body["startDate"] <= int(e["timestamp"]) <= body["endDate"]]
        first = (body["page"] - 1) * body["pageSize"]
        pages = max(1, -(-len(inside) // body["pageSize"]))
        return Reply(
            200,
            {
                "totalUsageEventsCount": len(inside),
                "usageEvents": inside[first : first + body["pageSize"]],
                "pagination": {
                    "numPages": pages,
                    "currentPage": body["page"],
                    "pageSize": body["pageSize"],
                    "hasNextPage": body["page"] < pages,
                    "hasPreviousPage": body["page"] > 1,
                },
                "period": {"startDate": body["startDate"], "endDate": body["endDate"]},
            },
        )

    api.route("POST", "/teams/daily-usage-data", authorised(daily))
    api.route("POST", "/teams/filtered-usage-events", authorised(usage_events))
    api.route("POST", "/teams/spend", authorised(spend))


def client(api, key=KEY, waits=None, **options):
    return CursorClient(
        key, api.url, sleep=no_sleep([] if waits is None else waits), backoff=0.01, **{"pace": lambda: None, **options}
    )


@pytest.fixture(autouse=True)
def unpaced(monkeypatch):
    """The sync command paces Cursor's requests 3.2 s apart; tests do not wait."""
    monkeypatch.setattr("payoff.connectors.cursor.client.PACE_SECONDS", 0.0)


def stored_usage(url):
    with db.session(url) as s:
        return sorted((r.id, r.requests, r.lines_accepted) for r in s.exec(select(AIUsageDaily)))


def test_sync_command_fills_daily_usage_with_tokens_and_spend_seats(api, db_url, monkeypatch):
    since, recent = today() - timedelta(days=95), today() - timedelta(days=2)
    cursor_api(
        api,
        [
            {**OLD_SHAPE, "date": str(epoch_ms(recent))},
            {**NEW_SHAPE, "day": recent.isoformat()},
            {**INACTIVE, "date": epoch_ms(recent)},
        ],
        [
            [{"email": "ana@acme.io", "spendCents": 2450, "role": "member"}],
            [{"email": "bo@acme.io", "spendCents": 0, "role": "owner"}],
        ],
        events=[event(recent, "ana@acme.io") for _ in range(3)],
    )
    monkeypatch.setenv("CURSOR_API_KEY", KEY)
    result = CliRunner().invoke(cli, ["sync", "cursor", "--base-url", api.url, "--since", since.isoformat()])
    assert result.exit_code == 0, result.output
    # 2 windows of daily counters, one usage-events page per day (96 days), 2 spend pages
    assert "100 API requests made" in result.output and KEY not in result.output
    assert stored_usage(db_url) == [
        (f"cursor:ana@acme.io:{recent}:cursor", 13, 80),
        (f"cursor:user_42:{recent}:cursor", 2, 30),
    ]
    with db.session(db_url) as s:
        ana = s.get(AIUsageDaily, f"cursor:ana@acme.io:{recent}:cursor")
        assert (ana.input_tokens, ana.output_tokens, ana.cost_usd) == (3600, 900, pytest.approx(0.075))
    with db.session(db_url) as s:
        seats = {
            seat.id: (seat.cycle_spend_usd, seat.cycle_started_on, seat.plan_type, seat.monthly_cost_usd)
            for seat in s.exec(select(Seat))
        }
        assert seats == {
            "cursor:seat:ana@acme.io": (24.5, DAY1, "member", 40.0),
            "cursor:seat:bo@acme.io": (0.0, DAY1, "owner", 40.0),
        }
        assert s.get(Identity, "cursor:bo@acme.io") is not None
    assert remapped_usage_ids(db_url, "cursor") == {row[0] for row in stored_usage(db_url)}
    windows = [r.json() for r in api.requests if r.path == "/teams/daily-usage-data"]
    assert [w["startDate"] for w in windows] == [epoch_ms(since), epoch_ms(since + timedelta(days=90))]
    assert all(w["endDate"] - w["startDate"] < 90 * 86_400_000 for w in windows)


def test_usage_events_page_and_requests_are_paced(api):
    cursor_api(api, [], [[]], events=[event(DAY1, f"dev{n}@acme.io") for n in range(250)])
    clock, waits = [0.0], []
    pacer = Pacer(3.2, clock=lambda: clock[0], sleep=lambda s: (waits.append(s), clock.__setitem__(0, clock[0] + s)))
    found = client(api, pace=pacer).usage_events(DAY1)
    assert len(found) == 250 and [r.json()["page"] for r in api.requests] == [1, 2, 3]
    assert waits == [3.2, 3.2]  # three requests back to back: the second and third wait their turn


def test_a_sync_of_days_with_events_resumes_at_the_day_it_stopped(api, db_url, tmp_path):
    cursor_api(api, [OLD_SHAPE, NEW_SHAPE], [[]], events=[event(day, "ana@acme.io") for day in (DAY1, DAY2, DAY3)])
    rows = resumed_sync_matches_clean(
        db_url,
        tmp_path,
        lambda **kw: DailyUsage(client=client(api, retries=0), **kw),
        DAY1,
        DAY3,
        fault=lambda: api.fail(Reply(502, "bad gateway"), path="/teams/filtered-usage-events"),
        error=SourceError,
    )
    assert len(rows) == 4  # ana on each day (her tokens), user_42 on DAY2


def test_a_record_with_an_unreadable_date_is_kept_not_fatal(api):
    cursor_api(api, [OLD_SHAPE, {**OLD_SHAPE, "date": "yesterday"}], [[]])
    pages = list(DailyUsage(client=client(api), since=DAY1, until=lambda: DAY2).pages(None))
    [(_, first)], [(_, second)] = (page.raw for page in pages)
    assert first["undated"] == [{**OLD_SHAPE, "date": "yesterday"}] and "undated" not in second
    assert [len(page.rows["ai_usage_daily"]) for page in pages] == [1, 0]


def test_wrong_key_is_a_clear_error_without_the_key(api):
    cursor_api(api, [OLD_SHAPE], [[]])
    with pytest.raises(SourceError, match="refused the key.*CURSOR_API_KEY") as error:
        list(DailyUsage(client=client(api, key="wrong-key"), since=DAY1, until=lambda: DAY1).pages(None))
    assert "wrong-key" not in str(error.value)


def test_429_waits_retry_after_then_succeeds_and_counts_requests(api):
    cursor_api(api, [OLD_SHAPE], [[]])
    api.fail(Reply(429, {"error": "Too many requests"}, {"Retry-After": "7"}))
    api.fail(Reply(503, "upstream down"))
    waits = []
    cursor = client(api, waits=waits)
    assert len(cursor.daily_usage(DAY1, DAY1)) == 1
    assert waits == [7.0, 0.02] and cursor.requests == 3


def test_long_retry_after_stops_with_resume_time(api):
    cursor_api(api, [OLD_SHAPE], [[]])
    api.fail(Reply(429, {"error": "Too many requests"}, {"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as stopped:
        client(api, max_wait=60).daily_usage(DAY1, DAY1)
    assert stopped.value.resume_at > datetime.now(UTC) + timedelta(minutes=59)


def test_persistent_5xx_and_bad_json_are_clear_errors(api):
    cursor_api(api, [OLD_SHAPE], [[]])
    api.fail(Reply(500, "boom"), times=3)
    with pytest.raises(SourceError, match="HTTP 500"):
        client(api, retries=2).daily_usage(DAY1, DAY1)
    api.fail(Reply(200, "<html>maintenance</html>"))
    with pytest.raises(SourceError, match="not JSON"):
        client(api).daily_usage(DAY1, DAY1)


def test_failure_mid_sync_then_rerun_equals_clean_sync_and_twice_changes_nothing(api, db_url, tmp_path):
    cursor_api(api, [OLD_SHAPE, NEW_SHAPE, {**OLD_SHAPE, "date": epoch_ms(DAY3), "chatRequests": 40}], [[]])
    rows = resumed_sync_matches_clean(
        db_url,
        tmp_path,
        lambda **kw: DailyUsage(client=client(api, retries=0), **kw),
        DAY1,
        DAY3,
        fault=lambda: api.fail(Reply(502, "bad gateway"), path="/teams/daily-usage-data"),
        error=SourceError,
    )
    assert len(rows) == 3
    with db.session(db_url) as s:
        assert s.exec(select(func.count()).select_from(RawPayload)).one() == 3  # one per day


def test_missing_key_stops_before_any_request(api, sqlite_url, monkeypatch):
    monkeypatch.delenv("CURSOR_API_KEY", raising=False)
    result = CliRunner().invoke(cli, ["sync", "cursor", "--base-url", api.url])
    assert result.exit_code == 2 and "CURSOR_API_KEY is not set" in result.output
    assert api.requests == []
