"""The acceptance pattern of the default scenario over 200 seeds (issues 2 and 4).

The real blueprint never came before the 2022-03-09 presidential election (facts.md), so the
default must give P(blueprint before it) <= 0.2; and blame avoidance must be what holds it back:
with the presidential election moved past the horizon, a blueprint in the same window is at
least twice as frequent (pattern P1 of docs/ODD.md, which the calibration also requires).
Deterministic: the seeds are fixed. `relocsim validate` checks issue 4's targets on other
seeds, with every case; this test keeps the pattern from drifting in CI.
"""

from datetime import date

import sim

SEEDS = range(200)
POLLING = date(2022, 3, 9)


def blueprints_before_polling(**overrides) -> int:
    hits = 0
    for seed in SEEDS:
        day = sim.run("season2_2020", seed=seed, **overrides).outcome["blueprint_date"]
        hits += day is not None and date.fromisoformat(day) < POLLING
    return hits


def test_blueprint_rarely_lands_before_the_election_and_the_election_is_why():
    base = blueprints_before_polling()
    moved = blueprints_before_polling(**{"elections.presidential_2022.date": "2023-06-01"})
    print(f"P(before) = {base / len(SEEDS):.3f}; with the election moved: {moved / len(SEEDS):.3f}")
    assert base / len(SEEDS) <= 0.2
    assert moved >= 2 * base
    assert base > 0  # the blueprint is possible, only held back
