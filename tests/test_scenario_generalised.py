"""The generalised schema (issue 11): each new field, its one-line errors and what it does.

Every test starts from the shipped default and changes what it needs through overrides or by
editing the parsed data, so that each checks one feature in isolation.
"""

from datetime import date, timedelta

import numpy as np
import pytest

import sim
from sim.scenario import ScenarioError, from_dict, load_scenario, load_scenario_data
from sim.scenario_types import ELECTION_WEIGHT

DEFAULT = "season2_2020"


def _data():
    return load_scenario_data(DEFAULT)


def _load(data):
    return from_dict(data, "case.toml")


def _error(data) -> str:
    with pytest.raises(ScenarioError) as err:
        _load(data)
    text = str(err.value)
    assert "\n" not in text and text.startswith("case.toml: ")
    return text.removeprefix("case.toml: ")


def _edit(**changes):
    data = _data()
    data.update(changes)
    return data


def _prime_minister(**executive):
    """The default with a prime minister: the president's handover date no longer applies."""
    data = _edit(executive={"office": "prime_minister", **executive})
    for e in data["elections"]:
        e.pop("handover_days", None)
    return data


# ---- executive -----------------------------------------------------------------------------


def test_a_bare_party_code_is_still_a_president_of_that_party():
    scenario = _load(_edit(executive="DP"))
    assert scenario.executive.party == "DP" and scenario.executive.office == "president"
    assert scenario.executive.partners == ()


@pytest.mark.parametrize(
    ("executive", "message"),
    [
        ({"party": "XX"}, "executive.party: expected a party code, one of: DP, UFP"),
        (
            {"party": "DP", "office": "king"},
            'executive.office: expected one of: president, prime_minister, got "king"',
        ),
        (
            {"party": "DP", "partners": ["DP"]},
            "executive.partners: expected coalition partners "
            'other than the executive\'s party, got ["DP"]',
        ),
        ({"party": "DP", "colour": "blue"}, "executive.colour: expected one of: office, name"),
    ],
)
def test_bad_executives(executive, message):
    assert message in _error(_edit(executive=executive))


def test_a_prime_minister_falls_with_a_lost_general_election():
    data = _prime_minister(party="DP", partners=["ODP"])
    data["elections"].append(
        {
            "code": "general_2021",
            "kind": "general",
            "date": date(2021, 9, 6),
            "result": "ruling_loses",
        }
    )
    model = sim.build_model(_load(data), seed=0)
    codes = model.world.party_codes
    assert model.party_line[codes.index("ODP")] == 1  # partners are whipped with the government
    model.run_for(60)
    assert model.executive_name == "UFP" and model.partners == []
    # the presidential election no longer decides who governs
    model.run_for(50)
    assert model.executive_name == "UFP"


def test_a_defeated_president_is_a_caretaker_until_her_successor_takes_office():
    setting = sim.load_scenario(DEFAULT, {"elections.presidential_2022.result": "ruling_loses"})
    election = setting.election("presidential_2022")
    assert election.handover_days == 62
    handover = date(2022, 5, 10)  # Yoon's inauguration
    model = sim.build_model(setting, seed=0)
    polling = int(np.ceil(model.week_of(election.date)))
    office = int(np.ceil(model.week_of(handover)))
    model.run_for(polling)
    assert model.executive_name == "DP" and model.caretaker_until == handover
    # A complete draft at a scope that allows it, not yet announced: only the caretaker rule
    # can hold her back.
    model.progress, model.bargained_scope, model.blueprint_week = 1.0, 100.0, -1
    executive = model.head_of_government
    model.caretaker_until = None
    assert "blueprint" in executive.options()  # without the caretaker rule she could announce
    model.caretaker_until = handover
    assert executive.options() == []
    assert str(executive.why_wait([])).endswith(f"takes office on {handover}")
    while model.steps < office - 1:
        model.step()
        assert model.executive_name == "DP" and model.blueprint_week < 0
        assert executive.options() == [] and model.p_announce == 0
    model.step()
    assert model.executive_name == "UFP" and model.caretaker_until is None
    # A new draft, from what the PPP prepared in opposition: its pledge's share, plus a week.
    prepared = (
        model.params.drafting.opposition_draft * {p.code: p.pledge for p in setting.parties}["UFP"]
    )
    assert 0 < prepared <= model.progress <= prepared + 1 / model.params.drafting.drafting_weeks
    # The UFP (its code) had been the PPP since 2020-09-02: the log names it as it was called.
    took = f"took office, with {prepared:.0%} of the plan prepared in opposition"
    assert ("event", "the PPP government", "PPP", took) in {w[1:] for w in model.why}


