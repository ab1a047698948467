"""What the local pool's fork server imports once, before it forks any worker.

Every worker is a fork of the fork server, so what the server imports here, every worker has
without importing it again, and shares with the server and the other workers, page for page,
until one of them writes to the page: the model (Mesa, pandas, numba and its compiled kernels,
loaded from numba's cache) and pyarrow, with which a worker writes its chunk's Parquet parts.
A worker then starts in milliseconds, and most of what it holds is counted once, not once per
worker.

``gc.freeze()`` moves every object imported so far out of the collector's reach, as the
``gc`` documentation recommends before forking: a collection in a worker then does not write
to their pages (Python keeps its collector's bookkeeping in each object's header), so that
fewer pages are copied. (No ``gc.collect()`` before it: it would cost 60 ms for the little
garbage that imports leave.)

pyarrow allocates from the C library's heap (its "system" pool) rather than its default,
mimalloc, which reserves a gigabyte of address space in each worker on first use and keeps
about 6 MB of it resident there, for tables of a few kilobytes. The bytes written are the same.

The sweep's own process imports none of this when it runs a pool (experiments/local.py): it
needs no model, no pandas and no pyarrow to store what the workers send.
"""

import gc

import pyarrow
import pyarrow.parquet  # its Parquet writer, which the workers use

import experiments.worker  # noqa: F401
import sim.runner  # noqa: F401

pyarrow.set_memory_pool(pyarrow.system_memory_pool())
gc.freeze()
