"""Who works at the demo company: teams, the manager chain, roles and each person's persona.

The organisation depends only on the number of people and the seed, never on the period, so
``personas(people, seed)`` names the same people whatever months are seeded.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil

from payoff.store.demo.period import Period

DOMAIN = "acme.example"
ORG = "acme"

PERSONAS = ("adopter", "tokenmaxxer", "non_user", "quality_regressor", "casual")
# Share of individual contributors per persona; every persona appears at least once.
MIX = {"adopter": 0.32, "tokenmaxxer": 0.10, "non_user": 0.15, "quality_regressor": 0.10}

TOOLS = ("copilot", "claude_code", "cursor")

FIRST = (
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Amir",
    "Bea",
    "Carlos",
    "Dana",
    "Emil",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Marco",
    "Nora",
    "Oscar",
    "Priya",
    "Rafael",
    "Sara",
    "Tomas",
    "Uma",
    "Victor",
    "Willa",
    "Yara",
    "Zeno",
)
LAST = (
    "Adler",
    "Brandt",
    "Costa",
    "Duarte",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Vogel",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
    "Becker",
    "Novak",
    "Lindqvist",
    "Mendes",
    "Hoffmann",
    "Dubois",
    "Kim",
    "Singh",
    "Park",
    "Ahmed",
    "Bauer",
    "Cohen",
    "Dalton",
    "Engel",
)
TEAMS = (
    "Checkout",
    "Payments",
    "Search",
    "Identity",
    "Mobile",
    "Platform",
    "Data",
    "Growth",
    "Billing",
    "Infra",
    "Messaging",
    "Catalog",
    "Onboarding",
    "Reporting",
    "Security",
    "Partners",
)
# No group shares a team's name: a director's team is their group, and must not merge with a team of engineers.
GROUPS = ("Product", "Foundations", "Commerce", "Insights", "Expansion", "Enterprise", "Devices", "Core")


@dataclass(eq=False)
class Member:
    email: str
    name: str
    login: str
    jira_id: str
    team: str
    manager_email: str | None
    role: str
    persona: str
    coding: float = 1.0  # share of a full-time engineer's coding work
    pr_rate: float = 0.0  # merged PRs per week before AI
    tools: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    teammates: tuple["Member", ...] = field(default=(), repr=False)  # possible reviewers
    adopted: date | None = None
    access: date | None = None  # when their team got AI tools
    away: frozenset[date] = frozenset()  # vacation days
    person_id: int | None = None  # set once the person is stored

    @property
    def project(self) -> str:
        """The team's Jira project: its first four letters, with its number from the second "Checkout" on
        (keys stay unique per team, so a group of teams can be generated on its own)."""
        name, _, number = self.team.rpartition(" ")
        return name.upper()[:4] + number if number.isdigit() else self.team.upper()[:4]


@dataclass(frozen=True)
class Org:
    units: list[tuple[str, str | None]]  # (team name, parent)
    members: list[Member]


def _team_sizes(rng: random.Random, people: int) -> list[int]:
    """Sizes between 5 and 8 that add up to ``people`` (fewer than 5 people make one team)."""
    sizes: list[int] = []
    while sum(sizes) < people:
        sizes.append(rng.randint(5, 8))
    excess = sum(sizes) - people
    for index in range(len(sizes) - 1, -1, -1):
        cut = min(excess, sizes[index] - 5)
        sizes[index] -= cut
        excess -= cut
    if excess:  # every team is at 5 already: give the last team's people to the others
        last = sizes.pop() - excess
        for index in range(last):
            sizes[index % len(sizes)] += 1
    return sizes


class _Names:
    def __init__(self, rng: random.Random):
        self.rng, self.seen = rng, {}

    def person(self) -> tuple[str, str, str]:
        """Name, email and GitHub login; namesakes get a number so emails and logins stay unique."""
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        local = f"{first}.{last}".lower()
        count = self.seen[local] = self.seen.get(local, 0) + 1
        suffix = str(count) if count > 1 else ""
        return f"{first} {last}", f"{local}{suffix}@{DOMAIN}", f"{first}-{last}{suffix}".lower()


def build(people: int, seed: int) -> Org:
    """The organisation: leaders, managers and teams; one admin among the engineers."""
    if people < 7:
        raise ValueError("the demo organisation needs at least 7 people")
    rng = random.Random(f"org:{seed}")
    names = _Names(rng)
    directors = 1 if people <= 90 else ceil(people / 75)
    top = directors > 1  # a VP above the directors
    sizes = _team_sizes(rng, people - directors - top)
    members: list[Member] = []
    units: list[tuple[str, str | None]] = []

    def add(team: str, manager: str | None, role: str, persona: str, coding: float) -> Member:
        name, email, login = names.person()
        member = Member(
            email=email,
            name=name,
            login=login,
            jira_id=f"{rng.getrandbits(96):024x}",
            team=team,
            manager_email=manager,
            role=role,
            persona=persona,
            coding=coding,
        )
        members.append(member)
        return member

    vp = None
    if top:
        units.append(("Engineering", None))
        vp = add("Engineering", None, "leader", "casual", 0.0)
    per_director = ceil(len(sizes) / directors)
    team_names = _numbered(TEAMS, len(sizes))
    group_names = _numbered(GROUPS, directors) if top else ["Engineering"]
    libraries = {"Engineering": f"{ORG}/shared-libs"}  # each group's teams share one library repository
    for d, group in enumerate(group_names):
        units.append((group, "Engineering" if top else None))
        libraries[group] = f"{ORG}/shared-libs" + (f"-{d + 1}" if d else "")
        director = add(group, vp.email if vp else None, "leader", "casual", 0.0)
        for t in range(d * per_director, min(len(sizes), (d + 1) * per_director)):
            team = team_names[t]
            units.append((team, group))
            libraries[team] = libraries[group]
            manager = add(team, director.email, "manager", rng.choice(("casual", "casual", "non_user")), 0.35)
            for _ in range(sizes[t] - 1):
                add(team, manager.email, "employee", "", 1.0)
    _assign_personas(rng, [m for m in members if m.role == "employee"])
    next(m for m in members if m.role == "employee").role = "admin"
    _shape_work(rng, members, libraries)
    return Org(units, members)


def _numbered(names: tuple[str, ...], count: int) -> list[str]:
    return [names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "") for i in range(count)]


def _assign_personas(rng: random.Random, engineers: list[Member]) -> None:
    quota = [p for p, share in MIX.items() for _ in range(max(1, round(share * len(engineers))))]
    quota += ["casual"] * max(0, len(engineers) - len(quota))
    rng.shuffle(quota)
    for member, persona in zip(engineers, quota, strict=False):  # quota may hold more than there are engineers
        member.persona = persona


def _shape_work(rng: random.Random, members: list[Member], libraries: dict[str, str]) -> None:
    """Each person's pace, tools and repositories (the team's two, then its group's library); teammates
    review each other."""
    by_team: dict[str, list[Member]] = {}
    for m in members:
        by_team.setdefault(m.team, []).append(m)
    for team, people in by_team.items():
        slug = team.lower().replace(" ", "-")
        repos = (f"{ORG}/{slug}-api", f"{ORG}/{slug}-web")
        for m in people:
            m.pr_rate = m.coding * rng.lognormvariate(1.1, 0.2)  # median 3 PRs a week, most 2-4.5
            m.repos = repos + (libraries[team],)
            m.teammates = tuple(o for o in people if o is not m and o.coding > 0.1)
            primary = rng.choices(TOOLS, weights=(0.4, 0.35, 0.25))[0]
            if m.persona == "tokenmaxxer":
                primary = "claude_code"
            extra = "copilot" if primary != "copilot" and rng.random() < 0.3 else None
            m.tools = () if m.persona == "non_user" else tuple(t for t in (primary, extra) if t)


def roll_out(org: Org, period: Period, seed: int) -> None:
    """Give teams AI tools in three waves and let each person start using them at their own time.

    Waves land at 30, 45 and 60 % of the period, so adopters have weeks before and after.
    """
    rng = random.Random(f"rollout:{seed}:{period.first}")
    length = (period.last - period.first).days
    teams = sorted({m.team for m in org.members})
    rng.shuffle(teams)
    waves = {team: (0.3 + 0.15 * (i % 3)) for i, team in enumerate(teams)}
    for m in org.members:
        m.access = period.first + timedelta(days=round(length * waves[m.team]))
        m.away = _vacation(rng, period)
        if not m.tools:
            m.adopted = None
            continue
        delay = 0 if m.persona == "tokenmaxxer" else rng.randint(0, max(1, length // 9))
        m.adopted = m.access + timedelta(days=delay)


def _vacation(rng: random.Random, period: Period) -> frozenset[date]:
    """A few days off (three to six working days) in each quarter of the period."""
    days = period.workdays
    away: set[date] = set()
    quarter = 63  # working days
    for start in range(0, len(days), quarter):
        if len(days) - start >= 20:
            first = start + rng.randrange(min(quarter, len(days) - start) - 6)
            away.update(days[first : first + rng.randint(3, 6)])
    return frozenset(away)


def personas(people: int = 60, seed: int = 7) -> dict[str, str]:
    """Email -> persona for the demo organisation with these parameters (see docs/demo.md)."""
    return {m.email: m.persona for m in build(people, seed).members}