def test_without_a_handover_delay_the_winner_governs_from_polling_day():
    setting = sim.load_scenario(DEFAULT)
    data = _data()
    for e in data["elections"]:
        e.pop("handover_days", None)
        if e["code"] == "presidential_2022":
            e["result"] = "ruling_loses"
    model = sim.build_model(_load(data), seed=0)
    model.run_for(int(np.ceil(model.week_of(setting.election("presidential_2022").date))))
    assert model.executive_name == "UFP" and model.caretaker_until is None


@pytest.mark.parametrize(
    "election, message",
    [
        (
            {"kind": "local", "handover_days": 30},
            "elections[5].handover_days: expected handover_days only on a presidential "
            "election (the kind that decides the president), got 30",
        ),
        (
            {"kind": "presidential", "handover_days": -1},
            "elections[5].handover_days: expected an integer in [0, 366], got -1",
        ),
    ],
)
def test_bad_handover_dates(election, message):
    data = _data()
    data["elections"].append({"code": "extra_2021", "date": date(2021, 9, 6), **election})
    assert message in _error(data)


def test_the_election_clock_needs_a_deciding_election_after_the_horizon():
    data = _data()
    data["elections"] = [e for e in data["elections"] if e["code"] != "presidential_2027"]
    assert _error(data) == (
        "elections: expected a presidential election dated on or after the horizon "
        '(2022-12-26), so that the election clock always has one ahead, got ["presidential_2022"]'
    )
    pm = _prime_minister(party="DP")
    pm["elections"] = [e for e in pm["elections"] if e["code"] != "general_2024"]
    assert "expected a general election dated on or after the horizon" in _error(pm)


def test_elections_past_the_horizon_keep_the_clock_running():
    model = sim.build_model(DEFAULT, seed=0)
    model.run_for(125)  # past the 2022 presidential and local elections
    weeks = model.election_weeks - model.steps  # the executive's clock
    assert (weeks > 0).any()  # general_2024 and presidential_2027 are still ahead
    assert model.proximity > 0


# ---- elections -----------------------------------------------------------------------------


def test_election_weight_and_probability_default_by_kind():
    data = _data()
    data["elections"].append(
        {"code": "senate_2021", "kind": "upper_house", "date": date(2021, 5, 3)}
    )
    election = _load(data).election("senate_2021")
    assert election.weight == ELECTION_WEIGHT["upper_house"] and election.p_ruling_win == 0.5
    assert election.result == "" and election.seats == {}


def test_a_given_result_is_not_drawn():
    for result, winner in (("ruling_wins", "DP"), ("ruling_loses", "UFP")):
        overrides = {
            "elections.presidential_2022.result": result,
            "elections.presidential_2022.p_ruling_win": 0.5,
        }
        outcomes = {
            sim.run(DEFAULT, seed=s, series_every=0, **overrides).outcome[
                "winner_presidential_2022"
            ]
            for s in range(6)
        }
        assert outcomes == {winner}


