"""Scenario loading, validation, overrides and the shipped default (sim/scenario.py)."""

import copy
import os
import pickle
import re
from collections import Counter
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings

from sim.scenario import (
    ScenarioError,
    apply_overrides,
    available_scenarios,
    from_dict,
    load_scenario,
    load_scenario_data,
    parse_set_options,
)
from sim.scenario_checks import MAX_POOL, MAX_SEATS, MAX_STAFF
from tests.strategies import scenario_dicts, scenarios

DEFAULT = "season2_2020"
FILE = f"{DEFAULT}.toml"

# facts.md, "Constituency seats by region (2020)", transcribed here independently of the TOML.
FACTS_CONSTITUENCY = {
    "Seoul": {"DP": 41, "UFP": 8},
    "Incheon": {"DP": 11, "UFP": 1, "IND": 1},
    "Gyeonggi": {"DP": 51, "UFP": 7, "JP": 1},
    "Gwangju": {"DP": 8},
    "Jeonnam": {"DP": 10},
    "Jeonbuk": {"DP": 9, "IND": 1},
    "Daejeon": {"DP": 7},
    "Sejong": {"DP": 2},
    "Chungbuk": {"DP": 5, "UFP": 3},
    "Chungnam": {"DP": 6, "UFP": 5},
    "Gangwon": {"UFP": 4, "DP": 3, "IND": 1},
    "Busan": {"UFP": 15, "DP": 3},
    "Ulsan": {"UFP": 5, "DP": 1},
    "Gyeongnam": {"UFP": 12, "DP": 3, "IND": 1},
    "Daegu": {"UFP": 11, "IND": 1},
    "Gyeongbuk": {"UFP": 13},
    "Jeju": {"DP": 3},
}
# How the scenario groups the provinces of facts.md.
MODEL_REGION = {
    "Seoul": "capital",
    "Incheon": "capital",
    "Gyeonggi": "capital",
    "Gwangju": "gwangju_jeonnam",
    "Jeonnam": "gwangju_jeonnam",
}
# facts.md, "Seats" of the 21st Assembly (blocs with their satellites).
FACTS_PARTY_SEATS = {"DP": 163 + 17, "UFP": 84 + 19, "JP": 6, "PP": 3, "ODP": 3, "IND": 5}

CAUCUS = {
    "Song Ki-heon",
    "Lee Kwang-jae",
    "Kang Jun-hyun",
    "Kim Sung-joo",
    "Seo Sam-seok",
    "Song Jae-ho",
    "Shin Jeong-hoon",
    "Im Ho-seon",
}
UNSEATED = {"Lee Hae-chan", "Kim Hae-young", "Kim Chong-in"}


@pytest.fixture(scope="module")
def default():
    return load_scenario(DEFAULT)


@pytest.fixture
def data():
    """A fresh raw copy of the default, to corrupt."""
    return load_scenario_data(DEFAULT)


# --------------------------------------------------------------------------------------------
# The shipped default
# --------------------------------------------------------------------------------------------


def test_default_is_shipped_and_loads(default):
    assert DEFAULT in available_scenarios()
    assert default.name == DEFAULT
    assert os.path.basename(default.source) == FILE
    assert default.start == date(2020, 7, 20)
    assert default.horizon == date(2022, 12, 26)
    assert (default.horizon - date(2022, 3, 9)).days >= 270  # 9 months past the election
    inside = [e.code for e in default.elections if e.date <= default.horizon]
    assert inside == ["by_2021", "presidential_2022", "local_2022"]
    # The next general and presidential elections, past the horizon, for the election clock.
    after = [(e.kind, e.date.year) for e in default.elections if e.date > default.horizon]
    assert after == [("general", 2024), ("presidential", 2027)]
    assert default.election("presidential_2022").date == date(2022, 3, 9)
    assert (default.executive.party, default.challenger) == ("DP", "UFP")
    assert (default.executive.office, default.executive.name) == ("president", "Moon Jae-in")
    assert default.country == "KR"
    assert (default.flagship, default.flagship_region) == ("KDB", "busan")


