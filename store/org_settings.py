"""Organisation settings an admin can change in the app; stored in the ``setting`` table."""

from typing import Any

from sqlmodel import Session, select

from payoff.store import writes
from payoff.store.models import ROLES, Setting

VISIBILITY = ("self_and_manager", "self_only", "nobody")

DEFAULTS: dict[str, Any] = {
    # Share of people expected to use AI in a week (a breadth target, never an intensity one).
    "adoption_target": 0.8,
    # Aggregates over fewer people are hidden from viewers who may not see individuals.
    "min_group_size": 5,
    # Who may see one person's figures: the person and their manager chain | only the person | nobody.
    "individual_visibility": "self_and_manager",
    # Outcome units: weight of a merged PR, a story point, an unpointed ticket; share of a PR lost to a bug.
    # PRs count by size (full from full_lines changed lines, never below size_floor); an unpointed ticket no
    # merged PR fixed keeps loose_ticket of the ticket weight.
    "value_weights": {
        "pr": 1.0,
        "story_point": 0.5,
        "ticket": 0.5,
        "bug_penalty": 0.5,
        "full_lines": 50.0,
        "size_floor": 0.1,
        "loose_ticket": 0.2,
    },
    # Hours a week spent on the delivery work outcome units measure (time saved = these x gain / (1 + gain)).
    # 40 assumes the whole working week; lower it to the share your own time-allocation data shows.
    "delivery_hours_per_week": 40.0,
    # The ID-token claim that lists the signed-in person's IdP groups, and group -> role overrides.
    "group_claim": "groups",
    "group_roles": {},
    # Jira links that make a bug "caused by" the linked ticket (store.linking): phrases as read from the bug,
    # and link types whose inward side is the bug's. Sites rename link types; add their wording here.
    "causation_links": {
        "phrases": ["is caused by", "caused by", "is a regression of", "was introduced by"],
        "link_types": ["Problem/Incident", "Defect"],
    },
    # Copilot bills premium requests (AI credits) beyond a plan's allowance at this price each (GitHub's list
    # price), and a seat whose payload names no plan at this monthly price (flagged as assumed).
    "copilot_credit_price_usd": 0.04,
    "copilot_default_seat_usd": 19.0,
    # Contract prices of seats, USD a month: "<tool>" or "<tool>:<plan>" (the plan wins), e.g.
    # {"copilot:business": 15.0, "cursor": 32.0}. A seat not named here costs the list price its tool reports.
    "seat_prices": {},
}


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return row.value if row is not None else DEFAULTS[key]


def get_all(session: Session) -> dict[str, Any]:
    stored = {row.key: row.value for row in session.exec(select(Setting))}
    return {**DEFAULTS, **stored}


def check(key: str, value: Any) -> None:
    """Raise ``KeyError`` for an unknown setting, ``ValueError`` for a value it cannot take."""
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULTS))}")
    if key == "individual_visibility" and value not in VISIBILITY:
        raise ValueError(f"individual_visibility must be one of {', '.join(VISIBILITY)}")
    if key == "group_roles" and not (isinstance(value, dict) and set(value.values()) <= set(ROLES)):
        raise ValueError(f"group_roles maps IdP group names to one of {', '.join(ROLES)}")
    if key == "causation_links" and not (
        isinstance(value, dict)
        and set(value) == {"phrases", "link_types"}
        and all(isinstance(v, list) for v in value.values())
    ):
        raise ValueError("causation_links holds two lists: phrases and link_types")
    if key in ("copilot_credit_price_usd", "copilot_default_seat_usd") and not (
        isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    ):
        raise ValueError(f"{key} is a price in USD, zero or more")
    if key == "seat_prices" and not (
        isinstance(value, dict)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value.values())
    ):
        raise ValueError('seat_prices maps "<tool>" or "<tool>:<plan>" to a monthly price in USD, zero or more')


def put(session: Session, key: str, value: Any) -> None:
    check(key, value)
    writes.upsert(session, Setting, [{"key": key, "value": value}])


def seed(session: Session, values: dict[str, Any]) -> list[str]:
    """Store each of ``values`` that has no stored value yet (an admin's later change in the app stays);
    returns the keys written."""
    stored = set(session.exec(select(Setting.key)))
    fresh = [key for key in values if key not in stored]
    for key in fresh:
        put(session, key, values[key])
    return fresh
