"""The sweep store: a folder of Parquet parts, a SQLite ledger and a manifest.

Layout of OUT::

    manifest.json        experiment, scenario, design, counts, columns, relocsim version
    experiment.toml      copy of the experiment file
    ledger.sqlite        one row per finished run: run_id, point, replicate, seed, status,
                         error, seconds, part (SQLite in WAL mode, so readers never block;
                         seconds is NULL in a ledger that --resume rebuilt from the parts)
    runs/part-*.parquet  one part per chunk: run columns, factors, outcomes
    series/part-*.parquet  the kept weeks of each run's series (only with series_every)

Crash safety rests on one order of writes: a part is written under a hidden temporary name,
synced and renamed into place, and only then are its runs entered in the ledger, in one
transaction. A run is stored when, and only when, the ledger has it. A sweep killed between
the rename and the ledger leaves a part that no ledger row names; resuming deletes it and
runs its runs again, so the final table has every run exactly once. Readers see only whole
parts (the temporary names start with a dot, which pandas, pyarrow and DuckDB skip), and
refuse a store whose ledger names a part that is missing or unreadable, or that has lost its
ledger: experiments.integrity checks stores and says how ``--resume`` repairs them.

The sweep's process writes each part as the bytes a worker encoded (experiments.worker) and
keeps no table: pandas and pyarrow are imported by the functions that read a store, not here.
"""

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import asdict
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import sim
from experiments.checks import show
from experiments.columns import Columns
from experiments.design import salib_problem
from experiments.spec import SAMPLED, Experiment
from sim.folders import write_whole

if TYPE_CHECKING:
    import pandas as pd

RUNS, SERIES = "runs", "series"
LEDGER, MANIFEST, EXPERIMENT_COPY = "ledger.sqlite", "manifest.json", "experiment.toml"
LOCK = ".lock"
_LEDGER_FILES = (LEDGER, f"{LEDGER}-wal", f"{LEDGER}-shm", f"{LEDGER}-journal")
# Files a fresh sweep may leave before its manifest is in place: OUT still counts as empty.
_BEFORE_MANIFEST = {LOCK, f".{MANIFEST}.tmp"}
FORMAT = 1  # version of this layout, in the manifest

_LEDGER_SCHEMA = """
create table if not exists runs (
    run_id text primary key,
    point integer not null,
    replicate integer not null,
    seed integer not null,
    status text not null check (status in ('done', 'failed')),
    error text,
    seconds real,
    part text not null
)
"""


class StoreWriteError(OSError):
    """The store could not be written (a full disk, say); what it stored stays usable."""


class Store:
    """An open store that one sweep writes to (it holds the store's lock).

    Use ``open_store`` to get one; close it (or use it as a context manager) when done.
    """

    def __init__(self, out: Path, lock_file, columns: Columns, series: bool):
        from experiments.integrity import repair  # it builds on this module's layout

        self.out = out
        self._lock_file = lock_file
        (out / RUNS).mkdir(exist_ok=True)
        (out / SERIES).mkdir(exist_ok=True)
        self.repairs = repair(out, columns, series)  # before opening: a lost ledger is rebuilt
        self.ledger = _connect(out)
        dropped = self._drop_unledgered_parts()
        if dropped:
            self.repairs.append(
                f"{RUNS}/: deleted {dropped} parts the ledger does not name (a killed sweep's "
                "or left out of the ledger); their runs run again"
            )

    def finished(self) -> set[str]:
        """Ids of the runs stored so far (done or failed)."""
        return {row[0] for row in self.ledger.execute("select run_id from runs")}

    def counts(self) -> dict[str, int]:
        """Stored runs by status."""
        found = dict(self.ledger.execute("select status, count(*) from runs group by status"))
        return {"done": found.get("done", 0), "failed": found.get("failed", 0)}

    def first_error(self) -> str | None:
        """The error of the first failed run in design order, if any."""
        row = self.ledger.execute(
            "select run_id, error from runs where status = 'failed' order by run_id limit 1"
        ).fetchone()
        return f"{row[0]}: {row[1]}" if row else None

    def write(self, result) -> str:
        """Store a chunk: its parts first, then its ledger rows in one transaction.

        Args:
            result: An experiments.worker.ChunkResult.

        Returns:
            The part's file name.

        Raises:
            StoreWriteError: If a file or the ledger cannot be written (a full disk, say); the
                chunk is then not stored, and no file of it is left behind.
        """
        name = f"part-{result.ledger[0][0]}.parquet"
        try:  # the parts come encoded (experiments.worker): their bytes are written as they are
            _write_atomically(self.out / RUNS / name, result.runs)
            if result.series is not None:
                _write_atomically(self.out / SERIES / name, result.series)
            with self.ledger:  # one transaction: all the chunk's runs, or none
                self.ledger.executemany(
                    "insert into runs values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*row, name) for row in result.ledger],
                )
        except (OSError, sqlite3.Error) as err:
            for folder in (RUNS, SERIES):  # parts no ledger row names: not stored
                (self.out / folder / name).unlink(missing_ok=True)
            stored = sum(self.counts().values())
            raise StoreWriteError(
                f"could not write to the store ({_reason(err)}); the runs stored so far stay "
                f"({stored} of them): make room, then continue with --resume"
            ) from err
        return name

    def close(self) -> None:
        """Close the ledger and release the lock."""
        self.ledger.close()
        self._lock_file.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _drop_unledgered_parts(self) -> int:
        """Delete parts and temporary files that no ledger row names (left by a crash).

        Returns:
            The number of runs parts deleted (temporary files are not counted).
        """
        kept = {row[0] for row in self.ledger.execute("select distinct part from runs")}
        dropped = 0
        for folder in (self.out / RUNS, self.out / SERIES):
            for path in folder.iterdir():
                if path.is_file() and path.name not in kept:
                    path.unlink()
                    dropped += folder.name == RUNS and not path.name.startswith(".")
        return dropped