def test_constituency_seats_match_facts(default):
    expected = Counter()
    for province, seats in FACTS_CONSTITUENCY.items():
        region = MODEL_REGION.get(province, province.lower())
        for party, n in seats.items():
            expected[(region, party)] += n
    got = Counter({(r.code, p): n for r in default.regions for p, n in r.seats.items() if n})
    assert got == expected
    assert sum(got.values()) == 253


def test_party_seats_match_facts(default):
    assert {p.code: p.seats for p in default.parties} == FACTS_PARTY_SEATS
    assert sum(p.seats for p in default.parties) == 300
    assert default.constituency_seats() == {
        "DP": 163, "UFP": 84, "JP": 1, "PP": 0, "ODP": 0, "IND": 5
    }  # fmt: skip
    assert default.proportional_seats() == {
        "DP": 17, "UFP": 19, "JP": 5, "PP": 3, "ODP": 3, "IND": 0
    }  # fmt: skip
    assert sum(default.proportional_seats().values()) == 47


def test_regions(default):
    innovation_cities = {
        "busan", "daegu", "gwangju_jeonnam", "ulsan", "gangwon",
        "chungbuk", "jeonbuk", "gyeongbuk", "gyeongnam", "jeju",
    }  # fmt: skip
    receivers = {r.code for r in default.regions if r.receives}
    assert receivers == innovation_cities | {"daejeon", "chungnam", "sejong"}
    assert not default.region("capital").receives
    hubs = {r.code: r.financial_hub for r in default.regions if r.financial_hub != "none"}
    assert hubs == {"busan": "designated", "jeonbuk": "pledged"}
    assert default.region("busan").head_party == ""
    assert default.region("daegu").head_party == "UFP"


def test_every_cluster_is_some_institutions_sector(default):
    # Not a rule of the schema (a scenario may list a cluster nobody fills), but in the
    # default a cluster without a sector would be a typo.
    sectors = {i.sector for i in default.institutions}
    for region in default.regions:
        assert set(region.clusters) <= sectors, region.code


def test_institutions_total_the_122_eligible_bodies(default):
    assert sum(i.count for i in default.institutions) == 122
    assert sum(i.staff for i in default.institutions) == pytest.approx(58_000, rel=0.01)
    kdb = default.institution("KDB")
    assert (kdb.staff, kdb.ministry, kdb.bids) == (3300, "FSC", ("busan", "jeonbuk"))
    acts = {i.code for i in default.institutions if i.hq_act}
    assert acts == {"KDB", "IBK", "KEXIM"}  # facts.md: these three need an Act amendment
    assert set(default.institution("IBK").bids) >= {"daegu", "busan", "jeonbuk"}
    kfiu = next(u for u in default.unions if u.code == "KFIU")
    assert set(kfiu.institutions) == {"KDB", "IBK", "KEXIM", "KSURE", "SUHYUP"}
    assert kfiu.members == 100_000


def test_named_actors(default):
    by_name = {p.name: p for p in default.named}
    assert {n for n, p in by_name.items() if "innovation_city_caucus" in p.caucuses} == CAUCUS
    assert {n for n, p in by_name.items() if not p.seated} == UNSEATED
    assert by_name["Kim Tae-nyeon"].role == "floor_leader"
    assert by_name["Lee Hae-chan"].role == "leader"
    assert by_name["Kim Chong-in"].party == "UFP"
    assert by_name["Yun Jae-ok"].region == "daegu"
    seats = {(r.code, p): n for r in default.regions for p, n in r.seats.items()}
    used = Counter((p.region, p.party) for p in default.named if p.seated)
    for slot, n in used.items():
        assert n <= seats[slot], slot


