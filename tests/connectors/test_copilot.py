import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.connectors.copilot import mapping
from payoff.connectors.copilot.client import CopilotClient
from payoff.connectors.copilot.streams import Seats, UsersReport, yesterday
from payoff.connectors.retrying import Retrying
from payoff.connectors.sync import RateLimited, SourceError, run
from payoff.store import db, org_settings
from payoff.store.models import Seat
from payoff.store.sink import StoreSink
from tests.connectors.conftest import Reply, remapped_usage_ids, resumed_sync_matches_clean, usage_table

TOKEN = "ghp_copilotsecret123"
ORG = "acme"
SEATS_PATH = f"/orgs/{ORG}/copilot/billing/seats"
REPORT_PATH = f"/orgs/{ORG}/copilot/metrics/reports/users-1-day"


def record(login: str, day: date, **changes) -> dict:
    return {
        "user_login": login,
        "user_id": abs(hash(login)) % 10_000,
        "day": day.isoformat(),
        "enterprise_id": None,
        "code_generation_activity_count": 40,
        "code_acceptance_activity_count": 12,
        "user_initiated_interaction_count": 7,
        "loc_suggested_to_add_sum": 300,
        "loc_suggested_to_delete_sum": 10,
        "loc_added_sum": 120,
        "loc_deleted_sum": 15,
        "used_chat": True,
        "used_agent": False,
        "used_cli": True,
        "totals_by_ide": [{"ide": "vscode", "code_generation_activity_count": 40}],
        "totals_by_feature": [
            {"feature": "code_completion", "code_generation_activity_count": 30, "code_acceptance_activity_count": 10},
            {"feature": "chat_panel_agent_mode", "user_initiated_interaction_count": 7},
        ],
        "totals_by_cli": {
            "session_count": 2,
            "request_count": 9,
            "prompt_count": 5,
            "token_usage": {"prompt_tokens_sum": 5000, "output_tokens_sum": 800},
        },
        "ai_credits_used": 6,
        "used_copilot_coding_agent": True,
        "used_copilot_cloud_agent": False,
        "totals_by_model_feature": [
            {
                "model": "claude-sonnet-4.5",
                "feature": "chat_panel_agent_mode",
                "user_initiated_interaction_count": 5,
                "ai_credits_used": 5,
            },
            {
                "model": "gpt-4.1",
                "feature": "code_completion",
                "ai_credits_used": 1,
                "code_generation_activity_count": 30,
            },
        ],
        **changes,
    }


def seat(login: str, **changes) -> dict:
    return {
        "created_at": "2026-01-10T09:00:00-06:00",
        "updated_at": "2026-01-10T09:00:00Z",
        "pending_cancellation_date": None,
        "last_activity_at": "2026-05-03T18:30:00Z",
        "last_activity_editor": "vscode/1.99.0/copilot/1.300.0",
        "last_authenticated_at": "2026-05-03T18:00:00Z",
        "plan_type": "business",
        "assignee": {"login": login, "id": 1, "type": "User"},
        **changes,
    }


def test_report_record_maps_generation_chat_and_cli_tokens():
    rows = mapping.report_rows({"day": "2026-05-04", "records": [record("octocat", date(2026, 5, 4))]})
    assert rows["identity"] == [{"id": "github:octocat", "source": "github", "external_id": "octocat"}]
    [usage] = rows["ai_usage_daily"]
    assert usage["id"] == "github:octocat:2026-05-04:copilot"
    assert (
        usage["lines_suggested"],
        usage["lines_accepted"],
        usage["lines_removed"],
        usage["requests"],
        usage["sessions"],
        usage["input_tokens"],
        usage["output_tokens"],
    ) == (300, 120, 15, 7, 2, 5000, 800)
    assert usage["extra"]["used_chat"] is True and usage["extra"]["used_agent"] is False
    assert usage["extra"]["activity_by_feature"] == {"code_completion": 40, "chat_panel_agent_mode": 7}
    # the CLI's internal model requests are another unit: kept, never added to the interactions
    assert usage["extra"]["totals_by_cli"]["request_count"] == 9
    assert usage["extra"]["used_copilot_coding_agent"] is True and usage["extra"]["loc_suggested_to_delete_sum"] == 10
    assert [m["model"] for m in usage["extra"]["totals_by_model_feature"]] == ["claude-sonnet-4.5", "gpt-4.1"]
    # no price recorded with the payload: credits kept, cost 0
    assert (usage["ai_credits"], usage["cost_usd"]) == (6.0, 0.0)


def test_credits_are_priced_at_the_price_recorded_with_the_report():
    payload = {
        "day": "2026-05-04",
        "credit_price_usd": 0.04,
        "records": [record("octocat", date(2026, 5, 4), ai_credits_used="12.5")],
    }
    [usage] = mapping.report_rows(payload)["ai_usage_daily"]
    assert usage["ai_credits"] == 12.5 and usage["cost_usd"] == pytest.approx(0.5)


