"""The Dask backend: chunks of runs on a dask.distributed cluster (optional: ``relocsim[dask]``).

It has the local backend's interface: ``run(tasks)`` yields a ChunkResult for every ChunkTask
as soon as it is ready (``as_completed``), so the sweep stores, counts and resumes exactly as
with the local pool. Without a scheduler address it starts a LocalCluster on this machine
(worker processes with one thread each, bound to 127.0.0.1, no dashboard) and closes it at
the end; with one, it connects to that scheduler, whose workers must have relocsim installed.

Every chunk gets its own task key and ``pure=False``, so that Dask never merges two calls.
A worker that dies is restarted by its nanny, and the scheduler gives its chunks to another
worker. A chunk that still cannot finish (Dask's KilledWorker after several deaths, or
retries used up) is rerun one run at a time, so that a run that kills its worker is recorded
as failed on its own, as with the local pool, and the sweep goes on.
"""

import logging
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace

from experiments.local import TaskQueue
from experiments.worker import ChunkResult, ChunkTask, error_text, failed_chunk, run_chunk

IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker thread: busy workers, memory flat
RETRIES = 2  # Dask's own resubmissions of a chunk whose task erred (on any worker)
WORKER_DIED = "dask worker died while running this run (KilledWorker)"


class DaskBackend:
    """Runs chunks on a Dask cluster.

    Args:
        workers: Worker processes of the LocalCluster (ignored with a scheduler address).
        scheduler: Address of a running Dask scheduler (``tcp://host:8786``), or None for a
            LocalCluster on this machine.
    """

    def __init__(self, workers: int, scheduler: str | None = None):
        self.workers = workers
        self.scheduler = scheduler

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Yield the result of every task as soon as it is ready.

        ``tasks`` is read as the cluster needs them: a few per worker thread ahead, never all.
        """
        pending = TaskQueue(tasks)
        if not pending:
            return
        from dask.distributed import Client, LocalCluster

        cluster = None
        if self.scheduler is None:
            cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster, set_as_default=False)
        else:
            client = Client(self.scheduler, set_as_default=False)
        try:
            lost = yield from self._drain(client, pending)
            for task in lost:  # chunks Dask gave up on: their runs one by one
                for spec in task.runs:
                    single = replace(task, runs=(spec,))
                    if (yield from self._drain(client, deque([single]))):
                        yield failed_chunk(single, WORKER_DIED)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _drain(self, client, pending: TaskQueue | deque):
        """Run pending tasks, a bounded number at a time; yield each result as it comes.

        Returns the tasks whose workers kept dying (Dask's KilledWorker).
        """
        from dask.distributed import as_completed
        from distributed.scheduler import KilledWorker

        slots = IN_FLIGHT_PER_WORKER * max(1, sum(client.nthreads().values()))
        token = uuid.uuid4().hex[:12]
        running: dict = {}
        lost: list = []
        futures = as_completed(loop=client.loop)

        def submit() -> None:
            while pending and len(running) < slots:
                task = pending.popleft()
                future = client.submit(
                    run_chunk,
                    task,
                    key=f"relocsim-chunk-{task.runs[0].run_id}-{len(task.runs)}-{token}",
                    pure=False,
                    retries=RETRIES,
                )
                running[future] = task
                futures.add(future)

        try:
            submit()
            for future in futures:
                task = running.pop(future)
                try:
                    result = future.result()
                except KilledWorker:
                    lost.append(task)
                    result = None
                except Exception as err:  # e.g. a result that could not be sent back
                    result = failed_chunk(task, error_text(err))
                finally:
                    future.release()
                if result is not None:
                    yield result
                submit()
        finally:
            for future in running:  # interrupted: drop what has not finished
                future.cancel()
        return lost
