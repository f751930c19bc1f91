"""Jira, declared once: ``payoff sync jira``, its keys, options and stream."""

from collections.abc import Iterator

from payoff.connectors.connector import MAX_WAIT, UPDATED_SINCE, Connection, Connector, Context, Key, Option
from payoff.connectors.jira import mapping
from payoff.connectors.sync import SourceError


def connect(context: Context) -> Connection:
    from payoff.connectors.jira.client import JiraClient
    from payoff.connectors.jira.streams import Issues
    from payoff.connectors.retrying import Retrying

    options, keys = context.options, context.keys
    email, api_token, token = keys["JIRA_EMAIL"], keys["JIRA_API_TOKEN"], keys["JIRA_TOKEN"]
    if not (email and api_token) and not token:
        raise SourceError(
            "No Jira credentials. Set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_TOKEN "
            "(Server / Data Center) in the environment and run again."
        )
    client = JiraClient(
        options["server"],
        email=email,
        api_token=api_token,
        token=token,
        retrying=Retrying(max_wait=options["max_wait"], notify=context.notify),
    )

    def streams() -> Iterator[Issues]:
        points, categories, types = client.story_points_field(), client.status_categories(), client.issue_types()
        jql, stored = options["jql"], context.ticket_updates()
        keys = options["project"] or ([] if jql else client.projects())
        for key in keys or [None]:
            yield Issues(
                client,
                project=key,
                jql=jql,
                since=options["since"],
                story_points_field=points,
                status_categories=categories,
                issue_types=types,
                stored=stored,
            )

    return Connection(streams(), requests=lambda: client.requests)


CONNECTOR = Connector(
    name=mapping.SOURCE,
    help="""Jira tickets: type (bug/story/task/other, original kept), status and its category, created,
    resolved, resolution, priority, assignee, story points (the custom field found by name), issue links,
    description, status changes (the changelog) and, for bugs, remote links.

    Types are classified by the issue type's id through the site's issue-type list (its English
    untranslatedName), so a site shown in another language classifies alike.

    Jira Cloud needs JIRA_EMAIL and JIRA_API_TOKEN; Server / Data Center JIRA_TOKEN. The account needs the
    Browse projects permission. Each sync costs five requests (serverInfo, the field list twice, the status
    list, the issue-type list) plus one per project and 100 changed issues with their changelogs, one per changed bug (its remote
    links) and one per 100 histories of an issue with more than the search returns. Unchanged issues cost
    nothing beyond the search.""",
    keys=(
        Key("JIRA_EMAIL", "Jira Cloud: the account's email", required=False),
        Key("JIRA_API_TOKEN", "Jira Cloud: an API token of that account", required=False),
        Key("JIRA_TOKEN", "Server / Data Center: a personal access token", required=False),
    ),
    options=(
        Option("server", str, "Root URL of the site, e.g. https://acme.atlassian.net.", metavar="URL"),
        Option(
            "project",
            list[str],
            "Sync this project; repeat for more. Default: every project the account can see (or just --jql).",
            [],
            "KEY",
        ),
        Option(
            "jql",
            str,
            "Only issues matching this JQL (combined with each --project), e.g. 'issuetype in "
            "(Bug, Story)'. Without --project: one stream.",
            None,
            "JQL",
        ),
        UPDATED_SINCE,
        MAX_WAIT,
    ),
    streams=("issues",),
    connect=connect,
    remap=mapping.remap,
    links_tickets=True,
)
