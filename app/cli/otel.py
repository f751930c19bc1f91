"""``payoff otel-receiver``: accept OpenTelemetry metrics from agents and add them to daily AI usage."""

import ipaddress

import typer
from rich.console import Console

from payoff.connectors.otel.receiver import PATH, Receiver
from payoff.store import db
from payoff.store.config import settings
from payoff.store.usage import add_daily_usage

console = Console(stderr=True)


def save_to_store(rows: dict[str, list[dict]]) -> None:
    """Add one export's usage to the configured database (PAYOFF_DATABASE_URL)."""
    with db.session() as s:
        add_daily_usage(s, rows=rows, source="otel", stream="metrics", scope="receiver")


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: assume it is reachable from elsewhere
        return False


def otel_receiver(
    host: str = typer.Option("127.0.0.1", help="Address to listen on; 0.0.0.0 for every interface "
                                                "(then set PAYOFF_OTEL_TOKEN)."),
    port: int = typer.Option(4318, help="TCP port (4318 is OTLP/HTTP's default; 0 picks a free one)."),
) -> None:
    """Receive OpenTelemetry metrics from agents and write them as daily AI usage.

    Serves OTLP/HTTP (JSON or protobuf) at /v1/metrics and writes usage per person, day and agent:
    [bold]gen_ai.client.token.usage[/] (agent = gen_ai.agent.name or service.name) and Claude Code's
    [bold]claude_code.*[/] metrics (tokens, cost, lines, commits, PRs, sessions). People are keyed by
    user.email, else user.account_uuid / user.id / enduser.id. Writes to PAYOFF_DATABASE_URL.

    Exporters must send DELTA temporality (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta).
    When [bold]PAYOFF_OTEL_TOKEN[/] is set, requests need 'Authorization: Bearer <token>'
    (OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>"). Stop with Ctrl-C.
    """
    db.upgrade()
    token = settings().otel_token
    if not token and not _loopback(host):
        console.print("[yellow]Warning:[/] listening beyond this machine without PAYOFF_OTEL_TOKEN: anyone who "
                      "can reach the port can write usage.")
    receiver = Receiver(save_to_store, host=host, port=port, token=token,
                        on_error=lambda message: console.print(f"[red]Could not save an export:[/] {message}"))
    console.print(f"Listening on http://{host}:{receiver.port}{PATH}", highlight=False)
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.server.server_close()


def register(cli: typer.Typer) -> None:
    cli.command("otel-receiver")(otel_receiver)
