"""``payoff sync copilot | claude-code | cursor | openai``: daily AI usage per person from each vendor.

Keys come from the environment (through ``store.config``) and go straight to the client; they are never
printed. ``--since`` re-reads from that day; without it a sync resumes at the last day it stored.
"""

from datetime import date, datetime
from pathlib import Path

import typer

from payoff.app.cli.sync import cli, console, required, run_streams
from payoff.connectors.claude_code import client as anthropic_api
from payoff.connectors.claude_code.streams import ClaudeCodeUsage
from payoff.connectors.copilot import client as copilot_api
from payoff.connectors.copilot.streams import Seats as CopilotSeats, UsersReport as CopilotUsersReport
from payoff.connectors.cursor import client as cursor_api
from payoff.connectors.cursor.streams import DailyUsage as CursorDailyUsage, Spend as CursorSpend
from payoff.connectors.openai import client as openai_api
from payoff.connectors.openai.prices import DEFAULT_PRICES, read_prices
from payoff.connectors.openai.streams import CompletionsUsage
from payoff.connectors.retrying import Retrying
from payoff.connectors.sync import SourceError
from payoff.store.config import settings

SINCE = typer.Option(None, formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="Re-read from this UTC day (default: resume at the last synced day; first run: see above).")


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@cli.command("cursor")
def cursor(
    base_url: str = typer.Option(cursor_api.BASE_URL, help="Cursor Admin API root (a test server in tests)."),
    since: datetime | None = SINCE,
) -> None:
    """Cursor: daily usage per member and this billing cycle's spend.

    Daily usage is requested in windows of at most 90 days (first run: 90 days back) and stored day by day;
    spend is written to each member's seat.

    Needs [bold]CURSOR_API_KEY[/], an admin API key of the team.
    """
    client = cursor_api.CursorClient(required(settings().cursor_api_key, "CURSOR_API_KEY"), base_url)
    run_streams([CursorDailyUsage(client=client, since=_day(since)), CursorSpend(client)],
                requests=lambda: client.requests)


@cli.command("claude-code")
def claude_code(
    base_url: str = typer.Option(anthropic_api.BASE_URL, help="Anthropic API root (a test server in tests)."),
    since: datetime | None = SINCE,
) -> None:
    """Claude Code analytics: tokens, cost, sessions, lines, commits and PRs per person and day.

    Per person (or API key) and day: tokens and estimated cost by model, sessions, lines added and removed,
    commits and PRs by Claude Code, edit-tool accepts/rejects. One request per day (first run: 30 days back).

    Needs [bold]ANTHROPIC_ADMIN_KEY[/], an Admin API key of the organisation.
    """
    client = anthropic_api.AnthropicClient(required(settings().anthropic_admin_key, "ANTHROPIC_ADMIN_KEY"), base_url)
    run_streams([ClaudeCodeUsage(client=client, since=_day(since))], requests=lambda: client.requests)


@cli.command("openai")
def openai(
    base_url: str = typer.Option(openai_api.BASE_URL, help="OpenAI API root (a test server in tests)."),
    since: datetime | None = SINCE,
    prices: Path | None = typer.Option(
        None, dir_okay=False,
        help='JSON price table {"model": {"input": 2.5, "cached_input": 1.25, "output": 10}} in US$ per million '
             "tokens, merged over the built-in one (see docs/connectors.md)."),
) -> None:
    """OpenAI: completions usage per user and day, with cost from a price table.

    Tokens and requests per user and day, grouped by model so that the cost can be estimated from a price
    table (the usage API has no per-user cost). One request per day plus one listing of the organization's
    users for their emails (first run: 30 days back).

    Needs [bold]OPENAI_ADMIN_KEY[/], an Admin key of the organization.
    """
    try:
        table = read_prices(prices) if prices else dict(DEFAULT_PRICES)
    except SourceError as error:
        console.print(f"[red]Bad price table:[/] {error}")
        raise typer.Exit(2)
    client = openai_api.OpenAIClient(required(settings().openai_admin_key, "OPENAI_ADMIN_KEY"), base_url)
    run_streams([CompletionsUsage(client=client, since=_day(since), prices=table)], requests=lambda: client.requests)


@cli.command("copilot")
def copilot(
    org: str = typer.Option(..., help="GitHub organisation whose Copilot seats and usage to read."),
    base_url: str = typer.Option(
        copilot_api.DEFAULT_BASE_URL,
        help="GitHub API root, e.g. https://ghe.example.com/api/v3 for GitHub Enterprise Server."),
    since: datetime | None = SINCE,
) -> None:
    """GitHub Copilot: seats and the daily per-user usage-metrics reports.

    Every seat (assigned, last activity, editor, plan) and the users-1-day report (code generation and
    acceptance, lines suggested and added, chat, agent and CLI use, CLI tokens), one report per day up to
    yesterday (first run: 28 days back; GitHub keeps one year).

    Needs [bold]GITHUB_TOKEN[/]: a classic token with manage_billing:copilot or read:org, or a fine-grained
    token with the organisation's Copilot permissions (read).
    """
    retrying = Retrying(notify=lambda message: console.print(f"[yellow]{message}[/]"))
    client = copilot_api.CopilotClient(required(settings().github_token, "GITHUB_TOKEN"), org, base_url=base_url,
                                       retrying=retrying)
    run_streams([CopilotSeats(client), CopilotUsersReport(client=client, since=_day(since))],
                requests=lambda: client.requests)
