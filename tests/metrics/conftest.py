import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the fixture builders beside these tests

from frames import DEMO_MONTH, DEMO_PEOPLE  # noqa: E402

from payoff.store import db, demo  # noqa: E402


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    """The demo organisation (60 people, 6 months to October 2026, seed 7) in a SQLite file, seeded once."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    db.upgrade(url)
    demo.seed(url, people=DEMO_PEOPLE, months=6, end=DEMO_MONTH)
    return url
