"""Hypothesis strategies for valid scenarios, made by perturbing a shipped scenario.

``scenarios()`` yields validated :class:`sim.scenario.Scenario` objects; ``scenario_dicts()``
yields the raw dicts they come from (e.g. to corrupt one field on purpose). Every perturbation
keeps the rules of ``from_dict``: seats stay non-negative and each party keeps at least its
constituency seats; named seated members keep their seats; committee sizes stay between the
named members on them and the Assembly's size; election dates stay on or after the start (but
may fall past the horizon); parameter values stay inside their ``lo``/``hi`` metadata.

Usage in a model test::

    from hypothesis import given
    from tests.strategies import scenarios

    @given(scenarios())
    def test_invariant(scenario): ...
"""

from collections import Counter
from dataclasses import fields
from datetime import timedelta

from hypothesis import strategies as st

from sim.parameters import Parameters
from sim.scenario import HUB_STATUSES, from_dict, load_scenario_data

DEFAULT = "season2_2020"
SEAT_SWING = 2  # a perturbed constituency count moves at most this far from the original
PROPORTIONAL_SWING = 3  # and a party's proportional seats at most this far
DAYS_PAST_HORIZON = 400  # how far past the horizon a perturbed election may fall

unit = st.floats(0, 1, allow_nan=False)


def _maybe(draw, strategy, current):
    """Draw a new value from ``strategy`` about half the time; otherwise keep ``current``."""
    return draw(strategy) if draw(st.booleans()) else current


def _perturb_parties(draw, data: dict) -> None:
    """Discipline, cohesion, pledge and labour ties of a random subset of parties."""
    for party in data["parties"]:
        for key in ("discipline", "cohesion", "pledge", "labour_ties"):
            party[key] = _maybe(draw, unit, party[key])


def _perturb_seats(draw, data: dict) -> None:
    """Constituency seats of random regions, then each party's proportional seats.

    Lower bounds keep every named seated member in a seat of their region (or list).
    """
    named = Counter(
        (person.get("region", ""), person["party"])
        for person in data.get("named", [])
        if person.get("seated", True)
    )
    codes = [party["code"] for party in data["parties"]]
    old_constituency = Counter()
    for region in data["regions"]:
        old_constituency.update(region["seats"])
    for region in data["regions"]:
        if not draw(st.booleans()):
            continue
        seats = region["seats"]
        for code in codes:
            old = seats.get(code, 0)
            low = max(named[(region["code"], code)], old - SEAT_SWING)
            new = draw(st.integers(low, old + SEAT_SWING))
            if new or code in seats:
                seats[code] = new
    constituency = Counter()
    for region in data["regions"]:
        constituency.update(region["seats"])
    for party in data["parties"]:
        code = party["code"]
        old = party["seats"] - old_constituency[code]
        low = max(named[("", code)], old - PROPORTIONAL_SWING, 0)
        proportional = _maybe(draw, st.integers(low, old + PROPORTIONAL_SWING), max(old, low))
        party["seats"] = constituency[code] + proportional


def _perturb_committees(draw, data: dict) -> None:
    """Committee sizes between the named members on each committee and 50."""
    for committee in list(data["committee_sizes"]):
        on_it = sum(committee in p.get("committees", []) for p in data.get("named", []))
        sizes = data["committee_sizes"]
        sizes[committee] = _maybe(draw, st.integers(max(1, on_it), 50), sizes[committee])


def _perturb_regions(draw, data: dict) -> None:
    """Lobbying capacity and financial-hub status of random regions."""
    for region in data["regions"]:
        region["lobbying_capacity"] = _maybe(
            draw, st.floats(0, 3, allow_nan=False), region.get("lobbying_capacity", 1.0)
        )
        region["financial_hub"] = _maybe(
            draw, st.sampled_from(HUB_STATUSES), region.get("financial_hub", "none")
        )