@pytest.mark.parametrize(
    ("election", "message"),
    [
        (
            {"kind": "by", "result": "ruling_wins", "seats": {"DP": 200}},
            "elections[5].seats: expected seats only on a general election with a result",
        ),
        (
            {"kind": "general", "seats": {"DP": 200}},
            "elections[5].seats: expected seats only on a general election with a result",
        ),
        (
            {"kind": "general", "result": "ruling_wins", "region_seats": {"busan": {"DP": 1}}},
            "elections[5].region_seats: expected region_seats only with seats",
        ),
        (
            {"kind": "general", "result": "ruling_wins", "seats": {"DP": 150, "UFP": 100}},
            "elections[5].seats.DP: expected at least 163 (DP's constituency seats summed over "
            "regions), got 150",
        ),
        (
            {
                "kind": "general",
                "result": "ruling_wins",
                "seats": {"DP": 200, "UFP": 100},
                "region_seats": {"mars": {"DP": 1}},
            },
            "elections[5].region_seats.mars: expected a region code",
        ),
        (
            {"kind": "general", "result": "maybe"},
            'elections[5].result: expected one of: , ruling_wins, ruling_loses, got "maybe"',
        ),
    ],
)
def test_bad_seat_tables(election, message):
    data = _data()
    data["elections"].append({"code": "general_2021", "date": date(2021, 9, 6), **election})
    assert message in _error(data)


def test_a_committee_must_fit_the_smallest_legislature():
    data = _data()
    data["elections"].append(
        {
            "code": "general_2021",
            "kind": "general",
            "date": date(2021, 9, 6),
            "result": "ruling_wins",
            "seats": {"DP": 163, "UFP": 84, "JP": 1, "IND": 5},
        }
    )
    data["committee_sizes"]["national_policy"] = 260
    assert "committee_sizes.national_policy: expected an integer in [" in _error(data)
    assert "253]" in _error(data)


def test_seats_after_an_election_add_up_region_by_region():
    data = _data()
    seats = {"DP": 175, "UFP": 110, "JP": 6, "PP": 3, "ODP": 1, "IND": 5}
    data["elections"].append(
        {
            "code": "general_2021",
            "kind": "general",
            "date": date(2021, 9, 6),
            "result": "ruling_wins",
            "seats": seats,
            "region_seats": {"busan": {"UFP": 17, "DP": 1}},
        }
    )
    scenario = _load(data)
    after = scenario.seated_after(scenario.election("general_2021"))
    assert {p.code: p.seats for p in after.parties} == seats
    assert after.region("busan").seats == {"UFP": 17, "DP": 1}
    assert after.region("daegu").seats == scenario.region("daegu").seats


# ---- factions ------------------------------------------------------------------------------


def _faction(**changes):
    faction = {
        "code": "chin_moon",
        "name": "Pro-Moon",
        "party": "DP",
        "leader": "Kim Tae-nyeon",
        "members": ["Kim Tae-nyeon", "Jeon Jae-su"],
        "share": 0.4,
        "stance": 0.9,
    }
    faction.update(changes)
    return faction


@pytest.mark.parametrize(
    ("factions", "message"),
    [
        ([_faction(party="XX")], "factions[0].party: expected a party code"),
        ([_faction(leader="Yun Jae-ok")], "factions[0].leader: expected a named actor of DP"),
        (
            [_faction(members=["Jeon Jae-su"])],
            "factions[0].members: expected a list that includes the leader 'Kim Tae-nyeon'",
        ),
        (
            [_faction(), _faction(code="b", leader="", members=["Jeon Jae-su"])],
            'factions[1].members[0]: expected an actor not already in factions[0], got "Jeon '
            'Jae-su"',
        ),
        (
            [_faction(), _faction(code="b", leader="", members=[], share=0.7)],
            "factions[1].share: expected a share that keeps DP's factions at or below 1 in all",
        ),
        ([_faction(stance=2)], "factions[0].stance: expected a number in [0, 1], got 2"),
    ],
)
def test_bad_factions(factions, message):
    assert message in _error(_edit(factions=factions))


