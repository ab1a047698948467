import math

import networkx as nx
import numpy as np
import pytest

from sim.influence import row_stochastic
from sim.network import (
    KINDS,
    _draw_pairs,
    _Groups,
    _led_by,
    draw_ties,
    influence_csr,
    influence_matrix,
    no_ties,
    skipped_pairs,
    ties_graph,
)
from sim.parameters import NetworkParams


def small_world(n=60, seed=0, params=None):
    params = params or NetworkParams()
    rng = np.random.default_rng(seed)
    party = np.repeat([0, 1], n // 2)
    region = np.tile([0, 1, 2, -1], n // 4)
    committee = np.zeros((n, 2), bool)
    committee[:10, 0] = True
    caucus = np.zeros((n, 1), bool)
    caucus[[1, 5, 9]] = True
    leader = np.zeros(n, bool)
    leader[[0, n // 2]] = True
    return draw_ties(
        rng, party, region, committee, caucus, leader, np.array([1.0, 0.5]), params
    ), party


def test_same_seed_same_ties():
    a, _ = small_world(seed=4)
    b, _ = small_world(seed=4)
    for field in ("source", "target", "weight", "kind"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_tie_kinds_respect_their_rules():
    ties, party = small_world()
    kind = np.array(KINDS)[ties.kind]
    party_ties = kind == "party"
    assert np.all(party[ties.source[party_ties]] == party[ties.target[party_ties]])
    leader_ties = kind == "leader"
    assert set(ties.target[leader_ties].tolist()) == {0, 30}
    assert np.sum(leader_ties) == 58  # everyone but the two leaders listens to their leader


def test_cohesion_sets_within_party_density():
    params = NetworkParams(within_party_density=0.5, region_tie_prob=0, committee_tie_prob=0)
    counts = np.zeros(2)
    for seed in range(20):
        ties, party = small_world(n=80, seed=seed, params=params)
        peer = np.array(KINDS)[ties.kind] == "party"
        counts += np.bincount(party[ties.source[peer]], minlength=2)
    pairs = 40 * 39 / 2 * 20
    assert abs(counts[0] / pairs - 0.5) < 0.03  # cohesion 1.0
    assert abs(counts[1] / pairs - 0.25) < 0.03  # cohesion 0.5


def test_influence_matrix_matches_the_networkx_graph():
    ties, party = small_world()
    w = influence_matrix(ties, 60, self_weight=0.0).toarray()
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    g = ties_graph(ties, [str(k) for k in range(60)], party.tolist())
    # Without leader ties the influence weights are the graph's symmetric weights, normalised.
    peer = ties.kind != KINDS.index("leader")
    assert g.number_of_edges() >= len(
        set(zip(ties.source[peer].tolist(), ties.target[peer].tolist(), strict=True))
    )
    leaderless = [k for k in range(60) if k not in (0, 30)]
    sub = nx.to_numpy_array(g, nodelist=range(60), weight="weight")
    for i in leaderless[:5]:
        peers = sub[i].copy()
        peers[[0, 30]] = 0  # leader ties are one-way in W, both ways in the drawing graph
        if peers.sum() == 0:
            continue
        row = w[i].copy()
        row[[0, 30]] = 0
        np.testing.assert_allclose(row / row.sum(), peers / peers.sum())


def dense_influence(ties, n: int, self_weight: float) -> np.ndarray:
    """The dense construction the model used before W was sparse: the oracle."""
    peer = ties.kind != KINDS.index("leader")
    cells = np.concatenate([ties.source * n + ties.target, (ties.target * n + ties.source)[peer]])
    weight = np.concatenate([ties.weight, ties.weight[peer]])
    weights = np.bincount(cells, weights=weight, minlength=n * n).reshape(n, n).astype(float)
    weights[np.diag_indices(n)] += self_weight
    return row_stochastic(weights)


@pytest.mark.parametrize("self_weight", [0.0, 1.0])
def test_the_sparse_influence_matrix_is_the_dense_one_to_the_bit(self_weight):
    ties, _ = small_world()
    w = influence_matrix(ties, 60, self_weight)
    assert w.format == "csr" and w.has_sorted_indices
    assert np.array_equal(w.toarray(), dense_influence(ties, 60, self_weight))
    # a member with no tie and no self-weight listens to herself alone
    lonely = influence_matrix(no_ties(), 3, 0.0)
    assert np.array_equal(lonely.toarray(), np.eye(3))


def test_influence_csr_sums_duplicates_and_drops_zero_weights_on_a_hand_built_case():
    # 0-1 tied twice (party 1.0, region 1.5), 0-2 by a tie of weight 0, 1 listens to leader 2.
    source, target = np.array([0, 0, 0, 1]), np.array([1, 1, 2, 2])
    weight, one_way = np.array([1.0, 1.5, 0.0, 4.0]), np.array([False, False, False, True])
    indptr, indices, weights = influence_csr(source, target, weight, one_way, 3, 1.0)
    assert indptr.tolist() == [0, 2, 5, 6] and indices.tolist() == [0, 1, 0, 1, 2, 2]
    np.testing.assert_array_equal(weights, [1 / 3.5, 2.5 / 3.5, 2.5 / 7.5, 1 / 7.5, 4 / 7.5, 1])
    # without self-weight, member 2 (no tie of her own but the weightless one) is alone
    indptr, indices, weights = influence_csr(source, target, weight, one_way, 3, 0.0)
    assert indptr.tolist() == [0, 1, 3, 4] and indices.tolist() == [1, 0, 2, 2]
    np.testing.assert_array_equal(weights, [1.0, 2.5 / 6.5, 4 / 6.5, 1.0])


def pairs_group_by_group(rng, groups, chance):
    """The oracle of peer ties: group by group, pair by pair in ``np.triu_indices`` order.

    The gap to the next tied pair is 1 + floor(log(1 - U) / log(1 - p)) (Batagelj & Brandes
    2005), one number at a time, counted over the group's list of pairs.
    """
    sources, targets = [np.zeros(0, int)], [np.zeros(0, int)]
    for g, p in enumerate(chance):
        members = np.flatnonzero(groups == g)
        i, j = np.triu_indices(len(members), 1)
        tied = []
        if p >= 1:
            tied = list(range(len(i)))
        elif p > 0 and len(i):
            at = -1
            while True:
                at += 1 + math.floor(math.log1p(-rng.random()) / math.log1p(-p))
                if at >= len(i):
                    break
                tied.append(at)
        sources.append(members[i[tied]])
        targets.append(members[j[tied]])
    return np.concatenate(sources), np.concatenate(targets)


def in_columns(rng, table, chance):
    """The oracle of a membership table's ties: column after column."""
    pairs = [pairs_group_by_group(rng, np.where(column, 0, -1), [chance]) for column in table.T]
    return np.concatenate([s for s, _ in pairs]), np.concatenate([t for _, t in pairs])


def test_skipping_ties_each_pair_with_its_chance():
    """Each pair is tied with probability p, so a group's ties number p * n(n - 1) / 2."""
    rng, n, p, runs = np.random.default_rng(11), 10, 0.3, 20_000
    tied = np.zeros((n, n))
    for _ in range(runs):
        i, j, g, *done = skipped_pairs(rng.random(60), np.array([n]), np.array([p]), 0, 0, 0)
        assert done == [1, 0, 0] and np.all(i < j) and np.all(g == 0)
        tied[i, j] += 1
    share = tied[np.triu_indices(n, 1)] / runs
    sigma = math.sqrt(p * (1 - p) / runs)
    assert np.all(np.abs(share - p) < 5 * sigma)
    assert abs(share.sum() - p * n * (n - 1) / 2) < 5 * sigma * math.sqrt(len(share))


def test_chance_one_ties_every_pair_and_chance_zero_none_without_numbers():
    for n in range(6):
        i, j, _, *done = skipped_pairs(np.zeros(0), np.array([n, n]), np.array([1.0, 0.0]), 0, 0, 0)
        assert done == [2, 0, 0]
        assert np.array_equal(i, np.triu_indices(n, 1)[0])
        assert np.array_equal(j, np.triu_indices(n, 1)[1])


def test_skipping_resumes_where_the_numbers_ran_out():
    numbers = np.random.default_rng(5).random(400)
    size, chance = np.array([5, 0, 12, 1, 3, 8]), np.array([0.3, 0.5, 0.2, 0.4, 1.0, 0.6])
    *whole, g, row, col = skipped_pairs(numbers, size, chance, 0, 0, 0)
    assert (g, row, col) == (6, 0, 0)
    for cut in (1, 2, 7, 50):
        parts, at, used = [], (0, 0, 0), 0
        while at[0] < len(size):
            *tied, g, row, col = skipped_pairs(numbers[used : used + cut], size, chance, *at)
            parts.append(tied)
            at, used = (g, row, col), used + cut
        for drawn, cut_up in zip(whole, zip(*parts, strict=True), strict=True):
            assert np.array_equal(drawn, np.concatenate(cut_up))


def test_ties_drawn_in_batches_are_the_ties_drawn_one_number_at_a_time():
    groups = np.random.default_rng(1).integers(-1, 4, size=200)
    chance = np.array([0.3, 0.05, 1.0, 0.5])
    source, target, _ = _draw_pairs(
        np.random.default_rng(9), _Groups.of_labels(groups, chance, "party")
    )
    sources, targets = pairs_group_by_group(np.random.default_rng(9), groups, chance)
    assert np.array_equal(source, sources)
    assert np.array_equal(target, targets)


def test_groups_of_labels_and_of_columns_are_drawn_in_turn():
    rng = np.random.default_rng(3)
    labels, table = rng.integers(-1, 5, size=90), rng.random((90, 3)) < 0.4
    chance = np.array([0.3, 0.0, 1.0, 0.5, 0.2])  # a group of chance 0 draws no numbers
    groups = _Groups.joined([
        _Groups.of_labels(labels, chance, "party"),
        _Groups.of_columns(table, 0.25, "committee"),
    ])  # fmt: skip
    oracle = np.random.default_rng(9)
    by_label, by_column = (
        pairs_group_by_group(oracle, labels, chance),
        in_columns(oracle, table, 0.25),
    )
    source, target, group = _draw_pairs(np.random.default_rng(9), groups)
    assert np.array_equal(source, np.concatenate([by_label[0], by_column[0]]))
    assert np.array_equal(target, np.concatenate([by_label[1], by_column[1]]))
    assert np.array_equal(group >= 5, np.arange(len(group)) >= len(by_label[0]))


@pytest.mark.parametrize("seed", range(4))
def test_every_kind_is_drawn_in_turn_from_one_stream(seed):
    """draw_ties against the per-group construction: kinds in turn, groups in index order."""
    n, params = 80, NetworkParams(region_weight=1.25, caucus_weight=0.75)
    draw = np.random.default_rng(seed)
    party, region = draw.integers(0, 3, n), draw.integers(-1, 4, n)
    committee, caucus = draw.random((n, 3)) < 0.3, draw.random((n, 2)) < 0.1
    leader, faction = draw.random(n) < 0.05, draw.integers(-1, 2, n)
    faction_leader = np.isin(np.arange(n), [np.flatnonzero(faction == 0)[0]])
    cohesion = np.array([1.0, 0.0, 0.6])
    rng = np.random.default_rng(100 + seed)
    ties = draw_ties(rng, party, region, committee, caucus, leader, cohesion, params, faction,
                     faction_leader)  # fmt: skip
    oracle = np.random.default_rng(100 + seed)
    drawn = {
        "party": pairs_group_by_group(oracle, party, params.within_party_density * cohesion),
        "region": pairs_group_by_group(oracle, region, [params.region_tie_prob] * 4),
    }
    drawn["committee"] = in_columns(oracle, committee, params.committee_tie_prob)
    drawn["caucus"] = in_columns(oracle, caucus, 1.0)
    drawn["faction"] = pairs_group_by_group(oracle, faction, [params.within_party_density] * 2)
    for kind in ("party", "region", "committee", "caucus", "faction"):
        mine = ties.kind == KINDS.index(kind)
        assert np.array_equal(ties.source[mine], drawn[kind][0])
        assert np.array_equal(ties.target[mine], drawn[kind][1])
    # in the order of KINDS, each kind at its weight
    assert np.all(np.diff(ties.kind) >= 0)
    weight = dict(zip(KINDS, (1.0, 1.25, 1.0, 0.75, params.leader_weight, 1.0), strict=True))
    assert ties.weight.tolist() == [weight[KINDS[k]] for k in ties.kind]


def test_leader_ties_without_the_member_by_member_table():
    party = np.random.default_rng(2).integers(0, 3, size=40)
    leads = np.zeros(40, dtype=bool)
    leads[[3, 17, 25, 31]] = True
    member, lead = _led_by(party, leads)
    # the oracle: the (member, leader) table the model built before, N x N
    expected = np.nonzero((party[:, None] == party[None, :]) & leads[None, :])
    assert np.array_equal(member, expected[0]) and np.array_equal(lead, expected[1])
