"""The notebooks run top to bottom, hold no outputs, use only the public API, and the lessons
keep the NetLogo Info-tab form with exercises the parameter cell can answer (docs/notebooks.md).

Each notebook is executed by nbclient in a kernel of the interpreter running pytest (the
project's .venv), from the notebook's own folder, as Jupyter would. Run times go to
results/test-artifacts/notebook-times.json; as everywhere in the project, they are not asserted.
"""

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import experiments
import sim
import sim.plots
from tests.conftest import limit_file_size

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "results" / "test-artifacts"
EXPLORATION = ("01_one_run.ipynb", "02_election_timing.ipynb", "03_sensitivity_prim.ipynb")
SECTIONS = (
    "WHAT IS IT?",
    "HOW IT WORKS",
    "HOW TO USE IT",
    "THINGS TO NOTICE",
    "THINGS TO TRY",
    "EXTENDING THE MODEL",
)
HIDDEN = {"source_hidden": True, "outputs_hidden": True}
CELL_TIMEOUT = 300  # seconds: a hang guard, far above any cell's run time
# Injected before the first cell: deprecated API used by the notebook's code or by relocsim is
# an error inside the kernel too, as in pytest's settings (pyproject.toml), so that a notebook
# cannot rot silently. Only warnings attributed to those modules: the kernel's own machinery
# (ipykernel warns at shutdown, for one) is not ours to fix.
STRICT_WARNINGS = (
    "import warnings\n"
    "for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):\n"
    "    warnings.filterwarnings(\n"
    "        'error', category=category, module=r'(__main__|sim|experiments|agents)(\\..*)?$'\n"
    "    )"
)


def _load_tool():
    spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools/notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()
NOTEBOOKS = tool.find_notebooks(ROOT / "notebooks")
LESSONS = [p for p in NOTEBOOKS if p.parent.name == "lessons"]


def _id(path: Path) -> str:
    folder = ROOT / "notebooks"
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else path.name


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _parse(source: str) -> ast.Module:
    # IPython magics and shell escapes are not Python; none is expected, but skip them.
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def test_the_exploration_notebooks_and_at_least_three_lessons_are_there():
    names = {p.name for p in NOTEBOOKS if p.parent.name == "notebooks"}
    assert set(EXPLORATION) <= names
    assert len(LESSONS) >= 3
    assert any(p.name.startswith("01_") for p in LESSONS)  # the lesson `make lesson` opens


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_runs_top_to_bottom(path):
    nb = _read(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(STRICT_WARNINGS))
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.executable, end='')"))
    client = NotebookClient(
        nb,
        kernel_name=tool.KERNEL,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    # The kernel ran on the project's interpreter, not on whatever "python3" the PATH offers.
    assert nb.cells[-1].outputs[0]["text"] == sys.executable
    errors = [o for c in _code(nb) for o in c.outputs if o.output_type == "error"]
    assert not errors
    _record_time(path, seconds)


def _record_time(path: Path, seconds: float) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "notebook-times.json"
    times = json.loads(target.read_text()) if target.exists() else {}
    times[_id(path)] = round(seconds, 1)
    target.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_committed_notebook_holds_no_outputs(path):
    found = tool.problems(_read(path))
    assert not found, f"{_id(path)}: {found}; run `make strip-notebooks` before committing"


def test_strip_removes_outputs_and_keeps_the_hidden_answers(tmp_path):
    lesson = LESSONS[0]
    clean = _read(lesson)
    dirty = _read(lesson)
    for k, cell in enumerate(_code(dirty)):
        cell.execution_count = k + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="stale\n")]
        cell.metadata["execution"] = {"iopub.status.busy": "2020-07-20T00:00:00Z"}
    dirty.metadata["language_info"] = {"name": "python", "version": "3.13.0"}
    dirty.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    target = tmp_path / lesson.name
    nbformat.write(dirty, target)
    assert tool.main(["check", str(target)]) == 1
    assert tool.main(["strip", str(target)]) == 0
    stripped = _read(target)
    assert tool.problems(stripped) == []
    assert [c.source for c in stripped.cells] == [c.source for c in clean.cells]
    assert [c.metadata for c in stripped.cells] == [c.metadata for c in clean.cells]
    assert tool.main(["check", str(target)]) == 0