def test_faction_members_take_its_stance_and_listen_to_its_leader():
    scenario = _load(_edit(factions=[_faction(stance=0.0, share=0.5)]))
    model = sim.build_model(scenario, seed=3)
    w = model.world
    members = np.nonzero(w.faction == 0)[0]
    dp = np.nonzero((w.member_party == w.party_codes.index("DP")) & ~w.leader)[0]
    # about half of the DP's anonymous members, and the two named ones
    assert 0.35 < np.isin(dp, members).mean() < 0.65
    leader = w.names.index("Kim Tae-nyeon")
    assert w.faction_leader[leader] and w.faction[w.names.index("Jeon Jae-su")] == 0
    # the anchor's pledge part is the faction's stance (0), not the DP's pledge (0.75)
    ip = scenario.parameters.influence
    assert (model.anchor_base[members[~w.leader[members]]] <= ip.region_gain_weight + 1e-12).all()
    follower = next(m for m in members if not w.leader[m] and m != leader)
    assert model.influence[follower, leader] > 0  # a faction-leader tie


# ---- committees ----------------------------------------------------------------------------


def test_committees_are_named_by_the_scenario():
    data = _edit(committee_sizes={"finance": 20, "land": 25, "defence": 40})
    for person in data["named"]:
        person["committees"] = [
            "finance" if c == "national_policy" else "land" for c in person.get("committees", [])
        ]
    data["institutions"][0]["committee"] = "land"
    scenario = _load(data)
    assert list(scenario.committee_sizes) == ["finance", "land", "defence"]
    assert scenario.institutions[0].committee == "land"
    assert scenario.institutions[1].committee == "finance"  # the first committee by default
    world = sim.build_model(scenario, seed=0).world
    assert world.committee_codes == ["finance", "land", "defence"]
    assert world.committee.sum(axis=0).tolist() == [20, 25, 40]


def test_bad_committee_references():
    data = _data()
    data["named"][1]["committees"] = ["defence"]
    assert "named[1].committees[0]: expected a committee, one of: national_policy" in _error(data)
    data = _data()
    data["institutions"][0]["committee"] = "defence"
    assert "institutions[0].committee: expected a committee code" in _error(data)
    assert "committee_sizes.2x: expected a committee code" in _error(
        _edit(committee_sizes={"2x": 3})
    )


# ---- bills ---------------------------------------------------------------------------------


def _bill(**changes):
    bill = {
        "code": "kdb_act",
        "name": "KDB to Busan",
        "kind": "move",
        "institutions": ["KDB"],
        "destination": "busan",
        "tabled": date(2020, 9, 7),
        "committee": "",
    }
    bill.update(changes)
    return {k: v for k, v in bill.items() if v is not None}


@pytest.mark.parametrize(
    ("bill", "message"),
    [
        (_bill(kind="repeal"), "bills[0].kind: expected one of: move, reversal, framework"),
        (_bill(institutions=[]), "bills[0].institutions: expected a non-empty array"),
        (_bill(destination="capital"), "bills[0].destination: expected a receiving region"),
        (
            _bill(kind="framework", institutions=[]),
            'bills[0].destination: expected no destination ("") for a framework act, got "busan"',
        ),
        (_bill(tabled=date(2020, 1, 6)), "bills[0].tabled: expected a date on or after start"),
        (_bill(whip={"XX": "yes"}), "bills[0].whip.XX: expected a party or faction code"),
        (_bill(whip={"DP": "maybe"}), "bills[0].whip.DP: expected one of: yes, no, free"),
        (
            _bill(free_vote=True, whip={"DP": "yes"}),
            "bills[0].whip: expected no whips on a free vote (free_vote = true)",
        ),
        (
            _bill(threshold="most"),
            "bills[0].threshold: expected one of: majority, three_fifths, two_thirds",
        ),
        (_bill(committee="defence"), "bills[0].committee: expected a committee code"),
    ],
)
def test_bad_bills(bill, message):
    assert message in _error(_edit(bills=[bill]))


def _run_with_bill(bill, seed=0, weeks=12, **extra):
    model = sim.build_model(_load(_edit(bills=[bill], **extra)), seed=seed, series_every=0)
    model.run_for(weeks)
    return model


