"""The case library (issue 11): every case loads, runs and keeps the model's invariants; the
library's cases differ in outcome; truth files are checked like scenarios; ``relocsim cases``.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import sim
from sim.allocation import STAY, UNDECIDED
from sim.runner import weeks_in
from sim.scenario import ScenarioError, load_scenario
from sim.truth import (
    CASE_KINDS,
    facts_path,
    library,
    load_truth,
    truth_from_dict,
    truth_path,
)
from tests.strategies import generalised_scenarios

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
CASES = library()
REQUIRED_KINDS = CASE_KINDS[:6]  # one case of each is what the library must hold


def test_the_library_holds_cases_that_differ():
    assert len(CASES) >= 8
    countries = {load_scenario(case).country for case in CASES}
    assert len(countries) >= 3
    kinds = {kind for case in CASES for kind in load_truth(case).kinds}
    assert set(REQUIRED_KINDS) <= kinds


@pytest.mark.parametrize("case", CASES)
def test_each_case_is_sourced_and_its_truth_dated(case):
    truth = load_truth(case)
    assert truth.case == case
    facts = facts_path(case).read_text(encoding="utf-8")
    assert re.search(r"\d{4}-\d{2}-\d{2}", facts)  # sources carry dates
    kinds = {e.kind for e in truth.events}
    assert "decision" in kinds and "binary" in kinds
    for event in truth.events:
        assert event.source.strip()
        assert event.date or event.none_by or event.kind == "binary"


def _seated_by_party(model) -> np.ndarray:
    w = model.world
    return np.bincount(w.member_party[w.seated], minlength=len(w.party_codes))


def run_checking_invariants(scenario, seed: int):
    """Run week by week; check the seat table in force and every vote as they happen."""
    model = sim.build_model(scenario, seed=seed, series_every=0)
    tables = {e.code: e.seats for e in scenario.elections if e.seats}
    held_with_seats, checked = [], 0
    for _ in range(weeks_in(scenario)):
        before = _seated_by_party(model)
        model.run_for(1)
        # The legislature always has exactly the seats of the table in force.
        in_force = np.array([p.seats for p in model.seated_setting.parties])
        assert np.array_equal(_seated_by_party(model), in_force)
        held = [row[2] for row in model.why if row[1] == "election" and row[2] in tables]
        for code in held[len(held_with_seats) :]:
            expected = [tables[code].get(p.code, 0) for p in scenario.parties]
            assert in_force.tolist() == expected
            held_with_seats.append(code)
        # This week's votes: no more voters than members, in all and in each party, of the
        # legislature in force before or after the week (an election may fall inside it).
        votes = [v for b in model.bills for v in b.votes]
        for vote in votes[checked:]:
            assert len(vote.voters) == len(vote.yes) == len(set(vote.voters.tolist()))
            assert len(vote.abstain) == len(vote.yes) and not (vote.yes & vote.abstain).any()
            counts = np.bincount(vote.party, minlength=len(in_force))
            assert (counts <= np.maximum(before, in_force)).all()
        checked = len(votes)
    result = sim.runner.RunResult(model, seed)
    votes = result.votes
    assert (votes.yes + votes.no + votes.abstain == votes.voting).all()
    w = model.world
    fixed = model.decided[(model.decided != UNDECIDED) & (model.decided != STAY)]
    assert w.receives[fixed].all() if len(fixed) else True
    return result


@pytest.mark.parametrize("case", CASES)
def test_each_case_runs_and_keeps_its_invariants(case):
    scenario = load_scenario(case)
    for seed in range(3):
        outcome = run_checking_invariants(scenario, seed).outcome
        assert outcome["scenario"] == case and outcome["weeks"] == weeks_in(scenario)


@pytest.mark.parametrize("case", CASES)
def test_each_case_gives_the_executive_an_electoral_geography(case):
    # Credit and blame are counted in the seats of the regions that win and lose: a case
    # whose regions hold no seats gives every plan zero credit and zero regional blame.
    model = sim.build_model(case, seed=0, series_every=0)
    w = model.world
    assert w.seat_share[w.receives].sum() > 0 and w.seat_share[~w.receives].sum() > 0
    assert model.voter_weight[w.receives].sum() > 0


def test_a_general_election_with_a_seat_table_reseats_the_legislature():
    # Denmark, June 2015: the result and the seats after it are given by the scenario.
    scenario = load_scenario("dk_bedre_balance_2015")
    election = next(e for e in scenario.elections if e.seats and e.date <= scenario.horizon)
    model = sim.build_model(scenario, seed=1, series_every=0)
    before = _seated_by_party(model)
    model.run_for(int((election.date - scenario.start).days // 7) + 1)
    after = _seated_by_party(model)
    expected = [election.seats.get(p.code, 0) for p in scenario.parties]
    assert after.tolist() == expected and before.tolist() != expected
    assert len(model.lawmakers) == len(model.world.names)
    # ruling_loses: the challenger now holds the executive (a prime minister: general elections)
    assert election.result == "ruling_loses"
    assert model.executive_name == scenario.challenger


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generalised_scenarios())
def test_generated_scenarios_with_the_new_fields_run_and_keep_the_invariants(scenario):
    run_checking_invariants(scenario, seed=0)


# --------------------------------------------------------------------------------------------
# Truth files
# --------------------------------------------------------------------------------------------


def _truth(**event):
    base = {
        "code": "e",
        "kind": "decision",
        "decision": "blueprint",
        "date": "2021-01-04",
        "score": "crps",
        "source": "somewhere, 2021-01-04",
    }
    base.update(event)
    base = {k: v for k, v in base.items() if v is not None}
    return {"case": "season2_2020", "summary": "s", "outcomes": ["postponed"], "events": [base]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _truth(kind="guess"),
            'events[0].kind: expected one of: decision, binary, vote, destination, got "guess"',
        ),
        (
            _truth(score="brier"),
            'events[0].score: expected one of: crps, log_week_bin, got "brier"',
        ),
        (
            _truth(none_by="2021-02-01"),
            "events[0]: expected exactly one of date (when it came) "
            'and none_by (none came by then), got ["date", "none_by"]',
        ),
        (
            _truth(date="2019-01-07"),
            "events[0].date: expected a date from 2020-07-20 to the "
            "horizon 2022-12-26, got 2019-01-07",
        ),
        (
            _truth(kind="binary", date=None, score="brier", before="general_2030", outcome=False),
            "events[0].before: expected an election code, one of: by_2021, presidential_2022, "
            'local_2022, general_2024, presidential_2027, got "general_2030"',
        ),
        (
            _truth(kind="vote", decision=None, score="yes_share", bill="b", stage="floor"),
            'events[0].bill: expected a bill code, one of: , got "b"',
        ),
        (
            _truth(
                kind="destination", decision=None, score="log", institution="KDB", region="capital"
            ),
            "events[0].region: expected a receiving region or stay",
        ),
        ({**_truth(), "outcomes": []}, "outcomes: expected a non-empty array of case kinds"),
        ({**_truth(), "outcomes": ["lucky"]}, "outcomes[0]: expected a case kind, one of: "),
        ({**_truth(), "case": "kdb_2023"}, "case: expected the scenario's name 'season2_2020'"),
    ],
)
def test_a_bad_truth_file_is_one_line_naming_the_field(data, message):
    scenario = load_scenario("season2_2020")
    with pytest.raises(ScenarioError) as err:
        truth_from_dict(data, "x.truth.toml", scenario)
    text = str(err.value)
    assert "\n" not in text and text.startswith("x.truth.toml: ")
    if message:
        assert message in text


def test_a_vote_needs_tallies_and_knows_the_parties():
    scenario = load_scenario("de_bonn_berlin_1991")
    vote = {
        "code": "v",
        "kind": "vote",
        "bill": "berlin_motion",
        "stage": "floor",
        "date": "1991-06-20",
        "score": "yes_share",
        "source": "s",
    }
    data = {"case": scenario.name, "summary": "s", "outcomes": ["free_vote"], "events": [vote]}
    with pytest.raises(ScenarioError, match=r"events\[0\]: expected votes by party"):
        truth_from_dict(data, "x.truth.toml", scenario)
    vote["yes"] = {"XX": 3}
    with pytest.raises(ScenarioError, match=r"events\[0\]\.yes\.XX: expected one of: CDUCSU"):
        truth_from_dict(data, "x.truth.toml", scenario)
    vote["yes"] = {"SPD": 3}
    assert truth_from_dict(data, "x.truth.toml", scenario).events[0].yes == {"SPD": 3}


def test_truth_files_are_not_scenarios():
    assert all(truth_path(case).is_file() for case in CASES)
    assert not any("." in name for name in sim.scenario.available_scenarios())


# --------------------------------------------------------------------------------------------
# relocsim cases
# --------------------------------------------------------------------------------------------


def test_relocsim_cases_lists_the_library_and_shows_one_case():
    listed = subprocess.run([*RELOCSIM, "cases"], capture_output=True, text=True, check=True)
    for case in CASES:
        assert case in listed.stdout
    one = subprocess.run(
        [*RELOCSIM, "cases", "dk_bedre_balance_2015"], capture_output=True, text=True, check=True
    )
    assert "after_election" in one.stdout and "source: " in one.stdout
    as_json = subprocess.run(
        [*RELOCSIM, "cases", "--json"], capture_output=True, text=True, check=True
    )
    records = json.loads(as_json.stdout)
    assert {r["case"] for r in records} == set(CASES)
    assert all(r["events"] and r["country"] for r in records)


def test_relocsim_cases_rejects_an_unknown_case_in_one_line():
    done = subprocess.run([*RELOCSIM, "cases", "atlantis"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "atlantis" in done.stderr
