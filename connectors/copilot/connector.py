"""GitHub Copilot, declared once: ``payoff sync copilot``, its key, options and streams."""

from payoff.connectors.connector import SINCE, Connection, Connector, Context, Key, Option
from payoff.connectors.copilot import mapping


def connect(context: Context) -> Connection:
    from payoff.connectors.copilot import client as api
    from payoff.connectors.copilot.streams import Seats, UsersReport
    from payoff.connectors.retrying import Retrying

    options = context.options
    client = api.CopilotClient(
        context.keys["GITHUB_TOKEN"],
        options["org"],
        base_url=options["base_url"] or api.DEFAULT_BASE_URL,
        retrying=Retrying(notify=context.notify),
    )
    prices = context.org_settings()
    seats = Seats(
        client,
        default_seat_usd=prices.get("copilot_default_seat_usd"),
        stored=context.raw_payloads(mapping.SOURCE, "seats", options["org"]),
    )
    report = UsersReport(
        client=client, since=options["since"], credit_price_usd=prices.get("copilot_credit_price_usd", 0.0)
    )
    return Connection([seats, report], requests=lambda: client.requests)


CONNECTOR = Connector(
    name=mapping.SOURCE,
    help="""GitHub Copilot: seats and the daily per-user usage-metrics reports.

    Every seat (assigned, last activity, editor, plan) and the users-1-day report (code generation and
    acceptance, lines suggested and added, chat, agent and CLI use, CLI tokens), one report per day up to
    yesterday (first run: 28 days back; GitHub keeps one year). AI credits (premium requests) are priced
    at the organisation's copilot_credit_price_usd into the usage cost; a seat without a plan at
    copilot_default_seat_usd (flagged); a seat gone from the list is ended.""",
    keys=(
        Key(
            "GITHUB_TOKEN",
            "a classic token with manage_billing:copilot or read:org, or a fine-grained "
            "token with the organisation's Copilot permissions (read)",
        ),
    ),
    options=(
        Option("org", str, "GitHub organisation whose Copilot seats and usage to read."),
        Option(
            "base_url",
            str,
            "GitHub API root (default: GitHub's), e.g. https://ghe.example.com/api/v3 for GitHub Enterprise Server.",
            None,
            "URL",
        ),
        SINCE,
    ),
    streams=("seats", "users_1_day"),
    connect=connect,
    remap=mapping.remap,
)
