"""Cursor, declared once: ``payoff sync cursor``, its key, options and streams."""

from payoff.connectors.connector import SINCE, Connection, Connector, Context, Key, Option
from payoff.connectors.cursor import mapping


def connect(context: Context) -> Connection:
    from payoff.connectors.cursor import client as api
    from payoff.connectors.cursor.streams import DailyUsage, Spend

    client = api.CursorClient(context.keys["CURSOR_API_KEY"], context.options["base_url"] or api.BASE_URL)
    return Connection(
        [DailyUsage(client=client, since=context.options["since"]), Spend(client)], requests=lambda: client.requests
    )


CONNECTOR = Connector(
    name=mapping.SOURCE,
    help="""Cursor: daily usage per member with its tokens, and this billing cycle's spend.

    Daily counters are requested in windows of at most 90 days, token-level usage events day by day (first
    run: 30 days back), stored day by day; spend is written to each member's seat. Requests are paced
    3.2 s apart (Cursor allows about 20 a minute): a first sync of 30 days takes about 1¾ minutes.""",
    keys=(Key("CURSOR_API_KEY", "an admin API key of the team"),),
    options=(
        Option("base_url", str, "Cursor Admin API root (default: Cursor's; a test server in tests).", None, "URL"),
        SINCE,
    ),
    streams=("daily_usage", "spend"),
    connect=connect,
    remap=mapping.remap,
)
