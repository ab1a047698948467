"""The compiled kernels (issue 14, sim/kernels.py) against their numpy oracles.

What this file checks:

* On inputs recorded from real runs of the case library (every shipped scenario, at week 0,
  week 1, mid-run, the week of the first decision and the last week), each kernel's single
  call matches its numpy oracle to 1e-9 relative; the integer kernels (``redraw``,
  ``plan_of``) match exactly. The inputs are read from the model's state at those weeks and
  built as the model builds them for its own calls (sim/model.py, agents/lawmaker.py,
  agents/ministry.py); a test checks that they reproduce the model's own stakes, threats and
  anchors, and another that they cover factions, unions, members without a region, and
  partly and wholly decided plans.
* ``friedkin_johnsen_csr`` agrees to the bit with scipy's CSR product, as its docstring
  claims; ``group_means`` gives exact means on a hand-built example.
* Edge cases with a known answer: no receiving region, every institution decided, a plan of
  scope 0 or 1, a union defending nothing, a group without members, three stances.
* A kernel refuses arguments of another type (float32, int32 indices) with a TypeError, and
  compiles nothing new for them.
* ``sim.kernels.kernel`` says on stderr that it compiles on a module's first import, once,
  and not on the next import, which loads numba's cache (a tiny module in a temporary
  folder, so the project's own cache is left as it is).
"""

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import sim
from sim import allocation, influence, pressure
from sim.allocation import STAY, UNDECIDED
from sim.model import RelocationModel
from sim.scenario import available_scenarios

ROOT = Path(__file__).resolve().parents[1]
RTOL = 1e-9
ATOL = 1e-12  # for entries that are 0 (a stake, a threat, a loss)

# Every shipped case at seed 0, and two more runs for states seed 0 does not reach: season2
# seed 5 announces a blueprint at week 34 (seed 0 none); kdb seed 1 designates the flagship
# alone, so its plan is partly decided.
REQUIRED = (
    "season2_2020",
    "kdb_2023",
    "kr_capital_act_2003",
    "de_bonn_berlin_1991",
    "uk_places_for_growth_2020",
)
RUNS = [(case, 0) for case in available_scenarios()] + [("season2_2020", 5), ("kdb_2023", 1)]
RUN_IDS = [f"{case}-seed{seed}" for case, seed in RUNS]


# ---- recording inputs from real runs -------------------------------------------------------
def record(model: RelocationModel, label: str) -> dict:
    """The arguments the model passes to each kernel, built from its state now (copies).

    As in the model's own calls: ``LawmakerAgent.deliberate`` (Friedkin-Johnsen, group
    means), ``MinistryAgent.draft`` (redraw, rebalance), ``draft_changed`` (stake, threat),
    ``weigh_the_plan`` (plan, credit and blame) and ``refresh_anchor_base``.
    """
    m, w = model, model.world
    dp = m.params.drafting
    stance = m.stance.copy()
    anchor = m.anchor.copy()
    anchor[:, 0] = m.announce_anchor()
    n_parties = len(w.party_codes)
    return {
        "label": label,
        "n_regions": len(w.region_codes),
        "fj": (
            *(a.copy() for a in m.influence_csr),
            stance,
            m.susceptibility.copy(),
            anchor,
        ),
        "csr": m.influence.copy(),  # the oracle's W: scipy's CSR matrix
        "group_means": [  # region_means(claims), party_means(support), leadership_means
            (w.member_region.copy(), stance[:, 1], len(w.region_codes)),
            (w.member_party.copy(), stance[:, 0], n_parties),
            (m.leader_party.copy(), stance[:, 0], n_parties),
        ],
        "anchor_base": (
            m.stake.copy(),
            w.receives.copy(),
            w.member_region.copy(),
            m.pledge.copy(),
            w.member_party.copy(),
            w.faction.copy(),
            w.faction_stance.copy(),
            w.leader.copy(),
            m.params.influence.region_gain_weight,
        ),
        "redraw": (
            m.fit.copy(),
            m.political.copy(order="K"),  # F order, as the model's transposed view
            dp.fit_weight,
            m.equity_penalty.copy(),
            dp.stay_threshold,
            w.receives.copy(),
            m.taste.copy(),
            m.decided.copy(),
        ),
        "rebalance": (m.equity_penalty.copy(), m.draft.copy(), w.receives.copy(), dp.equity_rate),
        "draft": m.draft.copy(),
        "plan": m.plan.copy(),
        "decided": m.decided.copy(),
        "seen_fit": m.seen_fit.copy(),
        "scope": m.bargained_scope / 100.0,
        "staff": w.staff.copy(),
        "receives": w.receives.copy(),
        "origin": w.origin.copy(),
        "defends": w.defends.copy(),
        "bids": w.bids.copy(),
        "bidders": m.bidders.copy(),
        "voter_weight": m.voter_weight.copy(),
        # the model's own results, to check that the arguments above are the model's
        "model_stake": m.stake.copy(),
        "model_threat": m.threat.copy(),
        "model_anchor_base": m.anchor_base.copy(),
    }


