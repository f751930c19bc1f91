import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.connectors.daily import today
from payoff.connectors.openai import mapping
from payoff.connectors.openai.client import COMPLETIONS, USERS, OpenAIClient
from payoff.connectors.openai.prices import DEFAULT_PRICES, read_prices
from payoff.connectors.openai.streams import CompletionsUsage
from payoff.connectors.sync import RateLimited, SourceError
from payoff.store import db, writes
from payoff.store.models import Person
from tests.connectors.conftest import Reply, no_sleep, remapped_usage_ids, resumed_sync_matches_clean, usage_table
from tests.console_text import words

KEY = "sk-admin-openai-secret"
PAGE_SIZE = 2
USERS_PAGE = 1


def result(user_id, model, inputs=1_000_000, outputs=100_000, requests=10, **optional):
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": inputs,
        "output_tokens": outputs,
        "num_model_requests": requests,
        "project_id": None,
        "user_id": user_id,
        "api_key_id": None,
        "model": model,
        "batch": None,
        **optional,
    }


def payload(results, emails=None, prices=DEFAULT_PRICES):
    return {"day": "2026-06-01", "results": results, "user_emails": emails or {}, "prices": prices}


def test_cost_uses_the_longest_matching_model_and_cached_price():
    rows = mapping.day_rows(
        payload([result("user-1", "gpt-4o-mini-2024-07-18", input_cached_tokens=400_000)], {"user-1": "ana@acme.io"})
    )
    assert rows["identity"] == [
        {"id": "openai:user-1", "source": "openai", "external_id": "user-1", "label": "ana@acme.io"}
    ]
    [usage] = rows["ai_usage_daily"]
    # 600k fresh * 0.15 + 400k cached * 0.075 + 100k out * 0.60, per million
    assert usage["cost_usd"] == pytest.approx(0.09 + 0.03 + 0.06)
    assert (usage["input_tokens"], usage["output_tokens"], usage["requests"]) == (1_000_000, 100_000, 10)
    assert usage["extra"]["input_cached_tokens"] == 400_000


def test_only_guaranteed_fields_and_models_of_one_user_add_up():
    bare = {
        "input_tokens": 500_000,
        "output_tokens": 0,
        "num_model_requests": 2,
        "user_id": "user-1",
        "model": "gpt-4o",
    }
    [usage] = mapping.day_rows(payload([bare, result("user-1", "o3")]))["ai_usage_daily"]
    assert usage["requests"] == 12 and usage["input_tokens"] == 1_500_000
    assert usage["cost_usd"] == pytest.approx(1.25 + 2.0 + 0.8)
    assert set(usage["extra"]["models"]) == {"gpt-4o", "o3"}


def test_unknown_model_costs_nothing_but_is_flagged_and_keyless_usage_is_kept():
    [usage] = mapping.day_rows(payload([result(None, "ft:my-own-model")]))["ai_usage_daily"]
    assert usage["identity_id"] == "openai:no-user"
    assert usage["cost_usd"] == 0 and usage["extra"]["unpriced_tokens"] == 1_100_000


def test_price_file_overrides_defaults_and_bad_files_name_line_and_column(tmp_path):
    good = tmp_path / "prices.json"
    good.write_text(json.dumps({"gpt-4o": {"input": 1, "output": 2}}))
    assert read_prices(good)["gpt-4o"] == {"input": 1, "output": 2}
    assert read_prices(good)["o3"] == DEFAULT_PRICES["o3"]
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "gpt-4o": {"input": 1,}\n}')
    with pytest.raises(SourceError, match=r"bad.json, line 2, column"):
        read_prices(bad)
    bad.write_text('{"gpt-4o": {"input": "cheap"}}')
    with pytest.raises(SourceError, match="gpt-4o"):
        read_prices(bad)


