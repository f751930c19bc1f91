"""The one reader of the environment: every setting Payoff takes from outside, typed."""

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite:///payoff.db"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    demo_signin: bool = False
    # Secrets are excluded from repr so that a logged Settings never shows them.
    github_token: str | None = field(default=None, repr=False)
    jira_email: str | None = None
    jira_api_token: str | None = field(default=None, repr=False)
    jira_token: str | None = field(default=None, repr=False)
    anthropic_admin_key: str | None = field(default=None, repr=False)
    cursor_api_key: str | None = field(default=None, repr=False)
    openai_admin_key: str | None = field(default=None, repr=False)
    otel_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("PAYOFF_DATABASE_URL") or DEFAULT_DATABASE_URL,
            demo_signin=_flag(env.get("PAYOFF_DEMO_SIGNIN")),
            github_token=env.get("GITHUB_TOKEN") or None,
            jira_email=env.get("JIRA_EMAIL") or None,
            jira_api_token=env.get("JIRA_API_TOKEN") or None,
            jira_token=env.get("JIRA_TOKEN") or None,
            anthropic_admin_key=env.get("ANTHROPIC_ADMIN_KEY") or None,
            cursor_api_key=env.get("CURSOR_API_KEY") or None,
            openai_admin_key=env.get("OPENAI_ADMIN_KEY") or None,
            otel_token=env.get("PAYOFF_OTEL_TOKEN") or None,
        )


def settings() -> Settings:
    return Settings.from_env()
