"""A damaged store is found (verify), refused (report, export, load_results) and repaired.

Every kind of damage is done to a copy of one real store (Parquet parts, a SQLite ledger),
and the resumed sweep's table is compared with the undamaged store's: equal, each run once.
"""

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import experiments
import sim
from sim.cli import main
from tests.conftest import limit_file_size, write_experiment

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
EXPERIMENT = """
scenario = "season2_2020"
replicates = 4
master_seed = 5

[overrides]
horizon = 2020-11-02            # 15 weeks: cheap runs

[[factors]]
path = "parameters.timing.blame_weight"
levels = [2.0, 8.0, 30.0]

[record]
series_every = 4                # series parts too, which must be repaired with their runs
"""
RUNS = 12


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory):
    return write_experiment(tmp_path_factory, EXPERIMENT)


@pytest.fixture(scope="module")
def undamaged(experiment_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("undamaged") / "store"
    experiments.sweep(experiment_file, out, workers=1, chunk_size=3, progress=False)
    return out


@pytest.fixture
def store(undamaged, tmp_path):
    out = tmp_path / "store"
    shutil.copytree(undamaged, out)
    return out


def sorted_table(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)


def first_part(out: Path) -> Path:
    return sorted((out / "runs").iterdir())[1]


def delete_part(out):
    part = first_part(out)
    part.unlink()
    return f"runs/{part.name}"


def cut_part_in_half(out):
    part = first_part(out)
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])
    return f"runs/{part.name}"


def truncate_ledger(out):
    (out / "ledger.sqlite").write_bytes(b"")
    return "ledger.sqlite"


