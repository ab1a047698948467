"""Output folders made before the work, and removed again if it fails: nothing half-written.

A bad output path (under a file, on a read-only or full disk, without permission) is found by
``make_folder`` before a run or sweep starts, as a one-line ScenarioError (exit code 2), rather
than as a traceback once the work is done. If the work or its writing fails later, the
folders it made are removed again (only while they are empty). ``write_whole`` writes one
file under a hidden name and renames it into place, so that a reader finds it whole or not at
all.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from sim.scenario_errors import ScenarioError


def make_folder(path: str | os.PathLike, flag: str) -> list[Path]:
    """Create a folder (and missing parents) and check that files can be written in it.

    Args:
        path: The folder.
        flag: The option that named it, for the error (``--out``).

    Returns:
        The folders this call created, deepest first (for ``remove_made``).

    Raises:
        ScenarioError: ``FLAG: PATH: expected a folder ..., got WHY`` (nothing is left behind).
    """
    path = Path(path)
    made, existing = [], path.absolute()
    while not existing.exists():
        made.append(existing)
        existing = existing.parent
    if not existing.is_dir():
        got = "a file" if existing == path.absolute() else f"a path under the file {existing}"
        raise ScenarioError(flag, str(path), "a folder", got)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):  # os.access says yes to root even where it is not
            pass
    except OSError as err:
        remove_made(made)
        raise ScenarioError(flag, str(path), "a folder that can be written", reason(err)) from None
    return made


def remove_made(made: list[Path]) -> None:
    """Remove folders that ``make_folder`` made, deepest first, unless something is in them."""
    for folder in made:
        try:
            folder.rmdir()
        except OSError:  # not empty, or gone: keep what holds files
            return


def reason(err: OSError) -> str:
    """What an OSError says, without the path (the message names it already)."""
    return err.strerror or type(err).__name__


def write_whole(path: Path, mode: str, write) -> None:
    """Write a file under a hidden name, sync it and rename it into place.

    Args:
        path: The file.
        mode: ``"wb"`` or ``"w"`` (UTF-8, newlines as given).
        write: Writes the contents to the open file it is given.

    Raises:
        OSError: Naming ``path`` (not the hidden file), which is removed: nothing
            half-written is left, e.g. on a full disk.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}  # bytes as given
        with open(tmp, mode, **text) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):  # (under a file, it cannot even be looked for)
            tmp.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.errno is not None:
            raise OSError(err.errno, err.strerror, str(path)) from None
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
