"""Shared fixtures: runs of the default scenario are cached per seed within a session, and the
small calibration runs once per session."""

from functools import cache
from pathlib import Path

import pytest
from hypothesis import settings

import sim

# No test may hang on a timing threshold: Hypothesis's default 200 ms deadline per example fails
# on a loaded machine (CI shares its 2 cores), so it is off for every property test.
settings.register_profile("relocsim", deadline=None)
settings.load_profile("relocsim")


@cache
def default_run(seed: int, **overrides):
    """One run of the default scenario (cached: several tests read the same run)."""
    return sim.run("season2_2020", seed=seed, **overrides)


@pytest.fixture(scope="session")
def season2():
    """The default scenario, loaded once."""
    return sim.load_scenario("season2_2020")


SMALL_CALIBRATION = Path(__file__).parent / "data" / "calibration_small.toml"
"""A calibration small enough for make test: every case and rung, 4 settings, 2 seeds."""


@pytest.fixture(scope="session")
def small_calibration(tmp_path_factory):
    """The small calibration's spec and stores (its design, master seed 1, in ``design_1``).

    Run once per session, in this process; tests read the stores and copy them to change them.
    """
    from experiments.calibration import load_calibration, run_design
    from experiments.library import RUNGS

    out = tmp_path_factory.mktemp("designs") / "design_1"
    spec = load_calibration(SMALL_CALIBRATION)
    run_design(spec, RUNGS, out_dir=out, workers=1, progress=False)
    return spec, out


def write_experiment(tmp_path_factory, text: str):
    """An experiment file with ``text`` in a fresh temporary folder (for module fixtures)."""
    path = tmp_path_factory.mktemp("exp") / "small.toml"
    path.write_text(text)
    return path


def limit_file_size(size: int):
    """A subprocess's preexec_fn: no file can grow past ``size`` bytes, as on a full disk.

    The kernel refuses the write (EFBIG; Python ignores SIGXFSZ), so the code under test meets
    a real OSError, wherever it writes.
    """
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
