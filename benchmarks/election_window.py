"""P(blueprint before the 2022-03-09 election) over many seeds, with and without the election.

Prints the headline figures of issue 2's acceptance test with Wilson 95% intervals: the share
of seeds in which the blueprint lands before polling day, and the same share (same window) when
the presidential election is moved past the horizon. Usage:
``python benchmarks/election_window.py [--seeds 200]``.
"""

import argparse
import math
from datetime import date

import sim

ELECTION = "presidential_2022"
MOVED = {f"elections.{ELECTION}.date": "2023-06-01"}


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927, JASA 22:209)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def blueprint_share(seeds: int, window_end: date, **overrides) -> int:
    """Number of seeds whose blueprint is announced before ``window_end``."""
    hits = 0
    for seed in range(seeds):
        day = sim.run("season2_2020", seed=seed, **overrides).outcome["blueprint_date"]
        hits += day is not None and date.fromisoformat(day) < window_end
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, default=200, help="seeds per case (default: %(default)s)"
    )
    n = parser.parse_args().seeds
    polling = sim.load_scenario("season2_2020").election(ELECTION).date
    base = blueprint_share(n, polling)
    moved = blueprint_share(n, polling, **MOVED)
    for label, hits in (("with the election", base), ("election moved past horizon", moved)):
        lo, hi = wilson(hits, n)
        print(
            f"P(blueprint before {polling}) {label:28}: {hits / n:.3f} "
            f"[{lo:.3f}, {hi:.3f}] ({hits}/{n})"
        )
    print(
        f"ratio moved / with election: {moved / base:.2f}" if base else "ratio: undefined (0 hits)"
    )


if __name__ == "__main__":
    main()