def _perturb_elections(draw, data: dict) -> None:
    """Dates (inside the window or past the horizon), weights and win probabilities.

    The last listed election that decides the executive keeps its date, so that one always
    lies past the horizon (the election clock's rule).
    """
    start, horizon = data["start"], data["horizon"]
    latest = (horizon - start).days + DAYS_PAST_HORIZON
    days = st.integers(0, latest).map(lambda n: start + timedelta(days=n))
    elections = data.get("elections", [])
    deciding = [e for e in elections if e["kind"] == _deciding_kind(data)]
    keep = max(deciding, key=lambda e: e["date"]) if deciding else None
    for election in elections:
        if election is not keep:
            election["date"] = _maybe(draw, days, election["date"])
        election["weight"] = _maybe(draw, unit, election.get("weight", 0.5))
        election["p_ruling_win"] = _maybe(draw, unit, election.get("p_ruling_win", 0.5))


def _perturb_actors(draw, data: dict) -> None:
    """Union strength and size, ministry capability/salience/position, institution staff."""
    for union in data.get("unions", []):
        union["strength"] = _maybe(draw, unit, union["strength"])
        union["members"] = _maybe(draw, st.integers(1, 200_000), union["members"])
    for ministry in data["ministries"]:
        ministry["capability"] = _maybe(
            draw, st.floats(0.01, 5, allow_nan=False), ministry["capability"]
        )
        ministry["salience"] = _maybe(draw, unit, ministry["salience"])
        ministry["position"] = _maybe(
            draw, st.floats(0, 100, allow_nan=False), ministry["position"]
        )
    for institution in data["institutions"]:
        institution["staff"] = _maybe(draw, st.integers(1, 20_000), institution["staff"])


def _parameter_strategy(default, meta):
    """Values inside a parameter's bounds; an open upper bound is capped near the default.

    The cap (three times the default) keeps generated runs about as costly as default ones.
    A text parameter takes one of its choices (the null models among them).
    """
    if meta.get("choices"):
        return st.sampled_from(meta["choices"])
    lo = meta.get("lo")
    lo = 0 if lo is None else lo
    hi = meta.get("hi")
    cap = max(lo + 1, 3 * default)
    hi = cap if hi is None else min(hi, cap)
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, int):
        return st.integers(int(lo), int(hi))
    return st.floats(float(lo), float(hi), allow_nan=False)


def _perturb_parameters(draw, data: dict) -> None:
    """A random subset of mechanism parameters, written to the ``[parameters]`` table."""
    table = data.setdefault("parameters", {})
    defaults = Parameters()
    for group_field in fields(Parameters):
        group = getattr(defaults, group_field.name)
        for f in fields(group):
            if draw(st.integers(0, 3)) == 0:  # about a quarter of the parameters
                value = draw(_parameter_strategy(getattr(group, f.name), f.metadata))
                table.setdefault(group_field.name, {})[f.name] = value


def _perturb_executive(draw, data: dict) -> None:
    """Sometimes swap the executive's party and the challenger."""
    executive = data["executive"]
    if draw(st.booleans()) and data["challenger"] not in executive.get("partners", []):
        executive["party"], data["challenger"] = data["challenger"], executive["party"]


def _deciding_kind(data: dict) -> str:
    """The kind of election that decides the scenario's executive."""
    office = data["executive"].get("office", "president")
    return "presidential" if office == "president" else "general"


PERTURBATIONS = (
    _perturb_parties,
    _perturb_seats,
    _perturb_committees,
    _perturb_regions,
    _perturb_elections,
    _perturb_actors,
    _perturb_parameters,
    _perturb_executive,
)


@st.composite
def scenario_dicts(draw, name: str = DEFAULT) -> dict:
    """Raw scenario dicts: the shipped scenario ``name`` with random valid perturbations."""
    data = load_scenario_data(name)
    for perturb in PERTURBATIONS:
        perturb(draw, data)
    return data


def scenarios(name: str = DEFAULT) -> st.SearchStrategy:
    """Validated Scenario objects made from ``scenario_dicts(name)``.

    Their ``source`` is ``<hypothesis>/NAME.toml``, a path that does not exist: reloading one
    by its source (e.g. to apply overrides) fails loudly instead of dropping the perturbations.
    """
    return scenario_dicts(name).map(lambda data: from_dict(data, f"<hypothesis>/{name}.toml"))


