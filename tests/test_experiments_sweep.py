"""Sweeps end to end, with real Parquet parts and a real SQLite ledger.

One small experiment serves every test: 6 points x 24 replicates of a scenario cut to 24 weeks,
with one level (DP cohesion 1.5) that the scenario rejects, so that a third of the runs fail.
"""

import gc
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

import pandas as pd
import pytest

import experiments
import experiments.local
import sim
from tests.conftest import write_experiment

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
EXPERIMENT = """
title = "test sweep"
scenario = "season2_2020"
replicates = 24
master_seed = 7

[overrides]
horizon = 2021-01-04            # 24 weeks: cheap runs

[[factors]]
path = "parties.DP.cohesion"
levels = [0.4, 1.5, 0.9]        # 1.5 is out of [0, 1]: those runs fail

[[factors]]
path = "unions.KFIU.strength"
levels = [0.2, 0.8]

[record]
series_every = 4
"""
RUNS, FAILING = 6 * 24, 2 * 24


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory):
    return write_experiment(tmp_path_factory, EXPERIMENT)


@pytest.fixture(scope="module")
def reference(experiment_file, tmp_path_factory):
    """The uninterrupted sweep, in this process (workers=1)."""
    out = tmp_path_factory.mktemp("reference") / "store"
    summary = experiments.sweep(experiment_file, out, workers=1, progress=False)
    return out, summary


@pytest.mark.parametrize("collector_on", [True, False])
def test_a_chunk_frees_every_run_it_made_and_leaves_the_collector_as_it_was(
    experiment_file, collector_on
):
    # A model and its agents form cycles that only the collector frees; run_chunk pauses it
    # and frees each run itself, the failed ones too.
    from experiments.columns import probe
    from experiments.worker import ChunkTask, run_chunk
    from sim.model import RelocationModel

    experiment = experiments.load_experiment(experiment_file)
    specs = tuple(experiments.run_specs(experiment, experiments.design_points(experiment)))
    task = ChunkTask(experiment.scenario, experiment.overrides, experiment.paths, specs,
                     probe(experiment), 4)  # fmt: skip

    def models() -> list:
        return [o for o in gc.get_objects() if isinstance(o, RelocationModel)]

    gc.collect()
    others = weakref.WeakSet(models())  # held by other tests (the dashboard's, say)
    gc.enable() if collector_on else gc.disable()
    try:
        result = run_chunk(task)
        assert gc.isenabled() is collector_on
        assert not [m for m in models() if m not in others]
    finally:
        gc.enable()
    assert {row[4] for row in result.ledger} == {"done", "failed"}


def table_bytes(frame: pd.DataFrame) -> bytes:
    """A sorted table as bytes: equal bytes, equal tables (values and column types)."""
    ordered = frame.sort_values("run_id").reset_index(drop=True)
    return (str(ordered.dtypes.to_dict()) + ordered.to_csv(index=False)).encode()


def check_store(out: Path) -> pd.DataFrame:
    """Each run once, every part in the ledger and every ledger part on disk; the table."""
    table = experiments.load_results(out)
    assert table["run_id"].is_unique and len(table) == RUNS
    ledger = experiments.read_ledger(out)
    assert ledger["run_id"].is_unique and len(ledger) == RUNS
    for folder in ("runs", "series"):
        on_disk = {p.name for p in (out / folder).iterdir()}
        assert on_disk == set(ledger["part"]), folder  # no orphan parts, no temporary files
    one_liner = pd.read_parquet(out / "runs")  # the documented pandas one-liner
    assert sorted(one_liner["run_id"]) == sorted(table["run_id"])
    return table


