"""The validation harness (bench/validate) at one small replication, with loose bounds: a regression test
of the estimates against known truth, not a measurement (python -m bench.validate gives the figures)."""

import numpy as np
import pytest

from bench.validate import org, summary
from bench.validate.probes import probe
from bench.validate.run import Databases, replicate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def databases():
    found = Databases()
    yield found
    found.close()


def test_padding_moves_earn_nothing_through_the_pipeline(databases):
    units = probe(databases)
    assert units["clean_pr"] == pytest.approx(1.0)
    assert units["merge_revert_pair"] == pytest.approx(0.0)
    assert units["own_bug_fix"] <= 1.0


def test_a_gaming_organisation_is_estimated_and_its_gamers_caught(databases):
    result = replicate(databases, org.Scenario("gaming", people=80, gaming=True), seed=5)
    table = summary.time_saved([result])
    assert abs(table.loc["org", "bias"]) < 3.0  # hours a week; the harness's own runs: -0.7 on average
    assert table.loc["person", "rmse"] < 8.0  # the code before this harness: 15-18
    flags = {style: [] for style in org.STYLES}
    for person in result.flags:
        if person["style"] in flags:
            flags[person["style"]].append("usage_decoupled_from_outcomes" in person["flags"])
    caught = [hit for style in org.TOKENMAXXERS for hit in flags[style]]
    assert np.mean(caught) >= 0.8
    legitimate = [hit for style in org.LEGITIMATE for hit in flags[style]]
    assert not any(legitimate)
    pairs = summary.pairs([result])
    assert pairs.loc["value", "gamer_below"] >= 0.5
