"""The library scored out of sample (experiments/library.py, calibration.py, truth_events.py).

The small calibration (tests/data/calibration_small.toml: every case and rung, 4 settings, 2
seeds) runs once per session, in this process (tests/conftest.py); every test below reads its
stores.
"""

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.calibration import (
    design,
    experiment,
    folder,
    load_calibration,
    load_evidence,
    run_design,
)
from experiments.library import (
    ALTERNATIVES,
    BASE_RATE,
    NULLS,
    RUNGS,
    base_rate,
    cross_validate,
    events_by_rung,
    judge,
    ladder,
    log_difference,
    out_of_sample_binary,
)
from experiments.scores import crps_censored
from experiments.store import code_version
from experiments.truth_events import score_event
from experiments.validation_spec import LibraryTargets
from sim.runner import weeks_in
from sim.scenario import ScenarioError, load_scenario
from sim.truth import TruthEvent, library, load_truth

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
SMALL = Path(__file__).parent / "data" / "calibration_small.toml"


@pytest.fixture(scope="module")
def small(small_calibration):
    """The small calibration's spec and stores (tests/conftest.py)."""
    return small_calibration


def test_the_design_is_seeded_bounded_and_typed():
    spec = load_calibration()
    frame = design(spec)
    assert frame.equals(design(spec)) and len(frame) == spec.points
    for prior in spec.priors:
        column = frame[prior.path]
        assert column.min() >= prior.lo and column.max() <= prior.hi, prior.path
        if prior.integer:  # every level of an integer prior appears, about equally
            counts = column.value_counts()
            assert set(counts.index) == set(range(prior.lo, prior.hi + 1))
            assert counts.max() - counts.min() <= 0.1 * spec.points
    other = design(replace(spec, master_seed=spec.master_seed + 1))
    assert not frame.equals(other)


def test_every_timing_bargaining_and_influence_parameter_without_a_source_is_calibrated():
    from dataclasses import fields

    from sim.parameters import LIBRARY_POSTERIOR, Parameters

    calibrated = set(load_calibration().paths)
    for group in ("timing", "bargaining", "influence"):
        for f in fields(getattr(Parameters(), group)):
            source = f.metadata["source"]
            if source == "assumption" or source.startswith(LIBRARY_POSTERIOR):
                assert f"parameters.{group}.{f.name}" in calibrated


def test_out_of_sample_predictions_never_see_the_case_left_out(small):
    spec, out = small
    evidence = load_evidence(spec, "full model", out_dir=out)
    result = cross_validate(evidence, spec)
    assert set(result.events["sample"]) == {"out", "in"}
    assert len(result.events) == 2 * sum(len(load_truth(c).events) for c in library())
    # Make case 0's truth rule out every setting but one: its own out-of-sample predictions
    # must not move (its fold never reads it), while the in-sample calibration must.
    changed = [replace(c) for c in evidence]
    changed[0].implausibility = np.full_like(evidence[0].implausibility, 9.0)
    changed[0].implausibility[:, 0] = 0.0
    again = cross_validate(changed, spec)
    case = evidence[0].case
    mine = again.events[(again.events.case == case) & (again.events["sample"] == "out")]
    before = result.events[(result.events.case == case) & (result.events["sample"] == "out")]
    assert mine.score.equals(before.score)
    assert 0 in again.kept


