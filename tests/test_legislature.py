import numpy as np
import pytest

from sim.assembly import Bill, framework_gain, member_votes, regional_gain, week_of_bill
from sim.legislature import (
    CUES,
    cast_votes,
    committed_whip,
    leadership_support,
    majority,
    member_cues,
    ordered_votes,
    recognition_probabilities,
    supermajority,
    weightiest_cue,
    yes_probability,
)
from sim.parameters import LegislatureParams


def test_recognition_is_proportional():
    p = recognition_probabilities(np.array([1.0, 1.0, 5.0, 3.0]))
    np.testing.assert_allclose(p, [0.1, 0.1, 0.5, 0.3])
    with pytest.raises(ValueError):
        recognition_probabilities(np.zeros(3))


def test_fast_track_needs_three_fifths_of_all_members():
    # 3/5 of 300 is 180: the DP bloc's 180 seats exactly (facts.md).
    assert supermajority(180, 300, 0.6)
    assert not supermajority(179, 300, 0.6)
    assert majority(151, 300) and not majority(150, 300)


def test_yes_probability_is_the_logistic():
    u = np.array([2.0, 3.0, -2.0, 0.0])
    np.testing.assert_allclose(yes_probability(u, 2.0), 1 / (1 + np.exp(-u / 2.0)), rtol=1e-15)


def test_yes_probability_is_stable_when_noise_is_tiny():
    with np.errstate(over="raise"):  # an overflow in exp would raise here
        p = yes_probability(np.array([100.0, -100.0, 0.0]), 0.01)
    assert p.tolist() == [1.0, 0.0, 0.5]


def test_the_weightiest_cue_decides_and_a_tie_goes_to_the_constituency():
    # Members: (1) a capital-region member whipped for a move (-2.5 against +2.4);
    # (2) gain and whip agree; (3) no constituency stake: the whip; (4) a tie of 2.5 each way;
    # (5) a faction leader sure of her stance against the whip (-2.7 against +2.4).
    cues = member_cues(
        regional_gain=np.array([-1.0, 1.0, 0.0, -1.0, 0.0]),
        party_line=np.array([1.0, 1.0, 1.0, 1.0, 1.0]),
        discipline=np.array([0.8, 0.8, 0.8, 2.5 / 3.0, 0.8]),
        faction_line=np.array([0.0, 0.0, 0.0, 0.0, -0.9]),
        regional_strength=2.5,
        discipline_strength=3.0,
        reciprocity=0.5,
    )
    utility, which = weightiest_cue(cues)
    np.testing.assert_allclose(utility, [-2.5, 2.5, 2.4, -2.5, -2.7])
    assert [CUES[k] for k in which] == ["constituency", "constituency", "whip", "constituency",
                                        "faction"]  # fmt: skip


def test_reciprocity_decides_only_where_every_other_cue_weighs_less():
    # (1) no stake, free vote; (2) a small loss (-0.5 * 0.8 = -0.4) on a free vote; (3) a loss
    # of -1.0, weightier than reciprocity's 0.6; (4) a weak whip against (-0.3); (5) a tie of
    # 0.6 with the constituency, which wins ties.
    cues = member_cues(
        regional_gain=np.array([0.0, -0.5, -1.25, 0.0, -0.75]),
        party_line=np.array([0.0, 0.0, 0.0, -1.0, 0.0]),
        discipline=np.array([0.5, 0.5, 0.5, 0.1, 0.5]),
        faction_line=np.zeros(5),
        regional_strength=0.8,
        discipline_strength=3.0,
        reciprocity=0.6,
    )
    utility, which = weightiest_cue(cues)
    np.testing.assert_allclose(utility, [0.6, 0.6, -1.0, 0.6, -0.6])
    assert [CUES[k] for k in which] == ["reciprocity"] * 2 + ["constituency", "reciprocity",
                                                              "constituency"]  # fmt: skip


def voting_members(n, line=1.0, faction_line=0.0, bloc=None):
    return {
        "gain": np.zeros(n),
        "line": np.full(n, line),
        "discipline": np.ones(n),
        "faction_line": np.full(n, faction_line),
        "party": np.zeros(n, int),
        "bloc": np.zeros(n, int) if bloc is None else bloc,
    }


