"""docs/getting-started.md, executed: every file it shows is written and every command it shows is run, in
order, against loopback stand-ins (GitHub and Jira fakes, an aiosmtpd mail server, a SQLite database in a
temporary folder). The guide's example hosts and credentials are swapped for the stand-ins'; nothing else."""

import os
import re
import shlex
import signal
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db
from payoff.store.models import Person, PullRequest, Ticket
from tests.cli.test_serve_cli import free_port, wait_healthy
from tests.connectors.conftest import FakeApi
from tests.connectors.github_fake import TOKEN, FakeGitHub, pull
from tests.connectors.jira_fake import API_TOKEN, EMAIL, FakeJira, issue, user
from tests.console_text import words
from tests.review.test_delivery import Mailbox

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "getting-started.md"
BLOCK = re.compile(r"^```(\w+)(?: (\S+))?\n(.*?)^```", re.MULTILINE | re.DOTALL)
SERVERS = ("demo", "serve")  # commands that serve until stopped (``payoff demo --reset`` does not)


def steps(text: str) -> list[tuple[str, str, str]]:
    """(kind, file name or "", body) of every fenced block, in order."""
    return [(kind, name or "", body) for kind, name, body in BLOCK.findall(text)]


@pytest.fixture
def stand_ins(tmp_path, monkeypatch):
    api = FakeApi()
    github = FakeGitHub(api)
    github.add("acme/api", pull("acme/api", 1, login="ana", created="2026-03-01T10:00:00Z"))
    github.add("acme/web", pull("acme/web", 1, login="bo", created="2026-03-02T10:00:00Z"))
    github.add("acme/web", pull("acme/web", 2, login="dee", created="2026-03-03T10:00:00Z"))
    jira = FakeJira(api, cloud=True, projects=("ABC",))
    jira.add(
        issue("ABC-1", assignee=user("ana"), points_field=jira.points_field),
        issue("ABC-2", updated="2026-03-03T10:00:00.000+0000", points_field=jira.points_field),
    )
    mailbox, port = Mailbox(), free_port()
    smtp = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    smtp.start()
    for name in ("PAYOFF_DATABASE_URL", "PAYOFF_CONFIG", "GITHUB_TOKEN", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    hosts = {"https://github.acme.example/api/v3": github.base_url, "https://acme.atlassian.net": jira.api.url}
    secrets = {
        "GITHUB_TOKEN": TOKEN,
        "JIRA_EMAIL": EMAIL,
        "JIRA_API_TOKEN": API_TOKEN,
        "PAYOFF_SMTP_HOST": "127.0.0.1",
        "PAYOFF_SMTP_PORT": str(port),
        "PAYOFF_SMTP_SECURITY": "none",
        "PAYOFF_SMTP_PASSWORD": "relay-secret",
    }
    yield hosts, secrets, mailbox
    smtp.stop()
    api.close()


def serve(args: list[str], env: dict[str, str], cwd: Path) -> None:
    """Start a serving command, wait until the dashboard answers, stop it."""
    port = free_port()
    args = [str(port) if a == "8501" else a for a in args]
    server = subprocess.Popen(
        [sys.executable, "-c", "from payoff.app.cli import main; main()", *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(server, port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_the_getting_started_guide_runs_as_written(stand_ins, tmp_path):
    hosts, secrets, mailbox = stand_ins

    def swap(text: str) -> str:
        for example, stand_in in hosts.items():
            text = text.replace(example, stand_in)
        return text

    env: dict[str, str] = {}
    printed: dict[str, str] = {}
    for kind, name, body in steps(GUIDE.read_text()):
        if name:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(swap(body))
            continue
        assert kind == "bash", f"a {kind} block without a file name: the guide shows it but nothing runs it"
        for line in body.splitlines():
            command = line.split("  #")[0].strip()
            if command.startswith("export "):
                variable, value = command.removeprefix("export ").split("=", 1)
                env[variable] = secrets.get(variable, value)
                continue
            args = shlex.split(command)
            assert args[0] == "payoff", line
            if args[1] in SERVERS and "--reset" not in args:
                serve(args[1:], env, tmp_path)
                continue
            result = CliRunner().invoke(cli, args[1:], env=env)
            assert result.exit_code == 0, f"{command}\n{result.output}"
            printed[" ".join(args[1:])] = words(result.output)

    assert printed.keys() >= {
        "demo --reset",
        "config check",
        "sync",
        "people unmatched",
        "config crontab",
        "deliver --dry-run",
        "deliver",
    }
    assert "Demo organisation removed: 60 people" in printed["demo --reset"]
    assert "every source answered" in printed["config check"]
    assert re.search(r"people 6 - [\d.]+ s ok github 3 12 [\d.]+ s ok jira 2 \d+ [\d.]+ s ok", printed["sync"])
    assert "github:dee" in printed["people unmatched"] and "1 unmatched" in printed["people unmatched"]
    assert "10 * * * *" in printed["config crontab"]
    url = f"sqlite:///{tmp_path / 'payoff.db'}"
    with db.session(url) as s:
        assert {p.email for p in s.exec(select(Person))} == {"ana@acme.io", "bo@acme.io", "cy@acme.io"}
        assert {pr.person_id is None for pr in s.exec(select(PullRequest))} == {False, True}  # dee waits
        assert s.get(Ticket, "jira:ABC-1").person_id is not None  # matched by the Jira account id
    inbox = {to[0]: message for to, message in mailbox.messages}
    assert sorted(inbox) == ["ana@acme.io", "bo@acme.io", "cy@acme.io"]
    names = {to: sorted(part.get_filename() for part in m.iter_attachments()) for to, m in inbox.items()}
    assert len(names["ana@acme.io"]) == 2 and len(names["bo@acme.io"]) == 2 and len(names["cy@acme.io"]) == 1
    cy = next(inbox["cy@acme.io"].iter_attachments())
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(cy.get_content())).pages)
    assert "Cy Chen" in text and "Ana Lima" not in text
