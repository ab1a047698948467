"""Whether a store tells the truth (``relocsim verify``), and how ``sweep --resume`` mends it.

A store is sound when its manifest is readable; its ledger is readable; every part the ledger
names is on disk (``runs/`` and, with series, ``series/``), readable, of the store's columns and
holds exactly the runs the ledger puts in it; and no other part lies beside them. ``report``,
``export`` and ``load_results`` refuse a store that is not, naming the repair command, so that
a lost part can never pass for a smaller sweep.

What ``--resume`` repairs, under the store's lock and before it runs anything:

- a ledger that is lost (deleted, emptied, unreadable) is rebuilt from the parts: every
  readable part of the store's columns is taken in name order, a part holding a run that an
  earlier one holds already is left out. The new ledger is written under a hidden name and
  renamed into place, so a crash during the rebuild leaves the old (lost) one to rebuild again.
  Parts carry no run times, so the rebuilt rows have none (``seconds`` is NULL);
- a part the ledger names that is missing, unreadable or holds other runs: its ledger rows are
  deleted first (one transaction), then its files, so that its runs run again.
"""

import contextlib
import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import sim
from experiments.columns import Columns
from experiments.store import (
    _LEDGER_FILES,
    _LEDGER_SCHEMA,
    LEDGER,
    LOCK,
    MANIFEST,
    RUNS,
    SERIES,
    LedgerLost,
    query_ledger,
    read_manifest,
)
from experiments.store import short_error as _short
from sim.folders import sync_folder

if TYPE_CHECKING:
    import pyarrow as pa

_OPENING = re.compile(r"^Could not open Parquet input source '[^']*': ")
_REBUILT = f".{LEDGER}.tmp"  # the ledger being rebuilt, renamed into place when complete


def ledger_parts(out: Path) -> dict[str, list[str]]:
    """The ledger's runs by part: part name -> run ids.

    Raises:
        LedgerLost: If the ledger is missing, unreadable or holds no runs table.
    """
    parts: dict[str, list[str]] = defaultdict(list)
    for part, run in query_ledger(out, "select part, run_id from runs order by run_id"):
        parts[part].append(run)
    return dict(parts)


def sweep_running(out: Path) -> bool:
    """Whether a sweep holds the store's lock (it may be between a part and its ledger rows)."""
    try:
        import fcntl
    except ImportError:  # no advisory locks (Windows): assume none, as the store does
        return False
    try:
        lock_file = open(out / LOCK, "rb")  # "rb": never created here
    except OSError:
        return False
    with lock_file:
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False  # closing the file released the shared lock


def part_runs(path: Path, schema: "pa.Schema") -> list[str]:
    """The run ids a part holds, after reading all of it.

    Raises:
        ValueError: Why the part cannot be used (missing, unreadable, other columns).
    """
    import pyarrow as pa  # here: a new sweep's process, which repairs nothing, needs none
    import pyarrow.parquet as pq

    if not path.is_file():
        raise ValueError("missing")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as err:
        reason = _OPENING.sub("", str(err))  # pyarrow names the path, which the line shows
        raise ValueError(f"unreadable ({_short(type(err)(reason))})") from None
    if not table.schema.equals(schema):
        raise ValueError("has other columns or types than the store's")
    return table.column("run_id").to_pylist()


def store_problems(out_dir) -> list[str]:
    """Everything wrong with a store, one line per problem (empty: it is sound).

    While a sweep writes, a part can be in place a moment before its ledger rows; parts the
    ledger does not name count as problems only when no sweep holds the store's lock.

    Raises:
        ScenarioError: If the folder is no store at all (nothing of one in it).
    """
    out = Path(out_dir)
    manifest = read_manifest(out, missing_ok=True)
    if manifest is None:
        if not ((out / LEDGER).exists() or (out / RUNS).is_dir()):
            read_manifest(out)  # raises: not a store
        return [f"{MANIFEST}: missing or unreadable (the store cannot be checked or resumed)"]
    try:
        columns = Columns.from_json(manifest["columns"])
        planned = int(manifest["counts"]["runs"])
        series = bool(manifest["experiment"]["series_every"])
    except (KeyError, TypeError, ValueError) as err:
        return [f"{MANIFEST}: not a manifest of this relocsim ({_short(err)})"]
    running = sweep_running(out)
    on_disk = _part_names(out / RUNS)
    try:
        ledger = ledger_parts(out)
    except LedgerLost as lost:
        if running:  # a new sweep's first moment: its ledger is being created
            return []
        held = f", while {RUNS}/ holds {len(on_disk)} parts" if on_disk else ""
        return [f"{LEDGER}: {lost}{held}"]
    problems = []
    stored = sum(len(ids) for ids in ledger.values())
    if stored > planned:
        problems.append(f"{LEDGER}: holds {stored} runs, the experiment has {planned}")
    folders = [(RUNS, columns.runs_schema())]
    if series:
        folders.append((SERIES, columns.series_schema()))
    for folder, schema in folders:
        for name, ids in sorted(ledger.items()):
            problem = _part_problem(out / folder / name, schema, ids, subset=folder == SERIES)
            if problem:
                problems.append(f"{folder}/{name}: {problem}")
        if not running:
            for name in sorted(_part_names(out / folder) - set(ledger)):
                problems.append(f"{folder}/{name}: not in the ledger (left by a killed sweep)")
    return problems


