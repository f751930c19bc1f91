"""OpenAI, declared once: ``payoff sync openai``, its key, options and stream."""

from pathlib import Path

from payoff.connectors.connector import SINCE, Connection, Connector, Context, Key, Option
from payoff.connectors.openai import mapping


def connect(context: Context) -> Connection:
    from payoff.connectors.openai import client as api
    from payoff.connectors.openai.prices import DEFAULT_PRICES, read_prices
    from payoff.connectors.openai.streams import CompletionsUsage

    prices = context.options["prices"]
    table = read_prices(prices) if prices else dict(DEFAULT_PRICES)
    client = api.OpenAIClient(context.keys["OPENAI_ADMIN_KEY"], context.options["base_url"] or api.BASE_URL)
    return Connection(
        [CompletionsUsage(client=client, since=context.options["since"], prices=table)],
        requests=lambda: client.requests,
    )


CONNECTOR = Connector(
    name=mapping.SOURCE,
    help="""OpenAI: completions usage per user and day, with cost from a price table.

    Tokens and requests per user and day, grouped by model so that the cost can be estimated from a price
    table (the usage API has no per-user cost). One request per day plus one listing of the organization's
    users for their emails (first run: 30 days back).""",
    keys=(Key("OPENAI_ADMIN_KEY", "an Admin key of the organization"),),
    options=(
        Option("base_url", str, "OpenAI API root (default: OpenAI's; a test server in tests).", None, "URL"),
        SINCE,
        Option(
            "prices",
            Path,
            'JSON price table {"model": {"input": 2.5, "cached_input": 1.25, "output": 10}} '
            "in US$ per million tokens, merged over the built-in one (see docs/connectors.md).",
            None,
            "FILE",
        ),
    ),
    streams=("completions",),
    connect=connect,
    remap=mapping.remap,
)
