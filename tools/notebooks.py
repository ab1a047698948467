"""Strip, check or execute the project's notebooks (notebooks/ and notebooks/lessons/).

Committed notebooks hold no outputs: a stale output misleads a reader and makes every diff
noisy. Readers who want to see the outputs without running cells one by one execute the
notebooks into a folder of their own (``execute --out DIR``), or in place (``make notebooks``)
and strip them again before committing (``make strip-notebooks``). The test suite executes
every notebook itself (tests/test_notebooks.py) and fails if a notebook holds outputs.

Usage::

    .venv/bin/python tools/notebooks.py strip [NOTEBOOK ...]     # remove outputs, in place
    .venv/bin/python tools/notebooks.py check [NOTEBOOK ...]     # exit 1 if any has outputs
    .venv/bin/python tools/notebooks.py execute [NOTEBOOK ...]   # run top to bottom, in place
    .venv/bin/python tools/notebooks.py execute --out DIR [NOTEBOOK ...]  # copies under DIR

Without NOTEBOOK arguments, each command takes every notebook under notebooks/. Arguments
that cannot be used (a NOTEBOOK that is not there, a DIR that is a file) stop the command
before anything runs or is written, with one line on stderr and exit code 2.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat

from experiments.store import short_error, write_whole

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "python3"  # the kernel of the interpreter that runs this script (see execute)
# Notebook metadata worth keeping; everything else (versions, widget state) is written by a
# particular Jupyter on a particular machine and would change with every execution.
KEPT_METADATA = ("kernelspec",)
# Cell metadata worth keeping: tags (e.g. "parameters") and JupyterLab's collapsed state, which
# hides the lessons' worked answers.
KEPT_CELL_METADATA = ("tags", "jupyter")


def find_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every notebook under ``folder``, sorted, without Jupyter's checkpoint copies."""
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def problems(nb) -> list[str]:
    """What makes a notebook unfit to commit: outputs, execution counts, machine metadata.

    Args:
        nb: A notebook read with nbformat.

    Returns:
        One line per problem; empty if the notebook is clean.
    """
    found = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {k}: has {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            found.append(f"cell {k}: has execution count {cell.execution_count}")
        extra = sorted(set(cell.metadata) - set(KEPT_CELL_METADATA))
        if extra:
            found.append(f"cell {k}: has metadata {extra}")
    extra = sorted(set(nb.metadata) - {*KEPT_METADATA, "language_info"})
    if extra:
        found.append(f"notebook: has metadata {extra}")
    if set(nb.metadata.get("language_info", {})) - {"name"}:
        found.append("notebook: language_info records a Python version")
    return found


def strip(nb):
    """Remove outputs, execution counts and machine-specific metadata, in place.

    Args:
        nb: A notebook read with nbformat.

    Returns:
        The same notebook.
    """
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in set(cell.metadata) - set(KEPT_CELL_METADATA):
            del cell.metadata[key]
    for key in set(nb.metadata) - set(KEPT_METADATA):
        del nb.metadata[key]
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def execute(path: Path, timeout: int = 600):
    """Run a notebook top to bottom in its own folder, as Jupyter would; return it.

    The kernel is ``python3`` as seen from this interpreter: jupyter_client starts it with
    ``sys.executable``, so running this script with .venv/bin/python runs the notebook in
    the project's virtualenv. The kernel's working directory is the notebook's folder even
    when the executed copy goes elsewhere, so that paths written relative to the notebook
    (the sweeps' ``OUT = "../results/..."``) mean what they say.

    Args:
        path: The notebook.
        timeout: Seconds any one cell may take before the run is abandoned.

    Raises:
        nbclient.exceptions.CellExecutionError: If a cell raises.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=timeout, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    return nb


def copy_path(path: Path, out: Path) -> Path:
    """Where ``execute --out`` writes the executed copy of ``path``.

    A notebook under notebooks/ keeps its place below it (``out/lessons/01_....ipynb``), so
    that the copies sit together as the originals do; any other notebook goes to ``out``
    under its own name.

    Args:
        path: The notebook.
        out: The folder of executed copies.
    """
    resolved = path.resolve()
    if resolved.is_relative_to(NOTEBOOKS):
        return out / resolved.relative_to(NOTEBOOKS)
    return out / path.name


def write_notebook(nb, target: Path) -> None:
    """Write a notebook whole or not at all: a failed write leaves the old file, if any."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_whole(target, "w", lambda f: nbformat.write(nb, f))


def _input_error(paths: list[Path], out: Path | None) -> str | None:
    """The first argument that cannot be used, as one line naming it; None if all can.

    Checked before anything runs, so that a typo in the last argument does not cost the
    minutes of the notebooks before it, nor leave some copies written and others not.
    """
    for path in paths:
        if not path.is_file():
            found = "a folder" if path.is_dir() else "nothing"
            return f"NOTEBOOK {path}: expected a notebook file (.ipynb), found {found}"
        try:
            nbformat.read(path, as_version=4)
        except Exception as err:  # nbformat raises JSON, validation and decoding errors alike
            reason = short_error(err)
            return f"NOTEBOOK {path}: expected a notebook file (.ipynb), cannot read it ({reason})"
    if out is None:
        return None
    if out.exists() and not out.is_dir():
        return f"--out {out}: expected a folder (or a path to create one at), found a file"
    blocking = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        return f"--out {out}: expected a folder, but {blocking} is a file"
    if out.resolve().is_relative_to(NOTEBOOKS):
        # Copies there would be taken for notebooks: the tests and `make notebooks` would run
        # them, and the committed notebooks themselves could be overwritten.
        return f"--out {out}: expected a folder outside notebooks/ ({NOTEBOOKS})"
    sources: dict[Path, Path] = {}
    for path in paths:
        target = copy_path(path, out).resolve()
        if target == path.resolve():
            return f"--out {out}: expected a folder other than the one {path} is in"
        if target in sources:
            other = sources[target]
            return f"NOTEBOOK {path}: expected one notebook per copy, {other} also goes to {target}"
        sources[target] = path
    return None


def _execute_and_write(path: Path, target: Path) -> str | None:
    """Execute ``path`` and write it to ``target``; why it failed, or None.

    A failed notebook is not written: a copy with half its outputs would pass for a finished
    one, and an earlier copy at ``target`` is better kept whole.
    """
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    try:
        nb = execute(path)
    except CellExecutionError as err:
        # nbclient's message holds the cell and its whole traceback; the exception suffices.
        return f"{err.ename}: {err.evalue}"
    except (CellTimeoutError, DeadKernelError) as err:
        return short_error(err, limit=200)
    try:
        write_notebook(nb, target)
    except OSError as err:
        return f"could not write {target}: {err.strerror}"
    return None


def _execute_all(paths: list[Path], out: Path | None) -> int:
    """Execute each notebook, report its wall time, write it; the exit code (1: any failed)."""
    status = 0
    for k, path in enumerate(paths, start=1):
        target = path if out is None else copy_path(path, out)
        print(f"[{k}/{len(paths)}] {path} ...", end=" ", flush=True)
        started = time.perf_counter()
        failure = _execute_and_write(path, target)
        seconds = time.perf_counter() - started
        if failure is not None:
            print(f"failed after {seconds:.1f} s ({failure}), not written")
            status = 1  # the others still run: one broken notebook should not hide the rest
        else:
            written = "" if out is None else f", written to {target}"
            print(f"executed in {seconds:.1f} s{written}")
    if out is None:
        print("Strip the outputs before committing: make strip-notebooks")
    return status


def _parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per action, each with its own --help."""
    summary, usage = __doc__.split("\n\n")[0], __doc__.split("Usage::\n\n")[1].split("\n\n")[0]
    parser = argparse.ArgumentParser(
        prog="tools/notebooks.py",
        description=summary,
        epilog=f"examples:\n{usage}\n\n`tools/notebooks.py COMMAND --help` says more.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    notebooks_help = "notebook files; default: every notebook under notebooks/, lessons included"
    for name, text in (
        ("strip", "Remove outputs, execution counts and machine metadata, in place."),
        ("check", "List what `strip` would remove, one line each; exit 1 if anything."),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "notebooks", nargs="*", type=Path, metavar="NOTEBOOK", help=notebooks_help
        )
    execute_command = commands.add_parser(
        "execute",
        help="Run each notebook top to bottom and save it with its outputs, in place or under "
        "--out DIR.",
        description=(
            "Run each notebook top to bottom in a kernel of this interpreter, from the "
            "notebook's own folder (so that its relative paths work wherever the copy goes), "
            "and save it with its outputs; print each notebook's wall time. A notebook whose "
            "cell raises is not written, the others still run, and the exit code is 1. "
            "Unusable arguments: one line on stderr, exit code 2, nothing run or written."
        ),
    )
    execute_command.add_argument(
        "notebooks", nargs="*", type=Path, metavar="NOTEBOOK", help=notebooks_help
    )
    execute_command.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=(
            "write the executed copies under DIR (made if missing; outside notebooks/), each "
            "in its place below notebooks/ (DIR/lessons/...), and leave the notebooks as they "
            "are. Without --out the notebooks themselves are overwritten with their outputs: "
            "strip them before committing"
        ),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    paths = args.notebooks or find_notebooks()
    out = getattr(args, "out", None)
    error = _input_error(paths, out)
    if error is None and out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:  # e.g. no permission: found now, not after the first notebook
            error = f"--out {out}: expected a folder that can be created ({err.strerror})"
    if error is not None:
        print(f"tools/notebooks.py {args.command}: {error}", file=sys.stderr)
        return 2
    if args.command == "execute":
        return _execute_all(paths, out)
    status = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        found = problems(nb)
        if args.command == "check":
            for line in found:
                print(f"{path}: {line}")
            status = 1 if found else status
        elif found:
            write_notebook(strip(nb), path)
            print(f"{path}: stripped")
    return status


if __name__ == "__main__":
    sys.exit(main())
