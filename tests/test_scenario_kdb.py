"""The historical case kdb_2023 (issue 4): its facts checked against facts.md.

The 2020 figures come from tests/test_scenario.py, which transcribes facts.md independently of
the TOML files. The 2022-2023 composition of the 21st Assembly is not in facts.md: the changes
are transcribed here as a ledger of moves ([recall], the same list the TOML's notes give), and
the test checks that facts.md's 2020 figures plus the ledger give the scenario's seats.
"""

from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest

import sim
from sim.parameters import Parameters
from sim.scenario import available_scenarios, load_scenario, load_scenario_data
from sim.world import build_world
from tests.test_scenario import (
    FACTS_CONSTITUENCY,
    FACTS_PARTY_SEATS,
    MODEL_REGION,
)

CASE = "kdb_2023"
DEFAULT = "season2_2020"

# facts.md, Season 2.
INAUGURATION = date(2022, 5, 10)  # [recall]: five years after Moon's 2017-05-10 inauguration
LOCAL_2022 = date(2022, 6, 1)
GENERAL_2024 = date(2024, 4, 10)

# The UFP of 2020 is the PPP of this case; the Open Democratic Party merged into the DP and the
# People Party into the PPP ([recall], January and April 2022).
RENAME = {"UFP": "PPP"}
MERGED = {"ODP": "DP", "PP": "PPP"}

# [recall] Constituency seats that changed party between April 2020 and 2022-2023:
# (province of facts.md, from, to, seats, who).
CONSTITUENCY_MOVES = [
    ("Daegu", "IND", "PPP", 1, "Hong Joon-pyo joined the PPP"),
    ("Gangwon", "IND", "PPP", 1, "Kwon Seong-dong joined the PPP"),
    ("Incheon", "IND", "PPP", 1, "Yoon Sang-hyun joined the PPP"),
    ("Gyeongnam", "IND", "PPP", 1, "Kim Tae-ho joined the PPP"),
    ("Jeonbuk", "IND", "PPP", 1, "Lee Yong-ho joined the PPP"),
    ("Seoul", "DP", "PPP", 1, "Jongno, by-election 2022-03-09"),
    ("Gyeonggi", "DP", "PPP", 1, "Anseong, by-election 2022-03-09"),
    ("Chungbuk", "DP", "PPP", 1, "Cheongju Sangdang, by-election 2022-03-09"),
    ("Gangwon", "DP", "PPP", 1, "Wonju-gap, by-election 2022-06-01"),
    ("Gwangju", "DP", "IND", 2, "Min Hyung-bae and Yang Hyang-ja left the DP"),
    ("Chungnam", "DP", "IND", 1, "Park Wan-joo expelled"),
    ("Seoul", "DP", "IND", 1, "Kim Hong-gul left the DP"),
    ("Jeonbuk", "DP", "IND", 1, "Lee Sang-jik (Jeonju-eul) left the DP"),
    ("Gyeonggi", "DP", "IND", 1, "the Speaker Kim Jin-pyo sits without a party"),
]
# [recall] List members of the DP bloc who left it (Yoon Mee-hyang, Yang Jung-sook, Yong
# Hye-in, Cho Jeong-hun).
LIST_MOVES = [("DP", "IND", 4)]


def _party(code):
    code = RENAME.get(code, code)
    return MERGED.get(code, code)


def _region(province):
    return MODEL_REGION.get(province, province.lower())


def expected_constituency() -> Counter:
    """facts.md's 2020 constituency seats by model region, moved by the ledger."""
    seats = Counter()
    for province, parties in FACTS_CONSTITUENCY.items():
        for party, n in parties.items():
            seats[(_region(province), _party(party))] += n
    for province, old, new, n, _who in CONSTITUENCY_MOVES:
        assert seats[(_region(province), old)] >= n, (province, old)
        seats[(_region(province), old)] -= n
        seats[(_region(province), new)] += n
    return +seats


def expected_party_seats() -> Counter:
    """facts.md's 2020 party seats, merged and moved by the ledger."""
    seats = Counter()
    for party, n in FACTS_PARTY_SEATS.items():
        seats[_party(party)] += n
    for _province, old, new, n, _who in CONSTITUENCY_MOVES:
        seats[old] -= n
        seats[new] += n
    for old, new, n in LIST_MOVES:
        seats[old] -= n
        seats[new] += n
    return +seats


@pytest.fixture(scope="module")
def case():
    return load_scenario(CASE)


@pytest.fixture(scope="module")
def default():
    return load_scenario(DEFAULT)


def test_case_is_shipped_and_loads(case):
    assert CASE in available_scenarios()
    assert case.name == CASE


