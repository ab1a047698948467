"""Compiled kernels: the weekly step's array work as numba functions, compiled once per cache.

A default run's arrays are small (14 to 330 elements), so numpy spends most of a call on its
fixed cost per call, not on the arithmetic. The hot submodels are therefore plain loops
compiled by numba (``@kernel``), each beside the numpy function it replaces, which stays as
its test oracle (tests/test_kernels.py).

Loops also fix the order of every sum: first element first. A matrix product through BLAS
sums in an order that depends on the BLAS build and the CPU, and the model's discrete
choices (an argmax, a threshold) can turn a difference of 1e-16 into another outcome. With
the order fixed, a seed's outcome is the same on every machine.

Compiled code is cached on disk beside the sources (numba's ``cache=True``). The first
import on a machine compiles every kernel, once, and says so on stderr; ``python -m
sim.kernels`` does it ahead (``make`` runs it at install).
"""

import sys
import time
from pathlib import Path

import numba

COMPILE_SECONDS = 12  # compiling every kernel took 11.4 to 11.7 s on 2 cores (2026-12-05)
_announced = False


def kernel(signature: str):
    """Compile a function with numba now, for exactly ``signature``, cached on disk.

    Arguments of any other type are an error, not a silent new compilation. No fastmath:
    floating point keeps IEEE semantics, so a kernel gives the same numbers as its oracle
    where both sum in the same order.

    Args:
        signature: numba's type signature, e.g. ``"float64[:](float64[:], int64)"``.
    """

    def compile_(func):
        dispatcher = numba.njit(cache=True)(func)
        if not _in_cache(dispatcher):
            _announce_compiling()
        dispatcher.compile(signature)
        dispatcher.disable_compile()
        return dispatcher

    return compile_


def _in_cache(dispatcher) -> bool:
    """Whether numba's on-disk cache has an index for this function (else it compiles)."""
    try:
        return Path(dispatcher._cache._cache_file._index_path).exists()
    except AttributeError:  # another numba's internals: assume it compiles
        return False


def _announce_compiling() -> None:
    global _announced
    if not _announced:
        _announced = True
        print(
            f"relocsim: compiling kernels, once, about {COMPILE_SECONDS} s",
            file=sys.stderr,
            flush=True,
        )


def main() -> None:
    """Compile (or load) every kernel, and say how long it took."""
    started = time.perf_counter()
    import sim.model  # noqa: F401  (imports every module that defines a kernel)

    print(f"kernels ready in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
