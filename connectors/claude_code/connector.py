"""Claude Code, declared once: ``payoff sync claude-code``, its key, options and stream."""

from payoff.connectors.claude_code import mapping
from payoff.connectors.connector import SINCE, Connection, Connector, Context, Key, Option


def connect(context: Context) -> Connection:
    from payoff.connectors.claude_code import client as api
    from payoff.connectors.claude_code.streams import ClaudeCodeUsage

    client = api.AnthropicClient(context.keys["ANTHROPIC_ADMIN_KEY"], context.options["base_url"] or api.BASE_URL)
    return Connection(
        [ClaudeCodeUsage(client=client, since=context.options["since"])], requests=lambda: client.requests
    )


CONNECTOR = Connector(
    name=mapping.SOURCE,
    help="""Claude Code analytics: tokens, cost, sessions, lines, commits and PRs per person and day.

    Per person (or API key) and day: tokens and estimated cost by model, sessions, lines added and removed,
    commits and PRs by Claude Code, edit-tool accepts/rejects. One request per day (first run: 30 days back).""",
    keys=(Key("ANTHROPIC_ADMIN_KEY", "an Admin API key of the organisation"),),
    options=(
        Option("base_url", str, "Anthropic API root (default: Anthropic's; a test server in tests).", None, "URL"),
        SINCE,
    ),
    streams=("usage_report",),
    connect=connect,
    remap=mapping.remap,
)