def test_ministries(default):
    roles = {m.code: m.role for m in default.ministries}
    assert roles == {
        "PMO": "coordinator",
        "MOLIT": "drafter",
        "FSC": "competent",
        "MOEF": "budget",
        "BDC": "deliberation",
    }


def test_empty_parameters_table_gives_defaults(default):
    from sim.parameters import Parameters

    assert default.parameters == Parameters()


def _assumption_blocks(lines):
    """Yield (line, inside an ASSUMPTIONS block) for each line of the TOML text."""
    inside = False
    for line in lines:
        if "---- END ASSUMPTIONS ----" in line:
            inside = False
        elif "---- ASSUMPTIONS ----" in line:
            inside = True
        yield line, inside


@pytest.mark.parametrize("name", available_scenarios())
def test_every_number_in_a_shipped_scenario_carries_a_source(name):
    text = (resources.files("sim") / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")
    number = re.compile(r"^\s*[A-Za-z_]+\s*=\s*[^\"#]*\d")
    missing = [
        line
        for line, inside in _assumption_blocks(text.splitlines())
        if number.match(line) and not inside and "#" not in line
    ]
    assert not missing


# --------------------------------------------------------------------------------------------
# Validation errors
# --------------------------------------------------------------------------------------------


def _set(path, value):
    """A corruption that sets ``data[path...] = value``."""

    def corrupt(data):
        *parents, last = path
        target = data
        for step in parents:
            target = target[step]
        target[last] = value

    return corrupt


def _delete(path):
    def corrupt(data):
        *parents, last = path
        target = data
        for step in parents:
            target = target[step]
        del target[last]

    return corrupt


def _extra_busan_dp(n):
    """Add ``n`` seated DP members for Busan (which has 3 DP seats, one named)."""

    def corrupt(data):
        for k in range(n):
            data["named"].append({"name": f"Extra {k}", "party": "DP", "region": "busan"})

    return corrupt


def _extra_list_members(party, n):
    """Add ``n`` seated list (proportional) members of ``party``."""

    def corrupt(data):
        for k in range(n):
            data["named"].append({"name": f"List {k}", "party": party, "region": ""})

    return corrupt


CORRUPTIONS = [
    ("string seats", _set(("regions", 3, "seats", "DP"), "x"),
     'regions[3].seats.DP: expected an integer in [0, 50000], got "x"'),
    ("negative seats", _set(("parties", 2, "seats"), -1),
     "parties[2].seats: expected an integer in [0, 50000], got -1"),
    ("unknown party in seats", _set(("regions", 0, "seats", "XX"), 1),
     'regions[0].seats.XX: expected a party code, one of: DP, UFP, JP, PP, ODP, IND, got "XX"'),
    ("unknown top-level key", _set(("colour",), "red"),
     'colour: expected one of: name, title, start, horizon, executive, challenger, elections, '
     'parties, regions, institutions, committee_sizes, named, unions, ministries, flagship, '
     'flagship_region, flagship_party, parameters, country, abstentions, factions, bills, '
     'events, drafting_since, got "colour"'),
    ("unknown abstention rule", _set(("abstentions",), "ignored"),
     'abstentions: expected one of: count_against, not_counted, barred, got "ignored"'),
    ("unknown nested key", _set(("parties", 0, "colour"), "blue"),
     'parties[0].colour: expected one of: code, name, seats, discipline, cohesion, pledge, '
     'labour_ties, renamed, got "colour"'),
    ("bool where number", _set(("parties", 0, "discipline"), True),
     "parties[0].discipline: expected a number in [0, 1], got true"),
    ("bool where integer", _set(("committee_sizes", "land_transport"), True),
     "committee_sizes.land_transport: expected an integer in [1, 300], got true"),
    ("float where integer", _set(("institutions", 0, "staff"), 3300.5),
     "institutions[0].staff: expected an integer in [1, 1000000], got 3300.5"),
    ("number out of range", _set(("parties", 1, "cohesion"), 1.5),
     "parties[1].cohesion: expected a number in [0, 1], got 1.5"),
    ("nan", _set(("unions", 0, "strength"), float("nan")),
     "unions[0].strength: expected a number in [0, 1], got nan"),
    ("missing key", _delete(("parties", 0, "seats")),
     "parties[0].seats: expected an integer in [0, 50000], got nothing"),
    ("horizon before start", _set(("horizon",), date(2020, 1, 6)),
     "horizon: expected a date after start (2020-07-20), got 2020-01-06"),
    ("election before start", _set(("elections", 1, "date"), date(2020, 4, 15)),
     "elections[1].date: expected a date on or after start (2020-07-20), got 2020-04-15"),
    ("start not a Monday", _set(("start",), date(2020, 7, 21)),
     "start: expected a Monday (weekly ticks), not a Tuesday, got 2020-07-21"),
    ("datetime, not date", _set(("start",), "2020-07-20T00:00"),
     'start: expected a date (YYYY-MM-DD), got "2020-07-20T00:00"'),
    ("bad election kind", _set(("elections", 0, "kind"), "mayoral"),
     'elections[0].kind: expected one of: presidential, general, upper_house, leadership, '
     'regional, local, by, european, referendum, got "mayoral"'),
    ("duplicate code", _set(("regions", 1, "code"), "busan"),
     'regions[1].code: expected a code not used by regions[0], got "busan"'),
    ("code with a dot", _set(("parties", 5, "code"), "I.N.D"),
     'parties[5].code: expected a code (a letter, then letters, digits, _ or -), got "I.N.D"'),
    ("constituency above seats", _set(("parties", 0, "seats"), 100),
     "parties[0].seats: expected at least 163 (DP's constituency seats summed over regions), "
     "got 100"),
    ("unknown executive", _set(("executive",), "XX"),
     'executive: expected a party code, one of: DP, UFP, JP, PP, ODP, IND, got "XX"'),
    ("challenger is executive", _set(("challenger",), "DP"),
     'challenger: expected a party other than the executive\'s, got "DP"'),
    ("unknown ministry", _set(("institutions", 0, "ministry"), "MOF"),
     'institutions[0].ministry: expected a ministry code, one of: PMO, MOLIT, FSC, MOEF, BDC, '
     'got "MOF"'),
    ("bid from the capital", _set(("institutions", 0, "bids"), ["busan", "capital"]),
     "institutions[0].bids[1]: expected a receiving region code, one of: busan, daegu, "
     "gwangju_jeonnam, ulsan, gangwon, chungbuk, jeonbuk, gyeongbuk, gyeongnam, jeju, daejeon, "
     'chungnam, sejong, got "capital"'),
    ("union of an unknown body", _set(("unions", 0, "institutions"), ["KDBX"]), None),
    ("missing role", _set(("ministries", 1, "role"), "coordinator"),
     "ministries: expected a ministry with role 'drafter' among the [[ministries]], got "
     '["budget", "competent", "coordinator", "deliberation"]'),
    ("named party unknown", _set(("named", 1, "party"), "XX"),
     'named[1].party: expected a party code, one of: DP, UFP, JP, PP, ODP, IND, got "XX"'),
    ("named region unknown", _set(("named", 1, "region"), "seoul"), None),
    ("two DP leaders", _set(("named", 1, "role"), "leader"),
     'named[1].role: expected one leader per party (named[0] is DP\'s), got "leader"'),
    ("unseated on a committee", _set(("named", 0, "committees"), ["national_policy"]),
     'named[0].committees: expected no committees for an unseated actor, got '
     '["national_policy"]'),
    ("named beyond the seats", _extra_busan_dp(3),
     'named[18].region: expected a region with a free DP constituency seat, got "busan"'),
    ("named proportional beyond the list", _extra_list_members("PP", 4),
     'named[19].region: expected region "" only while PP has a free proportional seat, '
     'got ""'),
    ("district without region", _set(("named", 14, "region"), ""),
     'named[14].region: expected the region of the district (a seated member with a '
     'district), got ""'),
    ("committee size zero", _set(("committee_sizes", "national_policy"), 0),
     "committee_sizes.national_policy: expected an integer in [1, 300], got 0"),
    ("no committee", _set(("committee_sizes",), {}),
     "committee_sizes: expected a table of committee code -> size, with at least one "
     "committee, got {}"),
    ("flagship unknown", _set(("flagship",), "KOTRA"), None),
    ("flagship to the capital", _set(("flagship_region",), "capital"), None),
    ("latitude", _set(("regions", 0, "lat"), 135.2),
     "regions[0].lat: expected a number in [-90, 90], got 135.2"),
    ("unknown parameter group", _set(("parameters", "voting"), {}), None),
    ("parameter out of bounds", _set(("parameters", "timing"), {"blame_weight": -1}),
     "parameters.timing.blame_weight: expected a non-negative number, got -1"),
    ("float for an int parameter", _set(("parameters", "bargaining"), {"rounds": 2.0}),
     "parameters.bargaining.rounds: expected an integer in [1, 50], got 2.0"),
    ("clusters not an array", _set(("regions", 0, "clusters"), "finance"),
     'regions[0].clusters: expected an array of codes (a letter, then letters, digits, _ or -), '
     'got "finance"'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [pytest.param(c, e, id=name) for name, c, e in CORRUPTIONS],
)
def test_corruption_is_reported_at_its_field(data, corrupt, expected):
    corrupt(data)
    with pytest.raises(ScenarioError) as info:
        from_dict(data, f"/some/where/{FILE}")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{FILE}: ")
    assert info.value.file == FILE
    if expected is not None:
        assert message == f"{FILE}: {expected}"
    else:
        assert ": expected " in message and ", got " in message


@pytest.mark.parametrize(
    ("corrupt", "path"),
    [
        (_set(("unions", 0, "institutions"), ["KDBX"]), "unions[0].institutions[0]"),
        (_set(("named", 1, "region"), "seoul"), "named[1].region"),
        (_set(("flagship",), "KOTRA"), "flagship"),
        (_set(("flagship_region",), "capital"), "flagship_region"),
        (_set(("parameters", "voting"), {}), "parameters.voting"),
    ],
)
def test_error_attributes(data, corrupt, path):
    corrupt(data)
    with pytest.raises(ScenarioError) as info:
        from_dict(data, FILE)
    assert info.value.path == path
    assert str(info.value).startswith(f"{FILE}: {path}: expected ")


@pytest.mark.parametrize(
    ("corrupt", "path", "most"),
    [
        (_set(("parties", 0, "seats"), 10**8), "parties[0].seats", MAX_SEATS),
        (_set(("regions", 3, "seats", "DP"), 10**8), "regions[3].seats.DP", MAX_SEATS),
        (_set(("institutions", 0, "staff"), 10**20), "institutions[0].staff", MAX_STAFF),
        (_set(("institutions", 0, "count"), 10**6), "institutions[0].count", MAX_POOL),
    ],
)
def test_sizes_are_bounded(data, corrupt, path, most):
    # Every seat is a lawmaker agent: 10^8 seats once asked numpy for 96 TiB.
    corrupt(data)
    with pytest.raises(ScenarioError) as info:
        from_dict(data, FILE)
    assert info.value.path == path
    assert info.value.expected.endswith(f", {most}]")


def test_an_assembly_is_bounded_in_all(data):
    total = sum(p["seats"] for p in data["parties"])
    data["parties"][0]["seats"] += MAX_SEATS - total
    assert sum(p.seats for p in from_dict(data, FILE).parties) == MAX_SEATS  # the bound: allowed
    data["parties"][1]["seats"] += 1
    with pytest.raises(ScenarioError) as info:
        from_dict(data, FILE)
    assert (info.value.path, info.value.got) == ("parties", str(MAX_SEATS + 1))
    # The Assembly after a general election too.
    danish = load_scenario_data("dk_bedre_balance_2015")
    i, election = next((i, e) for i, e in enumerate(danish["elections"]) if "seats" in e)
    election["seats"] = dict.fromkeys(election["seats"], MAX_SEATS)
    with pytest.raises(ScenarioError) as info:
        from_dict(danish, "dk.toml")
    assert info.value.path == f"elections[{i}].seats"
    assert info.value.got == str(MAX_SEATS * len(election["seats"]))


def test_iso_string_dates_are_accepted(data):
    data["start"] = "2020-07-20"
    data["elections"][0]["date"] = "2021-04-07"
    scenario = from_dict(data, FILE)
    assert scenario.start == date(2020, 7, 20)
    assert scenario.elections[0].date == date(2021, 4, 7)


def test_toml_syntax_error_is_one_line(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('name = "broken"\ntitle = \n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    assert (
        str(info.value) == "broken.toml: line 2, column 9: expected valid TOML, got Invalid value"
    )


def test_unknown_scenario_name_lists_the_shipped_ones():
    with pytest.raises(ScenarioError) as info:
        load_scenario("season3_2030")
    message = str(info.value)
    assert message.startswith("season3_2030: ")
    assert DEFAULT in message
    assert "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"^nothing\.toml: \(file\): expected an existing"):
        load_scenario(tmp_path / "nothing.toml")


def test_error_pickles():
    err = ScenarioError(FILE, "parties[0].seats", "a non-negative integer", "-1", ("parties", 0))
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)
    assert again.loc == err.loc


# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "get", "expected"),
    [
        ("parties.DP.discipline", "0.9", lambda s: s.party("DP").discipline, 0.9),
        ("parties.0.discipline", "0.9", lambda s: s.party("DP").discipline, 0.9),
        ("parties__UFP__pledge", 0.5, lambda s: s.party("UFP").pledge, 0.5),
        ("regions.busan.seats.DP", "4", lambda s: s.region("busan").seats["DP"], 4),
        ("regions.busan.seats.PP", "1", lambda s: s.proportional_seats()["PP"], 2),
        ("parameters.timing.blame_weight", "2", lambda s: s.parameters.timing.blame_weight, 2.0),
        ("parameters__timing__blame_weight", 2, lambda s: s.parameters.timing.blame_weight, 2.0),
        ("parameters.bargaining.rounds", "5", lambda s: s.parameters.bargaining.rounds, 5),
        ("named.kim_tae-nyeon.role", "member",
         lambda s: next(p.role for p in s.named if p.name == "Kim Tae-nyeon"), "member"),
        ("named.KIM_YOON-DUK.committees", '["land_transport"]',
         lambda s: next(p.committees for p in s.named if p.name == "Kim Yoon-duk"),
         ("land_transport",)),
        ("named.4.district", "Jeonju gap",
         lambda s: s.named[4].district, "Jeonju gap"),
        ("institutions.KDB.bids", '["jeonbuk"]', lambda s: s.institution("KDB").bids,
         ("jeonbuk",)),
        ("flagship", "IBK", lambda s: s.flagship, "IBK"),
        ("flagship_region", '"daegu"', lambda s: s.flagship_region, "daegu"),
        ("elections.by_2021.date", "2021-04-14", lambda s: s.election("by_2021").date,
         date(2021, 4, 14)),
        ("elections.by_2021.date", date(2021, 4, 14), lambda s: s.election("by_2021").date,
         date(2021, 4, 14)),
        ("unions.KDB_union.strength", "1", lambda s: s.unions[0].strength, 1.0),
        ("committee_sizes.national_policy", "20", lambda s: s.committee_sizes["national_policy"],
         20),
        ("regions.gangwon.financial_hub", "pledged",
         lambda s: s.region("gangwon").financial_hub, "pledged"),
    ],
)  # fmt: skip
def test_override(key, value, get, expected):
    assert get(load_scenario(DEFAULT, {key: value})) == expected


def test_presidential_election_past_the_horizon_is_allowed():
    scenario = load_scenario(DEFAULT, {"elections.presidential_2022.date": "2023-06-01"})
    assert scenario.election("presidential_2022").date == date(2023, 6, 1)
    assert scenario.election("presidential_2022").date > scenario.horizon
    dates = [e.date for e in scenario.elections]
    assert dates == sorted(dates)
    order = [e.code for e in scenario.elections]
    assert order.index("local_2022") < order.index("presidential_2022")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"parties.XX.discipline": "0.9"},
         '--set: parties.XX.discipline: expected one of: DP, UFP, JP, PP, ODP, IND or an index '
         '0-5, got "XX"'),
        ({"parties.DP.colour": "red"},
         "--set: parties.DP.colour: expected one of: code, name, seats, discipline, cohesion, "
         'pledge, labour_ties, renamed, got "colour"'),
        ({"parties.DP.discipline.x": "1"},
         '--set: parties.DP.discipline.x: expected a path that ends at parties.DP.discipline, '
         'got "x"'),
        ({"elections.9.date": "2021-01-04"},
         "--set: elections.9.date: expected one of: by_2021, presidential_2022, local_2022, "
         'general_2024, presidential_2027 or an index 0-4, got "9"'),
        ({"parameters.timing.nope": "1"}, None),
        ({"nope": "1"}, None),
        ({"a..b": "1"}, None),
        ({"parties.DP.discipline": "high"},
         '--set: parties.DP.discipline: expected a number in [0, 1], got "high"'),
        ({"parties.DP.discipline": True},
         "--set: parties.DP.discipline: expected a number in [0, 1], got true"),
        ({"regions.busan.seats.DP": "-1"},
         "--set: regions.busan.seats.DP: expected an integer in [0, 50000], got -1"),
        ({"regions.busan.seats": "{DP = 3, XX = 1}"},
         '--set: regions.busan.seats.XX: expected a party code, one of: DP, UFP, JP, PP, ODP, '
         'IND, got "XX"'),
        ({"parameters.bargaining.rounds": "2.5"},
         "--set: parameters.bargaining.rounds: expected an integer in [1, 50], got 2.5"),
        ({"elections.presidential_2022.date": "2019-12-30"},
         "--set: elections.presidential_2022.date: expected a date on or after start "
         "(2020-07-20), got 2019-12-30"),
        ({"institutions.KDB.bids": '["busan", "capital"]'}, None),
    ],
)  # fmt: skip
def test_bad_override(overrides, message):
    with pytest.raises(ScenarioError) as info:
        load_scenario(DEFAULT, overrides)
    text = str(info.value)
    assert "\n" not in text
    assert info.value.file == "--set"
    if message is not None:
        assert text == message
    else:
        assert text.startswith("--set: ")


