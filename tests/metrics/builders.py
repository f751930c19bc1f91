"""Tiny, readable builders for hand-made metric fixtures: rows for ``store.writes.upsert``."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from payoff.store import writes
from payoff.store.models import (
    AgentRun,
    AISignal,
    AIUsageDaily,
    Person,
    PullRequest,
    Seat,
    SurveyResponse,
    Team,
    Ticket,
    TicketPullRequest,
)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)


class Org:
    """Writes people and their work; every method returns nothing and upserts at once."""

    def __init__(self, session: Session):
        self.s = session
        self.ids: dict[str, int] = {}
        self._pr = 0

    def person(
        self, email: str, team: str = "core", manager: str | None = None, role: str = "employee", codes: bool = True
    ) -> int:
        writes.upsert(self.s, Team, [{"name": team}])
        writes.upsert(
            self.s,
            Person,
            [
                {
                    "email": email,
                    "name": email.split("@")[0],
                    "team": team,
                    "manager_email": manager,
                    "role": role,
                    "codes": codes,
                }
            ],
            on=["email"],
        )
        self.s.flush()
        pid = self.s.exec(__import__("sqlmodel").select(Person.id).where(Person.email == email)).one()
        self.ids[email] = pid
        return pid

    def usage(
        self,
        email: str,
        day: date,
        tokens_in: int = 0,
        tokens_out: int = 0,
        cost: float = 0.0,
        tool: str = "claude_code",
        requests: int = 1,
    ) -> None:
        writes.upsert(
            self.s,
            AIUsageDaily,
            [
                {
                    "id": f"t:{email}:{day}:{tool}",
                    "person_id": self.ids[email],
                    "identity_id": f"t:{email}",
                    "day": day,
                    "tool": tool,
                    "source": "test",
                    "input_tokens": tokens_in,
                    "output_tokens": tokens_out,
                    "cost_usd": cost,
                    "requests": requests,
                }
            ],
        )

    def pr(
        self,
        email: str,
        merged: datetime,
        *,
        first_commit: datetime | None = None,
        opened: datetime | None = None,
        first_review: datetime | None = None,
        additions: int = 60,
        deletions: int = 0,
        reverts: str | None = None,
        signal: tuple[str, str] | None = None,
    ) -> str:
        self._pr += 1
        pr_id = f"github:pr:acme/api:{self._pr}"
        opened = opened or merged - timedelta(hours=10)
        writes.upsert(
            self.s,
            PullRequest,
            [
                {
                    "id": pr_id,
                    "repo": "acme/api",
                    "number": self._pr,
                    "person_id": self.ids[email],
                    "identity_id": f"github:{email}",
                    "state": "merged",
                    "original_state": "closed",
                    "first_commit_at": first_commit,
                    "created_at": opened,
                    "first_review_at": first_review,
                    "merged_at": merged,
                    "closed_at": merged,
                    "updated_at": merged,
                    "additions": additions,
                    "deletions": deletions,
                    "reverts_pr_id": reverts,
                }
            ],
        )
        if signal:
            kind, confidence = signal
            writes.upsert(
                self.s,
                AISignal,
                [
                    {
                        "id": f"{pr_id}:{kind}:claude",
                        "pr_id": pr_id,
                        "kind": kind,
                        "tool": "claude",
                        "confidence": confidence,
                        "evidence": "test",
                    }
                ],
            )
        return pr_id

    def ticket(
        self,
        key: str,
        email: str | None,
        *,
        resolved: datetime | None,
        created: datetime,
        type: str = "story",
        points: float | None = None,
        caused_by: str | None = None,
        fixed_by: str | None = None,
    ) -> None:
        writes.upsert(
            self.s,
            Ticket,
            [
                {
                    "id": f"jira:{key}",
                    "key": key,
                    "project": key.split("-")[0],
                    "type": type,
                    "original_type": type,
                    "status": "Done" if resolved else "Open",
                    "status_category": "done" if resolved else "new",
                    "created_at": created,
                    "resolved_at": resolved,
                    "person_id": self.ids.get(email),
                    "identity_id": f"jira:{email}" if email else None,
                    "story_points": points,
                }
            ],
        )
        for pr_id, kind in ((caused_by, "caused_by"), (fixed_by, "fixes")):
            if pr_id:
                writes.upsert(
                    self.s,
                    TicketPullRequest,
                    [{"id": f"jira:{key}|{pr_id}|{kind}", "ticket_id": f"jira:{key}", "pr_id": pr_id, "kind": kind}],
                )

    def seat(
        self,
        email: str,
        tool: str,
        assigned: datetime,
        cost: float | None = 19.0,
        last_activity: datetime | None = None,
        ended: datetime | None = None,
        plan: str | None = None,
    ) -> None:
        writes.upsert(
            self.s,
            Seat,
            [
                {
                    "id": f"{tool}:seat:acme:{email}",
                    "tool": tool,
                    "person_id": self.ids[email],
                    "identity_id": f"{tool}:{email}",
                    "assigned_at": assigned,
                    "last_activity_at": last_activity,
                    "monthly_cost_usd": cost,
                    "ended_at": ended,
                    "plan_type": plan,
                }
            ],
        )

    def agent_run(self, email: str, n: int, started: datetime, fingerprint: str, tokens: int = 1000) -> None:
        writes.upsert(
            self.s,
            AgentRun,
            [
                {
                    "id": f"run:{email}:{fingerprint}:{n}",
                    "person_id": self.ids[email],
                    "identity_id": f"agent:{email}",
                    "agent": "fixer",
                    "started_at": started + timedelta(minutes=n),
                    "task_fingerprint": fingerprint,
                    "input_tokens": tokens,
                    "output_tokens": 0,
                    "cost_usd": 0.1,
                    "source": "test",
                }
            ],
        )

    def survey(self, email: str, week: date, hours: float) -> None:
        writes.upsert(
            self.s,
            SurveyResponse,
            [{"id": f"survey:{email}:{week}", "person_id": self.ids[email], "week": week, "hours_saved": hours}],
        )
