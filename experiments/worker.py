"""One chunk of runs: the code that executes in the worker processes (or in-process).

Each run is guarded on its own: a run that raises is recorded as failed, with a one-line
error, and the chunk goes on. A chunk comes back as its Parquet parts, already encoded (the
bytes of the files the store writes), plus the ledger's rows: the sweep's process writes the
bytes as they are, so it needs neither pyarrow nor the tables, and the encoding is done in
the workers, in parallel. Run times go only to the ledger, so that the tables are the same
whichever machine, process count or chunking produced them.

pyarrow is imported where it is used: the pool's workers have it already (the fork server
imports it, experiments/forkserver.py), and the sweep's process, which imports this module for
its task and result types, then never does (unless it must write a failed chunk itself).
"""

import gc
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sim
from experiments.columns import Columns, fit_outcome
from experiments.design import RunSpec

if TYPE_CHECKING:
    import pyarrow as pa

ERROR_LIMIT = 1000  # characters of an error kept in the tables and the ledger


@dataclass(frozen=True)
class ChunkTask:
    """Runs sent to a worker together, with what they need (picklable, self-contained).

    Attributes:
        scenario: Shipped scenario name or absolute path.
        overrides: Fixed overrides of every run.
        paths: Factor override paths, in the order of each run's values.
        runs: The runs.
        columns: The store's columns (the tables are built to them).
        series_every: Keep every k-th week of the series; 0 keeps none.
    """

    scenario: str
    overrides: dict
    paths: tuple[str, ...]
    runs: tuple[RunSpec, ...]
    columns: Columns
    series_every: int = 0


@dataclass(frozen=True)
class ChunkResult:
    """What a chunk produced.

    Attributes:
        runs: The runs part: a Parquet file's bytes, one row per run (columns.runs_schema()).
        series: The series part: a Parquet file's bytes holding the kept weeks of every
            finished run (columns.series_schema()), or None when the sweep keeps no series.
        ledger: ``(run_id, point, replicate, seed, status, error, seconds)`` per run.
    """

    runs: bytes
    series: bytes | None
    ledger: list[tuple]


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Run every run of the chunk, in order, each guarded on its own.

    Python's cyclic garbage collector is off for the chunk, and each run's model is freed as
    soon as the run is recorded. A model and its agents refer to each other, so only the
    collector frees a finished run; left on, it would also run every 2,000 or so new objects
    and walk the live model each time, to find nothing (about 4% of a run). Off, all that a run
    allocates stays in the youngest generation, and one collection of that generation after
    the run frees it: memory stays that of one run (tested).
    """
    rows, ledger, series = [], [], []
    was_on = gc.isenabled()
    gc.disable()
    try:
        for spec in task.runs:
            started = time.perf_counter()
            row, kept, status, error = run_one(task, spec)  # the run's model is garbage now
            gc.collect(0)
            seconds = time.perf_counter() - started
            rows.append(row)
            if kept is not None:
                series.append(kept)
            ledger.append((spec.run_id, spec.point, spec.replicate, spec.seed, status, error,
                           seconds))  # fmt: skip
    finally:
        if was_on:
            gc.enable()
    return chunk_result(runs_table(rows, task.columns), _concat(series, task), ledger)


def run_one(task: ChunkTask, spec: RunSpec) -> tuple[list, "pa.Table | None", str, str | None]:
    """One run of the chunk; a run that raises is recorded as failed.

    Returns:
        Its row of the runs table, its series table (or None), its status (``done`` or
        ``failed``) and its one-line error (or None).
    """
    try:
        overrides = {**task.overrides, **dict(zip(task.paths, spec.values, strict=True))}
        result = sim.run(task.scenario, seed=spec.seed, series_every=task.series_every, **overrides)
        outcome = fit_outcome(result.outcome, task.columns)
        kept = series_table(result.series, spec, task) if task.series_every else None
        status, error = "done", None
    except Exception as err:  # failures are data: record it and go on with the chunk
        outcome, kept = [None] * len(task.columns.outcomes), None
        status, error = "failed", error_text(err)
    row = [spec.run_id, spec.point, spec.replicate, spec.seed, status, error, *spec.values]
    return [*row, *outcome], kept, status, error


def chunk_result(runs: "pa.Table", series: "pa.Table | None", ledger: list[tuple]) -> ChunkResult:
    """A chunk's result, its tables encoded as the Parquet files the store writes."""
    encoded = None if series is None else parquet_bytes(series)
    return ChunkResult(parquet_bytes(runs), encoded, ledger)


def parquet_bytes(table: "pa.Table") -> bytes:
    """A table as the bytes of a Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def read_part(data: bytes) -> "pa.Table":
    """The table of a part's bytes (parquet_bytes' inverse)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pq.read_table(pa.BufferReader(data))


def failed_chunk(task: ChunkTask, error: str) -> ChunkResult:
    """The result of a chunk none of whose runs could finish (e.g. its worker died)."""
    width = len(task.columns.outcomes)
    rows = [
        [s.run_id, s.point, s.replicate, s.seed, "failed", error, *s.values, *[None] * width]
        for s in task.runs
    ]
    ledger = [(s.run_id, s.point, s.replicate, s.seed, "failed", error, 0.0) for s in task.runs]
    return chunk_result(runs_table(rows, task.columns), _concat([], task), ledger)


def runs_table(rows: list[list], columns: Columns) -> "pa.Table":
    """The runs table of a chunk, typed by the store's schema whatever the values."""
    import pyarrow as pa

    schema = columns.runs_schema()
    values = zip(*rows, strict=True)
    arrays = [
        pa.array(list(col), type=field.type) for col, field in zip(values, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def series_table(frame, spec: RunSpec, task: ChunkTask) -> "pa.Table":
    """One run's series (the run recorded every ``series_every``-th week), keyed by run.

    Raises:
        ValueError: If the run's series has other columns than the store's.
    """
    import pyarrow as pa

    if set(frame.columns) != set(task.columns.series):
        raise ValueError(f"series columns {list(frame.columns)} differ from the sweep's")
    kept = frame.reset_index(names="date")
    kept.insert(0, "run_id", spec.run_id)
    kept.insert(1, "point", spec.point)
    kept.insert(2, "replicate", spec.replicate)
    return pa.Table.from_pandas(kept, schema=task.columns.series_schema(), preserve_index=False)


def _concat(tables: list["pa.Table"], task: ChunkTask) -> "pa.Table | None":
    """One series table for the chunk (empty if no run finished), or None without series."""
    import pyarrow as pa

    if not task.series_every:
        return None
    return pa.concat_tables(tables) if tables else task.columns.series_schema().empty_table()


def error_text(err: BaseException) -> str:
    """One line: the exception and, for errors of the model's code, where it was raised."""
    text = f"{type(err).__name__}: {err}"
    frames = traceback.extract_tb(err.__traceback__)
    if frames and not isinstance(err, sim.ScenarioError):  # a scenario error says where
        last = frames[-1]
        text += f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"
    return " ".join(text.split())[:ERROR_LIMIT]