def cut_ledger_short(out):
    ledger = out / "ledger.sqlite"
    ledger.write_bytes(ledger.read_bytes()[: ledger.stat().st_size // 2])
    return "ledger.sqlite"


def delete_ledger(out):
    (out / "ledger.sqlite").unlink()
    return "ledger.sqlite"


DAMAGE = [delete_part, cut_part_in_half, truncate_ledger, cut_ledger_short, delete_ledger]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda d: d.__name__)
def test_damage_is_found_refused_and_repaired(damage, store, undamaged, experiment_file, capsys):
    assert main(["verify", str(store)]) == 0
    assert "sound; 12 of 12 runs stored" in capsys.readouterr().out
    where = damage(store)

    assert main(["verify", str(store)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{store / where}: ")
    assert lines[-1] == (
        f"1 problem; repair: relocsim sweep {experiment_file} --out {store} --resume"
    )
    for command in (["report", str(store)], ["export", str(store), "--csv"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and where in err and "--resume" in err, command
    assert not (store / "report").exists()
    with pytest.raises(sim.ScenarioError, match="expected a sound sweep store"):
        experiments.load_results(store)

    summary = experiments.sweep(experiment_file, store, resume=True, workers=1, progress=False)
    assert summary.complete and summary.repairs and summary.repairs[0].startswith(where)
    assert "repaired: " + where in str(summary)
    assert main(["verify", str(store)]) == 0
    table = experiments.load_results(store)
    pd.testing.assert_frame_equal(table, experiments.load_results(undamaged))
    assert pd.read_parquet(store / "runs")["run_id"].is_unique  # nothing left twice on disk
    pd.testing.assert_frame_equal(
        sorted_table(experiments.load_series(store)),
        sorted_table(experiments.load_series(undamaged)),
    )


def test_a_lost_part_reruns_only_its_runs(store, experiment_file):
    gone = first_part(store)
    held = pd.read_parquet(gone)["run_id"].tolist()
    gone.unlink()
    summary = experiments.sweep(experiment_file, store, resume=True, workers=1, progress=False)
    assert summary.ran == len(held) and summary.skipped == RUNS - len(held)
    assert f"its {len(held)} runs run again" in summary.repairs[0]


def test_rebuilt_ledger_keeps_each_run_once_and_no_run_times(store, undamaged, experiment_file):
    (store / "ledger.sqlite").unlink()
    # A copy of a part under another name, as if two parts held the same runs.
    shutil.copy(first_part(store), store / "runs" / "part-p00002r0003.parquet")
    summary = experiments.sweep(experiment_file, store, resume=True, workers=1, progress=False)
    assert summary.ran == 0 and summary.skipped == RUNS
    assert "duplicate parts left out" in summary.repairs[0]
    assert pd.read_parquet(store / "runs")["run_id"].is_unique
    pd.testing.assert_frame_equal(
        experiments.load_results(store), experiments.load_results(undamaged)
    )
    ledger = experiments.read_ledger(store)
    assert ledger["seconds"].isna().all()  # parts carry no run times
    assert list(ledger["run_id"]) == list(experiments.read_ledger(undamaged)["run_id"])


def test_verify_names_every_kind_of_problem(store, capsys):
    parts = sorted((store / "runs").iterdir())
    parts[0].unlink()
    shutil.copy(parts[1], store / "runs" / "part-p00009r0000.parquet")  # not in the ledger
    (store / "series" / parts[2].name).write_bytes(b"PAR1 not a part")
    with sqlite3.connect(store / "ledger.sqlite") as ledger:  # the ledger loses a run
        ledger.execute("delete from runs where run_id = 'p00002r0003'")
    assert main(["verify", str(store)]) == 1
    out = capsys.readouterr().out
    assert f"{store}/runs/{parts[0].name}: missing" in out
    assert f"{store}/runs/part-p00009r0000.parquet: not in the ledger" in out
    assert f"{store}/series/{parts[2].name}: unreadable" in out
    assert f"{store}/runs/{parts[-1].name}: holds 3 runs, the ledger 2" in out
    assert f"{store}/series/{parts[-1].name}: holds weeks of runs the ledger puts" in out
    assert "5 problems; repair: relocsim sweep" in out


def test_a_lost_or_foreign_manifest_is_a_problem(store, capsys):
    manifest = store / "manifest.json"
    manifest.write_text('{"format": 1}')  # readable, but not a store's manifest
    assert main(["verify", str(store)]) == 1
    assert f"{manifest}: not a manifest of this relocsim" in capsys.readouterr().out
    manifest.unlink()
    assert main(["verify", str(store)]) == 1
    out = capsys.readouterr().out
    assert f"{manifest}: missing or unreadable" in out and "cannot be resumed" in out


def test_a_partial_store_is_sound_and_a_folder_without_a_store_is_bad_input(
    store, tmp_path, capsys
):
    with sqlite3.connect(store / "ledger.sqlite") as ledger:  # as a sweep stopped early leaves
        parts = [p for (p,) in ledger.execute("select distinct part from runs order by part")]
        ledger.execute("delete from runs where part = ?", (parts[-1],))
    for folder in ("runs", "series"):
        (store / folder / parts[-1]).unlink()
    assert main(["verify", str(store)]) == 0
    assert "sound; 9 of 12 runs stored" in capsys.readouterr().out
    assert main(["verify", str(tmp_path)]) == 2
    assert "expected a sweep store" in capsys.readouterr().err


def test_a_full_disk_stops_the_sweep_in_one_line_and_resume_completes(
    experiment_file, undamaged, tmp_path
):
    out = tmp_path / "store"
    command = [*RELOCSIM, "sweep", str(experiment_file), "--out", str(out), "--workers", "1"]
    command += ["--chunk-size", "1"]  # one ledger commit per run: the ledger's log grows
    done = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=limit_file_size(70_000)
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "could not write to the store" in done.stderr and "--resume" in done.stderr
    stored = len(experiments.read_ledger(out))
    assert 0 < stored < RUNS
    assert main(["verify", str(out)]) == 0  # what it stored is whole: no part half-written
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]
    again = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    assert again.returncode == 0 and f"{stored} were stored already" in again.stdout
    pd.testing.assert_frame_equal(
        experiments.load_results(out), experiments.load_results(undamaged)
    )
