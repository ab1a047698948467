"""Shared fixtures: runs of the default scenario are cached per seed within a session."""

from functools import cache

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
