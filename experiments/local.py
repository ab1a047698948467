"""The local backend: chunks of runs on a process pool, or in this process with one worker.

A backend takes an iterable of ChunkTask and yields a ChunkResult for each, in any order, as
soon as it is ready, so that the sweep can store it at once. Runs travel in chunks so that the
cost of sending a task and its result stays small next to the runs themselves.

A worker that dies (killed, out of memory, a crash in native code) breaks the whole pool:
every chunk still running fails with BrokenProcessPool. Chunks finished before then are
already stored. Those that were running are sent again to a new pool; a chunk caught in
broken pools MAX_BREAKS times is split, and its runs go one by one to a pool of one worker,
where a death can only be that run's: it is recorded as failed and the sweep goes on.

Start method: "forkserver" where the platform has it, else "spawn"; never "fork", which can
deadlock a child of a process with threads (a Jupyter kernel, tqdm's monitor, pyarrow's
pools) and which Python 3.12+ warns about. The fork server imports the model once
(experiments/forkserver.py), so that a new worker starts in milliseconds rather than after a
second of imports, and the workers share those pages instead of each holding its own copy.
This process imports none of it: the probe run that settles the store's columns runs in a
worker of its own (``probe_columns``), and the chunks come back as Parquet bytes.

No orphans: a sweep killed by any signal (SIGKILL included, which runs no clean-up) must not
leave its workers running. They would not notice by themselves: each holds both ends of its
task queue and a reference to the fork server, which in turn waits for them, and so does the
resource tracker. Each worker therefore watches a pipe whose only writing end is held by the
sweep's process; when that process dies, the kernel closes it, the worker's read sees the end
of the pipe and the worker exits at once, and with the last worker the fork server and the
resource tracker end too.
"""

import multiprocessing
import multiprocessing.forkserver
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

import sim
from experiments.spec import Experiment
from experiments.worker import ChunkResult, ChunkTask, error_text, failed_chunk, run_chunk

if TYPE_CHECKING:
    from experiments.columns import Columns

MAX_BREAKS = 2  # broken pools a chunk may be caught in before its runs go one by one
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: enough to keep it busy, memory flat
WORKER_DIED = "worker process died while running this run (BrokenProcessPool)"