def test_every_rung_is_scored_from_its_own_runs(small):
    spec, out = small
    rungs, table = ladder(spec, out_dir=out)
    assert list(table["model"]) == [*RUNGS, BASE_RATE]
    assert table["log score - full"].iloc[0] == 0.0  # the full model against itself
    assert len({p.name for p in out.iterdir() if p.is_dir()}) == len(RUNGS)
    assert set(table.model[table.rung == "alternative"]) == set(ALTERNATIVES)
    events = {name: out_of_sample_binary(r) for name, r in rungs.items()}
    assert all(e.event.tolist() == events["full model"].event.tolist() for e in events.values())
    assert any(not e.p.equals(events["full model"].p) for e in events.values())
    verdicts = judge(rungs["full model"], table, LibraryTargets(beat_every_null=True))
    # the nulls are judged, and only they: an alternative is a rival, not a null
    nulls = table[table.model.isin([*NULLS, BASE_RATE]) & (table.model != "full model")]
    assert [text.split(" (")[0] for text, _ in verdicts] == [f"beats {m}" for m in nulls.model]
    assert [met for _, met in verdicts] == list(nulls["log score - full"] > 0)
    # side by side, each rung's column holds its own P of the same event, row by row
    by_rung = events_by_rung(rungs)
    assert list(by_rung.columns) == ["case", "event", "truth", *RUNGS, BASE_RATE]
    full = events["full model"]
    assert by_rung.event.tolist() == full.event.tolist()
    assert by_rung.truth.tolist() == full.outcome.astype(bool).tolist()
    for name, binary in events.items():
        assert by_rung[name].tolist() == binary.p.tolist()
    assert by_rung[BASE_RATE].tolist() == base_rate(full).p.tolist()


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


def test_a_binary_prediction_names_its_question_whatever_its_code():
    scenario = load_scenario("season2_2020")
    event = next(e for e in load_truth("season2_2020").events if e.code.startswith("no_kdb"))
    # the code reads "no designation", but P is that of a designation by the date
    kdb = {"decided_KDB_date": "2022-06-06"}
    row = score_event(event, scenario, [kdb, kdb, kdb, {"decided_KDB_date": None}])
    assert row["prediction"] == "P(flagship by 2022-12-26) = 0.750"
    assert row["score"] == pytest.approx(0.75**2)  # it did not come: truth false
    bill = TruthEvent("b", "binary", "brier", "s", bill="capital_act", outcome=True)
    assert bill.question() == "bill capital_act passed"


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


def _validate_library(out, *extra):
    command = [*RELOCSIM, "validate", *extra, "--library", "--calibration", str(SMALL)]
    return subprocess.run(
        [*command, "--out", str(out), "--workers", "1"], capture_output=True, text=True
    )


def test_relocsim_validate_library_judges_the_targets_out_of_sample(small, tmp_path):
    _, out = small
    lenient = _targets(tmp_path, "brier = { at_most = 1 }\nworst_event = { at_most = 1 }")
    done = _validate_library(out, lenient, "--no-docs")
    assert done.returncode == 0, done.stderr
    assert "out of sample (leave one case out)" in done.stdout
    assert "in sample (calibrated on every case)" in done.stdout
    assert "met     out-of-sample Brier" in done.stdout and "MISSED" not in done.stdout
    assert "running the calibration" not in done.stderr  # the stores were reused
    harsh = _targets(tmp_path, "brier = { at_most = 0 }")
    done = _validate_library(out, harsh, "--no-docs")
    assert done.returncode == 1 and "MISSED  out-of-sample Brier" in done.stdout


def test_the_shipped_library_targets_are_issue_12s():
    from experiments.validation_spec import load_library_targets

    targets = load_library_targets()
    assert (targets.brier.kind, targets.brier.value) == ("at_most", 0.15)
    assert (targets.worst_event.kind, targets.worst_event.value) == ("at_most", 0.5)
    assert targets.beat_every_null