def test_record_without_cli_use_has_no_tokens():
    minimal = {"user_login": "hubot", "day": "2026-05-04", "code_generation_activity_count": 3}
    [usage] = mapping.report_rows({"day": "2026-05-04", "records": [minimal]})["ai_usage_daily"]
    assert (usage["input_tokens"], usage["sessions"], usage["lines_accepted"]) == (0, 0, 0)


def test_seat_keeps_assignment_activity_and_plan_price():
    [row] = mapping.seat_rows({"org": ORG, "seats": [seat("OctoCat", pending_cancellation_date="2026-06-01")]})["seat"]
    assert row["id"] == "copilot:seat:acme:octocat" and row["identity_id"] == "github:octocat"
    assert row["assigned_at"] == datetime(2026, 1, 10, 15, 0, tzinfo=UTC)
    assert (row["pending_cancellation_date"], row["monthly_cost_usd"]) == (date(2026, 6, 1), 19.0)
    assert (row["price_assumed"], row["ended_at"]) == (False, None)


def test_a_seat_without_a_plan_costs_the_default_and_is_flagged():
    [row] = mapping.seat_rows({"org": ORG, "seats": [seat("octocat", plan_type=None)], "default_seat_usd": 21.0})[
        "seat"
    ]
    assert (row["plan_type"], row["monthly_cost_usd"], row["price_assumed"]) == (None, 21.0, True)


def github_api(api, seats: list[dict], reports: dict[date, list[list[dict]]]):
    """Speak GitHub: token checked, seats paged by page/per_page, reports (204 when none) whose signed
    links this same server serves, refusing any that arrive with the token."""

    def authorised(handler):
        def check(request):
            if request.headers.get("authorization") != f"token {TOKEN}":
                return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
            return handler(request)

        return check

    def org(request):
        return Reply(200, {"login": ORG, "id": 1, "url": f"{api.url}/orgs/{ORG}"})

    def seat_page(request):
        per_page = int(request.query["per_page"][0])
        page = int(request.query.get("page", ["1"])[0])
        return Reply(200, {"total_seats": len(seats), "seats": seats[(page - 1) * per_page : page * per_page]})

    def report(request):
        day = date.fromisoformat(request.query["day"][0])
        if day not in reports:
            return Reply(204)
        links = [f"{api.url}/download/{day}/{n}.ndjson?sig=s3cr3t&se=2026" for n in range(len(reports[day]))]
        return Reply(200, {"download_links": links, "report_day": day.isoformat()})

    def download(request):
        if "authorization" in request.headers or request.query.get("sig") != ["s3cr3t"]:
            return Reply(403, "<Error><Code>AuthenticationFailed</Code></Error>")
        _, _, day, name = request.path.split("/")
        return Reply(200, "".join(json.dumps(r) + "\n" for r in reports[date.fromisoformat(day)][int(name[0])]))

    api.route("GET", f"/orgs/{ORG}", authorised(org))
    api.route("GET", SEATS_PATH, authorised(seat_page))
    api.route("GET", REPORT_PATH, authorised(report))
    for day, files in reports.items():
        for n in range(len(files)):
            api.route("GET", f"/download/{day}/{n}.ndjson", download)


def client(api, token=TOKEN, **options):
    return CopilotClient(
        token,
        ORG,
        base_url=api.url,
        per_page=2,
        seconds_between_requests=0,
        retrying=Retrying(backoff=0.001, sleep=lambda s: None),
        sleep=lambda s: None,
        backoff=0.001,
        **options,
    )


