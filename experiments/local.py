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
pools) and which Python 3.12+ warns about. The fork server imports relocsim once, so that a
new worker starts in milliseconds rather than after a second of imports.

No orphans: a sweep killed by any signal (SIGKILL included, which runs no clean-up) must not
leave its workers running. They would not notice by themselves: each holds both ends of its
task queue and a reference to the fork server, which in turn waits for them, and so does the
resource tracker. Each worker therefore watches a pipe whose only writing end is held by the
sweep's process; when that process dies, the kernel closes it, the worker's read sees the end
of the pipe and the worker exits at once, and with the last worker the fork server and the
resource tracker end too.
"""

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from experiments.worker import ChunkResult, ChunkTask, error_text, failed_chunk, run_chunk

MAX_BREAKS = 2  # broken pools a chunk may be caught in before its runs go one by one
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: enough to keep it busy, memory flat
WORKER_DIED = "worker process died while running this run (BrokenProcessPool)"


def start_method() -> str:
    """The start method the pool uses (see the module docstring)."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


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
        """Yield the result of every task as soon as it is ready."""
        if self.workers == 1:
            yield from map(run_chunk, tasks)
            return
        pending = deque((task, 0) for task in tasks)
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
        context = multiprocessing.get_context(start_method())
        if start_method() == "forkserver":
            context.set_forkserver_preload(["experiments.worker"])
        lifeline, keep = context.Pipe(duplex=False)  # this process keeps the writing end only
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=watch_parent,
            initargs=(lifeline,),
        )
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
            keep.close()
            lifeline.close()
        return lost


def watch_parent(lifeline) -> None:
    """In a worker: exit as soon as the sweep's process is gone (see the module docstring)."""

    def watch() -> None:
        try:
            lifeline.recv_bytes()  # nothing is ever sent: this returns only at the pipe's end
        except (EOFError, OSError):
            pass
        os._exit(1)  # no clean-up to wait for: the chunk's results have nowhere to go

    threading.Thread(target=watch, name="relocsim-lifeline", daemon=True).start()