def test_override_values_are_parsed_as_toml(data):
    out = apply_overrides(
        data,
        {
            "title": "A plain string, not TOML",
            "name": '"quoted"',
            "elections.0.date": "2021-05-03",
            "regions.busan.clusters": '["finance", "maritime"]',
            "regions.busan.receives": "true",
            "parties.DP.seats": "181",
            "parties.DP.pledge": "0.5",
            "regions.busan.head_party": "",
        },
    )
    assert out["title"] == "A plain string, not TOML"
    assert out["name"] == "quoted"
    assert out["elections"][0]["date"] == date(2021, 5, 3)
    assert out["regions"][0]["clusters"] == ["finance", "maritime"]
    assert out["regions"][0]["receives"] is True
    assert out["parties"][0]["seats"] == 181
    assert out["parties"][0]["pledge"] == 0.5
    assert out["regions"][0]["head_party"] == ""


def test_apply_overrides_leaves_its_input_alone(data):
    before = copy.deepcopy(data)
    out = apply_overrides(data, {"parties.DP.discipline": 0.1, "regions.busan.seats.DP": 1})
    assert data == before
    assert out["parties"][0]["discipline"] == 0.1


def test_parameters_table_is_created_when_absent(data):
    del data["parameters"]
    out = apply_overrides(data, {"parameters.timing.blame_weight": 3})
    assert from_dict(out, FILE).parameters.timing.blame_weight == 3.0