# --------------------------------------------------------------------------------------------
# The generalised schema (issue 11): executives, factions, seat tables, bills, events, origins
# --------------------------------------------------------------------------------------------

WHIP_CHOICES = ("yes", "no", "free")


def _window_day(draw, data: dict, past: int = 0):
    """A day from the start to the horizon (plus ``past`` days)."""
    span = (data["horizon"] - data["start"]).days + past
    return data["start"] + timedelta(days=draw(st.integers(0, span)))


def _add_executive(draw, data: dict) -> None:
    """An executive table: president or prime minister, with or without partners."""
    executive = data["executive"]
    executive["office"] = draw(st.sampled_from(("president", "prime_minister")))
    executive["name"] = draw(st.sampled_from(("", "A. Leader")))
    others = [p["code"] for p in data["parties"]]
    others = [c for c in others if c not in (executive["party"], data["challenger"])]
    executive["partners"] = draw(st.lists(st.sampled_from(others), unique=True, max_size=2))
    kind = _deciding_kind(data)
    for e in data["elections"]:  # a handover date belongs to the deciding kind only
        if e["kind"] != kind:
            e.pop("handover_days", None)
    deciding = [e for e in data["elections"] if e["kind"] == kind]
    if not any(e["date"] >= data["horizon"] for e in deciding):
        latest = max(deciding, key=lambda e: e["date"])
        latest["date"] = data["horizon"] + timedelta(days=draw(st.integers(0, 900)))


def _add_seat_table(draw, data: dict) -> None:
    """Sometimes a general election inside the window with a given result and seat table."""
    if not draw(st.booleans()):
        return
    regions = {r["code"]: r for r in data["regions"]}
    region_seats = {}
    for code in draw(st.lists(st.sampled_from(sorted(regions)), unique=True, max_size=2)):
        old = regions[code].get("seats", {})
        region_seats[code] = {p: draw(st.integers(0, n + 2)) for p, n in old.items()}
    constituency = Counter()
    for code, region in regions.items():
        constituency.update(region_seats.get(code, region.get("seats", {})))
    seats = {p["code"]: constituency[p["code"]] + draw(st.integers(0, 25)) for p in data["parties"]}
    election = {
        "code": "general_inside",
        "kind": "general",
        "date": _window_day(draw, data),
        "result": draw(st.sampled_from(("ruling_wins", "ruling_loses"))),
        "seats": seats,
    }
    if region_seats:
        election["region_seats"] = region_seats
    data["elections"].append(election)
    smallest = sum(seats.values())
    for committee, size in data["committee_sizes"].items():
        data["committee_sizes"][committee] = min(size, smallest)


def _add_factions(draw, data: dict) -> None:
    """Up to two factions in each of up to two parties, from the parties' named actors."""
    named = data.get("named", [])
    factions, taken = [], set()
    for party in draw(
        st.lists(st.sampled_from([p["code"] for p in data["parties"]]), unique=True, max_size=2)
    ):
        own = [n["name"] for n in named if n["party"] == party and n["name"] not in taken]
        left = 1.0
        for k in range(draw(st.integers(0, 2))):
            members = draw(st.lists(st.sampled_from(own), unique=True)) if own else []
            members = [m for m in members if m not in taken]
            taken.update(members)
            share = draw(st.floats(0, left, allow_nan=False))
            left -= share
            factions.append(
                {
                    "code": f"{party}_f{k}",
                    "name": f"{party} faction {k}",
                    "party": party,
                    "leader": members[0] if members and draw(st.booleans()) else "",
                    "members": members,
                    "share": share,
                    "stance": draw(unit),
                }
            )
    data["factions"] = factions