def test_failed_runs_are_data_and_the_sweep_completes(reference):
    out, summary = reference
    assert (summary.runs, summary.done, summary.failed) == (RUNS, RUNS - FAILING, FAILING)
    assert summary.complete and summary.first_error.startswith("p00002r0000: ScenarioError")
    table = check_store(out)
    failed = table[table["status"] == "failed"]
    assert len(failed) == FAILING and (failed["parties.DP.cohesion"] == 1.5).all()
    assert failed["error"].str.contains("parties.DP.cohesion: expected a number in").all()
    assert failed["blueprint_week"].isna().all() and failed["scenario"].isna().all()
    done = table[table["status"] == "done"]
    assert done["error"].isna().all() and (done["weeks"] == 24).all()
    ledger = experiments.read_ledger(out)
    assert (ledger.set_index("run_id")["status"] == table.set_index("run_id")["status"]).all()
    series = experiments.load_series(out)
    assert set(series["run_id"]) == set(done["run_id"])
    assert set(series["week"]) == set(range(0, 25, 4))


def test_rows_carry_the_seed_sequence_seed_and_match_sim_run(reference):
    table = experiments.load_results(reference[0])
    for row in table.itertuples():
        assert row.seed == experiments.run_seed(7, row.point, row.replicate)
        assert row.run_id == f"p{row.point:05d}r{row.replicate:04d}"
    row = table[table["status"] == "done"].iloc[5]
    again = sim.run(
        "season2_2020",
        seed=int(row["seed"]),
        horizon="2021-01-04",
        **{
            "parties.DP.cohesion": row["parties.DP.cohesion"],
            "unions.KFIU.strength": row["unions.KFIU.strength"],
        },
    )
    assert again.outcome["blueprint_week"] == (
        None if pd.isna(row["blueprint_week"]) else row["blueprint_week"]
    )
    assert again.outcome["peak_mobilisation"] == row["peak_mobilisation"]