def test_cache_shares_results_and_is_never_mutated():
    first = load_scenario(DEFAULT)
    assert load_scenario(DEFAULT) is first
    changed = load_scenario(DEFAULT, {"parties.DP.discipline": "0.1"})
    assert changed is not first
    assert changed.party("DP").discipline == 0.1
    assert first.party("DP").discipline == 0.8
    assert load_scenario(DEFAULT) is first
    assert load_scenario(DEFAULT, {"parties.DP.discipline": "0.1"}) is changed


def test_cache_tells_true_from_one():
    assert (
        load_scenario(DEFAULT, {"parameters.bargaining.rounds": 1}).parameters.bargaining.rounds
        == 1
    )
    with pytest.raises(ScenarioError, match="got true"):
        load_scenario(DEFAULT, {"parameters.bargaining.rounds": True})


def test_unhashable_override_value_bypasses_the_cache():
    with pytest.raises(ScenarioError, match=r"^--set: regions\.busan\.clusters: expected an array"):
        load_scenario(DEFAULT, {"regions.busan.clusters": {"finance"}})
    scenario = load_scenario(DEFAULT, {"regions.busan.seats": {"UFP": 15, "DP": [3][0]}})
    assert scenario.region("busan").seats == {"UFP": 15, "DP": 3}