def test_bad_targets_or_calibration_files_are_one_line_exit_2(small, tmp_path):
    _, out = small
    done = _validate_library(out, _targets(tmp_path, "brier = { below = 0.1 }"), "--no-docs")
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
    assert "library.brier" in done.stderr
    bad = tmp_path / "calibration.toml"
    bad.write_text(SMALL.read_text().replace("points = 4", "points = 5"))
    done = subprocess.run(
        [*RELOCSIM, "calibrate", str(bad), "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "points" in done.stderr
    assert not (tmp_path / "c").exists()


def _flat(tmp_path) -> Path:
    """The small calibration with the flat whip (not the default) in every run."""
    flat = tmp_path / "flat.toml"
    line = 'parameters.legislature.whip = "flat"'
    flat.write_text(f"{SMALL.read_text()}\n[overrides]\n{line}\n")
    return flat


def test_the_files_overrides_reach_every_run_of_the_same_design(tmp_path):
    own, fixed = load_calibration(SMALL), load_calibration(_flat(tmp_path))
    assert design(fixed).equals(design(own))  # the same settings: the folders pair
    case, whip = "kr_capital_act_2003", "parameters.legislature.whip"
    assert experiment(fixed, case, {}).overrides[whip] == "flat"
    assert experiment(fixed, case, {whip: "committed"}).overrides[whip] == "committed"  # rung wins
    assert experiment(fixed, case, NULLS["no ties"]).overrides["parameters.null.ties"] == "none"
    # The runs take it: the GNP's whip on the motion no longer counts its leaders' doubts, so
    # the motion's votes differ from the committed whip's on the same settings and seeds.
    votes = []
    for spec, out in ((own, tmp_path / "committed"), (fixed, tmp_path / "flat")):
        run_design(spec, {"full model": {}}, cases=[case], out_dir=out, workers=1, progress=False)
        runs = load_evidence(spec, "full model", [case], out)[0].runs
        votes.append(runs.sort_values(["point", "replicate"])["bill_special_committee_motion_yes"])
    assert not np.array_equal(votes[0].to_numpy(), votes[1].to_numpy())


def test_runs_made_with_other_overrides_are_refused_unless_paired_against(small, tmp_path):
    _, shipped = small
    flat, out = _flat(tmp_path), tmp_path / "flat"
    command = [*RELOCSIM, "calibrate", str(flat), "--full-only", "--out", str(out)]
    done = subprocess.run([*command, "--workers", "1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Scored under the file without the override, the flat whip's runs would pass for its own.
    done = _validate_library(out, "--full-only", "--no-docs")
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
    assert "(overrides)" in done.stderr and "flat" in done.stderr
    # Paired against, they are the other model by design.
    done = _validate_library(shipped, "--full-only", "--no-docs", "--against", str(out))
    assert done.returncode in (0, 1), done.stderr
    assert "Against the full model in" in done.stdout


def test_stores_that_another_model_ran_are_scored_with_a_warning(small, tmp_path, capsys):
    spec, shipped = small
    out = tmp_path / "copy"
    shutil.copytree(shipped / folder("full model"), out / folder("full model"))
    for manifest in (out / folder("full model")).glob("*/manifest.json"):
        record = json.loads(manifest.read_text())
        record["code"] = {"commit": "f" * 40, "dirty": False}  # a commit this checkout lacks
        manifest.write_text(json.dumps(record))
    load_evidence(spec, "full model", out_dir=out, switches=RUNGS["full model"])
    warned = capsys.readouterr().err
    if code_version() is None:  # an installed copy has no commit to compare
        assert warned == ""
    else:
        assert warned.count("\n") == 1 and "relocsim: warning: " in warned
        assert f"{len(library())} of the {len(library())} stores" in warned
        assert "commit fffffff, which this checkout does not have" in warned


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ('horizon = "2022-01-03"', "overrides.horizon"),  # a case's data, not a parameter
        ("parameters.timing.base_hazard = 0.1", "overrides.parameters.timing.base_hazard"),
        ('parameters.legislature.whip = "maybe"', "overrides.parameters.legislature.whip"),
    ],
)
def test_bad_overrides_in_a_calibration_file_are_one_line_exit_2(tmp_path, table, field):
    bad = tmp_path / "calibration.toml"
    bad.write_text(SMALL.read_text() + f"\n[overrides]\n{table}\n")
    done = subprocess.run(
        [*RELOCSIM, "calibrate", str(bad), "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "calibration.toml" in done.stderr and field in done.stderr
    assert not (tmp_path / "c").exists()


def test_the_library_tables_and_pairs_plot_go_between_the_library_markers(small, tmp_path):
    _, out = small
    doc = tmp_path / "validation.md"
    doc.write_text("# V\n\nabove\n<!-- library:begin -->\nOLD BLOCK\n<!-- library:end -->\nkept\n")
    done = _validate_library(out, "--docs", str(doc))
    assert done.returncode in (0, 1), done.stderr
    text = doc.read_text()
    assert "OLD BLOCK" not in text
    assert text.startswith("# V\n\nabove\n") and text.endswith("kept\n")
    block = text.split("<!-- library:begin -->")[1].split("<!-- library:end -->")[0]
    assert "| full model |" in block and "| rewired ties |" in block
    assert "| BDM, not compromise | alternative |" in block
    assert "timing.base_hazard" in block and "figures/calibration_pairs.png" in block
    header = "| case | event | truth | " + " | ".join([*RUNGS, BASE_RATE]) + " |"
    assert "**Every binary event by rung**" in block and header in block
    assert (tmp_path / "figures" / "calibration_pairs.png").stat().st_size > 0
    assert ("MISSED" in block) == (done.returncode == 1)


def test_another_master_seed_runs_another_design_that_only_its_seed_reads(tmp_path):
    out = tmp_path / "c"
    command = [*RELOCSIM, "calibrate", str(SMALL), "--master-seed", "7", "--full-only"]
    done = subprocess.run([*command, "--out", str(out), "--workers", "1"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    seven, own = load_calibration(SMALL, master_seed=7), load_calibration(SMALL)
    assert seven.master_seed == 7 and not design(seven).equals(design(own))
    assert len(load_evidence(seven, "full model", out_dir=out)) == len(library())
    with pytest.raises(ScenarioError, match="another design"):
        load_evidence(own, "full model", out_dir=out)  # the file's own design is not these runs
    # those runs alone scored: the full model against the base rate, no other rung run
    doc = tmp_path / "validation.md"
    doc.write_text("# V\n<!-- library:begin -->\n<!-- library:end -->\n")
    done = _validate_library(out, "--master-seed", "7", "--full-only", "--docs", str(doc))
    assert done.returncode in (0, 1), done.stderr
    assert "running the calibration" not in done.stderr
    assert "out of sample (leave one case out)" in done.stdout
    ladder_rows = done.stdout.split("Null-model ladder")[1]
    assert "full model" in ladder_rows and BASE_RATE in ladder_rows
    assert not any(rung in ladder_rows for rung in RUNGS if rung != "full model")
    assert doc.read_text() == "# V\n<!-- library:begin -->\n<!-- library:end -->\n"  # untouched


def test_a_model_against_itself_differs_by_nothing_and_moves_no_event(small, tmp_path):
    _, out = small
    done = _validate_library(out, "--full-only", "--no-docs", "--against", str(out))
    assert done.returncode in (0, 1), done.stderr
    against = done.stdout.split("Against the full model in")[1]
    assert "log score there - here +0.000 [0.000, 0.000]" in against
    assert "moved by 0.05 or more (P here and there):\n  none\n" in against


def test_against_a_folder_without_this_designs_runs_is_one_line_exit_2(small, tmp_path):
    _, out = small
    (tmp_path / "empty").mkdir()
    done = _validate_library(out, "--full-only", "--no-docs", "--against", str(tmp_path / "empty"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("relocsim validate: --against: expected a folder holding")
    assert done.stderr.count("\n") == 1
    done = subprocess.run([*RELOCSIM, "validate", "--against", str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and done.stderr == "relocsim validate: --against needs --library\n"


def test_the_paired_log_difference_is_the_mean_over_the_same_events():
    here = pd.DataFrame({"case": ["a", "a", "b"], "event": ["x", "y", "z"], "log": [0.1, 0.5, 0.3]})
    there = here.assign(log=[0.4, 0.5, 0.0])
    mean, lo, hi = log_difference(here, there)
    assert mean == pytest.approx(0.0) and lo <= mean <= hi  # (0.3 + 0 - 0.3) / 3
    with pytest.raises(ValueError, match="different events"):
        log_difference(here, there.assign(event=["x", "y", "w"]))


def test_full_only_without_library_is_refused_in_one_line(tmp_path):
    done = subprocess.run(
        [*RELOCSIM, "validate", "--full-only", "--out", str(tmp_path / "v")],
        capture_output=True,
        text=True,
    )
    assert (
        done.returncode == 2 and done.stderr == "relocsim validate: --full-only needs --library\n"
    )
    assert not (tmp_path / "v").exists()


def test_a_doc_without_library_markers_is_refused_in_one_line(small, tmp_path):
    _, out = small
    doc = tmp_path / "validation.md"
    doc.write_text("# V\n")
    done = _validate_library(out, "--docs", str(doc))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "(markers)" in done.stderr and doc.read_text() == "# V\n"


def test_an_event_with_no_finished_run_scores_nan_not_an_error():
    scenario = load_scenario("kr_capital_act_2003")
    for event in load_truth("kr_capital_act_2003", scenario).events:
        row = score_event(event, scenario, [])
        assert row["runs"] == 0 and np.isnan(row["score"]), event.code


def test_the_base_rate_forecasts_each_case_by_the_other_cases_events_alone():
    binary = pd.DataFrame(
        {
            "case": ["a", "a", "b", "c", "c"],
            "event": ["a1", "a2", "b1", "c1", "c2"],
            "outcome": [True, False, True, True, True],
        }
    )
    found = base_rate(binary)
    # case a: 3 of the other cases' 3 events came true; b: 3 of 4; c: 2 of 3 (Jeffreys)
    expected = np.array([3.5 / 4, 3.5 / 4, 3.5 / 5, 2.5 / 4, 2.5 / 4])
    assert found.p.to_numpy() == pytest.approx(expected)
    truth = binary.outcome.to_numpy(float)
    assert found.brier.to_numpy() == pytest.approx((expected - truth) ** 2)
    assert found.log.iloc[1] == pytest.approx(-np.log(1 - 3.5 / 4))  # a2 did not happen
    # a case's own events never move its forecast
    flipped = binary.assign(outcome=[False, True, True, True, True])
    assert base_rate(flipped).p.iloc[:2].tolist() == found.p.iloc[:2].tolist()


def test_chosen_rungs_are_added_to_a_folder_and_scored_alone(small, tmp_path):
    spec, shipped = small
    out = tmp_path / "c"
    shutil.copytree(shipped / folder("full model"), out / folder("full model"))
    kept = {p: p.read_bytes() for p in (out / folder("full model")).rglob("*") if p.is_file()}
    command = [*RELOCSIM, "calibrate", str(SMALL), "--rungs", "rewired_ties", "no_ties"]
    done = subprocess.run([*command, "--resume", "--out", str(out), "--workers", "1"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The full model's finished stores are kept as they were; only the two rungs ran.
    assert {p: p.read_bytes() for p in kept} == kept
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(
        folder(name) for name in ("full model", "rewired ties", "no ties")
    )
    for name in ("rewired ties", "no ties"):  # the same design and seeds: the same runs
        added, whole = (load_evidence(spec, name, out_dir=d, switches=RUNGS[name])
                        for d in (out, shipped))  # fmt: skip
        for a, w in zip(added, whole, strict=True):
            columns = sorted(set(a.runs.columns) - {"seconds"})
            order = ["point", "replicate"]
            pd.testing.assert_frame_equal(
                a.runs.sort_values(order)[columns].reset_index(drop=True),
                w.runs.sort_values(order)[columns].reset_index(drop=True),
            )
    # Scored alone, each rung's difference is the one the whole ladder reports.
    done = _validate_library(out, "--rungs", "rewired_ties", "no_ties", "--no-docs")
    assert done.returncode in (0, 1), done.stderr
    assert "running the calibration" not in done.stderr
    table = done.stdout.split("Null-model ladder")[1].split("\n\n")[0].splitlines()[2:]
    shown = {re.match(r"\s*(.+?) (full|null) ", line)[1]: line for line in table}
    assert list(shown) == ["full model", "rewired ties", "no ties", BASE_RATE]
    _, whole = ladder(spec, out_dir=shipped)
    for _, row in whole[whole.model.isin(shown)].iterrows():
        assert f" {row['log score - full']:.3f} " in shown[row.model], row.model


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["calibrate", "--rungs", "rewired"], "argument --rungs: expected one of constant_"),
        (["calibrate", "--rungs", "no_ties", "--full-only"], "not allowed with argument"),
        (["validate", "--rungs", "no_ties"], "relocsim validate: --rungs needs --library"),
    ],
)
def test_bad_rungs_are_refused_in_one_line(tmp_path, extra, message):
    done = subprocess.run([*RELOCSIM, *extra, "--out", str(tmp_path / "c")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr
    assert not (tmp_path / "c").exists()
