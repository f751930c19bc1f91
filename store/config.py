"""The one reader of the environment: every setting Payoff takes from outside, typed."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from payoff.connectors.registry import CONNECTORS

DEFAULT_DATABASE_URL = "sqlite:///payoff.db"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
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
            demo_signin=_flag(env.get("PAYOFF_DEMO_SIGNIN")),
            keys={key.variable: env.get(key.variable) or None
                  for connector in CONNECTORS.values() for key in connector.keys},
            otel_token=env.get("PAYOFF_OTEL_TOKEN") or None,
            otel_tokens_file=env.get("PAYOFF_OTEL_TOKENS_FILE") or None,
            unverified_email_providers=frozenset(
                name.strip() for name in (env.get("PAYOFF_UNVERIFIED_EMAIL_PROVIDERS") or "").split(",") if name.strip()),
        )


def settings() -> Settings:
    return Settings.from_env()
