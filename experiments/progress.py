"""A sweep's progress: a bar for a terminal or a notebook, plain lines for a log.

With stderr on a terminal, or in Jupyter, tqdm.auto draws a bar. Redirected to a file (a batch
job, ``nohup``, CI), a bar would be one line rewritten in place and nothing would show until
the end; there the sweep writes a line at least every LOG_EVERY seconds instead::

    election_timing: 120 of 360 runs stored (110 done, 10 failed), 4.1 runs/s, expected end
    2026-01-05 14:32:05 (in 59 s)

A thread writes the lines, so that one comes on time even while no chunk comes back. Neither
shows when TQDM_DISABLE is set, or with ``progress=False``: then the sweep does not even
import tqdm (which imports asyncio).
"""

import os
import sys
import threading
import time
from datetime import datetime, timedelta

LOG_EVERY = 30.0  # seconds between progress lines in a log (issue 15: at least every 30 s)


def progress_shown(requested: bool) -> bool:
    """Whether to draw the bar: asked for, not disabled by TQDM_DISABLE, and someone to see it.

    tqdm reads TQDM_DISABLE only once, at import, and takes any non-empty value (even "0")
    as true; here it is read at each sweep, and "", "0", "false", "no" and "off" mean no.
    """
    if not _requested(requested):
        return False
    if _in_notebook():
        return True
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


def progress_logged(requested: bool) -> bool:
    """Whether to write progress lines: asked for and not disabled, but no bar can be drawn."""
    return _requested(requested) and sys.stderr is not None and not progress_shown(requested)


def progress_bar(name: str, total: int, initial: int, requested: bool):
    """The bar, or the lines for a log; use as a context manager, like a tqdm bar.

    Args:
        name: The experiment's name, the label of the bar or lines.
        total: Runs the experiment has.
        initial: Runs stored before this sweep started.
        requested: The sweep's ``progress`` argument.
    """
    if not _requested(requested):
        return NoProgress()
    if progress_logged(requested):
        return ProgressLines(name, total, initial, sys.stderr)
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        initial=initial,
        desc=name,
        unit="run",
        disable=not progress_shown(requested),
        file=sys.stderr,
        dynamic_ncols=True,
    )


class NoProgress:
    """No progress shown: the bar's interface, doing nothing."""

    def __enter__(self) -> "NoProgress":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def set_postfix(self, tally: dict, refresh: bool = False) -> None:
        """Ignored."""

    def update(self, n: int = 1) -> None:
        """Ignored."""


class ProgressLines:
    """Progress as a line on a stream at least every LOG_EVERY seconds (the bar's interface).

    Args:
        name: The label of the lines.
        total: Runs the experiment has.
        initial: Runs stored before this sweep started (the rate counts only this sweep's).
        stream: Where to write.
    """

    def __init__(self, name: str, total: int, initial: int, stream):
        self.name, self.total, self.initial, self.stream = name, total, initial, stream
        self.tally = {"done": initial, "failed": 0}  # until the sweep reports its counts
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._write, name="relocsim-progress", daemon=True)

    def __enter__(self) -> "ProgressLines":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def set_postfix(self, tally: dict, refresh: bool = False) -> None:
        """Take the stored runs' counts, ``{"done": D, "failed": F}`` (as tqdm's postfix)."""
        with self._lock:
            self.tally = dict(tally)

    def update(self, n: int = 1) -> None:
        """Accepted for the bar's interface: the counts come from ``set_postfix``."""

    def line(self) -> str:
        """The progress line as of now."""
        with self._lock:
            done, failed = self.tally["done"], self.tally["failed"]
        stored, elapsed = done + failed, time.monotonic() - self.started
        rate = (stored - self.initial) / elapsed if elapsed > 0 else 0.0
        if rate > 0:
            left = (self.total - stored) / rate
            end = (datetime.now() + timedelta(seconds=left)).strftime("%Y-%m-%d %H:%M:%S")
            expected = f"expected end {end} (in {_duration(left)})"
        else:
            expected = "expected end unknown (no run stored yet)"
        return (
            f"{self.name}: {stored} of {self.total} runs stored ({done} done, {failed} failed), "
            f"{rate:.1f} runs/s, {expected}"
        )

    def _write(self) -> None:
        while not self._stop.wait(LOG_EVERY):
            try:
                self.stream.write(self.line() + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # the log went away (closed): the sweep goes on
                return


def _requested(requested: bool) -> bool:
    flag = os.environ.get("TQDM_DISABLE", "").strip().lower()
    return requested and flag in ("", "0", "false", "no", "off")


def _in_notebook() -> bool:
    """Whether tqdm.auto chose its notebook widget (a Jupyter kernel with ipywidgets)."""
    from tqdm.auto import tqdm

    return any(cls.__module__ == "tqdm.notebook" for cls in tqdm.__mro__)


def _duration(seconds: float) -> str:
    """``59 s``, ``12 min``, ``3.5 h``: how long, to the precision a log reader needs."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
