"""The case library scored against its truth (experiments/library.py)."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from experiments.library import IN_SAMPLE, score_event, score_library
from experiments.scores import crps_censored
from experiments.validation_spec import load_validation
from sim.runner import weeks_in
from sim.scenario import load_scenario
from sim.truth import TruthEvent, load_truth

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]


def test_the_in_sample_cases_are_those_the_calibration_used():
    assert set(IN_SAMPLE) == {case.experiment.scenario for case in load_validation().cases}


def test_every_event_is_scored_by_its_rule(tmp_path):
    cases = ["kr_capital_act_2003", "dk_bedre_balance_2018"]
    result = score_library(cases, seeds=6, workers=1, out_dir=tmp_path, progress=False)
    events = result.events
    for case in cases:
        assert len(events[events.case == case]) == len(load_truth(case).events)
    assert set(events["sample"]) == {"out"}
    binary = events[events.kind == "binary"]
    assert ((binary.p - binary.outcome.astype(float)) ** 2 == binary.brier).all()
    assert (binary.runs == 6).all()
    scored = events.dropna(subset=["score"])
    assert (scored.score >= 0).all() and len(scored) >= len(events) - 2
    assert list(result.summary["sample"]) == ["out of sample"]
    assert result.summary["binary events"].iloc[0] == len(binary)
    # resuming reuses the stored runs; a new call replaces them with the same results
    again = score_library(cases, seeds=6, workers=1, out_dir=tmp_path, progress=False, resume=True)
    assert again.events.score.equals(events.score)
    fresh = score_library(cases, seeds=4, workers=1, out_dir=tmp_path, progress=False)
    assert (fresh.events.runs == 4).all()


def test_a_decision_is_scored_by_the_censored_crps_of_its_week():
    scenario = load_scenario("dk_bedre_balance_2015")
    event = next(e for e in load_truth("dk_bedre_balance_2015").events if e.kind == "decision")
    week = 30
    day = (scenario.start + timedelta(weeks=week)).isoformat()
    records = [{"blueprint_date": day}, {"blueprint_date": None}]
    row = score_event(event, scenario, records)
    truth = (event.date - scenario.start).days / 7
    expected = crps_censored([week, float("inf")], truth, weeks_in(scenario))
    assert row["score"] == pytest.approx(expected)
    assert row["prediction"].startswith("50% decide by the horizon")


def test_a_destination_is_scored_by_the_share_of_runs_that_sent_it_there():
    scenario = load_scenario("kdb_2023")
    event = TruthEvent("d", "destination", "brier", "s", institution="KDB", region="busan")
    records = [{"dest_KDB": "busan"}] * 3 + [{"dest_KDB": "undecided"}]
    row = score_event(event, scenario, records)
    assert row["score"] == pytest.approx(0.25**2 + 0.25**2)
    assert row["prediction"] == "busan: 0.75"


def _targets(tmp_path, text: str) -> str:
    path = tmp_path / "targets.toml"
    path.write_text(f"title = 't'\nmaster_seed = 1\n[library]\n{text}\n")
    return str(path)


def _validate_library(tmp_path, *extra):
    return subprocess.run(
        [
            *RELOCSIM,
            "validate",
            *extra,
            "--library",
            "--seeds",
            "2",
            "--workers",
            "1",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )


def test_relocsim_validate_library_prints_the_tables_and_judges_the_targets(tmp_path):
    lenient = _targets(tmp_path, "brier = { at_most = 1 }\nworst_event = { at_most = 1 }")
    done = _validate_library(tmp_path, lenient)
    assert done.returncode == 0, done.stderr
    assert "out of sample" in done.stdout and "in sample (calibrated on)" in done.stdout
    assert "met     out-of-sample Brier" in done.stdout and "MISSED" not in done.stdout
    assert (tmp_path / "out" / "library" / "full_model" / "season2_2020").is_dir()
    harsh = _targets(tmp_path, "brier = { at_most = 0 }")
    done = _validate_library(tmp_path, harsh)
    assert done.returncode == 1 and "MISSED  out-of-sample Brier" in done.stdout


def test_the_shipped_library_targets_are_issue_12s():
    from experiments.validation_spec import load_library_targets

    targets = load_library_targets()
    assert (targets.brier.kind, targets.brier.value) == ("at_most", 0.15)
    assert (targets.worst_event.kind, targets.worst_event.value) == ("at_most", 0.5)
    assert targets.beat_every_null


def test_a_bad_library_target_is_one_line_exit_2(tmp_path):
    done = _validate_library(tmp_path, _targets(tmp_path, "brier = { below = 0.1 }"))
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
    assert "library.brier" in done.stderr


def test_the_ladder_scores_every_null_the_same_way(tmp_path):
    from experiments.library import NULLS, ladder

    cases = ["dk_bedre_balance_2018", "uk_places_for_growth_2020"]
    rungs, table = ladder(cases, seeds=4, workers=1, out_dir=tmp_path, progress=False)
    assert list(table["model"]) == list(NULLS)
    assert table["log score - full"].iloc[0] == 0.0  # the full model against itself
    for name, result in rungs.items():
        assert len(result.events) == len(rungs["full model"].events), name
    # every rung has its own stores: a null is not the full model's runs relabelled
    assert len({p.name for p in tmp_path.iterdir()}) == len(NULLS)
    from experiments.library import judge
    from experiments.validation_spec import LibraryTargets

    verdicts = judge(rungs["full model"], table, LibraryTargets(beat_every_null=True))
    assert [text.split(" (")[0] for text, _ in verdicts] == [f"beats {n}" for n in list(NULLS)[1:]]
    differences = table["log score - full"].iloc[1:]
    assert [met for _, met in verdicts] == list(differences > 0)
    assert not judge(rungs["full model"], None, LibraryTargets(beat_every_null=True))[0][1]


def test_the_ladder_writes_its_tables_between_the_library_markers(tmp_path):
    doc = tmp_path / "validation.md"
    doc.write_text("# V\n\nkept above\n<!-- library:begin -->\nold\n<!-- library:end -->\nkept\n")
    done = _validate_library(tmp_path, "--ladder", "--docs", str(doc))
    assert done.returncode in (0, 1), done.stderr
    text = doc.read_text()
    assert "old" not in text and text.startswith("# V\n\nkept above\n") and text.endswith("kept\n")
    block = text.split("<!-- library:begin -->")[1].split("<!-- library:end -->")[0]
    assert "relocsim validate --library --ladder --seeds 2" in block
    assert "| full model |" in block and "| rewired ties |" in block
    assert ("MISSED" in block) == (done.returncode == 1)


def test_a_doc_without_library_markers_is_refused_in_one_line(tmp_path):
    doc = tmp_path / "validation.md"
    doc.write_text("# V\n")
    done = _validate_library(tmp_path, "--ladder", "--docs", str(doc))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "(markers)" in done.stderr and doc.read_text() == "# V\n"
