"""The one reader of the environment: every setting Payoff takes from outside, typed."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from payoff.connectors import secrets
from payoff.connectors.registry import CONNECTORS

DEFAULT_DATABASE_URL = "sqlite:///payoff.db"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


SMTP_SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Smtp:
    """Where ``payoff deliver`` sends mail: PAYOFF_SMTP_HOST (required to send at all), PAYOFF_SMTP_PORT,
    PAYOFF_SMTP_SECURITY (starttls, ssl or none), PAYOFF_SMTP_USER, PAYOFF_SMTP_PASSWORD, PAYOFF_SMTP_FROM."""

    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Smtp | None":
        """The SMTP settings, ``None`` when no host is set; ``ValueError`` naming the variable that is wrong.
        Read on their own (not by ``Settings``) so that a mail setting gone wrong stops only the delivery."""
        env = os.environ if env is None else env
        host = env.get("PAYOFF_SMTP_HOST")
        if not host:
            return None
        security = (env.get("PAYOFF_SMTP_SECURITY") or "starttls").strip().lower()
        if security not in SMTP_SECURITY:
            raise ValueError(f"PAYOFF_SMTP_SECURITY is {security!r}; use one of {', '.join(SMTP_SECURITY)}")
        port = env.get("PAYOFF_SMTP_PORT") or {"ssl": "465", "starttls": "587", "none": "25"}[security]
        if not port.isdigit():
            raise ValueError(f"PAYOFF_SMTP_PORT is {port!r}; it must be a port number")
        user = env.get("PAYOFF_SMTP_USER") or None
        sender = env.get("PAYOFF_SMTP_FROM") or user
        if not sender:
            raise ValueError("PAYOFF_SMTP_FROM is not set (the address the reviews are sent from)")
        return cls(host, int(port), security, sender, user, env.get("PAYOFF_SMTP_PASSWORD") or None)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    config_path: str | None = None  # payoff.toml (store.config_file); default: beside the database or here
    demo_signin: bool = False
    # Secrets are excluded from repr so that a logged Settings never shows them.
    # The connectors' keys, by variable: every key a connector declares (None when unset).
    keys: Mapping[str, str | None] = field(default_factory=dict, repr=False)
    otel_token: str | None = field(default=None, repr=False)
    otel_tokens_file: str | None = None
    unverified_email_providers: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("PAYOFF_DATABASE_URL") or DEFAULT_DATABASE_URL,
            config_path=env.get("PAYOFF_CONFIG") or None,
            demo_signin=_flag(env.get("PAYOFF_DEMO_SIGNIN")),
            keys={
                key.variable: env.get(key.variable) or None
                for connector in CONNECTORS.values()
                for key in connector.keys
            },
            otel_token=env.get("PAYOFF_OTEL_TOKEN") or None,
            otel_tokens_file=env.get("PAYOFF_OTEL_TOKENS_FILE") or None,
            unverified_email_providers=frozenset(
                name.strip() for name in (env.get("PAYOFF_UNVERIFIED_EMAIL_PROVIDERS") or "").split(",") if name.strip()
            ),
        )

    def scrub(self, text: str) -> str:
        """``text`` without any of the configured credentials, in any form (before it is printed or stored)."""
        return secrets.scrub(text, secrets.forms([*self.keys.values(), self.otel_token]))


def settings() -> Settings:
    return Settings.from_env()
