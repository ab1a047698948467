"""The Dask backend on a real LocalCluster: same tables as the local pool, a killed worker.

A small experiment of cheap runs (12 weeks): 3 points x 16 replicates, one point of which the
scenario rejects, so that failures travel through Dask as data too.
"""

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import dask.distributed  # noqa: F401  (the dev extra installs it; a missing one must fail)
import pandas as pd
import pytest

import experiments
from experiments.columns import probe

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
EXPERIMENT = """
title = "dask sweep"
scenario = "season2_2020"
replicates = 16
master_seed = 11

[overrides]
horizon = 2020-10-12            # 12 weeks: cheap runs

[[factors]]
path = "parties.DP.cohesion"
levels = [0.4, 1.5, 0.9]        # 1.5 is out of [0, 1]: those runs fail

[record]
series_every = 4
"""
RUNS, FAILING = 3 * 16, 16


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("exp") / "dask.toml"
    path.write_text(EXPERIMENT)
    return path


@pytest.fixture(scope="module")
def reference(experiment_file, tmp_path_factory):
    """The sweep in this process (workers=1, the local backend)."""
    out = tmp_path_factory.mktemp("reference") / "store"
    experiments.sweep(experiment_file, out, workers=1, progress=False)
    return out


def table_bytes(frame: pd.DataFrame) -> bytes:
    ordered = frame.sort_values("run_id").reset_index(drop=True)
    return (str(ordered.dtypes.to_dict()) + ordered.to_csv(index=False)).encode()


def check_store(out: Path) -> pd.DataFrame:
    """Each run once, in the table and the ledger, and no part that the ledger does not name."""
    table = experiments.load_results(out)
    assert table["run_id"].is_unique and len(table) == RUNS
    ledger = experiments.read_ledger(out)
    assert ledger["run_id"].is_unique and len(ledger) == RUNS
    for folder in ("runs", "series"):
        assert {p.name for p in (out / folder).iterdir()} == set(ledger["part"]), folder
    assert len(pd.read_parquet(out / "runs")) == RUNS
    return table


def test_dask_local_cluster_gives_the_table_of_one_and_two_local_workers(
    experiment_file, reference, tmp_path
):
    out = tmp_path / "dask"
    summary = experiments.sweep(
        experiment_file, out, backend="dask", workers=2, chunk_size=3, progress=False
    )
    assert (summary.runs, summary.done, summary.failed) == (RUNS, RUNS - FAILING, FAILING)
    assert summary.first_error.startswith("p00001r0000: ScenarioError")
    assert len(list((out / "runs").iterdir())) == RUNS // 3  # one part per chunk of 3
    local = tmp_path / "local2"
    experiments.sweep(experiment_file, local, workers=2, chunk_size=5, progress=False)
    expected = table_bytes(experiments.load_results(reference))
    assert table_bytes(check_store(out)) == table_bytes(check_store(local)) == expected
    series = [experiments.load_series(o) for o in (out, reference)]
    assert series[0].equals(series[1])
    again = experiments.sweep(experiment_file, out, backend="dask", resume=True, progress=False)
    assert (again.ran, again.skipped, again.failed) == (0, RUNS, FAILING)


def test_a_killed_dask_worker_does_not_stop_the_sweep(experiment_file, reference, tmp_path):
    out = tmp_path / "store"
    killed = []

    def kill_one_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (out / "runs").is_dir() and any((out / "runs").glob("part-*")):
                break
            time.sleep(0.005)
        workers = multiprocessing.active_children()  # the LocalCluster's worker processes
        if not workers:  # the sweep finished before the first part was seen
            return
        os.kill(workers[0].pid, signal.SIGKILL)  # a worker of the sweep's own cluster, by id
        killed.append(len(experiments.read_ledger(out)))  # runs stored at the kill

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    try:
        summary = experiments.sweep(
            experiment_file, out, backend="dask", workers=2, chunk_size=1, progress=False
        )
    finally:
        killer.join()
    assert killed, "the sweep ended before a worker could be killed"
    assert killed[0] < RUNS, "the worker was killed after the last run"
    assert (summary.done, summary.failed) == (RUNS - FAILING, FAILING)
    assert table_bytes(check_store(out)) == table_bytes(experiments.load_results(reference))


def test_a_chunk_that_comes_back_twice_is_stored_once(experiment_file):
    from experiments.sweeper import _unstored
    from experiments.worker import ChunkTask, read_part, run_chunk

    experiment = experiments.load_experiment(experiment_file)
    specs = list(experiments.run_specs(experiment, experiments.design_points(experiment)))[12:20]
    columns = probe(experiment)
    task = ChunkTask(experiment.scenario, experiment.overrides, experiment.paths, (), columns, 4)
    result = run_chunk(replace(task, runs=tuple(specs)))
    assert _unstored(result, set()) is result
    assert _unstored(result, {s.run_id for s in specs}) is None
    part = _unstored(result, {s.run_id for s in specs[:2]})
    ids = [s.run_id for s in specs[2:]]
    assert [row[0] for row in part.ledger] == ids
    # The parts travel as Parquet bytes; the cut ones are whole Parquet files again.
    assert read_part(part.runs).column("run_id").to_pylist() == ids
    assert set(read_part(part.series).column("run_id").to_pylist()) == set(ids[:2])  # done ones


def test_cli_backend_dask(experiment_file, reference, tmp_path):
    out = tmp_path / "cli"
    command = [*RELOCSIM, "sweep", str(experiment_file), "--out", str(out), "--backend", "dask"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # 1: some runs failed (by design)
    assert f"{RUNS} of {RUNS} runs stored" in done.stdout
    assert "first failure: p00001r0000: ScenarioError" in done.stdout
    assert table_bytes(check_store(out)) == table_bytes(experiments.load_results(reference))
    command = [*RELOCSIM, "sweep", str(experiment_file), "--out", str(tmp_path / "x")]
    wrong = subprocess.run(
        [*command, "--scheduler", "tcp://127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "--scheduler" in wrong.stderr
    assert not (tmp_path / "x").exists()
