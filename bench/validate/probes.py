"""Outcome units of single gaming moves, read through the real pipeline from a three-person organisation:
what does a merge-and-revert pair earn, and what does causing a bug and fixing it oneself earn against one
clean PR?"""

import random
from datetime import timedelta

from sqlmodel import select

from bench.validate import org
from bench.validate.run import Databases, write
from payoff.metrics import load, tables
from payoff.store import db
from payoff.store.models import Person

CLEAN = 10  # clean PRs of 100 lines every probe person has
MOVES = 5  # gaming moves added


def probe(databases: Databases) -> dict[str, float]:
    """``merge_revert_pair``: extra units per merge-and-revert pair; ``own_bug_fix``: units of a PR that caused
    a bug plus its own fix (PR and bug ticket), where a clean PR earns ``clean_pr``."""
    rng = random.Random(1)
    rows = org.Rows()
    persons = [org.Person(n, "team-00", 1.0, 0, org.WEEKS - 1, None, 0.0) for n in range(3)]
    for p in persons:
        rows.add("identity", {"id": f"github:u{p.n}", "source": "github", "external_id": f"u{p.n}", "label": p.email})
        rows.add("identity", {"id": f"jira:{p.email}", "source": "jira", "external_id": p.email, "label": p.email})
    day = org.MONTH_START + timedelta(days=1)
    clean, reverter, self_fixer = persons
    for p in persons:
        for k in range(CLEAN if p is not self_fixer else CLEAN - MOVES):
            org._pr(rows, p, org._moment(day + timedelta(days=k), rng), 100, rng, ai=False)
    for k in range(MOVES):
        merged = org._moment(day + timedelta(days=k), rng)
        original = org._pr(rows, reverter, merged, 100, rng, ai=False)
        org._pr(rows, reverter, merged + timedelta(hours=5), 100, rng, ai=False, reverts=original)
        buggy = org._pr(rows, self_fixer, merged, 100, rng, ai=False)
        org._bug(rows, buggy, merged + timedelta(days=2), self_fixer, rng)
    people = [{"email": p.email, "name": f"Person {p.n}", "team": p.team, "role": "employee"} for p in persons]
    url = databases.fresh()
    try:
        write(url, people, rows.tables)
        with db.session(url) as s:
            ids = dict(s.exec(select(Person.email, Person.id)).all())
            table = tables.person_table(load.load_month(s, org.MONTH, with_time_saved=False)).set_index("person_id")
    finally:
        databases.done(url)
    units = {p.n: float(table.loc[ids[p.email], "outcome_units"]) for p in persons}
    per_clean = units[clean.n] / CLEAN
    return {
        "clean_pr": per_clean,
        "merge_revert_pair": (units[reverter.n] - units[clean.n]) / MOVES,
        "own_bug_fix": (units[self_fixer.n] - per_clean * (CLEAN - MOVES)) / MOVES,
    }
