"""``payoff deliver`` against a real SMTP server on loopback (aiosmtpd), reading the messages back."""

import socket
import ssl
from email import message_from_bytes, policy
from io import BytesIO
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pypdf import PdfReader
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db, org_settings
from payoff.store.models import AuditLog

MONTH = "2026-10"


class Mailbox:
    """Keeps every message the server accepted, and the logins it saw."""

    def __init__(self) -> None:
        self.messages = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"relay-secret")


@pytest.fixture
def smtp(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    controller.start()
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SECURITY": "none",
        "USER": "payoff",
        "PASSWORD": "relay-secret",
        "FROM": "Payoff <payoff@acme.test>",
    }.items():
        monkeypatch.setenv(f"PAYOFF_SMTP_{name}", value)
    yield mailbox
    controller.stop()


def words(text: str) -> str:
    return " ".join(text.split())


def attachments(message) -> dict[str, str]:
    """File name -> the PDF's text."""
    return {
        part.get_filename(): "".join(p.extract_text() for p in PdfReader(BytesIO(part.get_content())).pages)
        for part in message.iter_attachments()
    }


def test_each_person_gets_what_they_may_see_and_opted_out_people_nothing(org, smtp):
    # Everyone but a leader, a manager and an employee opts out (a PDF takes seconds to build).
    for name in ("sam", "ben", "cy", "dee", "dan", "eve"):
        assert CliRunner().invoke(cli, ["people", "opt-out", f"{name}@acme.test"]).exit_code == 0
    assert CliRunner().invoke(cli, ["people", "opt-out", "--undo", "eve@acme.test"]).exit_code == 0
    assert CliRunner().invoke(cli, ["people", "opt-out", "eve@acme.test"]).exit_code == 0
    result = CliRunner().invoke(cli, ["deliver", "--month", MONTH])
    assert result.exit_code == 0, result.output
    assert "Sent 3 messages" in words(result.output)
    assert smtp.logins == [(b"payoff", b"relay-secret")]

    inbox = {to[0]: message for to, message in smtp.messages}
    assert sorted(inbox) == ["ada@acme.test", "lee@acme.test", "mia@acme.test"]
    ada = inbox["ada@acme.test"]
    assert ada["Subject"] == "Your Payoff review for October 2026" and ada["From"] == "Payoff <payoff@acme.test>"
    assert "your monthly review" in ada.get_body(("html",)).get_content()
    assert 'switch off "Email me my monthly reviews" on My payoff' in ada.get_body(("plain",)).get_content()
    ((name, text),) = attachments(ada).items()
    assert name == "payoff-review-2026-10-ada.pdf"
    assert "Ada Lovelace" in text and "Ben Byte" not in text and "ada@acme.test" in text  # footer names her
    assert sorted(attachments(inbox["mia@acme.test"])) == [
        "payoff-review-2026-10-mia.pdf",
        "payoff-review-2026-10-platform.pdf",
    ]
    leader = attachments(inbox["lee@acme.test"])
    assert sorted(leader) == ["payoff-review-2026-10-lee.pdf", "payoff-review-2026-10-organisation.pdf"]
    assert "the organisation" in leader["payoff-review-2026-10-organisation.pdf"]
    with db.session() as s:
        emailed = s.exec(select(AuditLog).where(AuditLog.view == f"review.email:{MONTH}")).all()
    assert len(emailed) == sum(len(attachments(m)) for _, m in smtp.messages) == 5
    assert {(row.viewer_email, row.subject) for row in emailed} >= {
        ("mia@acme.test", "team:platform"),
        ("lee@acme.test", "org"),
    }


def test_dry_run_sends_nothing_and_lists_refusals(org, smtp):
    with db.session() as s:
        org_settings.put(s, "min_group_size", 10)  # platform (5) and the organisation (9) drop below it
    result = CliRunner().invoke(cli, ["deliver", "--month", MONTH, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert smtp.messages == []
    text = words(result.output)
    assert "9 messages would be sent" in text and "minimum group size" in text
    with db.session() as s:
        assert s.exec(select(AuditLog)).all() == []


def test_an_unreachable_mail_server_is_one_clear_error(org, smtp, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens there once the socket is closed
    monkeypatch.setenv("PAYOFF_SMTP_PORT", str(closed))
    result = CliRunner().invoke(cli, ["deliver", "--month", MONTH])
    assert result.exit_code == 2, result.output
    assert f"Mail server 127.0.0.1:{closed} failed" in words(result.output) and "0 messages were sent" in words(
        result.output
    )
    assert "relay-secret" not in result.output
    with db.session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.view == f"review.email:{MONTH}")).all() == []


def test_a_missing_smtp_host_is_one_clear_error(org, monkeypatch):
    monkeypatch.delenv("PAYOFF_SMTP_HOST", raising=False)
    result = CliRunner().invoke(cli, ["deliver", "--month", MONTH])
    assert result.exit_code == 2 and "PAYOFF_SMTP_HOST is not set" in words(result.output)


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A self-signed certificate for localhost that the client trusts (through SSL_CERT_FILE)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    return cert_file, key_file


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_goes_over_tls_and_the_login_only_inside_it(org, smtp, certificate, monkeypatch, security):
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(*certificate)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # aiosmtpd counts only a STARTTLS upgrade as TLS for its AUTH check; on implicit TLS the line is encrypted anyway.
    tls = (
        {"ssl_context": server_tls, "auth_require_tls": False}
        if security == "ssl"
        else {"tls_context": server_tls, "require_starttls": True, "auth_require_tls": True}
    )
    controller = Controller(smtp, hostname="localhost", port=port, authenticator=smtp.authenticate, **tls)
    controller.start()
    try:
        monkeypatch.setenv("PAYOFF_SMTP_HOST", "localhost")
        monkeypatch.setenv("PAYOFF_SMTP_PORT", str(port))
        monkeypatch.setenv("PAYOFF_SMTP_SECURITY", security)
        for name in ("lee", "sam", "mia", "ben", "cy", "dee", "dan", "eve"):  # Ada alone: one PDF
            CliRunner().invoke(cli, ["people", "opt-out", f"{name}@acme.test"])
        result = CliRunner().invoke(cli, ["deliver", "--month", MONTH])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert [to for to, _ in smtp.messages] == [["ada@acme.test"]] and smtp.logins == [(b"payoff", b"relay-secret")]
