"""``python -m bench.validate``: run the scenarios and print the figures as Markdown tables."""

import argparse
import sys
import time

from bench.validate import org, summary
from bench.validate.probes import probe
from bench.validate.run import Databases, replicate

SCENARIOS = {
    "base": org.Scenario("base", note="selection into adoption, trend, season, shocks, drift, hires/leavers"),
    "null": org.Scenario("null", effect=0.0, note="true effect 0, persistent person differences"),
    "leavers": org.Scenario("leavers", effect=0.0, leavers=0.2, note="true effect 0, 20 % leavers"),
    "steeper": org.Scenario("steeper", steeper=0.3, note="adopters already on a steeper trajectory"),
    "gaming": org.Scenario(
        "gaming", people=80, gaming=True, note="base + 2 of each gaming style, 4 genuine heavy adopters"
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validate", description=__doc__)
    parser.add_argument("--reps", type=int, default=20, help="replications per scenario")
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    databases = Databases()
    results = {}
    try:
        for name in args.scenarios:
            started = time.perf_counter()
            results[name] = [
                replicate(databases, SCENARIOS[name], args.seed * 10_000 + rep) for rep in range(args.reps)
            ]
            print(f"{name}: {args.reps} replications in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        units = probe(databases)
    finally:
        databases.close()
    print(summary.markdown(results, units))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