def start_method() -> str:
    """The start method the pool uses (see the module docstring)."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def pool_context():
    """The multiprocessing context of the pool, its fork server set to import the model."""
    context = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        context.set_forkserver_preload(["experiments.forkserver"])
        with imports_as_here():
            multiprocessing.forkserver.ensure_running()  # a no-op if it already runs
    return context


@contextmanager
def imports_as_here() -> Iterator[None]:
    """Start a child interpreter that finds the model where this process found it.

    The fork server is a new interpreter (``python -c``), so its import path starts with its
    working folder, and CPython 3.13 imports its preload modules before it would apply this
    process's ``sys.path``. Started from another checkout's folder, its workers would run that
    checkout's model, and two workers would not give what one does. So it starts with this
    process's path, in order, as its ``PYTHONPATH``, and without the working folder
    (``PYTHONSAFEPATH``, unless this process has it on its path too). The environment is
    restored afterwards.
    """
    keys = ("PYTHONPATH", "PYTHONSAFEPATH")
    saved = {key: os.environ.get(key) for key in keys}
    os.environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(entry) for entry in sys.path)
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def new_pool(workers: int) -> tuple[ProcessPoolExecutor, Callable[[], None]]:
    """A pool of ``workers`` processes that end with this one, and what to call after it.

    The call closes this process's ends of the lifeline (see the module docstring), once the
    pool is shut down.
    """
    context = pool_context()
    lifeline, keep = context.Pipe(duplex=False)  # this process keeps the writing end only
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=watch_parent,
        initargs=(lifeline,),
    )

    def close() -> None:
        keep.close()
        lifeline.close()

    return pool, close


def probe_columns(experiment: Experiment, workers: int) -> "Columns":
    """The store's columns (experiments.columns.probe), from a worker when there is a pool.

    With one worker the sweep runs in this process, and so does the probe. With more, the
    probe runs in a worker of its own (forked from the pool's fork server, which it starts),
    so that this process, which only stores what the workers send, never imports the model.

    Raises:
        sim.ScenarioError: As experiments.columns.probe, or if the probe killed its worker.
    """
    from experiments.columns import probe

    if workers == 1:
        return probe(experiment)
    pool, close = new_pool(1)
    try:
        return pool.submit(probe, experiment).result()
    except BrokenProcessPool:
        got = "a run that ends its process (its probe run killed the worker)"
        raise sim.ScenarioError(experiment.label, "scenario", "a scenario that runs", got) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        close()


def default_workers() -> int:
    """The number of cores this process may use."""
    count = getattr(os, "process_cpu_count", os.cpu_count)()  # process_cpu_count: 3.13+
    return max(1, count or 1)


class LocalBackend:
    """Runs chunks on this machine.

    Args:
        workers: Processes in the pool; 1 runs every chunk in this process, with no pool.
    """

    def __init__(self, workers: int):
        self.workers = workers

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Yield the result of every task as soon as it is ready.

        ``tasks`` is read as the workers need them: a few per worker ahead, never all.
        """
        if self.workers == 1:
            yield from map(run_chunk, tasks)
            return
        pending = TaskQueue((task, 0) for task in tasks)
        while pending:
            lost = yield from self._drain(pending, self.workers)
            for task, breaks in reversed(lost):
                if breaks + 1 < MAX_BREAKS:
                    pending.appendleft((task, breaks + 1))
                else:
                    yield from self._one_by_one(task)

    def _one_by_one(self, task: ChunkTask) -> Iterator[ChunkResult]:
        """Run a suspect chunk's runs each alone, so that a dying worker names its run."""
        for spec in task.runs:
            single = replace(task, runs=(spec,))
            if (yield from self._drain(deque([(single, MAX_BREAKS)]), 1)):
                yield failed_chunk(single, WORKER_DIED)

    def _drain(self, pending: deque, workers: int):
        """Run pending tasks on a new pool until they are done or the pool breaks.

        Yields the results; returns the ``(task, breaks)`` pairs that were running when the
        pool broke (tasks not yet submitted stay in ``pending``).
        """
        pool, close = new_pool(workers)
        running: dict = {}
        lost: list = []
        broken = False
        try:
            while running or (pending and not broken):
                while pending and not broken and len(running) < IN_FLIGHT_PER_WORKER * workers:
                    task, breaks = pending.popleft()
                    try:
                        running[pool.submit(run_chunk, task)] = (task, breaks)
                    except BrokenProcessPool:  # it broke before we noticed: this one never ran
                        pending.appendleft((task, breaks))
                        broken = True
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: running[f][0].runs[0].run_id):
                    task, breaks = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        lost.append((task, breaks))
                        continue
                    except Exception as err:  # e.g. a result that could not be pickled
                        result = failed_chunk(task, error_text(err))
                    yield result
        finally:
            # Cancel what has not started; when interrupted, do not wait for running chunks
            # (closing the lifeline then stops them at once).
            pool.shutdown(wait=not running, cancel_futures=True)
            close()
        return lost


class TaskQueue:
    """Tasks to run: those put back first, then the rest, read one at a time when needed.

    The part of a deque that the backends use (truth, ``popleft``, ``appendleft``), over an
    iterator that is never read more than one task ahead: a sweep's tasks are made as the
    workers need them, so that their number does not weigh on memory.
    """

    def __init__(self, tasks: Iterable):
        self._source = iter(tasks)
        self._front: deque = deque()

    def __bool__(self) -> bool:
        if not self._front:
            for task in self._source:  # at most one
                self._front.append(task)
                break
        return bool(self._front)

    def popleft(self):
        """The next task; IndexError if there is none."""
        if not self:
            raise IndexError("pop from an empty TaskQueue")
        return self._front.popleft()

    def appendleft(self, task) -> None:
        """Put a task back, to run next."""
        self._front.appendleft(task)


def watch_parent(lifeline) -> None:
    """In a worker: exit as soon as the sweep's process is gone (see the module docstring)."""

    def watch() -> None:
        try:
            lifeline.recv_bytes()  # nothing is ever sent: this returns only at the pipe's end
        except (EOFError, OSError):
            pass
        os._exit(1)  # no clean-up to wait for: the chunk's results have nowhere to go

    threading.Thread(target=watch, name="relocsim-lifeline", daemon=True).start()