def test_a_whipped_move_passes_and_fixes_the_destination():
    model = _run_with_bill(_bill(whip={"DP": "yes", "UFP": "yes", "IND": "yes"}))
    bill = next(b for b in model.bills if b.code == "kdb_act")
    assert bill.stage == "passed" and bill.votes[-1].stage == "floor"
    kdb = model.world.inst_codes.index("KDB")
    assert model.world.region_codes[model.decided[kdb]] == "busan"


def test_a_reversal_keeps_its_institutions_home_and_a_framework_moves_none():
    whips = {"DP": "yes", "UFP": "yes", "IND": "yes"}
    model = _run_with_bill(_bill(kind="reversal", whip=whips))
    kdb = model.world.inst_codes.index("KDB")
    assert model.decided[kdb] == sim.allocation.STAY
    framework = _run_with_bill(_bill(kind="framework", institutions=[], destination="", whip=whips))
    assert next(b for b in framework.bills if b.code == "kdb_act").stage == "passed"
    assert framework.decided[kdb] == sim.allocation.UNDECIDED


def test_whips_set_each_members_line_and_factions_override_their_party():
    faction = _faction(share=0.3)
    bill = _bill(whip={"DP": "no", "chin_moon": "yes"})
    data = _edit(bills=[bill], factions=[faction])
    data.setdefault("parameters", {})["legislature"] = {"whip": "flat"}  # each at its full weight
    model = sim.build_model(_load(data), seed=0)
    model.run_for(8)
    tabled = next(b for b in model.bills if b.code == "kdb_act")
    line = model.bill_line(tabled)
    w = model.world
    dp = w.member_party == w.party_codes.index("DP")
    assert (line[dp & (w.faction == 0)] == 1).all() and (line[dp & (w.faction < 0)] == -1).all()
    assert (line[w.member_party == w.party_codes.index("UFP")] == -1).all()  # the challenger
    free = sim.build_model(_load(_edit(bills=[_bill(free_vote=True)])), seed=0)
    free.run_for(8)
    assert not free.bill_line(next(b for b in free.bills if b.code == "kdb_act")).any()


def test_a_committed_whip_weighs_as_much_as_the_leaders_back_it_and_a_factions_as_declared():
    faction = _faction(share=0.3)
    bill = _bill(whip={"DP": "no", "chin_moon": "yes"})
    data = _edit(bills=[bill], factions=[faction])
    data.setdefault("parameters", {})["legislature"] = {"whip": "committed"}
    model = sim.build_model(_load(data), seed=0)
    model.run_for(8)
    line = model.bill_line(next(b for b in model.bills if b.code == "kdb_act"))
    w = model.world

    def commitment_against(code):  # a no whip weighs 1 - the leaders' mean support
        leaders = w.leader & (w.member_party == w.party_codes.index(code))
        return 1.0 - model.stance[leaders, 0].mean()

    dp = w.member_party == w.party_codes.index("DP")
    assert (line[dp & (w.faction == 0)] == 1).all()
    assert np.allclose(line[dp & (w.faction < 0)], -commitment_against("DP"))
    ufp = w.member_party == w.party_codes.index("UFP")  # the challenger
    assert np.allclose(line[ufp], -commitment_against("UFP"))
    assert 0 < commitment_against("UFP") < 1


def test_a_committed_yes_whip_on_a_reversal_weighs_the_leaders_opposition_to_relocating():
    data = _edit(bills=[_bill(kind="reversal", whip={"DP": "yes", "UFP": "yes", "IND": "yes"})])
    data.setdefault("parameters", {})["legislature"] = {"whip": "committed"}
    model = sim.build_model(_load(data), seed=0)
    model.run_for(8)
    line = model.bill_line(next(b for b in model.bills if b.code == "kdb_act"))
    w = model.world
    for code in ("DP", "UFP"):
        party = w.member_party == w.party_codes.index(code)
        support = model.stance[w.leader & party, 0].mean()  # for relocating: against reversing
        assert np.allclose(line[party], 1.0 - support)