def test_a_whip_weighs_as_much_as_its_leadership_is_committed_to_it():
    whip = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 1.0, -1.0])
    support = np.array([0.45, 1.0, 0.9, 0.0, 0.7, np.nan, np.nan])
    # yes: s; no: -(1 - s); free: 0. A leadership wholly for (or against) whips fully, and so
    # does a party with no leader (NaN).
    expected = [0.45, 1.0, -0.1, -1.0, 0.0, 1.0, -1.0]
    assert np.allclose(committed_whip(whip, support), expected)


def test_a_leadership_supports_a_bill_as_its_leaders_do_on_average():
    party = np.array([0, 0, 0, 1, 1, 2])
    leader = np.array([True, False, True, False, True, False])
    support = np.array([0.2, 0.9, 0.4, 0.5, 0.7, 0.1])
    # party 0: its two leaders (0.2, 0.4); party 1: its one; parties 2 and 3: no leader
    mean = leadership_support(party, leader, support, 4)
    assert np.allclose(mean[:2], [0.3, 0.7]) and np.isnan(mean[2:]).all()


def test_a_faction_leader_carries_her_members_against_the_whip():
    members = voting_members(4000, line=1.0, faction_line=-0.9)
    members["faction_line"][:2000] = 0.0  # half the party is in no faction
    params = LegislatureParams(discipline_strength=2.0, caucus_noise=0.0)
    yes, _, which = member_votes(members, np.ones(4000, bool), np.random.default_rng(3), params)
    # Outside the faction the whip (2.0) decides; inside, the leader's -0.9 * 2.0 is weaker.
    assert {CUES[k] for k in which} == {"whip"}
    members["line"][:] = 0.8  # a weaker whip (1.6): the faction (1.8) now weighs most
    yes, _, which = member_votes(members, np.ones(4000, bool), np.random.default_rng(3), params)
    assert {CUES[k] for k in which[2000:]} == {"faction"}
    # Shares against the closed form logistic(u - c), u = 1.6 outside and -1.8 inside, c the
    # abstention band: 4 sd bands.
    for share, u in ((yes[:2000].mean(), 1.6), (yes[2000:].mean(), -1.8)):
        p = 1 / (1 + np.exp(-(u - params.abstention_band)))
        assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / 2000)


def test_a_caucus_shares_its_shock_of_the_day():
    # No cue at all and almost no personal noise: each caucus votes as one, by its own shock.
    bloc = np.repeat(np.arange(40), 10)
    members = voting_members(400, line=0.0, bloc=bloc)
    params = LegislatureParams(vote_noise=0.01, caucus_noise=1.0)
    yes, _, _ = member_votes(members, np.ones(400, bool), np.random.default_rng(5), params)
    by_caucus = yes.reshape(40, 10)
    unanimous = by_caucus.all(axis=1) | ~by_caucus.any(axis=1)
    assert unanimous.sum() >= 30  # a caucus whose shock is within ~0.05 of zero may split
    assert 5 < by_caucus[:, 0].sum() < 35  # and the caucuses differ
    # Without the shock the same members split as coin flips inside each caucus.
    flat = LegislatureParams(vote_noise=1.0, caucus_noise=0.0)
    yes, _, _ = member_votes(members, np.ones(400, bool), np.random.default_rng(5), flat)
    flat_caucus = yes.reshape(40, 10)
    assert (flat_caucus.all(axis=1) | ~flat_caucus.any(axis=1)).sum() < 5  # 2 x 0.5^10 each


def test_votes_follow_draws():
    assert cast_votes(np.array([0.5, 0.5]), np.array([0.4, 0.6])).tolist() == [True, False]


def test_the_ordered_vote_has_the_closed_form_shares():
    # Utilities 0, 1 and -2 (20,000 members each), noise 1.5, band 0.8: yes with
    # logistic((u - c) / s), no with logistic((-u - c) / s), abstain otherwise (4 sd bands).
    n, s, c = 20_000, 1.5, 0.8
    utility = np.repeat([0.0, 1.0, -2.0], n)
    yes, abstain = ordered_votes(utility, s, c, np.random.default_rng(11).random(3 * n))
    assert not (yes & abstain).any()
    for k, u in enumerate((0.0, 1.0, -2.0)):
        mine = slice(k * n, (k + 1) * n)
        p_yes = 1 / (1 + np.exp(-(u - c) / s))
        p_no = 1 / (1 + np.exp(-(-u - c) / s))
        for share, p in ((yes[mine].mean(), p_yes), ((~yes & ~abstain)[mine].mean(), p_no),
                         (abstain[mine].mean(), 1 - p_yes - p_no)):  # fmt: skip
            assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_without_a_band_nobody_abstains_and_the_votes_are_the_binary_logit():
    rng = np.random.default_rng(12)
    utility, uniform = rng.normal(0, 2, 5000), rng.random(5000)
    yes, abstain = ordered_votes(utility, 1.0, 0.0, uniform)
    assert not abstain.any()
    assert np.array_equal(yes, cast_votes(yes_probability(utility, 1.0), uniform))


