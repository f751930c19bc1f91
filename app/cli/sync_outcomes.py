"""``payoff sync github | jira``: the outcome side — pull requests with reviews and AI signals, and tickets.

Tokens come from the environment (through ``store.config``) and go straight to the client; they are
never printed. After every sync, tickets and pull requests are linked in the store (whichever
arrived first), so ``fixes`` links appear as soon as both sides are there.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import typer

from payoff.app.cli.sync import cli, console, required, run_streams
from payoff.connectors.github.client import DEFAULT_BASE_URL, GitHubClient
from payoff.connectors.github.streams import PullRequests
from payoff.connectors.jira.client import JiraClient
from payoff.connectors.jira.streams import Issues
from payoff.connectors.retrying import Retrying
from payoff.store import db
from payoff.store.config import settings
from payoff.store.pull_requests import final_numbers, link_tickets, prune_signals

SINCE = typer.Option(None, formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="Skip what was last updated before this UTC day (limits the first sync; "
                          "later syncs resume at their cursor anyway).")
MAX_WAIT = typer.Option(900.0, metavar="SECONDS",
                        help="Longest rate-limit wait to sit through (shown while waiting); a longer one stops "
                             "the sync with exit code 3 and says when to resume.")


def _retrying(max_wait: float) -> Retrying:
    return Retrying(max_wait=max_wait, notify=lambda message: console.print(f"[yellow]{message}[/]"))


def _run_then_tidy(streams: Iterator, client) -> None:
    """Run the streams, then (even after a failure: the saved pages count) drop the AI signals that
    re-fetched pull requests no longer show and recompute the ticket links."""
    started = datetime.now(UTC)
    try:
        run_streams(streams, requests=lambda: client.requests)
    finally:
        with db.session() as s:
            prune_signals(s, fetched_since=started)
            links = link_tickets(s)
        console.print(f"{links} ticket ↔ pull request links.")


@cli.command("github")
def github(
    org: str = typer.Option(..., metavar="ORG", help="Organisation whose repositories are synced."),
    repo: list[str] = typer.Option([], metavar="OWNER/NAME",
                                   help="Sync only this repository (NAME alone means ORG/NAME); repeat for more. "
                                        "Default: every repository of ORG the token can see."),
    since: datetime | None = SINCE,
    base_url: str = typer.Option(DEFAULT_BASE_URL, metavar="URL",
                                 help="API root; for GitHub Enterprise Server https://HOST/api/v3."),
    max_wait: float = MAX_WAIT,
) -> None:
    """GitHub pull requests in all states with their reviews, their own commits (first commit, AI trailers),
    size, labels, branch, reverts and AI-assistance signals.

    Needs [bold]GITHUB_TOKEN[/]: a fine-grained token with read access to Pull requests and Metadata.
    (A classic token needs the scopes [bold]repo[/] and [bold]read:org[/].)
    An unchanged re-sync costs one request per repository; each new or changed pull request three more.
    Merged and closed pull requests are never fetched again.
    """
    client = GitHubClient(required(settings().github_token, "GITHUB_TOKEN"), base_url=base_url,
                          retrying=_retrying(max_wait))

    def streams() -> Iterator[PullRequests]:
        repos = [name if "/" in name else f"{org}/{name}" for name in repo] or client.org_repos(org)
        with db.session() as s:
            final = final_numbers(s)
        for name in repos:
            yield PullRequests(client, name, since=since.date() if since else None, final=final.get(name.lower(), ()))

    _run_then_tidy(streams(), client)


@cli.command("jira")
def jira(
    server: str = typer.Option(..., metavar="URL", help="Root URL of the site, e.g. https://acme.atlassian.net."),
    project: list[str] = typer.Option([], metavar="KEY", help="Sync this project; repeat for more. "
                                      "Default: every project the account can see (or just --jql)."),
    jql: str | None = typer.Option(None, metavar="JQL", help="Only issues matching this JQL (combined with each "
                                   "--project), e.g. 'issuetype in (Bug, Story)'. Without --project: one stream."),
    since: datetime | None = SINCE,
    max_wait: float = MAX_WAIT,
) -> None:
    """Jira tickets: type (bug/story/task/other, original kept), status and its category, created,
    resolved, resolution, priority, assignee, story points (the custom field found by name) and issue links.

    Jira Cloud: [bold]JIRA_EMAIL[/] and [bold]JIRA_API_TOKEN[/] (an API token of that account).
    Server / Data Center: [bold]JIRA_TOKEN[/] (a personal access token).
    The account needs the Browse projects permission.
    Each sync costs three requests (serverInfo, the field list twice) plus one per project and 100 changed issues.
    """
    config = settings()
    if not (config.jira_email and config.jira_api_token) and not config.jira_token:
        console.print("[red]No Jira credentials.[/] Set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_TOKEN "
                      "(Server / Data Center) in the environment and run again.")
        raise typer.Exit(2)
    client = JiraClient(server, email=config.jira_email, api_token=config.jira_api_token, token=config.jira_token,
                        retrying=_retrying(max_wait))

    def streams() -> Iterator[Issues]:
        points = client.story_points_field()
        keys = project or ([] if jql else client.projects())
        day = since.date() if since else None
        for key in keys or [None]:
            yield Issues(client, project=key, jql=jql, since=day, story_points_field=points)

    _run_then_tidy(streams(), client)
