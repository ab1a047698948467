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
    """
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