def divided_house(abstentions: str) -> tuple[Bill, list[str]]:
    """A bill on the floor of 300 members, 100 for it, 60 against and 140 with no pull at all
    (no reciprocity either).

    With no noise to speak of, the 100 vote yes and the 60 no; the 140 whose utility is 0 lie
    inside any band and abstain, where the chamber allows it.
    """
    house = members(n=300, gain=0.0, line=0.0)
    house["line"][:100], house["line"][100:160] = 1.0, -1.0
    bill = Bill(0, 1, introduced=0, committee=-1, abstentions=abstentions)
    params = LegislatureParams(
        vote_noise=0.01, caucus_noise=0.0, abstention_band=0.5, reciprocity=0.0
    )
    events = week_of_bill(bill, 1, house, np.random.default_rng(4), params)
    return bill, events


def test_abstentions_count_against_a_bill_where_a_majority_of_those_present_is_needed():
    bill, events = divided_house("count_against")  # Korea's Assembly (Constitution Art. 49)
    vote = bill.votes[-1]
    assert (vote.yes.sum(), vote.no.sum(), vote.abstain.sum()) == (100, 60, 140)
    assert bill.stage == "failed", events  # 100 of 300 present


def test_abstentions_do_not_count_where_a_majority_of_the_votes_cast_is_needed():
    bill, events = divided_house("not_counted")  # the Bundestag (Basic Law Art. 42(2))
    assert bill.votes[-1].abstain.sum() == 140
    assert bill.stage == "passed", events  # 100 of the 160 votes cast


def test_where_members_may_not_abstain_nobody_does():
    bill, _ = divided_house("barred")  # the Storting
    vote = bill.votes[-1]
    assert not vote.abstain.any() and vote.yes.sum() + vote.no.sum() == 300
    assert vote.yes[:100].all() and vote.no[100:160].all()  # the pulled members as before


def members(n=300, gain=0.0, line=1.0):
    committee = np.zeros(n, bool)
    committee[:24] = True
    return {
        "gain": np.full(n, gain),
        "line": np.full(n, line),
        "discipline": np.full(n, 1.0),
        "seated": np.ones(n, bool),
        "committees": committee[:, None],
        "party": np.zeros(n, int),
        "faction": np.full(n, -1),
        "recognition": np.ones(n),
    }


def test_a_united_house_passes_a_bill_in_one_week():
    bill = Bill(0, 1, introduced=0)
    events = week_of_bill(
        bill,
        1,
        members(gain=1.0, line=1.0),
        np.random.default_rng(1),
        LegislatureParams(discipline_strength=20),
    )
    assert bill.stage == "passed" and bill.closed == 1, events


def test_a_hostile_house_never_passes_and_refuses_fast_track():
    bill = Bill(0, 1, introduced=0)
    rng = np.random.default_rng(2)
    params = LegislatureParams(committee_patience_weeks=3, discipline_strength=20)
    for week in range(1, 20):
        week_of_bill(bill, week, members(gain=-1.0, line=-1.0), rng, params)
    assert bill.stage == "committee" and bill.fast_track_tried


def test_regional_gain_by_region():
    region = np.array([0, 1, 2, 3, -1])
    bids = np.array([False, True, True, False])
    np.testing.assert_array_equal(regional_gain(region, 1, bids, 3), [0, 1, -0.5, -1, 0])


def test_a_framework_is_worth_the_moves_it_enables():
    region = np.array([0, 1, 2, 3, -1])
    bids = np.array([False, True, True, False])
    # Region 3 loses its institutions; 1 and 2 may win one; 0 and the list member neither.
    np.testing.assert_array_equal(framework_gain(region, bids, 3), [0, 0.5, 0.5, -1, 0])
    np.testing.assert_array_equal(framework_gain(region, bids, [0, 3]), [-1, 0.5, 0.5, -1, 0])
