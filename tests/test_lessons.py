"""Each lesson's default settings show its effect beyond sampling noise (issue 16).

A lesson that shows no effect at its defaults teaches nothing, or worse, teaches that the
mechanism does nothing. For each lesson, this reads the defaults from its parameter cell and
runs its comparison on its own fixed seed set (0, 1, ..., SEEDS - 1) with relocsim's public
API, independently of the lesson's code, and asserts that the two settings' 95% Wilson
intervals do not overlap (Wilson's for a share of runs, Student's t for a mean).
"""

import ast
from datetime import timedelta
from pathlib import Path

import nbformat
import numpy as np
from scipy import stats

import experiments
import sim

LESSONS = Path(__file__).resolve().parent.parent / "notebooks" / "lessons"


def defaults(lesson: str) -> dict:
    """The names and literal values its cell tagged ``parameters`` assigns."""
    nb = nbformat.read(LESSONS / lesson, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    found = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def share_before(day, seeds: int, **overrides) -> tuple[float, float]:
    """The 95% Wilson interval of P(blueprint before ``day``) over seeds 0..seeds-1."""
    runs = [sim.run("season2_2020", seed=s, series_every=0, **overrides) for s in range(seeds)]
    dates = [r.outcome["blueprint_date"] for r in runs]
    k = sum(d is not None and d < day.isoformat() for d in dates)
    return experiments.wilson(k, seeds)


def election_day():
    """The day of the 2022 presidential election in the default scenario."""
    return sim.load_scenario("season2_2020").election("presidential_2022").date


def test_lesson_1_defaults_show_the_election_holding_the_plan_back():
    given = defaults("01_why_governments_wait.ipynb")
    assert given["BLAME_WEIGHT"] is None and given["BLAME_HORIZON_WEEKS"] is None
    day = election_day()
    moved = day + timedelta(weeks=given["ELECTION_SHIFT_WEEKS"])
    on_date = share_before(day, given["SEEDS"])
    moved_away = share_before(day, given["SEEDS"], **{"elections.presidential_2022.date": moved})
    # the election holds the plan back: fewer blueprints before it than with it moved away
    assert on_date[1] < moved_away[0], (on_date, moved_away)


def mean_interval(values) -> tuple[float, float]:
    """The 95% Student's t interval of the mean of ``values``."""
    values = np.asarray(values, float)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


def stance_on_the_eve(member: str, seed: int, **overrides) -> float:
    """A lawmaker's support for announcing now, in the last week before the 2022 election."""
    model = sim.build_model("season2_2020", seed=seed, **overrides)
    election = model.setting.election("presidential_2022")
    me = next(k for k, data in model.ties_graph.nodes(data=True) if data["name"] == member)
    for _ in range((election.date - model.setting.start).days // 7):
        model.step()
    return float(model.stance[me, 0])


def test_lesson_2_defaults_show_party_ties_pulling_a_member_from_their_region():
    given = defaults("02_party_ties.ipynb")
    assert given["DISCIPLINE"] is None
    low, high = min(given["COHESION_LEVELS"]), max(given["COHESION_LEVELS"])
    found = {
        cohesion: mean_interval(
            [
                stance_on_the_eve(given["MEMBER"], s, **{"parties.DP.cohesion": cohesion})
                for s in range(given["SEEDS"])
            ]
        )
        for cohesion in (low, high)
    }
    # denser party ties pull the Busan member down from their anchor towards the DP's mean
    assert found[high][1] < found[low][0], found


def test_lesson_3_defaults_show_the_unions_holding_the_plan_back():
    given = defaults("03_regions_unions_assembly.ipynb")
    assert all(given[k] is None for k in ("FIT_WEIGHT", "BUSAN_LOBBYING", "UNION_STRENGTH"))
    assert given["PARTY_WHIP"] is None and given["MECHANISM"] is None
    seeds = given["COMPARED_SEEDS"]
    as_set = share_before(election_day(), seeds)
    silenced = share_before(election_day(), seeds, **{"unions.KFIU.strength": 0.0})
    assert as_set[1] < silenced[0], (as_set, silenced)