@cache
def snapshots(case: str, seed: int) -> tuple[dict, ...]:
    """Inputs at week 0, week 1, mid-run, the first week with a decision, and the last week."""
    model = RelocationModel(sim.load_scenario(case), rng=seed, series_every=0)
    weeks = int((model.setting.horizon - model.setting.start).days / 7)
    taken = [record(model, f"{case} seed {seed} week 0")]
    decided_seen = False
    for week in range(1, weeks + 1):
        model.step()
        first_decision = not decided_seen and (model.decided != UNDECIDED).any()
        decided_seen = decided_seen or first_decision
        if week in (1, weeks // 2, weeks) or first_decision:
            taken.append(record(model, f"{case} seed {seed} week {week}"))
    return tuple(taken)


def first_decided(case: str, seed: int) -> dict:
    """The inputs of the first week with a decision."""
    return next(s for s in snapshots(case, seed) if (s["decided"] != UNDECIDED).any())


def all_snapshots() -> list[dict]:
    return [s for case, seed in RUNS for s in snapshots(case, seed)]


# ---- oracles not in the code -----------------------------------------------------------------
def group_means_oracle(group, values, n_groups):
    """Each group's plain mean (numpy's own, pairwise sum); 0 for a group without members."""
    return np.array([values[group == g].mean() if (group == g).any() else 0.0
                     for g in range(n_groups)])  # fmt: skip


def announce_anchor_base_oracle(
    stake, receives, member_region, pledge, member_party, faction, faction_stance, leader,
    region_gain_weight,
):  # fmt: skip
    """``RelocationModel.refresh_anchor_base`` as it was in numpy before the kernel (HEAD~1)."""
    regional = np.where(member_region >= 0, stake[member_region], stake[receives].mean())
    faction_members = np.nonzero(faction >= 0)[0]
    own = pledge[member_party]
    own[faction_members] = faction_stance[faction[faction_members]]
    base = (region_gain_weight * np.clip(0.5 + regional, 0.0, 1.0)
            + (1.0 - region_gain_weight) * own)  # fmt: skip
    return np.where(leader, own, base)


def redraw_oracle(fit, political, fit_weight, penalty, stay_threshold, receives, taste, decided):
    draft = allocation.draft_allocation(
        fit, political, fit_weight, penalty, stay_threshold, receives, taste
    )
    return np.where(decided == UNDECIDED, draft, decided)


def test_the_library_holds_the_cases_recorded_here():
    assert set(REQUIRED) <= set(available_scenarios())


# ---- each kernel against its oracle, on the recorded inputs ---------------------------------
@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_friedkin_johnsen_csr_matches_its_oracle(case, seed):
    for s in snapshots(case, seed):
        indptr, indices, weights, stance, lam, anchor = s["fj"]
        got = influence.friedkin_johnsen_csr(indptr, indices, weights, stance, lam, anchor)
        want = influence.friedkin_johnsen_step(stance, s["csr"], lam, anchor)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_friedkin_johnsen_csr_is_scipys_csr_product_to_the_bit(case, seed):
    for s in snapshots(case, seed):
        indptr, indices, weights, stance, lam, anchor = s["fj"]
        got = influence.friedkin_johnsen_csr(indptr, indices, weights, stance, lam, anchor)
        want = influence.friedkin_johnsen_step(stance, s["csr"], lam, anchor)
        assert np.array_equal(got, want), s["label"]
        # With Lambda = I the step is the product W x itself (1 * p + 0 * u is p exactly).
        product = influence.friedkin_johnsen_csr(
            indptr, indices, weights, stance, np.ones_like(lam), anchor
        )
        assert np.array_equal(product, s["csr"] @ stance), s["label"]


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_group_means_matches_its_oracle(case, seed):
    for s in snapshots(case, seed):
        for group, values, n_groups in s["group_means"]:
            got = influence.group_means(group, values, n_groups)
            want = group_means_oracle(group, values, n_groups)
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_announce_anchor_base_matches_the_numpy_formula_it_replaced(case, seed):
    for s in snapshots(case, seed):
        got = influence.announce_anchor_base(*s["anchor_base"])
        want = announce_anchor_base_oracle(*s["anchor_base"])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_redraw_matches_draft_allocation_for_the_undecided(case, seed):
    for s in snapshots(case, seed):
        got = allocation.redraw(*s["redraw"])
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, redraw_oracle(*s["redraw"]), err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_rebalance_draft_matches_rebalance(case, seed):
    for s in snapshots(case, seed):
        got = allocation.rebalance_draft(*s["rebalance"])
        want = allocation.rebalance(*s["rebalance"])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_stake_of_matches_regional_stake(case, seed):
    for s in snapshots(case, seed):
        for destination in (s["draft"], s["plan"]):
            args = (destination, s["staff"], s["receives"], s["origin"])
            got = allocation.stake_of(*args)
            want = allocation.regional_stake(*args)
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_threat_of_matches_union_threat(case, seed):
    for s in snapshots(case, seed):
        got = pressure.threat_of(s["defends"], s["draft"], s["staff"])
        want = pressure.union_threat(s["defends"], s["draft"] != STAY, s["staff"])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_plan_of_matches_scoped_plan(case, seed):
    for s in snapshots(case, seed):
        open_ = s["decided"] == UNDECIDED
        # The model's own scope, and others on the same draft (the model's stays near 50).
        for scope in (s["scope"], 0.0, 0.1, 0.37, 0.5, 0.9, 1.0):
            got = allocation.plan_of(s["draft"], s["decided"], s["seen_fit"], scope)
            want = allocation.scoped_plan(s["draft"], open_, s["seen_fit"], scope)
            np.testing.assert_array_equal(got, want, err_msg=f"{s['label']}, scope {scope}")


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_credit_and_blame_of_matches_credit_and_blame(case, seed):
    for s in snapshots(case, seed):
        assert np.array_equal(s["bidders"], s["bids"].any(axis=0))
        for destination in (s["plan"], s["draft"]):
            got = allocation.credit_and_blame_of(
                destination, s["staff"], s["bidders"], s["voter_weight"], s["origin"]
            )
            want = allocation.credit_and_blame(
                destination, s["staff"], s["bids"], s["voter_weight"], s["origin"]
            )
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_won_and_lost_matches_won_and_moved_and_origin_losses(case, seed):
    for s in snapshots(case, seed):
        n_regions = s["n_regions"]
        # The case's origins (one region for all, in every shipped case), and one origin per
        # institution drawn at random, which only the per-institution sums get right.
        scattered = np.random.default_rng(3).integers(0, n_regions, size=len(s["origin"]))
        for origin in (s["origin"], scattered):
            for destination in (s["draft"], s["plan"]):
                won, lost = allocation.won_and_lost(destination, s["staff"], origin, n_regions)
                want_won = allocation._won_and_moved(destination, s["staff"], n_regions)[0]
                want_lost = allocation.origin_losses(destination, s["staff"], origin, n_regions)
                np.testing.assert_allclose(won, want_won, rtol=RTOL, atol=ATOL,
                                           err_msg=s["label"])  # fmt: skip
                np.testing.assert_allclose(lost, want_lost, rtol=RTOL, atol=ATOL,
                                           err_msg=s["label"])  # fmt: skip


def test_the_recorded_arguments_are_the_models_own():
    """Called on the recorded arguments, the kernels give back the model's own results."""
    for s in all_snapshots():
        stake = allocation.stake_of(s["draft"], s["staff"], s["receives"], s["origin"])
        assert np.array_equal(stake, s["model_stake"]), s["label"]
        threat = pressure.threat_of(s["defends"], s["draft"], s["staff"])
        assert np.array_equal(threat, s["model_threat"]), s["label"]
        base = influence.announce_anchor_base(*s["anchor_base"])
        assert np.array_equal(base, s["model_anchor_base"]), s["label"]


def test_the_recorded_inputs_cover_what_the_kernels_branch_on():
    taken = all_snapshots()
    decided = [(s["decided"] != UNDECIDED).mean() for s in taken]
    assert 0 in decided and 1 in decided and any(0 < d < 1 for d in decided)
    assert any((allocation.redraw(*s["redraw"]) >= 0).any() for s in taken)  # some moves
    assert any((s["draft"] == STAY).any() and (s["draft"] >= 0).any() for s in taken)
    assert any((s["anchor_base"][5] >= 0).any() for s in taken)  # factions
    assert any((s["anchor_base"][2] < 0).any() for s in taken)  # members without a region
    assert any(s["anchor_base"][7].any() for s in taken)  # leaders
    # regions without members (their mean is 0)
    assert any(len(np.unique(g[g >= 0])) < n for s in taken for g, _, n in s["group_means"][:1])
    assert any(len(s["defends"]) == 0 for s in taken)  # a case without unions
    assert any((pressure.threat_of(s["defends"], s["draft"], s["staff"]) > 0).any()
               for s in taken)  # fmt: skip
    assert any(not s["redraw"][1].flags.c_contiguous for s in taken)  # the transposed view
    assert any(0 < s["scope"] < 1 for s in taken)


# ---- hand-built examples and edge cases ------------------------------------------------------
def test_announce_anchor_base_on_a_hand_built_example():
    stake = np.array([0.25, -0.5, 1.0])
    receives = np.array([True, False, True])  # a member without a region: mean 0.625
    pledge, faction_stance = np.array([0.8, 0.6]), np.array([0.2])
    member_region = np.array([0, 1, -1, 1, 0])
    member_party = np.array([0, 1, 0, 1, 0])
    faction = np.array([-1, 0, -1, 0, -1])
    leader = np.array([False, False, False, True, True])
    base = influence.announce_anchor_base(
        stake, receives, member_region, pledge, member_party, faction, faction_stance, leader,
        0.5,
    )  # fmt: skip
    # 0.5 clip(0.5 + regional) + 0.5 own; own is the faction's stance for a faction's member;
    # a leader has own alone (a faction's leader: the faction's stance).
    expected = [0.5 * 0.75 + 0.5 * 0.8, 0.5 * 0.0 + 0.5 * 0.2, 0.5 * 1.0 + 0.5 * 0.8, 0.2, 0.8]
    np.testing.assert_allclose(base, expected, rtol=1e-15)


def test_announce_anchor_base_for_leaders_in_a_faction():
    """No shipped case has a party leader in a faction: kr_capital_act_2003's, made so."""
    for s in snapshots("kr_capital_act_2003", 0):
        args = list(s["anchor_base"])
        faction, leader = args[5], args[7].copy()
        assert (faction >= 0).any() and not (leader & (faction >= 0)).any()
        leader[faction >= 0] = True
        args[7] = leader
        got = influence.announce_anchor_base(*args)
        np.testing.assert_allclose(got, announce_anchor_base_oracle(*args), rtol=RTOL,
                                   atol=ATOL, err_msg=s["label"])  # fmt: skip
        faction_stance = args[6]
        in_faction = faction >= 0
        assert np.array_equal(got[in_faction], faction_stance[faction[in_faction]])


def test_group_means_are_exact_on_a_hand_built_example():
    group = np.array([0, 2, 0, -1, 2, 2, 4])
    values = np.array([1.0, 2.0, 3.0, 100.0, 4.0, 9.0, 0.5])
    # group 1 and group 3 have no members; -1 (the 100) counts in no group
    means = influence.group_means(group, values, 5)
    assert means.tolist() == [2.0, 0.0, 5.0, 0.0, 0.5]


def test_a_region_without_members_has_mean_zero():
    s = snapshots("season2_2020", 0)[-1]
    member_region, claims, n_regions = s["group_means"][0]
    emptied = member_region.copy()
    emptied[emptied == 2] = -1  # region 2 loses its members
    means = influence.group_means(emptied, claims, n_regions)
    assert means[2] == 0.0
    np.testing.assert_allclose(means, group_means_oracle(emptied, claims, n_regions), rtol=RTOL)


def test_friedkin_johnsen_csr_refuses_three_stances():
    indptr, indices, weights, stance, lam, _ = snapshots("season2_2020", 0)[0]["fj"]
    three = np.column_stack([stance, stance[:, 0]])
    with pytest.raises(ValueError, match="two stances"):
        influence.friedkin_johnsen_csr(indptr, indices, weights, three, lam, three)


def test_redraw_with_no_receiving_region_keeps_everything_in_place():
    s = first_decided("kdb_2023", 0)
    fit, political, w, penalty, threshold, receives, taste, decided = s["redraw"]
    nowhere = np.zeros_like(receives)
    undecided = np.full_like(decided, UNDECIDED)
    got = allocation.redraw(fit, political, w, penalty, threshold, nowhere, taste, undecided)
    assert (got == STAY).all()
    assert (redraw_oracle(fit, political, w, penalty, threshold, nowhere, taste, undecided)
            == STAY).all()  # fmt: skip


def test_redraw_with_everything_decided_returns_the_decisions():
    s = first_decided("kdb_2023", 0)  # the blueprint's week: a real plan
    fit, political, w, penalty, threshold, receives, taste, _ = s["redraw"]
    decided = s["plan"].copy()
    decided[::3] = STAY  # decisions the draft itself would not make
    assert (decided != UNDECIDED).all()
    got = allocation.redraw(fit, political, w, penalty, threshold, receives, taste, decided)
    np.testing.assert_array_equal(got, decided)


def test_plan_of_scope_zero_and_one_on_a_hand_built_plan():
    draft = np.array([2, STAY, 0, 1, 3])
    decided = np.array([UNDECIDED, UNDECIDED, 0, UNDECIDED, UNDECIDED])
    fit = np.array([
        [0.0, 0.0, 0.9, 0.0],  # institution 0 -> region 2 fits 0.9
        [0.5, 0.5, 0.5, 0.5],
        [0.1, 0.0, 0.0, 0.0],
        [0.0, 0.2, 0.0, 0.0],  # institution 3 -> region 1 fits 0.2
        [0.0, 0.0, 0.0, 0.6],  # institution 4 -> region 3 fits 0.6
    ])  # fmt: skip
    # Scope 0 announces none of the open moves; the decided institution keeps its entry.
    assert allocation.plan_of(draft, decided, fit, 0.0).tolist() == [STAY, STAY, 0, STAY, STAY]
    # Scope 1 announces the whole draft.
    assert allocation.plan_of(draft, decided, fit, 1.0).tolist() == draft.tolist()
    # Scope 0.5 of 3 open moves keeps ceil(1.5) = 2, the better fitting: institutions 0 and 4.
    assert allocation.plan_of(draft, decided, fit, 0.5).tolist() == [2, STAY, 0, STAY, 3]


def test_plan_of_scope_zero_and_one_on_a_real_draft():
    s = snapshots("kdb_2023", 1)[-1]  # the flagship decided, the rest open
    draft, decided, fit = s["draft"], s["decided"], s["seen_fit"]
    open_ = decided == UNDECIDED
    assert open_.any() and not open_.all() and (draft[open_] >= 0).any()
    none = allocation.plan_of(draft, decided, fit, 0.0)
    np.testing.assert_array_equal(none, np.where(open_, STAY, draft))
    np.testing.assert_array_equal(allocation.plan_of(draft, decided, fit, 1.0), draft)


def test_a_union_defending_nothing_feels_no_threat():
    defends = np.array([[True, False, True], [False, False, False]])
    draft = np.array([0, STAY, STAY])
    staff = np.array([10.0, 20.0, 30.0])
    assert pressure.threat_of(defends, draft, staff).tolist() == [0.25, 0.0]


def test_a_union_defending_nothing_feels_no_threat_beside_real_unions():
    s = snapshots("season2_2020", 5)[-1]
    defends = np.vstack([s["defends"], np.zeros(len(s["staff"]), dtype=bool)])
    threat = pressure.threat_of(defends, s["draft"], s["staff"])
    assert threat[-1] == 0.0
    np.testing.assert_array_equal(threat[:-1], pressure.threat_of(s["defends"], s["draft"],
                                                                   s["staff"]))  # fmt: skip


# ---- types: another type is an error, not a new compilation -----------------------------------
def _refusals():
    s = snapshots("season2_2020", 0)[1]
    indptr, indices, weights, stance, lam, anchor = s["fj"]
    group, values, n = s["group_means"][1]
    csr = s["csr"]
    fit, political, w, penalty, threshold, receives, taste, decided = s["redraw"]
    return {
        "group_means int32 groups": (influence.group_means,
                                     (group.astype(np.int32), values, n)),
        "group_means float32 values": (influence.group_means,
                                       (group, values.astype(np.float32), n)),
        "friedkin_johnsen_csr scipy's int32 indices": (
            influence.friedkin_johnsen_csr,
            (csr.indptr.astype(np.int32), csr.indices.astype(np.int32), csr.data, stance, lam,
             anchor)),
        "friedkin_johnsen_csr float32 stance": (
            influence.friedkin_johnsen_csr,
            (indptr, indices, weights, stance.astype(np.float32), lam, anchor)),
        "redraw int32 decisions": (
            allocation.redraw,
            (fit, political, w, penalty, threshold, receives, taste, decided.astype(np.int32))),
        "threat_of float32 staff": (
            pressure.threat_of, (s["defends"], s["draft"], s["staff"].astype(np.float32))),
    }  # fmt: skip


@pytest.mark.parametrize(
    "which",
    [
        "group_means int32 groups",
        "group_means float32 values",
        "friedkin_johnsen_csr scipy's int32 indices",
        "friedkin_johnsen_csr float32 stance",
        "redraw int32 decisions",
        "threat_of float32 staff",
    ],
)
def test_a_kernel_refuses_another_type(which):
    func, args = _refusals()[which]
    assert len(func.signatures) == 1
    with pytest.raises(TypeError):
        func(*args)
    assert len(func.signatures) == 1  # nothing compiled for the other type


# ---- the compile notice ------------------------------------------------------------------------
TINY_MODULE = """
from sim.kernels import kernel


@kernel("float64(float64)")
def twice(x):
    return 2.0 * x


@kernel("int64(int64)")
def thrice(x):
    return 3 * x
"""
NOTICE = "compiling kernels, once"


def test_the_first_import_says_it_compiles_once_and_the_next_import_loads_the_cache(tmp_path):
    """Two kernels in a module of their own: a fresh cache beside it, the project's untouched."""
    folder = tmp_path / "mods"
    folder.mkdir()
    (folder / "tiny_kernels.py").write_text(TINY_MODULE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    env.pop("NUMBA_CACHE_DIR", None)  # numba's in-tree cache, beside the module, as for sim/
    code = "import tiny_kernels as t; print(t.twice(21.0), t.thrice(14))"

    def run():
        return subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True,
            timeout=300, check=True, cwd=tmp_path,
        )  # fmt: skip

    first, second = run(), run()
    assert first.stdout.split() == second.stdout.split() == ["42.0", "42"]
    assert first.stderr.count(NOTICE) == 1, first.stderr  # once for both kernels
    assert NOTICE not in second.stderr, second.stderr
    assert len(list((folder / "__pycache__").glob("tiny_kernels.*.nbi"))) == 2
