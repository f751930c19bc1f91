"""README command 1: ``payoff demo`` migrates, seeds and serves the dashboard on loopback."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from sqlmodel import func, select

from payoff.store import db
from payoff.store.models import Person


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_payoff_demo_seeds_an_empty_database_and_serves_the_dashboard(tmp_path):
    url, port = f"sqlite:///{tmp_path / 'payoff.db'}", free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from payoff.app.cli import main; main()", "demo", "--port", str(port)],
        cwd=tmp_path, env={**os.environ, "PAYOFF_DATABASE_URL": url}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, health = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        assert health == b"ok", server.stdout.read().decode() if server.poll() is not None else "no answer"
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
        assert b"<noscript>" in page  # the Streamlit front end, which then renders app/main.py
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    with db.session(url) as s:
        assert s.exec(select(func.count()).select_from(Person)).one() >= 60