def test_calendar(case):
    # start: the first Monday after the inauguration; horizon: the first Monday after polling.
    assert case.start.weekday() == 0 and case.horizon.weekday() == 0
    assert INAUGURATION < case.start <= INAUGURATION + timedelta(days=7)
    assert GENERAL_2024 < case.horizon <= GENERAL_2024 + timedelta(days=7)
    elections = {e.code: (e.kind, e.date) for e in case.elections}
    inside = {code: e for code, e in elections.items() if e[1] <= case.horizon}
    assert inside == {
        "local_2022": ("local", LOCAL_2022),
        "general_2024": ("general", GENERAL_2024),
    }
    # The next presidential election lies past the horizon, listed for the election clock.
    assert any(kind == "presidential" and day > case.horizon for kind, day in elections.values())


def test_who_governs_and_the_flagship(case):
    # Yoon (PPP) won 2022-03-09 and pledged KDB to Busan on 2022-01-15 (facts.md).
    assert (case.executive.party, case.challenger) == ("PPP", "DP")
    assert case.executive.office == "president"
    assert (case.flagship, case.flagship_region, case.flagship_party) == ("KDB", "busan", "PPP")


def test_region_totals_are_the_2020_districts(case):
    # No redistricting within the 21st Assembly: each region keeps facts.md's number of seats.
    totals = Counter()
    for province, parties in FACTS_CONSTITUENCY.items():
        totals[_region(province)] += sum(parties.values())
    assert {r.code: sum(r.seats.values()) for r in case.regions} == dict(totals)
    assert sum(totals.values()) == 253


def test_constituency_seats_are_facts_plus_the_ledger(case):
    got = Counter({(r.code, p): n for r in case.regions for p, n in r.seats.items() if n})
    assert got == expected_constituency()


def test_party_seats_are_facts_plus_the_ledger(case):
    assert {p.code: p.seats for p in case.parties} == dict(expected_party_seats())
    assert {p.code: p.seats for p in case.parties} == {"DP": 169, "PPP": 115, "JP": 6, "IND": 10}
    assert sum(p.seats for p in case.parties) == sum(FACTS_PARTY_SEATS.values()) == 300
    assert sum(case.proportional_seats().values()) == 47


def test_the_opposition_holds_the_assembly(case):
    seats = {p.code: p.seats for p in case.parties}
    assert seats["DP"] > 150 > seats["PPP"]
    world = build_world(case, np.random.default_rng(0))
    on = world.committee[:, world.committee_codes.index("national_policy")] & world.seated
    members = Counter(world.party_codes[p] for p in world.member_party[on])
    assert sum(members.values()) == case.committee_sizes["national_policy"]
    assert members["DP"] > sum(members.values()) / 2


def test_same_cast_as_the_default_where_it_still_applies(case, default):
    def codes(items):
        return [x.code for x in items]

    assert codes(case.regions) == codes(default.regions)
    assert case.institutions == default.institutions
    assert case.unions == default.unions
    assert {m.code: m.role for m in case.ministries} == {m.code: m.role for m in default.ministries}
    assert case.committee_sizes == default.committee_sizes
    for mine, theirs in zip(case.regions, default.regions, strict=True):
        assert (mine.clusters, mine.financial_hub, mine.receives) == (
            theirs.clusters, theirs.financial_hub, theirs.receives
        )  # fmt: skip
        assert mine.lobbying_capacity == theirs.lobbying_capacity


def test_named_actors(case):
    by_name = {p.name: p for p in case.named}
    leaders = {(p.party, p.role): n for n, p in by_name.items() if p.role != "member"}
    assert leaders[("DP", "leader")] == "Lee Jae-myung"
    assert leaders[("PPP", "leader")] == "Kim Gi-hyeon"
    assert leaders[("PPP", "floor_leader")] == "Yun Jae-ok"
    # Season 2020's actors whose post or seat no longer applies are gone.
    assert not {"Lee Hae-chan", "Kim Hae-young", "Kim Chong-in", "Lee Kwang-jae"} & set(by_name)
    assert all(p.party in {"DP", "PPP"} for p in case.named)
    seats = {(r.code, p): n for r in case.regions for p, n in r.seats.items()}
    used = Counter((p.region, p.party) for p in case.named if p.seated)
    for slot, n in used.items():
        assert n <= seats[slot], slot


def test_one_calibration_no_parameters_table(case, default):
    assert "parameters" not in load_scenario_data(CASE)
    assert case.parameters == Parameters() == default.parameters


def test_a_run_reaches_the_general_election():
    outcome = sim.run(CASE, seed=1).outcome
    assert outcome["weeks"] == (date(2024, 4, 15) - date(2022, 5, 16)).days // 7
    assert outcome["winner_local_2022"] in {"PPP", "DP"}
    assert outcome["winner_general_2024"] in {"PPP", "DP"}
    assert outcome["executive_end"] == "PPP"  # no presidential election in the window
    assert {"blueprint_before_general_2024", "decision_before_general_2024", "dest_KDB"} <= set(
        outcome
    )
