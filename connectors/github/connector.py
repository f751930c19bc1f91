"""GitHub, declared once: ``payoff sync github``, its key, options and stream."""

from collections.abc import Iterator

from payoff.connectors.connector import MAX_WAIT, UPDATED_SINCE, Connection, Connector, Context, Key, Option
from payoff.connectors.github import mapping


def connect(context: Context) -> Connection:
    from payoff.connectors.github.client import DEFAULT_BASE_URL, GitHubClient
    from payoff.connectors.github.streams import PullRequests
    from payoff.connectors.retrying import Retrying

    options = context.options
    client = GitHubClient(
        context.keys["GITHUB_TOKEN"],
        base_url=options["base_url"] or DEFAULT_BASE_URL,
        retrying=Retrying(max_wait=options["max_wait"], notify=context.notify),
    )

    def streams() -> Iterator[PullRequests]:
        org = options["org"]
        repos = [name if "/" in name else f"{org}/{name}" for name in options["repo"]] or client.org_repos(org)
        final = context.final_pull_requests()
        for name in repos:
            yield PullRequests(client, name, since=options["since"], final=final.get(name.lower(), ()))

    return Connection(streams(), requests=lambda: client.requests)


CONNECTOR = Connector(
    name=mapping.SOURCE,
    help="""GitHub pull requests in all states with their reviews, their own commits (first commit, AI trailers),
    size, labels, branch, reverts and AI-assistance signals.

    An unchanged re-sync costs one request per repository; each new or changed pull request three more.
    Merged and closed pull requests are never fetched again.""",
    keys=(
        Key(
            "GITHUB_TOKEN",
            "a fine-grained token with read access to Pull requests and Metadata (a classic "
            "token needs the scopes repo and read:org)",
        ),
    ),
    options=(
        Option("org", str, "Organisation whose repositories are synced.", metavar="ORG"),
        Option(
            "repo",
            list[str],
            "Sync only this repository (NAME alone means ORG/NAME); repeat for more. "
            "Default: every repository of ORG the token can see.",
            [],
            "OWNER/NAME",
        ),
        UPDATED_SINCE,
        Option(
            "base_url",
            str,
            "API root (default: GitHub's); for GitHub Enterprise Server https://HOST/api/v3.",
            None,
            "URL",
        ),
        MAX_WAIT,
    ),
    streams=("pulls",),
    connect=connect,
    remap=mapping.remap,
    links_tickets=True,
)