def test_a_party_with_no_leader_keeps_its_full_whip_when_whips_are_committed():
    # Korea 2003's motion: all four parties whipped yes, the GNP's leaders half for it; the
    # scenario names no URI leader. The committed whips change the floor vote.
    whips = [{"parameters.legislature.whip": whip} for whip in ("flat", "committed")]
    models = [sim.build_model("kr_capital_act_2003", seed=3, **o) for o in whips]
    for model in models:
        model.run_for(5)
    flat, full = models
    motion = next(b for b in full.bills if b.code == "special_committee_motion")
    w = full.world
    led = np.isin(w.member_party, [w.party_codes.index(c) for c in ("GNP", "MDP")])
    uri = w.member_party == w.party_codes.index("URI")
    assert (flat.bill_line(motion)[led | uri] == 1).all()
    line = full.bill_line(motion)
    assert (line[led] > 0).all() and (line[led] < 1).all() and (line[uri] == 1).all()
    assert [v.yes.sum() for v in motion.votes] != [
        v.yes.sum() for v in next(b for b in flat.bills if b.code == motion.code).votes
    ]


def test_a_supermajority_bill_needs_its_share():
    from sim import assembly

    bill = assembly.Bill(-1, 0, 0, code="x", committee=assembly.FLOOR, threshold=2 / 3)
    n = 300
    members = {
        "gain": np.zeros(n),
        "line": np.ones(n),
        "discipline": np.ones(n),
        "seated": np.ones(n, bool),
        "committees": np.zeros((n, 1), bool),
        "recognition": np.ones(n),
        "party": np.zeros(n, int),
        "faction": np.full(n, -1),
    }
    params = sim.load_scenario(DEFAULT).parameters.legislature
    rng = np.random.default_rng(0)
    members["line"][:110] = -1.0  # 190 of 300 for: a majority, not two thirds
    assembly.week_of_bill(bill, 0, members, rng, params)
    yes = int(bill.votes[-1].yes.sum())
    assert 150 < yes < 200 and bill.stage == "failed"


# ---- named actors and dated events --------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ({"role": "minister"}, "named[16].ministry: expected the minister's ministry"),
        (
            {"role": "member", "ministry": "MOLIT"},
            'named[16].ministry: expected no ministry ("") for a member',
        ),
        (
            {"role": "governor", "seated": False, "region": ""},
            "named[16].region: expected the region of the governor",
        ),
        ({"role": "mayor", "region": "busan"}, "named[16].seated: expected false for a mayor"),
        ({"role": "minister", "ministry": "MOD"}, "named[16].ministry: expected a ministry code"),
    ],
)
def test_bad_offices(person, message):
    data = _data()
    data["named"].append({"name": "New Person", "party": "DP", **person})
    assert message in _error(data)


def test_offices_outside_the_legislature_take_no_seat():
    data = _data()
    data["named"] += [
        {
            "name": "Park Heong-joon",
            "party": "UFP",
            "region": "busan",
            "role": "mayor",
            "seated": False,
        },
        {
            "name": "Byeon Chang-heum",
            "party": "DP",
            "role": "minister",
            "ministry": "MOLIT",
            "seated": False,
        },
    ]
    scenario = _load(data)
    model = sim.build_model(scenario, seed=0)
    w = model.world
    assert int(w.seated.sum()) == sum(p.seats for p in scenario.parties)
    assert not w.seated[w.names.index("Park Heong-joon")]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            {"kind": "role", "who": "Nobody", "role": "member"},
            "events[0].who: expected a [[named]] actor",
        ),
        (
            {"kind": "role", "who": "Jeon Jae-su", "role": "governor"},
            "events[0].role: expected a role a seated member can hold (Jeon Jae-su is seated)",
        ),
        (
            {"kind": "role", "who": "Jeon Jae-su", "role": "minister"},
            "events[0].ministry: expected the minister's ministry",
        ),
        (
            {"kind": "role", "who": "Jeon Jae-su", "role": "member", "party": "DP"},
            'events[0].party: expected one of: date, kind, who, role, ministry, got "party"',
        ),
        (
            {"kind": "executive", "who": "Lee Nak-yon", "party": "XX"},
            "events[0].party: expected a party code",
        ),
        ({"kind": "coup", "who": "x"}, "events[0].kind: expected one of: role, executive"),
    ],
)
def test_bad_events(event, message):
    assert message in _error(_edit(events=[{"date": date(2021, 1, 4), **event}]))


