"""``payoff serve`` and ``payoff demo``: start the dashboard.

The command becomes Streamlit (``os.execvp``), so the pid a supervisor started is the server's and one
SIGTERM stops it. Streamlit's own configuration (``STREAMLIT_*`` variables, ``.streamlit/config.toml``)
is respected: Payoff passes an option only when it is given on the command line or nothing configures it.
"""

import os
import socket
import sys
from pathlib import Path

import typer
from rich.console import Console

from payoff.app.cli.db import FORCE, remove_demo

ENTRY = Path(__file__).resolve().parent.parent / "main.py"
# Payoff's choices where Streamlit's defaults do not suit a shared dashboard; each one only where no
# STREAMLIT_* variable or config.toml sets it. Error details are hidden: a traceback can show data.
DEFAULTS = {
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "viewer",
    "theme.base": "light",
    "client.showErrorDetails": "none",
}


def streamlit_command(given: dict[str, object], defaults: dict[str, str]) -> list[str]:
    """``streamlit run`` with the options given on our command line, then our defaults for the options
    that Streamlit's configuration (read from the environment and the working directory) leaves unset."""
    from streamlit import config  # imported here: a second's worth of Streamlit for every other command

    config.get_config_options(force_reparse=True)
    options = {
        name: str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in given.items()
        if value is not None
    }
    options |= {
        name: value for name, value in defaults.items() if name not in options and not config.is_manually_set(name)
    }
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ENTRY),
        *(part for name, value in options.items() for part in (f"--{name}", value)),
    ]


def _refuse_a_busy_port(command: list[str]) -> None:
    """Say which option to change when the port is taken, instead of Streamlit's failure after start-up."""
    from streamlit import config

    options = dict(zip(command[5::2], command[6::2], strict=True))  # after: python -m streamlit run ENTRY
    address = options.get("--server.address") or config.get_option("server.address") or ""
    port = int(options.get("--server.port") or config.get_option("server.port"))
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Streamlit's server binds
        try:
            probe.bind((address, port))
        except OSError:
            Console(stderr=True).print(
                f"[red]Port {port} is already in use[/] (another dashboard?). Stop it, or "
                f"choose another port with --port, e.g. --port {port + 1}."
            )
            raise typer.Exit(2) from None


def _exec_streamlit(command: list[str], env: dict[str, str]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvpe(command[0], command, {**os.environ, **env})


def register(cli: typer.Typer) -> None:
    @cli.command()
    def serve(
        address: str | None = typer.Option(
            None, help="Address to listen on. [default: Streamlit's server.address, else every interface]"
        ),
        port: int | None = typer.Option(None, help="Port to listen on. [default: Streamlit's server.port, else 8501]"),
        headless: bool | None = typer.Option(
            None, "--headless/--no-headless", help="Do not open a browser window. [default: headless]"
        ),
    ) -> None:
        """Start the dashboard on the configured database (PAYOFF_DATABASE_URL), migrating it first.

        Address and port come from Streamlit's configuration (STREAMLIT_SERVER_ADDRESS,
        STREAMLIT_SERVER_PORT, .streamlit/config.toml) unless given here. The process becomes
        Streamlit, so stopping its pid stops the dashboard.
        """
        from payoff.store import db

        command = streamlit_command(
            {"server.address": address, "server.port": port, "server.headless": headless}, DEFAULTS
        )
        _refuse_a_busy_port(command)
        db.upgrade()
        _exec_streamlit(command, {})

    @cli.command()
    def demo(
        address: str | None = typer.Option(
            None,
            help="Address to listen on. [default: Streamlit's server.address, else 127.0.0.1: the demo "
            "sign-in lets anyone pick who they are]",
        ),
        port: int | None = typer.Option(None, help="Port to listen on. [default: Streamlit's server.port, else 8501]"),
        headless: bool | None = typer.Option(
            None, "--headless/--no-headless", help="Do not open a browser window. [default: headless]"
        ),
        reset: bool = typer.Option(
            False,
            "--reset",
            help="Remove the demo organisation instead (and start nothing): the same as `payoff db reset --demo-only`.",
        ),
        force: bool = FORCE,
    ) -> None:
        """Create the database, seed the demo organisation if it is empty, and start the dashboard
        with the demo sign-in switched on. With --reset: remove the demo organisation, to go live."""
        if reset:
            remove_demo(force)
            return
        from streamlit import config

        from payoff.store import db
        from payoff.store.demo import seed_if_empty

        given = {"server.address": address, "server.port": port, "server.headless": headless}
        command = streamlit_command(given, {**DEFAULTS, "server.address": "127.0.0.1"})
        _refuse_a_busy_port(command)
        db.upgrade()
        if seed_if_empty():
            Console().print("[green]Seeded the demo organisation.[/]")
        shown = port if port is not None else config.get_option("server.port")
        Console().print(f"Open [bold]http://localhost:{shown}[/] and pick a demo person to sign in as.")
        _exec_streamlit(command, {"PAYOFF_DEMO_SIGNIN": "1"})
