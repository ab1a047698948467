"""The store's pieces: column types, leftovers of a crash, progress settings, chunk sizes."""

import re
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

import experiments
import experiments.local
import sim
from experiments.columns import OUTCOME_TYPES
from experiments.progress import progress_shown
from experiments.store import code_version, other_models
from experiments.sweeper import MAX_WORKERS, chunk_size_for

TINY = """
scenario = "season2_2020"
replicates = 3
master_seed = 11

[overrides]
horizon = 2020-09-07            # 7 weeks

[[factors]]
path = "parameters.timing.blame_weight"
levels = [2.0, 30.0]
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def test_every_outcome_column_has_a_type():
    # A column sim adds must get a type here, or all-None parts would type it differently.
    assert set(OUTCOME_TYPES) == set(sim.OUTCOME_SCHEMA)


def test_types_hold_where_every_value_is_none(tiny, tmp_path):
    experiments.sweep(tiny, tmp_path / "out", workers=1, chunk_size=2, progress=False)
    parts = [pd.read_parquet(p) for p in sorted((tmp_path / "out/runs").iterdir())]
    assert any(part["blueprint_week"].isna().all() for part in parts)  # typed all the same:
    assert len({str(part.dtypes.to_dict()) for part in parts}) == 1
    table = experiments.load_results(tmp_path / "out")
    assert str(table["blueprint_week"].dtype) == "Int64"  # None stays <NA>, not a float NaN
    assert str(table["blueprint_before_presidential_2022"].dtype) == "boolean"


def test_resume_drops_parts_the_ledger_does_not_name(tiny, tmp_path):
    out = tmp_path / "out"
    experiments.sweep(tiny, out, workers=1, chunk_size=2, progress=False)
    reference = experiments.load_results(out)
    # What a SIGKILL can leave: a part renamed into place before its ledger rows (here a
    # copy under another name) and a half-written temporary file.
    first = sorted((out / "runs").iterdir())[0]
    shutil.copy(first, out / "runs" / "part-p00009r0000.parquet")
    (out / "runs" / ".part-p00009r0001.parquet.tmp").write_bytes(b"PAR1 half")
    assert len(experiments.load_results(out)) == len(reference)  # readers go by the ledger
    assert len(pd.read_parquet(out / "runs")) == len(reference) + 2  # (the orphan is seen)
    again = experiments.sweep(tiny, out, workers=1, resume=True, progress=False)
    assert again.ran == 0 and again.skipped == len(reference)
    assert {p.name for p in (out / "runs").iterdir()} == set(experiments.read_ledger(out)["part"])
    assert (
        pd.read_parquet(out / "runs")
        .sort_values("run_id")
        .reset_index(drop=True)
        .equals(
            pd.read_parquet(out / "runs")
            .drop_duplicates()
            .sort_values("run_id")
            .reset_index(drop=True)
        )
    )
    pd.testing.assert_frame_equal(experiments.load_results(out), reference)


def test_a_store_locked_by_a_running_sweep_is_refused(tiny, tmp_path):
    out = tmp_path / "out"
    experiment = experiments.load_experiment(tiny)
    from experiments.columns import probe
    from experiments.store import open_store

    columns = probe(experiment)
    with open_store(out, experiment, columns, {"runs": 6}, resume=False):
        with pytest.raises(sim.ScenarioError, match="locked by a running sweep"):
            experiments.sweep(tiny, out, workers=1, resume=True, progress=False)


def test_progress_bar_is_off_without_a_terminal_and_with_tqdm_disable(monkeypatch):
    class Terminal:
        def isatty(self):
            return True

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert progress_shown(True) and not progress_shown(False)
    for value, shown in (("1", False), ("true", False), ("0", True), ("", True)):
        monkeypatch.setenv("TQDM_DISABLE", value)
        assert progress_shown(True) is shown, value
    monkeypatch.delenv("TQDM_DISABLE")
    monkeypatch.setattr("sys.stderr", None)
    assert not progress_shown(True)


LINE = re.compile(
    r"tiny: (\d+) of 6 runs stored \((\d+) done, (\d+) failed\), ([\d.]+) runs/s, "
    r"expected end (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in \d+ s\)|unknown .*)"
)


def test_without_a_terminal_a_sweep_logs_progress_lines(tiny, tmp_path, monkeypatch, capsys):
    # stderr is captured (not a terminal): lines, not a bar. Every 30 s in real use; here often,
    # so that a sweep of a few seconds writes several, while its runs hold the main thread.
    monkeypatch.setattr("experiments.progress.LOG_EVERY", 0.02)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    run_chunk = experiments.local.run_chunk

    def slow_chunk(task):  # the chunk holds the main thread for 0.2 s whatever the model's speed
        busy_until = time.monotonic() + 0.2
        while time.monotonic() < busy_until:
            pass
        return run_chunk(task)

    monkeypatch.setattr("experiments.local.run_chunk", slow_chunk)
    experiments.sweep(tiny, tmp_path / "out", workers=1, chunk_size=6)  # one chunk: one update
    lines = capsys.readouterr().err.splitlines()
    found = [LINE.fullmatch(line) for line in lines]
    assert len(lines) >= 2 and all(found), lines
    stored = [int(m[1]) for m in found]
    assert stored == sorted(stored) and stored[0] == 0  # none before the only chunk came back
    assert all(int(m[1]) == int(m[2]) + int(m[3]) for m in found)
    experiments.sweep(tiny, tmp_path / "quiet", workers=1, progress=False)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    experiments.sweep(tiny, tmp_path / "disabled", workers=1)
    assert capsys.readouterr().err == ""


def test_chunks_are_small_tasks_of_at_most_64_runs():
    assert chunk_size_for(20_000, 2) == 64
    assert chunk_size_for(160, 2) == 20
    assert chunk_size_for(3, 8) == 1


def test_python_api_rejects_unknown_backends_and_bad_workers(tiny, tmp_path):
    with pytest.raises(ValueError, match="backend 'ray' is not available"):
        experiments.sweep(tiny, tmp_path / "out", backend="ray")
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        experiments.sweep(tiny, tmp_path / "out", workers=0)
    with pytest.raises(ValueError, match=f"workers must be at most {MAX_WORKERS}"):
        experiments.sweep(tiny, tmp_path / "out", workers=MAX_WORKERS + 1)
    assert not (tmp_path / "out").exists()


def test_the_readmes_duckdb_line_reads_a_store(tiny, tmp_path, monkeypatch):
    # DuckDB is the `duckdb` extra, which `make demo` and `make test` install (via .[dev]).
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = next(b for b in readme.split("```python\n") if b.startswith("import duckdb"))
    *setup, query = block.split("```")[0].strip().splitlines()
    assert "results/timing" in query
    monkeypatch.chdir(tmp_path)
    experiments.sweep(tiny, "results/timing", workers=1, progress=False)
    namespace: dict = {}
    exec("\n".join(setup), namespace)
    rows = eval(query, namespace).df()
    table = experiments.load_results("results/timing")
    assert sorted(rows["run_id"]) == sorted(table["run_id"]) and len(rows) == 6
    assert set(table.columns) <= set(rows.columns)  # dotted factor names come through


def _git(folder, *args):
    command = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=True).stdout


def test_a_store_records_the_commit_its_code_came_from_and_whether_it_was_changed(tmp_path):
    repo = tmp_path / "checkout"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "model.py").write_text("x = 1\n")
    _git(repo, "add", "model.py")
    _git(repo, "commit", "-q", "-m", "first")
    head = _git(repo, "rev-parse", "HEAD").strip()
    assert code_version(repo) == {"commit": head, "dirty": False}
    (repo / "notes.txt").write_text("untracked files are not the code's\n")
    assert code_version(repo) == {"commit": head, "dirty": False}
    (repo / "model.py").write_text("x = 2\n")
    assert code_version(repo) == {"commit": head, "dirty": True}
    # An installed copy inside some repository (a virtual environment in a checkout, say) is
    # not that checkout's code; a folder outside any is nobody's.
    (repo / "site-packages").mkdir()
    assert code_version(repo / "site-packages") is None
    assert code_version(tmp_path) is None


def test_stores_of_another_model_are_told_apart_from_this_checkouts(tmp_path):
    repo = tmp_path / "checkout"
    for folder in ("sim", "agents", "docs"):
        (repo / folder).mkdir(parents=True)
        (repo / folder / "a.py").write_text("x = 1\n")
    _git(repo, "init", "-q")

    def commit(message):
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", message)
        return {"commit": _git(repo, "rev-parse", "HEAD").strip(), "dirty": False}

    first = commit("first")
    (repo / "docs" / "a.py").write_text("x = 2\n")
    docs_only = commit("docs")
    assert other_models([first, docs_only, None], repo) == {}  # same model; unknown: silent
    (repo / "agents" / "a.py").write_text("x = 3\n")
    model_changed = commit("model")
    assert other_models([first, docs_only, model_changed], repo) == {
        f"commit {first['commit'][:7]}, whose sim or agents differ from this checkout's": 1,
        f"commit {docs_only['commit'][:7]}, whose sim or agents differ from this checkout's": 1,
    }
    dirty = {**model_changed, "dirty": True}
    stranger = {"commit": "f" * 40, "dirty": False}
    assert other_models([dirty, dirty, stranger], repo) == {
        f"commit {model_changed['commit'][:7]} with uncommitted changes": 2,
        f"commit {'f' * 7}, which this checkout does not have": 1,
    }
    # Uncommitted changes here count too; an installed copy compares nothing.
    (repo / "sim" / "a.py").write_text("x = 4\n")
    assert list(other_models([model_changed], repo).values()) == [1]
    assert other_models([model_changed], tmp_path) == {}


def test_the_manifest_carries_the_code_version(tiny, tmp_path):
    experiments.sweep(tiny, tmp_path / "store", workers=1, progress=False)
    manifest = experiments.read_manifest(tmp_path / "store")
    assert manifest["code"] == code_version()
