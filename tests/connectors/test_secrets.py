"""A credential never reaches a message, the terminal or sync_state.last_error (shown on Admin → Connector
health) in any form: as it is, inside the header value, or base64-encoded as HTTP Basic credentials."""

import base64

from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.connectors.secrets import forms, scrub
from payoff.store import db
from payoff.store.models import SyncState
from payoff.store.sink import MAX_ERROR, StoreSink
from tests.connectors.conftest import Reply

KEY = "key_cursor_secret_123"
BASIC = base64.b64encode(f"{KEY}:".encode()).decode()
JIRA = base64.b64encode(b"ana@acme.io:jira-token-456").decode()


def every_form(text: str) -> list[str]:
    """The credential forms found in ``text``."""
    candidates = [
        KEY,
        BASIC,
        BASIC.rstrip("="),
        f"Basic {BASIC}",
        "jira-token-456",
        JIRA,
        JIRA.rstrip("="),
        base64.b64encode(KEY.encode()).decode(),
    ]
    return [form for form in candidates if form in text]


def test_each_form_of_a_credential_is_scrubbed():
    known = forms([KEY, f"Basic {BASIC}"])
    echoed = f"auth={BASIC} header='Basic {BASIC}' key={KEY} unpadded={BASIC.rstrip('=')} plain=ok"
    assert every_form(echoed) and every_form(scrub(echoed, known)) == []
    assert scrub(echoed, known).endswith("plain=ok")
    assert every_form(scrub(f"Authorization: Basic {JIRA}", forms(["ana@acme.io", "jira-token-456"]))) == []


def test_an_error_body_echoing_the_basic_credential_is_stored_and_shown_scrubbed(api, db_url, monkeypatch):
    """Cursor answers 401 with a body that repeats the Authorization header, its base64 and the key."""
    api.fail(
        Reply(401, {"error": {"message": f"rejected 'Basic {BASIC}' ({BASIC.rstrip('=')}) for key {KEY}"}}), times=10
    )
    monkeypatch.setenv("CURSOR_API_KEY", KEY)
    result = CliRunner().invoke(cli, ["sync", "cursor", "--base-url", api.url, "--since", "2026-03-01"])
    assert result.exit_code == 2 and "refused the key" in result.output
    assert every_form(result.output) == []
    with db.session(db_url) as s:
        errors = [state.last_error for state in s.query(SyncState).all() if state.last_error]
    assert errors and all("***" in error and every_form(error) == [] for error in errors)


def test_the_sink_scrubs_every_configured_credential_before_cutting(db_url, monkeypatch):
    monkeypatch.setenv("JIRA_EMAIL", "ana@acme.io")
    monkeypatch.setenv("JIRA_API_TOKEN", "jira-token-456")
    head = "HTTP 500: token jira-token-456, Authorization: Basic "
    body = head + "x" * (MAX_ERROR - len(head) - 20) + f" Basic {JIRA}"  # the last credential crosses the cut
    StoreSink(db_url).fail(source="jira", stream="issues", scope="ABC", error=body)
    with db.session(db_url) as s:
        stored = s.get(SyncState, "jira:issues:ABC").last_error
    assert len(stored) <= MAX_ERROR and "jira-token-456" not in stored and JIRA[:12] not in stored
    assert JIRA[:12] in body[:MAX_ERROR]  # cut first, then scrubbed, half of it would have stayed