def _add_bills(draw, data: dict) -> None:
    """Up to three tabled bills of any kind, whipped or free, tabled in or after the window."""
    receivers = [r["code"] for r in data["regions"] if r["receives"]]
    institutions = [i["code"] for i in data["institutions"]]
    whips = [p["code"] for p in data["parties"]] + [f["code"] for f in data.get("factions", [])]
    bills = []
    for k in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(("move", "reversal", "framework")))
        free = draw(st.booleans())
        bill = {
            "code": f"bill_{k}",
            "name": f"Bill {k}",
            "kind": kind,
            "institutions": draw(
                st.lists(
                    st.sampled_from(institutions),
                    unique=True,
                    min_size=0 if kind == "framework" else 1,
                    max_size=3,
                )
            ),
            "destination": "" if kind == "framework" else draw(st.sampled_from(receivers)),
            "tabled": _window_day(draw, data, past=60),
            "committee": draw(st.sampled_from(["", *data["committee_sizes"]])),
            "threshold": draw(st.sampled_from(("majority", "three_fifths", "two_thirds"))),
            "free_vote": free,
        }
        if not free:
            chosen = draw(st.lists(st.sampled_from(whips), unique=True, max_size=3))
            bill["whip"] = {code: draw(st.sampled_from(WHIP_CHOICES)) for code in chosen}
        bills.append(bill)
    data["bills"] = bills


def _add_events(draw, data: dict) -> None:
    """Up to three dated events: new roles for named actors, a new head of government."""
    named = data.get("named", [])
    parties = [p["code"] for p in data["parties"]]
    ministry = data["ministries"][0]["code"]
    events = []
    for _ in range(draw(st.integers(0, 3))):
        day = _window_day(draw, data, past=60)
        if not named or draw(st.booleans()):
            party = draw(st.sampled_from(parties))
            partners = [p for p in parties if p != party]
            events.append(
                {
                    "date": day,
                    "kind": "executive",
                    "who": "New Head",
                    "party": party,
                    "partners": draw(st.lists(st.sampled_from(partners), unique=True, max_size=2)),
                }
            )
            continue
        person = draw(st.sampled_from(named))
        roles = ["member", "minister", "leader", "floor_leader"]
        if not person.get("seated", True):
            roles += ["official"] + (["governor", "mayor"] if person.get("region") else [])
        if person.get("committees"):
            roles.append("committee_chair")
        role = draw(st.sampled_from(roles))
        event = {"date": day, "kind": "role", "who": person["name"], "role": role}
        if role == "minister":
            event["ministry"] = ministry
        events.append(event)
    data["events"] = events


def _add_origin(draw, data: dict) -> None:
    """Sometimes a second origin region, from which some institutions would move."""
    if not draw(st.booleans()):
        return
    data["regions"].append(
        {
            "code": "second_origin",
            "name": "Second origin",
            "receives": False,
            "lon": 127.0,
            "lat": 37.0,
        }
    )
    for institution in data["institutions"]:
        if draw(st.booleans()):
            institution["origin"] = "second_origin"


def _rename_committees(draw, data: dict) -> None:
    """Committees under other codes, and institutions sent to any of them."""
    codes = {old: f"committee_{k}" for k, old in enumerate(data["committee_sizes"])}
    data["committee_sizes"] = {codes[k]: v for k, v in data["committee_sizes"].items()}
    for person in data.get("named", []):
        person["committees"] = [codes[c] for c in person.get("committees", [])]
    for institution in data["institutions"]:
        institution["committee"] = draw(st.sampled_from(sorted(codes.values())))


ADDITIONS = (
    _rename_committees,
    _add_executive,
    _add_seat_table,
    _add_factions,
    _add_bills,
    _add_events,
    _add_origin,
)


@st.composite
def generalised_scenario_dicts(draw, name: str = DEFAULT) -> dict:
    """``scenario_dicts(name)`` plus random values of every field of the generalised schema."""
    data = draw(scenario_dicts(name))
    for add in ADDITIONS:
        add(draw, data)
    return data


def generalised_scenarios(name: str = DEFAULT) -> st.SearchStrategy:
    """Validated Scenario objects made from ``generalised_scenario_dicts(name)``."""
    return generalised_scenario_dicts(name).map(
        lambda data: from_dict(data, f"<hypothesis>/{name}.toml")
    )