def test_sync_command_fills_seats_and_daily_usage(api, db_url, monkeypatch):
    day1 = yesterday() - timedelta(days=1)
    github_api(
        api,
        [seat("octocat"), seat("hubot", plan_type="enterprise"), seat("unused", last_activity_at=None)],
        {day1: [[record("octocat", day1)], [record("hubot", day1)]]},
    )  # day2: 204, no report yet
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    result = CliRunner().invoke(
        cli, ["sync", "copilot", "--org", ORG, "--base-url", api.url, "--since", day1.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    # org + 1 seat page (3 seats < 100) + 2 report days + 2 downloads
    assert "6 API requests made" in result.output
    rows = usage_table(db_url)
    assert [(r["identity_id"], r["day"], r["lines_accepted"]) for r in rows] == [
        ("github:hubot", day1, 120),
        ("github:octocat", day1, 120),
    ]
    with db.session(db_url) as s:
        seats = {row.identity_id: (row.monthly_cost_usd, row.last_activity_at) for row in s.exec(select(Seat))}
    assert seats["github:hubot"][0] == 39.0 and seats["github:unused"] == (19.0, None)
    assert remapped_usage_ids(db_url, "copilot") == {r["id"] for r in rows}


def test_a_month_of_copilot_priced_whole_and_a_removed_seat_ended(api, db_url, monkeypatch):
    """The whole Copilot bill of a month: seats (one without a plan at the organisation's default) and AI
    credits at the organisation's price; a seat removed in GitHub ends at the next sync."""
    days = [yesterday() - timedelta(days=n) for n in range(30)]
    seats = [seat("octocat"), seat("hubot", plan_type="enterprise"), seat("ghost", plan_type=None)]
    github_api(
        api,
        seats,
        {day: [[record("octocat", day, ai_credits_used=4), record("hubot", day, ai_credits_used=1)]] for day in days},
    )
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    env, runner = {"PAYOFF_DATABASE_URL": db_url}, CliRunner()
    with db.session(db_url) as s:  # as an admin sets them in the app
        org_settings.put(s, "copilot_credit_price_usd", 0.05)
        org_settings.put(s, "copilot_default_seat_usd", 25.0)
    args = ["sync", "copilot", "--org", ORG, "--base-url", api.url, "--since", days[-1].isoformat()]
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    usage = usage_table(db_url)
    credits, usage_cost = sum(r["ai_credits"] for r in usage), sum(r["cost_usd"] for r in usage)
    with db.session(db_url) as s:
        held = {row.identity_id: row for row in s.exec(select(Seat))}
    seat_cost = sum(row.monthly_cost_usd for row in held.values())
    assert (credits, usage_cost, seat_cost) == (150.0, pytest.approx(7.5), 19.0 + 39.0 + 25.0)
    assert held["github:ghost"].price_assumed and not held["github:octocat"].price_assumed
    assert all(row.ended_at is None for row in held.values())

    del seats[1]  # hubot's seat removed in GitHub
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    with db.session(db_url) as s:
        ended = {row.identity_id: row.ended_at for row in s.exec(select(Seat))}
    assert ended["github:octocat"] is None and ended["github:hubot"] > datetime.now(UTC) - timedelta(minutes=5)
    again = runner.invoke(cli, args, env=env)  # still absent: the end date stays the first sync's
    assert again.exit_code == 0
    with db.session(db_url) as s:
        assert s.get(Seat, "copilot:seat:acme:hubot").ended_at == ended["github:hubot"]
    before = {r["id"]: r["cost_usd"] for r in usage_table(db_url)}
    assert remapped_usage_ids(db_url, "copilot") == set(before)
    with db.session(db_url) as s:  # remap keeps the end and the recorded prices
        assert s.get(Seat, "copilot:seat:acme:hubot").ended_at == ended["github:hubot"]
    assert {r["id"]: r["cost_usd"] for r in usage_table(db_url)} == before


def test_seats_page_by_page(api, db_url):
    github_api(api, [seat(f"dev{n}") for n in range(5)], {})
    run(Seats(client(api)), StoreSink(db_url))
    pages = [r.query.get("page", ["1"])[0] for r in api.requests if r.path == SEATS_PATH]
    assert pages == ["1", "2", "3"]
    with db.session(db_url) as s:
        assert len(s.exec(select(Seat)).all()) == 5


def test_bad_token_and_unknown_org_are_clear(api):
    github_api(api, [], {})
    with pytest.raises(SourceError, match="Bad credentials|refused the token") as error:
        list(client(api, token="ghp_wrong").seat_pages())
    assert "ghp_wrong" not in str(error.value)
    unknown = CopilotClient(TOKEN, "nope", base_url=api.url, seconds_between_requests=0)
    with pytest.raises(SourceError, match="Copilot"):
        list(unknown.seat_pages())


def test_rate_limit_and_broken_report_file(api):
    day = date(2026, 5, 4)
    github_api(api, [], {day: [[record("octocat", day)]]})
    api.fail(
        Reply(
            403,
            {"message": "API rate limit exceeded for user."},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(datetime.now(UTC).timestamp()) + 3600)},
        )
    )
    with pytest.raises(RateLimited) as stopped:
        client(api).users_report(day)
    assert stopped.value.resume_at > datetime.now(UTC) + timedelta(minutes=50)
    api.fail(Reply(200, '{"user_login": "octocat"}\n{"user_login": '), path=f"/download/{day}/0.ndjson")
    with pytest.raises(SourceError, match="line 2"):
        client(api).users_report(day)


def test_download_failure_mid_sync_then_rerun_equals_clean_sync(api, db_url, tmp_path):
    days = [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)]
    github_api(api, [], {day: [[record("octocat", day)], [record("hubot", day, loc_added_sum=5)]] for day in days})
    rows = resumed_sync_matches_clean(
        db_url,
        tmp_path,
        lambda **kw: UsersReport(client=client(api, retries=0), **kw),
        days[0],
        days[-1],
        fault=lambda: api.fail(Reply(500, "storage hiccup"), path=f"/download/{days[1]}/1.ndjson"),
        error=SourceError,
    )
    assert len(rows) == 6


def test_a_since_older_than_a_year_is_clamped_to_the_reports_github_keeps(api):
    github_api(api, [], {})
    pages = UsersReport(client=client(api), since=date(2020, 1, 1), until=lambda: date(2026, 5, 6)).pages(None)
    assert next(pages).cursor == "2025-05-07"  # 365 days up to and including the last one
    assert [r.query["day"] for r in api.requests] == [["2025-05-07"]]
