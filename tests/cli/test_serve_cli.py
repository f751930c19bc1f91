"""README command 1: ``payoff demo`` migrates, seeds and serves the dashboard on loopback; ``payoff serve``
becomes Streamlit, so one SIGTERM to its pid stops the dashboard, and Streamlit's own configuration holds."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlmodel import func, select
from streamlit import config
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.app.cli.serve import DEFAULTS, streamlit_command
from payoff.store import db
from payoff.store.models import Person
from tests.console_text import words


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(server: subprocess.Popen, port: int) -> None:
    deadline, health = time.monotonic() + 120, None
    while time.monotonic() < deadline and server.poll() is None:
        try:
            health = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    assert health == b"ok", server.stdout.read().decode() if server.poll() is not None else "no answer"


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_payoff_demo_seeds_an_empty_database_and_serves_the_dashboard(tmp_path):
    url, port = f"sqlite:///{tmp_path / 'payoff.db'}", free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from payoff.app.cli import main; main()", "demo", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "PAYOFF_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(server, port)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
        assert b"<noscript>" in page  # the Streamlit front end, which then renders app/main.py
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    with db.session(url) as s:
        assert s.exec(select(func.count()).select_from(Person)).one() >= 60


def test_serve_takes_its_port_from_streamlit_and_one_sigterm_to_its_pid_stops_it(tmp_path):
    """The port comes from STREAMLIT_SERVER_PORT (no --port); the signal goes to the pid we started only,
    not its process group, as a supervisor (systemd, docker stop, kill PID) sends it."""
    url, port = f"sqlite:///{tmp_path / 'payoff.db'}", free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from payoff.app.cli import main; main()", "serve"],
        cwd=tmp_path,
        env={**os.environ, "PAYOFF_DATABASE_URL": url, "STREAMLIT_SERVER_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(server, port)
        assert b"streamlit" in Path(f"/proc/{server.pid}/cmdline").read_bytes()  # the pid is Streamlit itself
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert not listening(port)
        assert subprocess.run(["pgrep", "-g", str(server.pid)], capture_output=True).stdout == b""
    finally:
        if server.poll() is None or subprocess.run(["pgrep", "-g", str(server.pid)]).returncode == 0:
            os.killpg(server.pid, signal.SIGKILL)


def test_options_from_the_command_line_win_and_streamlit_configuration_is_left_alone(tmp_path, monkeypatch):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text('[server]\naddress = "10.1.2.3"\n[theme]\nbase = "dark"\n')
    try:
        with monkeypatch.context() as m:
            m.chdir(tmp_path)
            m.setenv("STREAMLIT_SERVER_PORT", "9999")
            configured = streamlit_command(
                {"server.address": None, "server.port": None, "server.headless": False}, DEFAULTS
            )
            given = streamlit_command({"server.address": "127.0.0.1", "server.port": 8600}, DEFAULTS)
    finally:
        config.get_config_options(force_reparse=True)  # this process's Streamlit config back to the real one
    assert dict(zip(configured[5::2], configured[6::2], strict=True)) == {
        "--server.headless": "false",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "viewer",
        "--client.showErrorDetails": "none",
    }
    assert given[5:9] == ["--server.address", "127.0.0.1", "--server.port", "8600"]


def test_a_busy_port_is_refused_naming_the_option_to_change(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'payoff.db'}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for command in ("demo", "serve"):
            result = CliRunner().invoke(
                cli, [command, "--address", "127.0.0.1", "--port", str(port)], env={"PAYOFF_DATABASE_URL": url}
            )
            assert result.exit_code == 2, result.output
            assert f"Port {port} is already in use" in words(result.output) and f"--port {port + 1}" in words(
                result.output
            )
    assert not (tmp_path / "payoff.db").exists()  # refused before the database was created or seeded
