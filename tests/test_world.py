"""The world of a run: what the scenario fixes is cached on it, what the seed draws is not."""

import dataclasses

import numpy as np
import pytest

import sim
from sim.world import _FIXED, World, build_world, fixed_part

DRAWN = ("labour", "committee", "chair", "faction")  # the fields the seed draws


def fresh(setting):
    """The same scenario as a new object: equal, but without a cached fixed part."""
    copy = dataclasses.replace(setting)
    assert _FIXED not in vars(copy)
    return copy


def assert_same_world(a: World, b: World):
    for field in dataclasses.fields(World):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), field.name
        else:
            assert x == y, field.name


@pytest.mark.parametrize("case", ["season2_2020", "kr_capital_act_2003", "kdb_2023"])
def test_the_cache_gives_the_world_built_without_it(case):
    setting = sim.load_scenario(case)
    build_world(setting, np.random.default_rng(0))  # fills the cache
    assert _FIXED in vars(setting)
    for seed in range(3):
        cached_rng, fresh_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        assert_same_world(build_world(setting, cached_rng), build_world(fresh(setting), fresh_rng))
        assert cached_rng.bit_generator.state == fresh_rng.bit_generator.state


def test_seeds_differ_in_what_they_draw_and_only_there(season2):
    a, b = (build_world(season2, np.random.default_rng(seed)) for seed in (1, 2))
    assert not np.array_equal(a.labour, b.labour)
    assert not np.array_equal(a.committee, b.committee)
    for field in dataclasses.fields(World):
        if field.name not in DRAWN:
            x, y = getattr(a, field.name), getattr(b, field.name)
            assert np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y, field.name


def test_a_seed_draws_the_same_world_whatever_was_built_before(season2):
    first = build_world(season2, np.random.default_rng(7))
    build_world(season2, np.random.default_rng(8))
    assert_same_world(build_world(season2, np.random.default_rng(7)), first)


def test_changing_a_world_leaves_the_next_one_alone(season2):
    world = build_world(season2, np.random.default_rng(0))
    expected = build_world(fresh(season2), np.random.default_rng(0))
    for field in dataclasses.fields(World):  # what a run may do to its own arrays and lists
        value = getattr(world, field.name)
        if isinstance(value, np.ndarray) and value.size:
            value[...] = ~value if value.dtype == bool else -1
        elif isinstance(value, list):
            value.clear()
    assert_same_world(build_world(season2, np.random.default_rng(0)), expected)


def test_a_model_after_another_one_that_changed_roles_is_unchanged():
    setting = sim.load_scenario("se_agencies_2017")  # dated events change leaders mid-run
    before = sim.run(setting, seed=4, series_every=0)
    sim.run(setting, seed=5, series_every=0)
    after = sim.run(setting, seed=4, series_every=0)
    assert after.outcome == before.outcome and after.model.why == before.model.why


def test_a_new_seat_table_has_its_own_fixed_part():
    setting = sim.load_scenario("dk_bedre_balance_2015")
    election = next(e for e in setting.elections if e.seats)
    fixed_part(setting)
    after = setting.seated_after(election)
    assert _FIXED not in vars(after)
    world = build_world(after, np.random.default_rng(0))
    assert fixed_part(after) is not fixed_part(setting)
    assert_same_world(world, build_world(fresh(after), np.random.default_rng(0)))
    seated = np.bincount(world.member_party[world.seated], minlength=len(after.parties))
    assert seated.tolist() == [p.seats for p in after.parties]


def test_a_named_committee_chair_chairs_her_committee_and_the_draws_stay_as_they_were():
    scenario = sim.load_scenario("kdb_2023")  # Baek Hye-ryun (DP) chairs national_policy
    plain = dataclasses.replace(scenario, named=tuple(
        dataclasses.replace(n, role="member") if n.role == "committee_chair" else n
        for n in scenario.named
    ))  # fmt: skip
    for seed in range(5):
        named = build_world(scenario, np.random.default_rng(seed))
        drawn = build_world(plain, np.random.default_rng(seed))
        c = named.committee_codes.index("national_policy")
        assert named.names[named.chair[c]] == "Baek Hye-ryun"
        assert drawn.names[drawn.chair[c]] != "Baek Hye-ryun"  # drawn from the executive's PPP
        others = np.arange(len(named.chair)) != c
        assert np.array_equal(named.chair[others], drawn.chair[others])
        assert np.array_equal(named.faction, drawn.faction)  # the draws after the chairs
