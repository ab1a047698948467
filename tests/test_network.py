import networkx as nx
import numpy as np
import pytest

from sim.influence import row_stochastic
from sim.network import (
    KINDS,
    PAIRS_PER_CHUNK,
    _draw_pairs,
    _draw_within,
    _Groups,
    _led_by,
    draw_ties,
    influence_csr,
    influence_matrix,
    no_ties,
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
    """The oracle of peer ties: each group's pairs listed at once, one uniform number each."""
    sources, targets = [np.zeros(0, int)], [np.zeros(0, int)]
    for g, p in enumerate(chance):
        members = np.flatnonzero(groups == g)
        if len(members) < 2 or p <= 0:
            continue
        i, j = np.triu_indices(len(members), 1)
        hit = rng.random(len(i)) < p
        sources.append(members[i[hit]])
        targets.append(members[j[hit]])
    return np.concatenate(sources), np.concatenate(targets)


def in_columns(rng, table, chance):
    """The oracle of a membership table's ties: column after column."""
    pairs = [pairs_group_by_group(rng, np.where(column, 0, -1), [chance]) for column in table.T]
    return np.concatenate([s for s, _ in pairs]), np.concatenate([t for _, t in pairs])


def test_ties_drawn_in_chunks_are_the_ties_drawn_at_once():
    groups = np.random.default_rng(1).integers(-1, 4, size=200)
    chance = np.array([0.3, 0.05, 1.0, 0.5])
    drawn = [
        _draw_within(np.random.default_rng(9), groups, chance, chunk=chunk)
        for chunk in (1, 7, 1000, PAIRS_PER_CHUNK)
    ]
    sources, targets = pairs_group_by_group(np.random.default_rng(9), groups, chance)
    for source, target in drawn:
        assert np.array_equal(source, sources)
        assert np.array_equal(target, targets)


def test_groups_drawn_in_chunks_across_groups_are_drawn_group_by_group():
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
    for chunk in (1, 2, 7, 100, PAIRS_PER_CHUNK):
        rng = np.random.default_rng(9)
        source, target, _ = _draw_pairs(rng, groups, chunk)
        assert np.array_equal(source, np.concatenate([by_label[0], by_column[0]]))
        assert np.array_equal(target, np.concatenate([by_label[1], by_column[1]]))
        assert rng.bit_generator.state == oracle.bit_generator.state  # no number more or less


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
    assert rng.bit_generator.state == oracle.bit_generator.state
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
