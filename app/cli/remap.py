"""``payoff remap``: rebuild domain rows from the stored raw payloads, without calling any API."""

import typer
from rich.console import Console

from payoff.connectors.registry import MAPPINGS


def register(cli: typer.Typer) -> None:
    @cli.command()
    def remap(
        source: list[str] = typer.Option(
            [],
            metavar="SOURCE",
            help=f"Only this source ({', '.join(sorted(MAPPINGS))}); repeat for more. Default: all.",
        ),
    ) -> None:
        """Re-apply the connectors' mappings to every raw payload kept in the database (PAYOFF_DATABASE_URL),
        e.g. after an upgrade that maps more fields. Makes no API request."""
        console = Console(stderr=True)
        unknown = sorted(set(source) - MAPPINGS.keys())
        if unknown:
            console.print(f"[red]Unknown source {', '.join(unknown)}.[/] Known: {', '.join(sorted(MAPPINGS))}.")
            raise typer.Exit(2)
        from payoff.store import db
        from payoff.store.remap import remap as remap_payloads

        db.upgrade()
        with db.session() as s, console.status("Remapping raw payloads…") as status:
            counts = remap_payloads(
                s, source or None, on_batch=lambda name, count: status.update(f"Remapping {name}: {count} payloads")
            )
        for name, count in counts.items():
            console.print(f"{name}: {count} payloads remapped.")
