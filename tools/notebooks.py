"""Strip, check or execute the project's notebooks (notebooks/ and notebooks/lessons/).

Committed notebooks hold no outputs: a stale output misleads a reader and makes every diff
noisy. Readers who want to see the outputs without running cells one by one execute the
notebooks in place (``make notebooks``) and strip them again before committing
(``make strip-notebooks``). The test suite executes every notebook itself
(tests/test_notebooks.py) and fails if a notebook holds outputs.

Usage::

    .venv/bin/python tools/notebooks.py strip [NOTEBOOK ...]     # remove outputs, in place
    .venv/bin/python tools/notebooks.py check [NOTEBOOK ...]     # exit 1 if any has outputs
    .venv/bin/python tools/notebooks.py execute [NOTEBOOK ...]   # run top to bottom, in place

Without NOTEBOOK arguments, each command takes every notebook under notebooks/.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat

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
    the project's virtualenv.

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


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("strip", "check", "execute"))
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or find_notebooks()
    status = 0
    for path in paths:
        if args.command == "execute":
            started = time.perf_counter()
            nb = execute(path)
            nbformat.write(nb, path)
            print(f"{path}: executed in {time.perf_counter() - started:.1f} s")
            continue
        nb = nbformat.read(path, as_version=4)
        found = problems(nb)
        if args.command == "check":
            for line in found:
                print(f"{path}: {line}")
            status = 1 if found else status
        elif found:
            nbformat.write(strip(nb), path)
            print(f"{path}: stripped")
    if args.command == "execute":
        print("Strip the outputs before committing: make strip-notebooks")
    return status


if __name__ == "__main__":
    sys.exit(main())
