"""``payoff otel-receiver``: accept OpenTelemetry metrics from agents and add them to daily usage."""

import ipaddress
import json
from pathlib import Path

import typer
from rich.console import Console

from payoff.connectors.emails import normal_email
from payoff.connectors.otel.mapping import Increments
from payoff.store.config import settings

console = Console(stderr=True)


def save_to_store(result: Increments) -> None:
    """Add one export's new data points to the configured database (PAYOFF_DATABASE_URL)."""
    from payoff.store import db
    from payoff.store.usage import add_points

    with db.session() as s:
        add_points(
            s, identities=result.identities, points=result.points, source="otel", stream="metrics", scope="receiver"
        )


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: assume it is reachable from elsewhere
        return False


def tokens_from(token: str | None, tokens_file: str | None) -> dict[str, frozenset[str] | None]:
    """PAYOFF_OTEL_TOKEN may write for anyone; each token of PAYOFF_OTEL_TOKENS_FILE (a JSON object,
    token -> list of emails or user ids) only for the identities listed with it."""
    tokens: dict[str, frozenset[str] | None] = {token: None} if token else {}
    if tokens_file:
        try:
            listed = json.loads(Path(tokens_file).read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise typer.BadParameter(f"PAYOFF_OTEL_TOKENS_FILE {tokens_file}: {error}") from None
        if not isinstance(listed, dict) or not all(
            isinstance(k, str) and k and isinstance(v, list) and all(isinstance(i, str) for i in v)
            for k, v in listed.items()
        ):
            raise typer.BadParameter(
                f'PAYOFF_OTEL_TOKENS_FILE {tokens_file}: expected {{"<token>": ["ana@acme.io", "<user id>", ...], ...}}'
            )
        tokens |= {key: frozenset(normal_email(i) if "@" in i else i for i in ids) for key, ids in listed.items()}
    return tokens


def otel_receiver(
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on; 0.0.0.0 for every interface (then a token is required)."
    ),
    port: int = typer.Option(4318, help="TCP port (4318 is OTLP/HTTP's default; 0 picks a free one)."),
    timeout: float = typer.Option(30.0, min=0.1, help="Seconds a connection may stay silent before it is closed."),
) -> None:
    """Receive OpenTelemetry metrics from agents and write them as daily AI usage.

    Serves OTLP/HTTP (JSON or protobuf) at /v1/metrics and writes usage per person, day and agent:
    [bold]gen_ai.client.token.usage[/] (agent = gen_ai.agent.name or service.name) and Claude Code's
    [bold]claude_code.*[/] metrics (tokens, cost, lines, commits, PRs, sessions). People are keyed by
    user.email, else user.account_uuid / user.id / enduser.id. Writes to PAYOFF_DATABASE_URL; any
    number of receivers may write to one database, and an export sent twice counts once.

    Exporters must send DELTA temporality (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta).
    With [bold]PAYOFF_OTEL_TOKEN[/] set, requests need 'Authorization: Bearer <token>'
    (OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>"); [bold]PAYOFF_OTEL_TOKENS_FILE[/] names a
    JSON file of further tokens, each limited to the emails or user ids listed with it. Listening
    beyond this machine without a token is refused. Stop with Ctrl-C.
    """
    config = settings()
    tokens = tokens_from(config.otel_token, config.otel_tokens_file)
    if not tokens and not _loopback(host):
        console.print(
            f"[red]Refusing to listen on {host} without a token:[/] anyone who can reach the port could "
            "write usage for anyone. Set PAYOFF_OTEL_TOKEN (or PAYOFF_OTEL_TOKENS_FILE), or listen on "
            "127.0.0.1.",
            highlight=False,
        )
        raise typer.Exit(2)
    from payoff.connectors.otel.receiver import PATH, Receiver  # protobuf: imported when the receiver starts
    from payoff.store import db

    db.upgrade()
    receiver = Receiver(
        save_to_store,
        host=host,
        port=port,
        tokens=tokens,
        timeout=timeout,
        on_error=lambda message: console.print(f"[red]Could not save an export:[/] {message}"),
    )
    console.print(f"Listening on http://{host}:{receiver.port}{PATH}", highlight=False)
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.server.server_close()


def register(cli: typer.Typer) -> None:
    cli.command("otel-receiver")(otel_receiver)
