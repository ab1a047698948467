"""Shared fixtures: runs of the default scenario are cached per seed within a session."""

from functools import cache

import pytest

import sim


@cache
def default_run(seed: int, **overrides):
    """One run of the default scenario (cached: several tests read the same run)."""
    return sim.run("season2_2020", seed=seed, **overrides)


@pytest.fixture(scope="session")
def season2():
    """The default scenario, loaded once."""
    return sim.load_scenario("season2_2020")