def _tiny_notebook(folder: Path, *sources: str) -> Path:
    """A notebook of the given code cells, beside a file it may read by a relative path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "beside.txt").write_text("read from the notebook's own folder")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": tool.KERNEL, "display_name": "Python 3"}
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def _run_tool(*args: str, **options) -> subprocess.CompletedProcess:
    """tools/notebooks.py as a student runs it: its own process, its real exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "tools/notebooks.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        **options,
    )


def test_execute_out_writes_an_executed_copy_and_leaves_the_notebook_alone(tmp_path, capsys):
    source = _tiny_notebook(tmp_path / "src", "print(open('beside.txt').read())")
    before = source.read_bytes()
    out = tmp_path / "executed"
    assert tool.main(["execute", "--out", str(out), str(source)]) == 0
    assert source.read_bytes() == before
    copy = _read(out / "tiny.ipynb")
    cell = _code(copy)[0]
    assert cell.execution_count == 1
    # The kernel ran in the notebook's folder, so its relative path found the file beside it.
    assert cell.outputs[0]["text"] == "read from the notebook's own folder\n"
    assert sorted(p.name for p in out.iterdir()) == ["tiny.ipynb"]  # no temporary file left
    printed = capsys.readouterr().out
    assert re.search(r"tiny\.ipynb \.\.\. executed in \d+\.\d s, written to .*tiny", printed)
    assert "strip" not in printed  # nothing to strip: the notebook itself was not written


def test_execute_out_keeps_the_layout_below_notebooks(tmp_path):
    lesson = LESSONS[0]
    assert tool.copy_path(lesson, tmp_path) == tmp_path / "lessons" / lesson.name
    relative = Path(os.path.relpath(lesson))  # as typed in a shell, from wherever pytest runs
    assert tool.copy_path(relative, tmp_path) == tmp_path / "lessons" / lesson.name


def test_execute_without_out_writes_the_outputs_in_place(tmp_path):
    source = _tiny_notebook(tmp_path, "print(6 * 7)")
    assert tool.main(["execute", str(source)]) == 0
    assert _code(_read(source))[0].outputs[0]["text"] == "42\n"