def test_dated_events_change_roles_and_the_head_of_government():
    events = [
        {"date": date(2020, 8, 31), "kind": "role", "who": "Jeon Jae-su", "role": "leader"},
        {"date": date(2020, 8, 31), "kind": "role", "who": "Lee Hae-chan", "role": "official"},
        {"date": date(2021, 1, 4), "kind": "executive", "who": "Acting head", "party": "UFP"},
    ]
    scenario = _load(_edit(events=events))
    assert [e.date for e in scenario.events] == sorted(e.date for e in scenario.events)
    model = sim.build_model(scenario, seed=0)
    w = model.world
    assert w.leader[w.names.index("Lee Hae-chan")] and not w.leader[w.names.index("Jeon Jae-su")]
    model.run_for(7)
    assert w.leader[w.names.index("Jeon Jae-su")] and not w.leader[w.names.index("Lee Hae-chan")]
    assert model.executive_name == "DP"
    model.run_for(20)
    assert model.executive_name == "UFP"
    logged = [row for row in model.why if row[1] == "event"]
    assert [row[2] for row in logged] == ["Jeon Jae-su", "Lee Hae-chan", "Acting head"]


# ---- origins and country ------------------------------------------------------------------


def test_institutions_can_leave_from_several_origins():
    data = _data()
    data["regions"].append(
        {"code": "incheon", "name": "Incheon", "receives": False, "lon": 126.7, "lat": 37.45}
    )
    data["institutions"][0]["origin"] = "incheon"
    scenario = _load(data)
    assert scenario.institutions[0].origin == "incheon"
    assert scenario.institutions[1].origin == "capital"  # the first region that does not receive
    world = sim.build_model(scenario, seed=0).world
    assert world.region_codes[world.origin[0]] == "incheon"
    data["institutions"][0]["origin"] = "busan"
    assert "institutions[0].origin: expected a region with receives = false" in _error(data)


def test_a_scenario_needs_an_origin_and_a_country_code():
    data = _data()
    data["regions"][-1]["receives"] = True
    assert _error(data).startswith("regions: expected at least one region with receives = false")
    assert _error(_edit(country="Korea")) == (
        'country: expected an ISO 3166-1 alpha-2 code such as KR or DK, got "Korea"'
    )


def test_new_fields_are_overridable_by_path():
    scenario = load_scenario(
        DEFAULT,
        {"executive.name": "Someone", "country": "JP", "elections.general_2024.weight": 0.2},
    )
    assert scenario.executive.name == "Someone" and scenario.country == "JP"
    assert scenario.election("general_2024").weight == 0.2


# ---- a draft begun before the start ---------------------------------------------------------


def test_a_draft_begun_before_the_start_is_that_far_along():
    weeks = 7
    data = _edit(drafting_since=date(2020, 7, 20) - timedelta(weeks=weeks))
    model = sim.build_model(_load(data), seed=0)
    assert model.progress == pytest.approx(weeks / model.params.drafting.drafting_weeks)
    data = _edit(drafting_since=date(2015, 1, 5))  # long before: complete, not more
    assert sim.build_model(_load(data), seed=0).progress == 1.0
    assert sim.build_model(DEFAULT, seed=0).progress == 0.0  # Korea 2020 has none


def test_a_complete_draft_at_the_start_can_be_announced_in_the_first_weeks():
    weeks = {
        sim.run(DEFAULT, seed=s, series_every=0, drafting_since=date(2019, 1, 7)).outcome[
            "blueprint_week"
        ]
        for s in range(40)
    }
    assert min(w for w in weeks if w is not None) < 10  # never before week 21 without it


def test_drafting_since_must_not_follow_the_start():
    assert _error(_edit(drafting_since=date(2020, 8, 3))) == (
        "drafting_since: expected a date on or before start (2020-07-20), got 2020-08-03"
    )