def test_cache_follows_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    text = (resources.files("sim") / "scenarios" / FILE).read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_scenario(path)
    assert first.name == DEFAULT  # the name inside the file wins over the file's stem
    path.write_text(text.replace('name = "season2_2020"', 'name = "mine"'), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_scenario(path).name == "mine"
    assert load_scenario(str(path)).name == "mine"


def test_name_defaults_to_the_file_stem(data):
    del data["name"]
    assert from_dict(data, "/tmp/counterfactual.toml").name == "counterfactual"


def test_parse_set_options():
    assert parse_set_options(["a.b=1", "c = x=y ", "a.b=2"]) == {"a.b": "2", "c": "x=y"}
    with pytest.raises(ScenarioError, match=r"^--set: nothing: expected KEY=VALUE"):
        parse_set_options(["nothing"])
    with pytest.raises(ScenarioError, match="expected KEY=VALUE"):
        parse_set_options(["=3"])


# --------------------------------------------------------------------------------------------
# Generated scenarios
# --------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_generated_scenarios_validate(scenario):
    proportional = scenario.proportional_seats()
    assert all(n >= 0 for n in proportional.values())
    assert all(n >= 0 for r in scenario.regions for n in r.seats.values())
    dates = [e.date for e in scenario.elections]
    assert dates == sorted(dates)
    assert all(d >= scenario.start for d in dates)
    assert max(scenario.committee_sizes.values()) <= sum(p.seats for p in scenario.parties)


@settings(max_examples=30, deadline=None)
@given(scenario_dicts())
def test_generated_dicts_survive_a_toml_round_trip_of_overrides(data):
    # Whatever the strategy generates must also be reachable through overrides.
    overrides = {f"parties.{p['code']}.discipline": p["discipline"] for p in data["parties"]}
    scenario = load_scenario(DEFAULT, overrides)
    assert [p.discipline for p in scenario.parties] == [p["discipline"] for p in data["parties"]]
