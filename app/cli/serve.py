"""``payoff serve`` and ``payoff demo``: start the dashboard."""

import os
import subprocess
import sys
from pathlib import Path

import typer
from rich.console import Console

from payoff.store import db

ENTRY = Path(__file__).resolve().parent.parent / "main.py"


def _run_streamlit(address: str, port: int, headless: bool, env: dict[str, str]) -> None:
    # Options given here rather than in .streamlit/config.toml, which Streamlit reads only from the
    # working directory: the dashboard looks the same wherever it is started.
    command = [sys.executable, "-m", "streamlit", "run", str(ENTRY), "--server.address", address,
               "--server.port", str(port), "--server.headless", str(headless).lower(),
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer", "--theme.base", "light"]
    raise typer.Exit(subprocess.call(command, env={**os.environ, **env}))


def register(cli: typer.Typer) -> None:
    @cli.command()
    def serve(
        address: str = typer.Option("0.0.0.0", help="Address to listen on."),
        port: int = typer.Option(8501, help="Port to listen on."),
        headless: bool = typer.Option(True, help="Do not open a browser window."),
    ) -> None:
        """Start the dashboard on the configured database (PAYOFF_DATABASE_URL), migrating it first."""
        db.upgrade()
        _run_streamlit(address, port, headless, {})

    @cli.command()
    def demo(
        address: str = typer.Option(
            "127.0.0.1", help="Address to listen on. Loopback by default: the demo sign-in lets anyone pick who they are."),
        port: int = typer.Option(8501, help="Port to listen on."),
        headless: bool = typer.Option(True, help="Do not open a browser window."),
    ) -> None:
        """Create the database, seed the demo organisation if it is empty, and start the dashboard
        with the demo sign-in switched on."""
        from payoff.store.demo import seed_if_empty

        db.upgrade()
        if seed_if_empty():
            Console().print("[green]Seeded the demo organisation.[/]")
        Console().print(f"Open [bold]http://localhost:{port}[/] and pick a demo person to sign in as.")
        _run_streamlit(address, port, headless, {"PAYOFF_DEMO_SIGNIN": "1"})