def open_store(
    out_dir: str | os.PathLike,
    experiment: Experiment,
    columns: Columns,
    counts: dict,
    *,
    resume: bool,
) -> Store:
    """Create a store in an empty or new folder, or reopen this experiment's store to resume.

    Args:
        out_dir: The store's folder.
        experiment: The experiment it holds.
        columns: The columns of its tables.
        counts: Planned points, replicates and runs (for the manifest).
        resume: Whether an existing store of the same experiment may be continued.

    Returns:
        The open store, locked against other sweeps.

    Raises:
        ScenarioError: ``--out: DIR: expected ..., got ...`` if the folder holds anything
            else, or a store of another experiment, or a store another sweep is writing.
            Nothing is written then.
    """
    out = Path(out_dir).expanduser().absolute()
    fingerprint = experiment_fingerprint(experiment)
    _check_target(out, experiment, fingerprint, resume)
    new = not (out / MANIFEST).is_file()
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock_file = _lock(out)
    except OSError as err:
        _refuse(out, "a folder the store can be written in", _reason(err))
    try:
        if not (out / MANIFEST).is_file():
            manifest = _manifest(experiment, columns, counts, fingerprint)
            _write_text_atomically(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        else:  # checked again under the lock, in case another sweep created it meanwhile
            _check_target(out, experiment, fingerprint, resume)
        if experiment.source and not (out / EXPERIMENT_COPY).is_file():
            _write_text_atomically(out / EXPERIMENT_COPY, Path(experiment.source).read_text())
        return Store(out, lock_file, columns, bool(experiment.series_every))
    except BaseException as err:
        lock_file.close()
        if new:  # a store that never got going: leave the folder as it was (nothing written)
            _remove_new_store(out)
        if isinstance(err, OSError | sqlite3.Error):
            _refuse(out, "a folder the store can be written in", _reason(err))
        raise


def _remove_new_store(out: Path) -> None:
    """Remove what a new store that failed to start has written: its folder is as it was."""
    for name in (*_LEDGER_FILES, EXPERIMENT_COPY, f".{MANIFEST}.tmp", MANIFEST, LOCK):
        (out / name).unlink(missing_ok=True)
    for folder in (RUNS, SERIES):
        with contextlib.suppress(OSError):  # empty in a new store, else kept
            (out / folder).rmdir()


def _check_target(out: Path, experiment: Experiment, fingerprint: str, resume: bool) -> None:
    """Refuse a folder that is not empty, unless it is this experiment's store and resuming."""
    if out.exists() and not out.is_dir():
        _refuse(out, "a folder", "a file")
    entries = sorted(e.name for e in out.iterdir()) if out.is_dir() else []
    if not [e for e in entries if e not in _BEFORE_MANIFEST]:
        return
    manifest = read_manifest(out, missing_ok=True)
    if manifest is None:
        listed = ", ".join(show(e) for e in entries[:3]) + (", ..." if len(entries) > 3 else "")
        _refuse(out, "an empty or new folder, or a sweep store", f"a folder holding {listed}")
    if manifest.get("fingerprint") != fingerprint:
        other = manifest.get("experiment", {}).get("name", "?")
        if other == experiment.name:
            got = f"a store of {other} as it was before a change to what decides its results"
        else:
            got = f"the store of experiment {other}"
        _refuse(out, f"a store of experiment {experiment.name}", got)
    if not resume:
        stored = len(_query(out, "select run_id from runs"))
        planned = manifest["counts"]["runs"]
        _refuse(
            out,
            "an empty or new folder, or --resume to continue the store in it",
            f"this experiment's store with {stored} of {planned} runs",
        )


def _refuse(out: Path, expected: str, got: str):
    raise sim.ScenarioError("--out", str(out), expected, got)


def _lock(out: Path):
    """Hold an exclusive lock on the store for as long as the returned file is open.

    The kernel drops the lock when the process dies, so a killed sweep never leaves it held.
    """
    lock_file = open(out / LOCK, "a+b")  # kept open: the open file is the lock
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one sweep per store is up to the user
        return lock_file
    try:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        _refuse(out, "a store no other sweep is writing to", "a store locked by a running sweep")
    return lock_file


def _connect(out: Path) -> sqlite3.Connection:
    """The ledger, for the sweep, in WAL mode: readers see committed rows while it writes."""
    ledger = sqlite3.connect(out / LEDGER, timeout=30)
    ledger.execute("pragma journal_mode = wal")
    ledger.execute("pragma synchronous = full")  # a committed chunk survives power loss
    ledger.execute(_LEDGER_SCHEMA)
    return ledger


class LedgerLost(Exception):
    """The ledger cannot say which runs are stored; the message says why."""


def query_ledger(out: Path, sql: str) -> list[tuple]:
    """Rows of a query on the ledger, read-only.

    Raises:
        LedgerLost: If the ledger is missing, not a database, malformed or holds no runs table.
        OSError: If it cannot be read here and now (a full disk, no permission).
    """
    if not (out / LEDGER).is_file():
        raise LedgerLost("missing")
    uri = (out / LEDGER).absolute().as_uri() + "?mode=rw"  # rw: never create it, as ro would
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as ledger:
            return ledger.execute(sql).fetchall()
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            raise LedgerLost("holds no runs table (emptied or cut short)") from None
        # Not damage: no room or no right to make the reader's shared-memory file, say.
        raise OSError(f"cannot read {out / LEDGER} ({err})") from None
    except sqlite3.DatabaseError as err:  # not a database, or a malformed one
        raise LedgerLost(f"unreadable ({short_error(err)})") from None


def _query(out: Path, sql: str) -> list[tuple]:
    """Rows of a query on the ledger; none if there is no usable ledger (yet)."""
    try:
        return query_ledger(out, sql)
    except LedgerLost:
        return []


def _read_ledger_of(out: Path, sql: str) -> list[tuple]:
    """Rows of a query on the ledger of a store being read: a lost ledger is an error.

    Raises:
        ScenarioError: The store's damage and its repair, unless a sweep holds the lock (in
            its first moment a new store has a manifest and no ledger yet).
    """
    from experiments.integrity import damaged, sweep_running  # it builds on this module

    try:
        return query_ledger(out, sql)
    except LedgerLost as lost:
        if sweep_running(out):
            return []
        raise damaged(out, [f"{LEDGER}: {lost}"]) from None


def short_error(err: BaseException, limit: int = 80) -> str:
    """An exception as ``Type: message`` on one line, cut to ``limit`` characters."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file's bytes under a hidden name, sync them, then rename the file into place."""
    write_whole(path, "wb", lambda f: f.write(data))


def _write_text_atomically(path: Path, text: str) -> None:
    write_whole(path, "w", lambda f: f.write(text))


def _reason(err: BaseException) -> str:
    """What an OS or SQLite error says, without a path (the message names the store)."""
    return getattr(err, "strerror", None) or short_error(err)


# --------------------------------------------------------------------------------------------
# Manifest and identity
# --------------------------------------------------------------------------------------------


def experiment_record(experiment: Experiment) -> dict:
    """The experiment as JSON-ready data (dates as ISO strings)."""
    return json.loads(json.dumps(asdict(experiment), default=_json_value))


def experiment_fingerprint(experiment: Experiment) -> str:
    """A hash of everything that decides the results: resuming needs the same one.

    It covers the scenario file's bytes, overrides, factors, design, replicates, master seed
    and what is recorded, but not the title or where the files are.
    """
    record = experiment_record(experiment)
    for key in ("name", "title", "source", "scenario"):
        record.pop(key)
    record["scenario_sha256"] = scenario_sha256(experiment.scenario)
    text = json.dumps(record, sort_keys=True, default=_json_value)
    return hashlib.sha256(text.encode()).hexdigest()


def scenario_sha256(scenario: str) -> str:
    """SHA-256 of the scenario file that ``scenario`` names."""
    return hashlib.sha256(Path(sim.load_scenario(scenario).source).read_bytes()).hexdigest()


def design_record(experiment: Experiment) -> dict:
    """The design for the manifest, with SALib's problem for the sampled designs.

    The analysers (Sobol, Morris) need the problem, and the points in SALib's order, which is
    the order of the runs' ``point``.
    """
    record = experiment_record(experiment)["design"] | {"factors": list(experiment.paths)}
    if experiment.design.kind in SAMPLED:
        record["salib_problem"] = salib_problem(experiment)
    return record


def _json_value(value: object) -> object:
    if isinstance(value, date):
        return {"date": value.isoformat()}  # tagged: a date is not the string "2022-03-09"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _manifest(experiment: Experiment, columns: Columns, counts: dict, fingerprint: str) -> dict:
    try:
        version = metadata.version("relocsim")
    except metadata.PackageNotFoundError:
        version = "unknown"
    setting = sim.load_scenario(experiment.scenario, experiment.overrides)
    return {
        "format": FORMAT,
        "experiment": experiment_record(experiment),
        "fingerprint": fingerprint,
        "scenario": {
            "name": setting.name,
            "file": os.path.basename(setting.source),
            "sha256": scenario_sha256(experiment.scenario),
        },
        "design": design_record(experiment),
        "counts": counts,
        "columns": columns.to_json(),
        "relocsim": version,
        "code": code_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def code_version(root: str | os.PathLike | None = None) -> dict | None:
    """The git commit of the checkout the model runs from, and whether its tracked files differ.

    A store records it so that its runs can be traced to their code; scoring a library warns
    of stores that another model ran (``other_models``), and refuses nothing, since the model
    may change on purpose between two sweeps.

    Args:
        root: The checkout's folder (default: the one above the ``sim`` package).

    Returns:
        ``{"commit": sha, "dirty": bool}``, or None where ``root`` is not the top of a git
        checkout (an installed copy, even one inside another repository) or git is missing.
    """
    root = _checkout_folder(root)

    def git(*args: str) -> str | None:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30
        )
        return done.stdout.strip() if done.returncode == 0 else None

    try:
        top = git("rev-parse", "--show-toplevel")
        if top is None or Path(top).resolve() != root:
            return None
        commit, status = git("rev-parse", "HEAD"), git("status", "--porcelain", "-uno")
    except (OSError, subprocess.SubprocessError):
        return None
    return None if commit is None or status is None else {"commit": commit, "dirty": bool(status)}


def _checkout_folder(root: str | os.PathLike | None) -> Path:
    """``root`` resolved, or by default the folder above the ``sim`` package."""
    return Path(root or Path(sim.__file__).resolve().parent.parent).resolve()


MODEL_CODE = ("sim", "agents")
"""The folders whose code makes a run's outcome (experiments/ only schedules and stores runs)."""


def other_models(recorded: list[dict | None], root: str | os.PathLike | None = None) -> dict:
    """Of the stores' recorded codes, those whose model may not be this checkout's, by reason.

    A store's model is this checkout's when it was run from a clean checkout whose model
    folders (``MODEL_CODE``) are the same as here, uncommitted changes included: so a commit
    that changed only docs or tests changes nothing. Where either side is unknown (an
    installed copy, or a store made before stores recorded their code) nothing is said.

    Args:
        recorded: The ``code`` entry of each store's manifest (``code_version``'s answer).
        root: This checkout's folder (default: the one above the ``sim`` package).

    Returns:
        ``{reason: number of stores}``, empty when every known model is this one.
    """
    root = _checkout_folder(root)
    if code_version(root) is None:
        return {}
    reasons, verdict = {}, {}
    for code in filter(None, recorded):
        short = code["commit"][:7]
        if code["dirty"]:
            reason = f"commit {short} with uncommitted changes"
        else:
            if code["commit"] not in verdict:
                verdict[code["commit"]] = subprocess.run(
                    ["git", "-C", str(root), "diff", "--quiet", code["commit"], "--",
                     *MODEL_CODE], capture_output=True, timeout=30,
                ).returncode  # fmt: skip
            differs = verdict[code["commit"]]
            if differs == 0:
                continue
            reason = (
                f"commit {short}, whose {' or '.join(MODEL_CODE)} differ from this checkout's"
                if differs == 1
                else f"commit {short}, which this checkout does not have"
            )
        reasons[reason] = reasons.get(reason, 0) + 1
    return reasons


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_manifest(out_dir: str | os.PathLike, missing_ok: bool = False) -> dict | None:
    """The store's manifest.

    Raises:
        ScenarioError: If the folder holds no readable manifest (unless ``missing_ok``).
    """
    path = Path(out_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        if missing_ok:
            return None
        raise sim.ScenarioError(
            "--out", str(out_dir), "a sweep store (with a manifest.json)", "none"
        ) from None


def read_ledger(out_dir: str | os.PathLike) -> "pd.DataFrame":
    """The ledger: one row per stored run, in design order.

    Raises:
        ScenarioError: If out_dir is not a store, or its ledger is lost (with the repair).
    """
    import pandas as pd  # here: a sweep's process, which only writes, never imports pandas

    read_manifest(out_dir)
    names = ["run_id", "point", "replicate", "seed", "status", "error", "seconds", "part"]
    sql = f"select {', '.join(names)} from runs order by point, replicate"
    return pd.DataFrame(_read_ledger_of(Path(out_dir), sql), columns=names)


def load_results(out_dir: str | os.PathLike) -> "pd.DataFrame":
    """The runs table of a store: one row per stored run, in design order.

    Safe while a sweep is writing: only parts that the ledger names are read (so each run
    appears once even in a store that a killed sweep left and no sweep has resumed yet).

    Args:
        out_dir: The store's folder (the ``--out`` of the sweep).

    Returns:
        Columns run_id, point, replicate, seed, status, error, the factors (named by their
        override paths), then the outcome columns of sim.OUTCOME_SCHEMA.

    Raises:
        ScenarioError: If out_dir is not a store, or the store has lost its ledger or a part
            the ledger names, or holds other runs than the ledger (one line, with the repair
            command), so that a damaged store never passes for a smaller sweep.
    """
    columns = Columns.from_json(read_manifest(out_dir)["columns"])
    return _load(out_dir, RUNS, columns.runs_schema(), ["point", "replicate"])


def load_series(out_dir: str | os.PathLike) -> "pd.DataFrame":
    """The kept weeks of every finished run (empty if the experiment kept no series).

    Raises:
        ScenarioError: As load_results.
    """
    columns = Columns.from_json(read_manifest(out_dir)["columns"])
    return _load(out_dir, SERIES, columns.series_schema(), ["point", "replicate", "week"])


def _load(out_dir, folder: str, schema, order: list[str]) -> "pd.DataFrame":
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    from experiments.integrity import damaged  # it builds on this module

    out = Path(out_dir)
    ledger = _read_ledger_of(out, "select part, run_id from runs")
    parts = sorted({part for part, _ in ledger})
    missing = [p for p in parts if not (out / folder / p).is_file()]
    if missing:
        raise damaged(out, [f"{folder}/{p}: missing (the ledger names it)" for p in missing])
    try:
        files = [str(out / folder / p) for p in parts]
        table = ds.dataset(files, schema=schema, format="parquet").to_table()
    except (pa.ArrowException, OSError, ValueError) as err:
        raise damaged(out, [f"{folder}/: a part is unreadable ({short_error(err)})"]) from None
    held = table.column("run_id").to_pylist() if folder == RUNS else None
    if held is not None and sorted(held) != sorted(run for _, run in ledger):
        problem = f"{RUNS}/: the parts hold {table.num_rows} runs, the ledger {len(ledger)}"
        raise damaged(out, [problem])
    # Nullable integers and booleans: a failed run's None must not turn them into floats.
    nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    frame = table.to_pandas(types_mapper=nullable.get)
    order = [c for c in order if c in schema.names]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)