def openai_api(api, by_day: dict[date, list[dict]], members: list[dict]):
    """Speak the usage and users endpoints: Bearer checked, one 1d bucket, paged by next_page / after."""

    def authorised(handler):
        def check(request):
            if request.headers.get("authorization") != f"Bearer {KEY}":
                return Reply(
                    401,
                    {
                        "error": {
                            "message": "Incorrect API key provided: sk-admi***cret.",
                            "type": "invalid_request_error",
                            "code": "invalid_api_key",
                        }
                    },
                )
            return handler(request)

        return check

    def completions(request):
        assert request.query["group_by"] == ["user_id", "model"] and request.query["bucket_width"] == ["1d"]
        start = int(request.query["start_time"][0])
        assert int(request.query["end_time"][0]) - start == 86_400
        day = datetime.fromtimestamp(start, UTC).date()
        results = by_day.get(day, [])
        offset = int(request.query.get("page", ["0"])[0])
        more = offset + PAGE_SIZE < len(results)
        bucket = {
            "object": "bucket",
            "start_time": start,
            "end_time": start + 86_400,
            "results": results[offset : offset + PAGE_SIZE],
        }
        return Reply(
            200,
            {
                "object": "page",
                "data": [bucket],
                "has_more": more,
                "next_page": str(offset + PAGE_SIZE) if more else None,
            },
        )

    def users(request):
        after = request.query.get("after", [None])[0]
        start = next(i + 1 for i, m in enumerate(members) if m["id"] == after) if after else 0
        page = members[start : start + USERS_PAGE]
        return Reply(
            200,
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": start + USERS_PAGE < len(members),
            },
        )

    api.route("GET", COMPLETIONS, authorised(completions))
    api.route("GET", USERS, authorised(users))


MEMBERS = [
    {"object": "organization.user", "id": "user-ana", "name": "Ana", "email": "ana@acme.io", "role": "owner"},
    {"object": "organization.user", "id": "user-bo", "name": "Bo", "email": "bo@acme.io", "role": "reader"},
]


def day_results():
    return [
        result("user-ana", "gpt-4o-2024-08-06"),
        result("user-ana", "gpt-4o-mini"),
        result("user-bo", "o3", input_cached_tokens=1_000_000),
        result(None, "gpt-4.1"),
    ]


def client(api, key=KEY, **options):
    return OpenAIClient(key, api.url, sleep=no_sleep([]), backoff=0.01, **options)


def test_sync_command_fills_cost_per_person_and_matches_people_by_email(api, db_url, monkeypatch, tmp_path):
    yesterday = today() - timedelta(days=1)
    openai_api(api, {yesterday: day_results()}, MEMBERS)
    with db.session(db_url) as s:
        writes.upsert(s, Person, [{"email": "ana@acme.io", "name": "Ana"}], on=["email"])
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"o3": {"input": 1, "cached_input": 1, "output": 1}}))
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    result_ = CliRunner().invoke(
        cli, ["sync", "openai", "--base-url", api.url, "--since", yesterday.isoformat(), "--prices", str(prices)]
    )
    assert result_.exit_code == 0, result_.output
    assert "5 API requests made" in result_.output  # 2 pages of users, 2 pages yesterday, 1 (empty) today
    rows = {r["identity_id"]: r for r in usage_table(db_url)}
    assert set(rows) == {"openai:user-ana", "openai:user-bo", "openai:no-user"}
    assert rows["openai:user-ana"]["cost_usd"] == pytest.approx(2.5 + 1.0 + 0.15 + 0.06)
    assert rows["openai:user-bo"]["cost_usd"] == pytest.approx(1.1)  # the file's o3 price
    with db.session(db_url) as s:
        ana = s.exec(select(Person).where(Person.email == "ana@acme.io")).one()
    assert rows["openai:user-ana"]["person_id"] == ana.id and rows["openai:user-bo"]["person_id"] is None
    assert remapped_usage_ids(db_url, "openai") == {r["id"] for r in rows.values()}


def test_wrong_key_is_refused_and_the_key_is_not_repeated(api):
    openai_api(api, {}, MEMBERS)
    with pytest.raises(SourceError, match="refused the key.*OPENAI_ADMIN_KEY") as error:
        client(api, key="sk-admin-wrong").user_emails()
    assert "wrong" not in str(error.value)


def test_rate_limit_mid_paging_then_rerun_equals_clean_sync(api, db_url, tmp_path):
    days = [date(2026, 6, 1), date(2026, 6, 2)]
    openai_api(api, {day: day_results() for day in days}, MEMBERS)
    rate_limited = Reply(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "60"})
    rows = resumed_sync_matches_clean(
        db_url,
        tmp_path,
        lambda **kw: CompletionsUsage(client=client(api, retries=1, max_wait=5), **kw),
        days[0],
        days[-1],
        fault=lambda: api.fail(rate_limited, path=COMPLETIONS),
        error=RateLimited,
    )
    assert len(rows) == 6


def test_a_broken_price_file_stops_the_command_with_its_position(api, sqlite_url, monkeypatch, tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text('{"gpt-4o": {"input": 1, "output": 2},\n "o3": }')
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    result = CliRunner().invoke(cli, ["sync", "openai", "--base-url", api.url, "--prices", str(prices)])
    assert result.exit_code == 2 and "prices.json, line 2, column 8" in words(result.output)
    assert api.requests == []
