"""No page orders people (or teams) by tokens, cost or any other usage figure.

Two checks: the app's source never sorts by a usage column, and every table or list of people a page
renders is in alphabetical order of its names, whatever the usage figures (which the test organisation
makes increase in a different order than the names).
"""

import ast
from pathlib import Path

import pytest

from tests.app.conftest import oidc_app

APP = Path(__file__).resolve().parents[2] / "app"
USAGE = {
    "tokens",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "cost",
    "requests",
    "sessions",
    "active_days",
    "weekly_active_share",
    "lines_accepted",
    "unused_seat_cost_usd",
    "value_per_million_tokens",
    "value_per_100_usd",
}
SORTERS = {"sort_values", "nlargest", "nsmallest", "order_by", "sorted", "sort", "rank"}
PAGES = [
    ("eve@acme.test", "my_payoff"),
    ("mia@acme.test", "team"),
    ("dana@acme.test", "team"),
    ("dana@acme.test", "organisation"),
    ("ada@acme.test", "organisation"),
    ("ada@acme.test", "admin"),
]


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_the_app_never_sorts_by_a_usage_figure():
    offenders = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in SORTERS and _strings(node) & USAGE:
                    offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(("email", "page"), PAGES)
def test_rendered_lists_are_in_name_order(shared_org, email, page):
    at = oidc_app(email).run()
    if page != "my_payoff":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception
    lists = [
        df.value["name" if "name" in df.value.columns else "team"].dropna().tolist()
        for df in at.dataframe
        if {"name", "team"} & set(df.value.columns)
    ]
    lists += [list(box.options) for box in at.selectbox if box.label == "Person"]
    assert lists or page == "my_payoff", "nothing to check: the page lists no people or teams"
    for names in lists:
        assert names == sorted(names), f"{page}: {names} is not in name order"
