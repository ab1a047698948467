"""Each kind of agent decides: hand-built situations with a known answer, and their why-lines."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

import sim
from agents import ExecutiveAgent, LawmakerAgent, MinistryAgent, RegionAgent, UnionAgent
from sim.allocation import STAY, UNDECIDED
from sim.pressure import ACTION_THRESHOLDS, union_action


@pytest.fixture
def model():
    return sim.build_model("season2_2020", seed=3)


def last_line(model, kind):
    return next(row for row in reversed(model.why) if row[1] == kind)


class FixedDraw:
    """Stands in for numpy's generator where a test needs to choose the executive's draw."""

    def __init__(self, value):
        self.value = value

    def random(self):
        return self.value


def test_a_region_lobbies_hardest_for_what_it_wants_most(model):
    region = next(r for r in model.regions if r.receives and model.intent_share[r.index].any())
    model.zeal[region.index] = 0.5
    RegionAgent.lobby(model)
    capacity = model.world.capacity[region.index]
    effort = model.effort[region.index]
    assert effort.sum() == pytest.approx(0.5 * capacity)
    assert effort.argmax() == model.intent_share[region.index].argmax()
    lines = [row for row in model.why if row[1] == "lobbying" and row[2] == region.code]
    assert lines and lines[-1][3] == model.world.inst_codes[effort.argmax()]


def test_lawmakers_press_every_claim_of_their_region_pools_included(model):
    # Gwangju-Jeonnam bids for no named bank but wants three clusters' pools: its members'
    # anchor for its claims is its total intent over the keenest region's, not zero.
    w, total = model.world, model.intent.sum(axis=1)
    k = w.region_codes.index("gwangju_jeonnam")
    assert not w.bids[:, k].any() and total[k] > 0
    members = w.member_region == k
    assert np.allclose(model.claim_anchor[members], total[k] / total.max())
    assert (model.claim_anchor[w.member_region < 0] == 0).all()


def test_a_region_without_bids_lobbies_for_its_pools_and_says_so():
    result = sim.run("season2_2020", seed=3, series_every=0)
    w, k = result.model.world, result.model.world.region_codes.index("gwangju_jeonnam")
    lines = result.why[(result.why.kind == "lobbying") & (result.why.actor == "gwangju_jeonnam")]
    assert len(lines) and (lines.target == result.model.regions.to_list()[k].first_choice).all()
    effort = result.model.effort[k]
    assert effort.sum() > 0 and w.bids[effort > 0, k].sum() == 0  # all on unbid bodies


def test_a_region_that_wants_nothing_spends_nothing_and_says_nothing(model):
    capital = next(r for r in model.regions if not model.intent_share[r.index].any())
    before = len(model.why)
    RegionAgent.lobby(model)
    assert not model.effort[capital.index].any()
    assert all(row[2] != capital.code for row in model.why[before:])


def test_a_lawmaker_tied_to_one_colleague_takes_her_stance(model):
    n = len(model.world.names)
    influence = np.eye(n)
    influence[0] = np.eye(n)[1]  # member 0 listens only to member 1
    model.influence = sparse.csr_array(influence)
    model.__dict__["susceptibility"] = np.ones(n)  # nobody is anchored: ties only
    model.stance[:, 0] = 0.0
    model.stance[1, 0] = 1.0
    LawmakerAgent.deliberate(model)
    assert model.stance[0, 0] == 1.0 and model.stance[2:, 0].max() == 0.0
    _, _, source, target, detail = last_line(model, "influence")
    names = model.world.names
    assert (source, target) == (names[1], names[0]) and "+1.000" in detail


def test_lawmakers_whose_constituency_loses_defy_the_whip_and_the_log_says_so(model):
    # A floor vote whipped yes for everyone, on a bill that costs the first party's members of
    # its largest region their constituency: 2.5 x -1 outweighs the whip's 3 x 0.5 x 1. With
    # almost no noise and no caucus shock, exactly those members vote no.
    legislature = replace(model.params.legislature, vote_noise=0.01, caucus_noise=0.0)
    model.params = replace(model.params, legislature=legislature)
    w, n = model.world, len(model.world.names)
    ours = (w.member_party == 0) & w.seated & (w.member_region >= 0)
    losers = ours & (w.member_region == np.bincount(w.member_region[ours]).argmax())
    members = {**model.voting_arrays, "gain": np.where(losers, -1.0, 0.0), "line": np.ones(n),
               "faction_line": np.zeros(n), "discipline": np.full(n, 0.5)}  # fmt: skip
    yes, abstain = LawmakerAgent.vote(model, "Test Act", members, w.seated, "floor", False)
    assert (yes == ~losers[w.seated]).all() and not abstain.any()
    _, _, party, bill, detail = last_line(model, "vote")
    assert (party, bill) == (w.party_codes[0], "Test Act")
    assert detail.startswith(f"{losers.sum()} of its")
    assert "constituency weighing most" in detail and "abstaining" not in detail


def test_a_whip_its_leadership_half_backs_is_named_as_such_when_defied(model):
    # Whipped yes at 3 x 1 x 0.45 = 1.35 (a leadership 45% for the bill), and a constituency
    # losing 2.5 x -1 for every member of the first party: with almost no noise they all defy it.
    legislature = replace(model.params.legislature, vote_noise=0.01, caucus_noise=0.0)
    model.params = replace(model.params, legislature=legislature)
    w, n = model.world, len(model.world.names)
    ours = (w.member_party == 0) & w.seated
    members = {**model.voting_arrays, "gain": np.where(ours, -1.0, 0.0),
               "line": np.full(n, 0.45), "faction_line": np.zeros(n),
               "discipline": np.ones(n)}  # fmt: skip
    yes, _ = LawmakerAgent.vote(model, "Test Act", members, w.seated, "floor", False)
    assert not yes[ours[w.seated]].any()
    _, _, party, _, detail = last_line(model, "vote")
    assert party == w.party_codes[0]
    assert detail.startswith(f"{ours.sum()} of its {ours.sum()} voters defied the whip its "
                             "leadership backs at 45% on the floor")  # fmt: skip


def test_a_party_whose_members_abstain_against_the_whip_is_reported_as_split(model):
    # Whipped yes with a whip of 3 x 0.1 = 0.3, inside a band of 1: with almost no noise every
    # member of every party abstains, and the log counts them as defying the whip.
    legislature = replace(model.params.legislature, vote_noise=0.01, caucus_noise=0.0,
                          abstention_band=1.0, reciprocity=0.0)  # fmt: skip
    model.params = replace(model.params, legislature=legislature)
    w, n = model.world, len(model.world.names)
    members = {**model.voting_arrays, "gain": np.zeros(n), "line": np.ones(n),
               "faction_line": np.zeros(n), "discipline": np.full(n, 0.1)}  # fmt: skip
    yes, abstain = LawmakerAgent.vote(model, "Test Act", members, w.seated, "floor", True)
    assert abstain.all() and not yes.any()
    voters = np.bincount(w.member_party[w.seated]).tolist()
    lines = [row for row in model.why if row[1] == "vote"]
    assert len(lines) == sum(k > 0 for k in voters)
    for count, row in zip([k for k in voters if k], lines, strict=True):
        assert row[4].startswith(f"{count} of its {count} voters defied the whip ({count} "
                                 "abstaining)")  # fmt: skip


def test_members_with_no_stake_and_a_weak_whip_against_follow_the_norm_of_reciprocity(model):
    # Whipped no with a whip of 3 x 0.1 = 0.3 and no stake in the bill: reciprocity (1.0)
    # weighs most, so with almost no noise every member votes yes, against the whip.
    legislature = replace(model.params.legislature, vote_noise=0.01, caucus_noise=0.0,
                          reciprocity=1.0)  # fmt: skip
    model.params = replace(model.params, legislature=legislature)
    w, n = model.world, len(model.world.names)
    members = {**model.voting_arrays, "gain": np.zeros(n), "line": -np.ones(n),
               "faction_line": np.zeros(n), "discipline": np.full(n, 0.1)}  # fmt: skip
    yes, _ = LawmakerAgent.vote(model, "Test Act", members, w.seated, "floor", False)
    assert yes.all()
    lines = [row for row in model.why if row[1] == "vote"]
    assert lines and all(row[4].endswith("the norm of reciprocity weighing most") for row in lines)


@pytest.mark.parametrize(
    "mobilisation, decided, action",
    [
        (0.0, False, "none"),
        (ACTION_THRESHOLDS[0], False, "appeal to lawmakers"),
        (ACTION_THRESHOLDS[1], False, "rally"),
        (ACTION_THRESHOLDS[2], False, "strike"),
        (ACTION_THRESHOLDS[1], True, "lawsuit"),
        (0.0, True, "none"),
    ],
)
def test_a_union_takes_the_strongest_action_its_mobilisation_affords(mobilisation, decided, action):
    assert union_action(mobilisation, decided) == action


def test_a_union_under_full_threat_mobilises_at_its_rise_rate(model):
    union = model.unions.to_list()[0]
    k, up = union.index, model.params.unions
    model.threat[:] = 1.0
    model.progress, model.bargained_scope = 1.0, 100.0  # an announcement looks certain
    UnionAgent.mobilise(model)
    strength = model.world.union_strength[k]
    expected = up.rise_rate * strength * min(1.0, up.anticipation)
    assert union.mobilisation == pytest.approx(expected)
    assert union.action == union_action(expected, False) != "none"
    lines = [row for row in model.why if row[1] == "union" and row[2] == union.code]
    assert lines and lines[-1][3] == union.action


def test_only_the_drafter_drafts(model):
    weeks = model.params.drafting.drafting_weeks
    others = model.ministries.select(lambda m: m.role != "drafter")
    others.do("draft")
    assert model.progress == 0.0
    model.ministries.do("draft")
    assert model.progress == pytest.approx(1.0 / weeks)


def test_once_everything_is_decided_the_draft_is_the_decisions(model):
    drafter = model.ministries.select(lambda m: m.role == "drafter").to_list()[0]
    model.decided[:] = STAY
    model.decided[0] = 1
    drafter.draft()
    assert np.array_equal(model.draft, model.decided)


def test_a_ministry_reports_the_position_the_model_bargains_with(model):
    ministry = model.ministries.to_list()[0]
    model.ministry_position[ministry.index] = 12.0
    assert ministry.position == 12.0 and isinstance(ministry, MinistryAgent)


def ready_executive(model, draw):
    model.progress, model.bargained_scope = 1.0, 100.0
    model.weigh_the_plan()  # what the bargaining table would have done with this scope
    model.rng = FixedDraw(draw)
    return model.head_of_government


def test_the_executive_announces_when_the_draw_falls_under_her_probability(model):
    executive = ready_executive(model, 0.0)
    assert isinstance(executive, ExecutiveAgent) and executive.options() == ["blueprint"]
    executive.decide()
    assert model.blueprint_week == model.steps
    assert (model.decided != UNDECIDED).all() and np.array_equal(model.decided, model.draft)
    _, _, actor, target, detail = last_line(model, "executive")
    assert (actor, target) == (executive.name, "blueprint") and detail.startswith("announced")


def test_a_pledged_flagship_waits_for_a_complete_draft_like_a_plan():
    model = sim.build_model("kdb_2023", seed=1)  # starts with the pledging government
    executive = model.head_of_government
    model.bargained_scope = 100.0
    model.progress = 1.0 - 2.0 / model.params.drafting.drafting_weeks
    assert "flagship" not in executive.options()
    model.progress = 1.0
    assert "flagship" in executive.options()


def test_the_executive_waits_when_the_draw_is_above_it(model):
    executive = ready_executive(model, 1.0 - 1e-12)
    executive.decide()
    assert model.blueprint_week < 0 and (model.decided == UNDECIDED).all()
    detail = last_line(model, "executive")[4]
    assert detail.startswith(("waited with a blueprint on the table", "postponed until after"))


def test_without_an_agreed_scope_the_executive_has_nothing_to_announce(model):
    executive = ready_executive(model, 0.0)
    model.bargained_scope = 0.0
    executive.decide()
    assert model.blueprint_week < 0
    assert "nothing to announce" in last_line(model, "executive")[4]


def test_after_the_blueprint_the_executive_says_it_is_out_not_that_she_waits(model):
    executive = ready_executive(model, 0.0)
    executive.decide()  # announces
    assert model.blueprint_week == model.steps and executive.options() == []
    executive.decide()  # the week after: nothing left to announce
    detail = last_line(model, "executive")[4]
    since = model.date_of(model.blueprint_week)
    assert detail.startswith(f"nothing more to announce: the blueprint has been out since {since}")
    assert "waited" not in detail


def test_an_executive_whose_plan_makes_more_losers_says_she_waits_for_the_election(model):
    executive = ready_executive(model, 1.0 - 1e-12)
    model.credit, model.regional_blame = 0.0, 1.0  # all losers
    executive.decide()
    election = executive.looming_election()
    assert model.proximity > 0
    assert (
        f"postponed until after the {election.kind} election of {election.date}"
        in (last_line(model, "executive")[4])
    )


@pytest.mark.parametrize("null", ["model", "clock"])
def test_in_mid_term_the_permanent_campaign_holds_back_a_plan_of_losers(null):
    model = sim.build_model("season2_2020", seed=3, parameters__timing__permanent_campaign=0.5,
                            parameters__null__hazard=null)  # fmt: skip
    executive = ready_executive(model, 1.0 - 1e-12)
    model.credit, model.blame, model.proximity = 0.0, 1.0, 0.0  # all losers, no election near
    t = model.params.timing
    c = 0.5 if null == "model" else 0.0  # the null 'clock' is the model with c = 0
    assert executive.hazard_of(0.8, 0.0, 1.0) == pytest.approx(
        t.base_hazard * 0.8 * np.exp(-c * t.blame_weight), rel=1e-12
    )
    reason = str(executive.why_wait(["blueprint"]))
    if null == "model":
        assert reason.startswith("held back, with a blueprint on the table: its losers weigh more")
    else:
        assert reason == "waited with a blueprint on the table"


def test_the_why_log_of_one_run_shows_every_kind_deciding(tmp_path):
    relocsim = str(Path(sys.executable).with_name("relocsim"))
    subprocess.run([relocsim, "run", "--seed", "7", "--out", str(tmp_path)], check=True,
                   capture_output=True)  # fmt: skip
    why = pd.read_csv(tmp_path / "why.csv")
    # regions lobby, lawmakers deliberate, unions mobilise, the drafter drafts, the executive
    # decides (a split party's floor-vote why-line is tested on a hand-built vote above:
    # test_lawmakers_whose_constituency_loses_defy_the_whip_and_the_log_says_so)
    assert {"lobbying", "influence", "union", "drafting", "executive"} <= set(why["kind"])
    regions = {r.code for r in sim.build_model("season2_2020", seed=7).regions}
    assert set(why.loc[why["kind"] == "lobbying", "actor"]) <= regions


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_a_new_government_brings_its_pledged_share_of_the_draft_to_office(share):
    import sim

    case = "dk_bedre_balance_2015"
    model = sim.build_model(case, seed=0, series_every=0,
                            **{"parameters.drafting.opposition_draft": share})  # fmt: skip
    model.progress, model.incoming = 0.9, "V"  # the outgoing government's draft is its own
    model.take_office()
    pledge = {p.code: p.pledge for p in sim.load_scenario(case).parties}["V"]
    assert model.progress == pytest.approx(share * pledge)  # 0 or 0.5 * 0.8
