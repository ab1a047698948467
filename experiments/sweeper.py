"""``sweep``: run an experiment into a store, from the command line or a notebook.

The sweep validates everything before it writes anything: the experiment file, its design,
the columns of its tables (one probe run) and the output folder. Then it sends the runs that
the store lacks to a backend, chunk by chunk, and stores each chunk as soon as it comes back.

Memory stays flat in the number of runs: the runs and their chunks are made as the backend
asks for the next one (a few per worker at a time), each chunk's parts come back as Parquet
bytes that go straight to disk, and of the runs this process keeps only the ids of those out
at the workers. With a pool, the probe runs in a worker too, so that this process never
imports the model (nor pandas or pyarrow): it needs the design, the ledger and the files.
"""

import itertools
import math
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from experiments.design import RunSpec, design_points, run_id, run_specs
from experiments.local import LocalBackend, default_workers, probe_columns
from experiments.progress import progress_bar
from experiments.spec import Experiment, load_experiment
from experiments.store import open_store
from experiments.worker import ChunkResult, ChunkTask, parquet_bytes, read_part
from sim.folders import make_folder, remove_made

BACKENDS = ("local", "dask")
DASK_WORKERS = 2  # worker processes of a Dask LocalCluster by default
MAX_CHUNK = 64  # runs per task at most: a killed sweep redoes at most this many per worker
CHUNKS_PER_WORKER = 4  # at least, where the runs allow: keeps the workers evenly loaded
MAX_WORKERS = 1024  # processes a sweep may start: more cores than most machines have, and no
# more processes than a machine survives (each imports relocsim: about 150 MB)


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did and what its store now holds.

    Attributes:
        out_dir: The store.
        experiment: The experiment's name.
        runs: Runs the experiment has (points x replicates).
        done: Runs stored as finished, by this sweep and any it resumed.
        failed: Runs stored as failed, likewise.
        ran: Runs this call executed.
        skipped: Runs already in the store when this call started (resume).
        seconds: Wall time of this call.
        first_error: ``RUN_ID: ERROR`` of the first failed run in design order, or None.
        repairs: What resuming repaired in the store before running, one line each
            (experiments.integrity): a rebuilt ledger, parts dropped to run again.
    """

    out_dir: Path
    experiment: str
    runs: int
    done: int
    failed: int
    ran: int
    skipped: int
    seconds: float
    first_error: str | None = None
    repairs: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every run of the experiment is stored."""
        return self.done + self.failed == self.runs

    def __str__(self) -> str:
        resumed = f", {self.skipped} were stored already" if self.skipped else ""
        repaired = "".join(f"\nrepaired: {line}" for line in self.repairs)
        return (
            f"{self.experiment}: {self.done + self.failed} of {self.runs} runs stored in "
            f"{self.out_dir}: {self.done} done, {self.failed} failed "
            f"({self.ran} runs in {self.seconds:.1f} s{resumed}){repaired}"
        )