def test_one_and_two_workers_give_byte_identical_tables(experiment_file, reference, tmp_path):
    summary = experiments.sweep(
        experiment_file, tmp_path / "two", workers=2, chunk_size=5, progress=False
    )
    assert (summary.done, summary.failed) == (reference[1].done, reference[1].failed)
    assert len(list((tmp_path / "two" / "runs").iterdir())) == -(-RUNS // 5)  # 5 runs a part
    two = check_store(tmp_path / "two")
    assert table_bytes(two) == table_bytes(experiments.load_results(reference[0]))
    series = [experiments.load_series(out) for out in (tmp_path / "two", reference[0])]
    assert series[0].equals(series[1])


def test_workers_run_this_processs_model_from_a_folder_holding_another(
    experiment_file, reference, tmp_path
):
    # Started in another checkout's folder, whose model differs (a base hazard ten times
    # ours), two workers still give what one gives in this process: the fork server imports
    # the model from where the sweep's process found it, not from its working folder.
    other = tmp_path / "other"
    for package in (sim, experiments):
        source = Path(package.__file__).parent
        shutil.copytree(source, other / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    parameters = other / "sim" / "parameters.py"
    text = parameters.read_text()
    assert text.count("        0.198,\n") == 1  # the base hazard's default
    parameters.write_text(text.replace("        0.198,\n", "        1.98,\n"))
    out = tmp_path / "two"
    done = subprocess.run(
        [*RELOCSIM, "sweep", str(experiment_file), "--out", str(out), "--workers", "2"],
        cwd=other,
        capture_output=True,
        text=True,
    )
    assert done.returncode == (1 if reference[1].failed else 0), done.stderr  # 1: runs failed
    assert table_bytes(check_store(out)) == table_bytes(experiments.load_results(reference[0]))


def test_each_chunk_is_stored_before_the_next_is_made(experiment_file, reference, tmp_path):
    # The sweep's process holds no table: a chunk's parts go to disk (and its runs into the
    # ledger) as it comes back, and the next chunk is made only then (in process, workers=1).
    out = tmp_path / "store"
    stored_before = []
    run_chunk = experiments.local.run_chunk

    def watched(task):
        stored_before.append(len(experiments.read_ledger(out)))
        return run_chunk(task)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("experiments.local.run_chunk", watched)
        experiments.sweep(experiment_file, out, workers=1, chunk_size=10, progress=False)
    assert stored_before == list(range(0, RUNS, 10))
    assert table_bytes(check_store(out)) == table_bytes(experiments.load_results(reference[0]))


def test_a_pool_reads_its_tasks_a_few_at_a_time(experiment_file):
    # 40 tasks for 2 workers: never more than IN_FLIGHT_PER_WORKER per worker ahead (and the
    # one looked at next), so that a sweep's tasks are made as they are needed, not all at once.
    from experiments.columns import probe
    from experiments.local import IN_FLIGHT_PER_WORKER, LocalBackend
    from experiments.worker import ChunkTask

    experiment = experiments.load_experiment(experiment_file)
    specs = list(experiments.run_specs(experiment, experiments.design_points(experiment)))[:40]
    columns = probe(experiment)
    made = []

    def tasks():
        for spec in specs:
            made.append(spec.run_id)
            yield ChunkTask(
                experiment.scenario, experiment.overrides, experiment.paths, (spec,), columns
            )

    came_back = []
    for result in LocalBackend(2).run(tasks()):
        came_back.extend(row[0] for row in result.ledger)
        assert len(made) <= len(came_back) + IN_FLIGHT_PER_WORKER * 2 + 1
    assert sorted(came_back) == sorted(made) == sorted(s.run_id for s in specs)


def test_with_a_pool_the_sweeps_process_never_imports_the_model(
    experiment_file, reference, tmp_path
):
    # The probe runs in a worker and the parts come back encoded: the sweep's own process needs
    # neither the model nor pandas nor pyarrow (the workers, forked from a fork server that
    # imported them once, share those pages).
    out = tmp_path / "store"
    code = (
        "import sys, experiments\n"
        f"experiments.sweep({str(experiment_file)!r}, {str(out)!r}, workers=2, chunk_size=12, "
        "progress=False)\n"
        "print(sorted(m for m in ('mesa', 'numba', 'pandas', 'pyarrow', 'sim.runner') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert table_bytes(check_store(out)) == table_bytes(experiments.load_results(reference[0]))


def test_a_killed_worker_loses_nothing_and_the_store_stays_readable(
    experiment_file, reference, tmp_path
):
    out = tmp_path / "store"
    killed, readings = [], []

    def kill_one_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not readings:
            if (out / "manifest.json").exists():
                table = experiments.load_results(out)  # read while the sweep writes
                if len(table):
                    readings.append(table)
            time.sleep(0.01)
        workers = multiprocessing.active_children()
        if workers:
            os.kill(workers[0].pid, signal.SIGKILL)  # a pool worker we started, by its id
            killed.append(workers[0].pid)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    try:
        summary = experiments.sweep(experiment_file, out, workers=2, chunk_size=4, progress=False)
    finally:
        killer.join()
    assert killed, "no worker was running when the first part appeared"
    assert 0 < len(readings[0]) < RUNS and readings[0]["run_id"].is_unique
    assert (summary.done, summary.failed) == (RUNS - FAILING, FAILING)
    assert table_bytes(check_store(out)) == table_bytes(experiments.load_results(reference[0]))


def test_sigkilled_sweep_resumes_to_the_uninterrupted_table(experiment_file, reference, tmp_path):
    out = tmp_path / "store"
    command = [*RELOCSIM, "sweep", str(experiment_file), "--out", str(out), "--workers", "2"]
    command += ["--chunk-size", "4"]
    chance = random.Random()
    seed = chance.randrange(2**32)
    chance.seed(seed)  # printed on failure, to replay the same moments
    interrupted = 0
    for attempt in range(2):  # killed in a pool, then in-process (--workers 1 comes last)
        parts_before = len(list((out / "runs").glob("part-*"))) if out.exists() else 0
        sweep_run = subprocess.Popen(
            command + (["--resume", "--workers", "1"] if attempt else []),
            start_new_session=True,  # its own process group: the pool dies with it
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while sweep_run.poll() is None and time.monotonic() < deadline:
            if len(list((out / "runs").glob("part-*"))) > parts_before:
                break
            time.sleep(0.005)
        time.sleep(chance.uniform(0, 0.4))  # a random moment after a new part appeared
        if sweep_run.poll() is None:
            os.killpg(sweep_run.pid, signal.SIGKILL)
            interrupted += 1
        sweep_run.wait(timeout=30)
    assert interrupted, f"the sweep always finished before the kill (seed {seed})"
    stored = len(experiments.read_ledger(out))
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # 1: some runs failed (by design)
    assert f"{RUNS} of {RUNS} runs stored" in done.stdout
    assert f"{stored} were stored already" in done.stdout, (seed, done.stdout)
    final = check_store(out)
    assert table_bytes(final) == table_bytes(experiments.load_results(reference[0])), seed
    series = [experiments.load_series(o) for o in (out, reference[0])]
    assert series[0].equals(series[1]), seed


def process_tree() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (psutil is not a dependency)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        stat = process_stat(entry.name) if entry.name.isdigit() else None
        if stat:
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    return children


def process_stat(pid) -> list[str] | None:
    """State, parent pid, ... of a process (the fields after its name), or None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    tree, found, todo = process_tree(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    stat = process_stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has ended (it waits to be reaped)


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_no_worker_or_helper_outlives_a_sigkilled_sweep(experiment_file, tmp_path, backend):
    out = tmp_path / "store"
    command = [*RELOCSIM, "sweep", str(experiment_file), "--out", str(out), "--workers", "2"]
    sweep_run = subprocess.Popen(
        [*command, "--chunk-size", "2", "--backend", backend],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    family = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list((out / "runs").glob("part-*")):
            time.sleep(0.01)
        family = descendants(sweep_run.pid)
        assert sweep_run.poll() is None, "the sweep ended before it could be killed"
        # the resource tracker and the two workers (and the local pool's fork server)
        assert len(family) >= 3, family
        os.kill(sweep_run.pid, signal.SIGKILL)  # the main process alone: no clean-up runs
        sweep_run.wait(timeout=30)
        deadline = time.monotonic() + 5  # issue 15: all gone within 5 s
        while time.monotonic() < deadline and any(map(running, family)):
            time.sleep(0.05)
        assert not [pid for pid in family if running(pid)]
    finally:
        for pid in [sweep_run.pid, *family]:  # only ours, by id, should the test fail
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        sweep_run.wait(timeout=30)


def test_out_must_be_empty_or_this_experiments_store(experiment_file, reference, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(sim.ScenarioError, match="expected an empty or new folder"):
        experiments.sweep(experiment_file, other, workers=1, progress=False)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    out = reference[0]
    with pytest.raises(sim.ScenarioError, match="or --resume to continue"):
        experiments.sweep(experiment_file, out, workers=1, progress=False)
    changed = tmp_path / "changed.toml"
    changed.write_text(EXPERIMENT.replace("master_seed = 7", "master_seed = 8"))
    with pytest.raises(sim.ScenarioError, match="got the store of"):
        experiments.sweep(changed, out, workers=1, resume=True, progress=False)
    again = experiments.sweep(experiment_file, out, workers=1, resume=True, progress=False)
    assert (again.ran, again.skipped, again.failed) == (0, RUNS, FAILING)


def test_ledger_is_sqlite_in_wal_mode_with_a_manifest(reference):
    out = reference[0]
    with sqlite3.connect(out / "ledger.sqlite") as ledger:
        assert ledger.execute("pragma journal_mode").fetchone()[0] == "wal"
        columns = [row[1] for row in ledger.execute("pragma table_info(runs)")]
    assert columns == ["run_id", "point", "replicate", "seed", "status", "error", "seconds", "part"]
    manifest = experiments.read_manifest(out)
    assert manifest["counts"] == {"points": 6, "replicates": 24, "runs": RUNS}
    assert manifest["scenario"]["name"] == "season2_2020"
    assert (out / "experiment.toml").read_text() == EXPERIMENT