def _part_problem(path: Path, schema: "pa.Schema", ids: list[str], subset: bool) -> str | None:
    """Why a part the ledger names is not what the ledger says, or None."""
    try:
        held = part_runs(path, schema)
    except ValueError as err:
        return f"{err} (the ledger has {len(ids)} runs in it)"
    if subset:  # series parts hold the finished runs of the chunk, one row per kept week
        return None if set(held) <= set(ids) else "holds weeks of runs the ledger puts elsewhere"
    if sorted(held) != sorted(ids):
        return f"holds {len(held)} runs, the ledger {len(ids)}" + (
            "" if len(held) != len(ids) else " (other ones)"
        )
    return None


def repair_command(out_dir, manifest: dict | None = None) -> str:
    """The command that repairs the store: its experiment's sweep, resumed."""
    out = Path(out_dir)
    manifest = manifest or read_manifest(out, missing_ok=True)
    if manifest is None:
        return "none: a store without its manifest cannot be resumed; sweep into a new folder"
    source = manifest.get("experiment", {}).get("source", "")
    if source and Path(source).is_file():
        file = source
    elif (out / "experiment.toml").is_file():
        file = str(out / "experiment.toml")
    else:
        return f"experiments.sweep(EXPERIMENT, {str(out)!r}, resume=True)"
    return f"relocsim sweep {file} --out {out} --resume"


def damaged(out_dir, problems: list[str]) -> sim.ScenarioError:
    """The one-line error of a store that is not sound, with the command that repairs it."""
    more = f" (and {len(problems) - 1} more: relocsim verify {out_dir})" if problems[1:] else ""
    return sim.ScenarioError(
        "DIR",
        str(out_dir),
        "a sound sweep store",
        f"{problems[0]}{more}; repair it with: {repair_command(out_dir)}",
    )


def require_sound(out_dir) -> None:
    """Raise ``damaged`` unless the store is sound (``report`` and ``export`` call it first)."""
    problems = store_problems(out_dir)
    if problems:
        raise damaged(out_dir, problems)


# --------------------------------------------------------------------------------------------
# Repairs (``sweep --resume``, under the store's lock)
# --------------------------------------------------------------------------------------------


def repair(out: Path, columns: Columns, series: bool) -> list[str]:
    """Mend the store before a resumed sweep; one line per repair made.

    Args:
        out: The store, locked by the caller.
        columns: Its columns (from the probe, which the manifest's fingerprint vouches for).
        series: Whether its runs keep series parts.
    """
    lost = None
    try:
        ledger = ledger_parts(out)
    except LedgerLost as err:
        if not _part_names(out / RUNS):  # nothing to rebuild from: a new ledger will do
            return []
        ledger, lost = {}, str(err)
    schemas = {RUNS: columns.runs_schema()}  # after the return above: a new store needs none
    if series:
        schemas[SERIES] = columns.series_schema()
    if lost is not None:
        return [_rebuild_ledger(out, schemas, lost)]
    damaged_parts = {}
    for name, ids in ledger.items():
        for folder, schema in schemas.items():
            problem = _part_problem(out / folder / name, schema, ids, subset=folder == SERIES)
            if problem:
                damaged_parts[name] = (folder, problem, len(ids))
                break
    if not damaged_parts:
        return []
    _forget_parts(out, sorted(damaged_parts))
    return [
        f"{folder}/{name}: {problem.split(' (the ledger')[0]}; its {count} runs run again"
        for name, (folder, problem, count) in sorted(damaged_parts.items())
    ]


def _forget_parts(out: Path, names: list[str]) -> None:
    """Delete parts' ledger rows (one transaction), then their files."""
    with contextlib.closing(sqlite3.connect(out / LEDGER, timeout=30)) as ledger, ledger:
        ledger.executemany("delete from runs where part = ?", [(n,) for n in names])
    for name in names:
        for folder in (RUNS, SERIES):
            (out / folder / name).unlink(missing_ok=True)


def _rebuild_ledger(out: Path, schemas: dict[str, "pa.Schema"], why: str) -> str:
    """Write a new ledger from the readable parts; parts it leaves out are deleted later."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows, kept, seen = [], 0, set()
    names = sorted(_part_names(out / RUNS))
    for name in names:
        try:
            tables = {f: pq.read_table(out / f / name) for f in schemas}
        except (pa.ArrowException, OSError, ValueError):
            continue  # unreadable or missing: its runs run again
        runs = tables[RUNS]
        if not all(tables[f].schema.equals(s) for f, s in schemas.items()):
            continue
        ids = runs.column("run_id").to_pylist()
        if seen.intersection(ids) or len(set(ids)) != len(ids):
            continue  # a part holding a run another holds: kept once, from the first
        seen.update(ids)
        kept += 1
        keys = ("run_id", "point", "replicate", "seed", "status", "error")
        for row in zip(*(runs.column(k).to_pylist() for k in keys), strict=True):
            rows.append((*row, None, name))
    tmp = out / _REBUILT
    tmp.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(tmp)) as ledger:
        with ledger:
            ledger.execute(_LEDGER_SCHEMA)
            ledger.executemany("insert into runs values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for stale in _LEDGER_FILES[1:]:  # an old write-ahead log must not replay into the new file
        (out / stale).unlink(missing_ok=True)
    tmp.replace(out / LEDGER)
    sync_folder(out)
    left = len(names) - kept
    dropped = f"; {left} unreadable or duplicate parts left out, their runs run again"
    return f"{LEDGER}: {why}; rebuilt from {kept} parts ({len(rows)} runs){dropped if left else ''}"


def _part_names(folder: Path) -> set[str]:
    """Names of the complete parts in a folder (temporary files start with a dot)."""
    if not folder.is_dir():
        return set()
    return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