def sweep(
    experiment: Experiment | str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    workers: int | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    chunk_size: int | None = None,
) -> SweepSummary:
    """Run every run of an experiment and store the results in ``out_dir``.

    A run that raises is stored as failed, with its error, and the sweep goes on. The store
    can be read while the sweep runs (``load_results``); a sweep that is killed continues
    with ``resume=True`` and loses or repeats nothing.

    Args:
        experiment: An Experiment, the path of an experiment file or a shipped experiment's
            name (``"election_timing"``).
        out_dir: The store's folder: new or empty, or this experiment's store with ``resume``.
        workers: Worker processes (default: the cores this process may use); 1 runs in this
            process, without a pool. With the Dask backend: the LocalCluster's workers
            (default 2), and the basis of the chunk size.
        backend: ``"local"`` (a process pool) or ``"dask"`` (dask.distributed, from the
            optional extra ``relocsim[dask]``).
        scheduler: With the Dask backend, the address of a running scheduler; None starts a
            LocalCluster on this machine for the sweep and closes it at the end.
        resume: Continue the store of the same experiment in ``out_dir``, skipping the runs
            it has.
        progress: Show a progress bar (tqdm.auto) when stderr is a terminal or in a notebook,
            else write a progress line to stderr at least every 30 s (for logs); neither when
            the environment sets TQDM_DISABLE.
        chunk_size: Runs per task (default: from the number of runs and workers, at most 64).

    Returns:
        The summary; ``summary.failed`` counts the failed runs.

    Raises:
        sim.ScenarioError: For an invalid experiment or an unusable ``out_dir`` (nothing is
            written then).
        StoreWriteError: When the store cannot be written any more (a full disk): the runs
            stored until then stay, and ``resume=True`` continues.
        ValueError: For an unknown backend, a scheduler without the Dask backend, or
            workers or chunk_size below 1 (or workers above MAX_WORKERS).
        ImportError: For the Dask backend when dask.distributed is not installed.
    """
    started = time.perf_counter()
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r} is not available; choose one of {BACKENDS}")
    if scheduler is not None and backend != "dask":
        raise ValueError("a scheduler address needs backend='dask'")
    if backend == "dask":
        _require_dask()
    for name, value in (("workers", workers), ("chunk_size", chunk_size)):
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if workers is not None and workers > MAX_WORKERS:
        raise ValueError(f"workers must be at most {MAX_WORKERS}, got {workers}")
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    points = design_points(experiment)
    planned = len(points) * experiment.replicates
    counts = {"points": len(points), "replicates": experiment.replicates, "runs": planned}
    workers = workers or (DASK_WORKERS if backend == "dask" else default_workers())
    made = make_folder(out_dir, "--out")  # before the probe run: an unusable --out fails now
    try:
        # The local pool's probe runs in a worker: this process then never imports the model.
        columns = probe_columns(experiment, workers if backend == "local" else 1)
        store = open_store(out_dir, experiment, columns, counts, resume=resume)
    except BaseException:
        remove_made(made)  # the folders it made, while still empty: nothing is left behind
        raise
    with store:
        stored = store.finished()
        todo = _count_todo(len(points), experiment.replicates, stored)
        size = chunk_size or chunk_size_for(todo, workers)
        specs = (s for s in run_specs(experiment, points) if s.run_id not in stored)
        task = ChunkTask(
            experiment.scenario,
            experiment.overrides,
            experiment.paths,
            (),
            columns,
            experiment.series_every,
        )
        out_at_workers: set[str] = set()  # ids of the runs sent and not yet stored
        tasks = _chunks(specs, size, task, out_at_workers)
        runner = _backend(backend, min(workers, max(1, math.ceil(todo / size))), scheduler)
        with progress_bar(experiment.name, planned, len(stored), progress) as bar:
            tally = store.counts()
            for result in runner.run(tasks):
                ids = [row[0] for row in result.ledger]
                result = _unstored(result, set(ids) - out_at_workers)
                if result is None:  # a chunk that came back twice: stored already
                    continue
                store.write(result)
                out_at_workers.difference_update(ids)
                for row in result.ledger:
                    tally[row[4]] += 1
                bar.set_postfix(tally, refresh=False)
                bar.update(len(result.ledger))
        final = store.counts()
        return SweepSummary(
            out_dir=store.out,
            experiment=experiment.name,
            runs=planned,
            done=final["done"],
            failed=final["failed"],
            ran=todo,
            skipped=len(stored),
            seconds=time.perf_counter() - started,
            first_error=store.first_error(),
            repairs=tuple(store.repairs),
        )


def _backend(name: str, workers: int, scheduler: str | None):
    if name == "dask":
        from experiments.dask_backend import DaskBackend

        return DaskBackend(workers, scheduler)
    return LocalBackend(workers)


def _require_dask() -> None:
    """Fail early, before the store is created, when dask.distributed is missing."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError as err:
        raise ImportError(
            "the Dask backend needs dask.distributed: pip install 'relocsim[dask]'"
        ) from err


def _count_todo(points: int, replicates: int, stored: set[str]) -> int:
    """How many runs of the design the store lacks (without making them: no seeds)."""
    if not stored:
        return points * replicates
    ids = itertools.product(range(points), range(replicates))
    return sum(run_id(p, r) not in stored for p, r in ids)


def _chunks(
    specs: Iterable[RunSpec], size: int, task: ChunkTask, sent: set[str]
) -> Iterator[ChunkTask]:
    """``task`` with ``size`` runs at a time, each made when the backend asks for the next.

    The ids of each task's runs go into ``sent`` as it is handed over; the sweep takes them
    out as it stores them, so that ``sent`` holds only the runs out at the workers.
    """
    it = iter(specs)
    while batch := tuple(itertools.islice(it, size)):
        sent.update(spec.run_id for spec in batch)
        yield replace(task, runs=batch)


def _unstored(result: ChunkResult, stored: set[str]) -> ChunkResult | None:
    """The result less any run already stored (each run is written once), or None if empty.

    The rare result that must be cut (Dask ran a chunk twice and a part of it was stored
    from the first) is decoded and encoded again here; every other passes as it came.
    """
    keep = [row[0] not in stored for row in result.ledger]
    if all(keep):
        return result
    if not any(keep):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = {row[0] for row, k in zip(result.ledger, keep, strict=True) if k}
    runs = read_part(result.runs).filter(pa.array(keep))
    series = result.series
    if series is not None:
        table = read_part(series)
        series = table.filter(pc.is_in(table["run_id"], value_set=pa.array(sorted(ids))))
        series = parquet_bytes(series)
    ledger = [row for row, k in zip(result.ledger, keep, strict=True) if k]
    return ChunkResult(parquet_bytes(runs), series, ledger)


def chunk_size_for(runs: int, workers: int) -> int:
    """Runs per task: CHUNKS_PER_WORKER tasks per worker or more, each of at most MAX_CHUNK."""
    return max(1, min(MAX_CHUNK, math.ceil(runs / (CHUNKS_PER_WORKER * workers))))