def test_a_notebook_that_fails_or_cannot_be_saved_is_not_written(tmp_path):
    failing = _tiny_notebook(tmp_path / "failing", "1 / 0")
    large = _tiny_notebook(tmp_path / "large", "print('x' * 2_000_000)")
    out = tmp_path / "executed"
    out.mkdir()
    (out / "tiny.ipynb").write_text("an earlier copy")
    for source, reason in (
        (failing, "ZeroDivisionError"),
        (large, "could not write .*: File too large"),
    ):
        done = _run_tool(
            "execute",
            "--out",
            str(out),
            str(source),
            preexec_fn=limit_file_size(1_000_000),  # less than the large notebook's output
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        assert re.search(rf"failed after .*\({reason}.*\), not written", done.stdout)
    # The earlier copy is whole, and no half-written or temporary file is left beside it.
    assert (out / "tiny.ipynb").read_text() == "an earlier copy"
    assert sorted(p.name for p in out.iterdir()) == ["tiny.ipynb"]


@pytest.mark.parametrize("case", ["out is a file", "out under a file", "missing notebook"])
def test_unusable_arguments_fail_in_one_line_with_exit_2_before_anything_runs(tmp_path, case):
    source = _tiny_notebook(tmp_path / "src", "print('ran')")
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    missing = tmp_path / "missing.ipynb"
    # (--out, the notebooks, the argument the message must name)
    out, notebooks, named = {
        "out is a file": (a_file, [source], f"--out {a_file}"),
        "out under a file": (a_file / "executed", [source], f"--out {a_file / 'executed'}"),
        # A good notebook first: it must not run, nor its copy be written, before the bad one
        # is found.
        "missing notebook": (tmp_path / "executed", [source, missing], f"NOTEBOOK {missing}"),
    }[case]
    done = _run_tool("execute", "--out", str(out), *map(str, notebooks))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"{named}: expected" in done.stderr
    assert a_file.read_text() == "not a folder"
    assert not (tmp_path / "executed").exists()
    assert sorted(p.name for p in source.parent.iterdir()) == ["beside.txt", "tiny.ipynb"]


def test_help_explains_each_command_and_option():
    done = _run_tool("--help")
    assert done.returncode == 0
    for command in ("strip", "check", "execute", "--out DIR"):
        assert command in done.stdout
    done = _run_tool("execute", "--help")
    assert done.returncode == 0
    assert "--out DIR" in done.stdout and "NOTEBOOK" in done.stdout


def _dotted(node) -> str | None:
    """``sim.plots`` for the expression ``sim.plots``; None for anything but names and dots."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (owner := _dotted(node.value)):
        return f"{owner}.{node.attr}"
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_uses_only_the_public_api(path):
    # The public modules and their names; sim.plots holds the notebooks' plotting helpers.
    public = {
        "sim": set(sim.__all__),
        "sim.plots": set(sim.plots.__all__),
        "experiments": set(experiments.__all__),
    }
    wrong = []
    for cell in _code(_read(path)):
        for node in ast.walk(_parse(cell.source)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top == "agents" or (top in public and alias.name not in public):
                        wrong.append(f"import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module:
                top = node.module.split(".")[0]
                if top == "agents" or (top in public and node.module not in public):
                    wrong.append(f"from {node.module} import ...")
                elif top in public:
                    names = public[node.module]
                    wrong += [f"{node.module}.{a.name}" for a in node.names if a.name not in names]
            elif (
                isinstance(node, ast.Attribute)
                and (owner := _dotted(node.value)) in public
                and node.attr not in public[owner]
                and f"{owner}.{node.attr}" not in public  # sim.plots itself
            ):
                wrong.append(f"{owner}.{node.attr}")
    assert not wrong, f"{_id(path)} reaches past the public API: {sorted(set(wrong))}"


def _parameters(nb) -> tuple[int, set[str]]:
    """Index and assigned names of the notebook's parameter cell (tagged "parameters")."""
    tagged = [k for k, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    tree = _parse(nb.cells[tagged[0]].source)
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    return tagged[0], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_every_control_in_the_parameter_cell_is_used(path):
    nb = _read(path)
    where, controls = _parameters(nb)
    used = {
        node.id
        for cell in nb.cells[where + 1 :]
        if cell.cell_type == "code"
        for node in ast.walk(_parse(cell.source))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    assert controls and controls <= used, f"controls never used: {sorted(controls - used)}"


def _headings(nb) -> list[tuple[int, str]]:
    return [
        (k, line[3:].strip())
        for k, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_lesson_has_the_info_tab_sections_in_order(path):
    titles = [title for _, title in _headings(_read(path))]
    assert [t for t in titles if t in SECTIONS] == list(SECTIONS)


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_each_exercise_has_a_hidden_worked_answer_the_controls_can_reach(path):
    nb = _read(path)
    at = dict((title, k) for k, title in _headings(nb))
    cells = nb.cells[at["THINGS TO TRY"] : at["EXTENDING THE MODEL"]]
    _, controls = _parameters(nb)
    exercises = answers = 0
    for k, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for number, text in re.findall(r"^(\d+)\. (.+?)(?=^\d+\. |\Z)", cell.source, re.M | re.S):
            exercises += 1
            # Controls appear in backticks, alone or with a value: `SEEDS`, `COHESION = 1.0`.
            named = set(re.findall(r"`([A-Z][A-Z0-9_]+)(?:\s*=[^`]*)?`", text))
            assert named, f"exercise {number} names no control of the parameter cell"
            assert named <= controls, f"exercise {number}: {sorted(named - controls)} not controls"
        following = cells[k + 1] if k + 1 < len(cells) else None
        if following is not None and following.cell_type == "code":
            assert following.metadata.get("jupyter") == HIDDEN, "answer cells start collapsed"
            answers += 1
    assert exercises >= 3
    assert answers == exercises, "one collapsed worked answer after each exercise"


def test_make_lesson_opens_the_first_lesson_and_the_readme_says_so():
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^lesson:.*?(?=^\S|\Z)", makefile, re.M | re.S)
    assert target, "the Makefile has a lesson target"
    opened = re.search(r"notebooks/lessons/\S+\.ipynb", target.group(0))
    assert opened and (ROOT / opened.group(0)).is_file()
    assert "127.0.0.1" in target.group(0)
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Notebooks and lessons", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in section and "make lesson" in section
