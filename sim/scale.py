"""Synthetic-scale scenarios: the default case with any number of lawmakers (issue 14).

``scale_scenario(N)`` returns the data of a scenario file with N lawmakers built from
``season2_2020``: the same regions, parties, institutions, unions, ministries, elections and
named actors, with the seats scaled to N. ``scenario_text`` writes it as TOML and
``write_scaled`` writes that file whole; ``relocsim scale --lawmakers N --out FILE`` is the
command (sim/cli.py). The generated file is an ordinary scenario: ``sim.load_scenario(FILE)``.

What is scaled, and how (docs/performance.md has the measured figures):

- **Seats.** The base's seats form a table, parties by regions plus a column of list seats
  (a party's seats without a constituency), which adds up to the Assembly's size B. Every
  cell is multiplied by N / B and rounded by controlled rounding (Bacharach 1966, "Matrix
  rounding problems", Management Science 12(9); Cox & Ernst 1982, "Controlled rounding",
  INFOR 20(4)): each cell, each party's total and each region's total becomes its exact
  share rounded down or up, and the whole adds up to exactly N. Such a rounding always exists,
  because the exact table is a fractional flow through a network whose bounds are integers,
  and such a network has an integer flow too. Among them the one that rounds up the largest
  remainders is taken (a minimum-cost flow), as Hamilton's largest-remainder method does for
  a single list. So every party's and every region's seats are within one seat of their share
  of the base. Seated named actors keep their seats: a cell holds at least the named members
  placed in it, which sets the smallest N (``smallest_size``).
- **Committees** keep their share of the Assembly (size x N / B, rounded), and at least
  their named members.
- **Ties keep their degree.** Peer ties are drawn per pair inside a group (sim/network.py):
  a party, a region or a committee of m members gives each member about p (m - 1) ties, and
  m grows with N, so at the base's densities a member's degree would grow in proportion to
  N, to thousands of ties per member at 30,000 lawmakers. A lawmaker's circle of colleagues
  does not grow with the chamber, so the generator divides the three per-pair densities
  (``within_party_density``, ``region_tie_prob``, ``committee_tie_prob``) by N / B, capped
  at 1: the expected number of ties per member stays the base's (within p of it). Leader
  and caucus ties are per member already (a member's party leaders; the named caucus) and
  are left as they are. The densities are written in the file's ``[parameters]``, so a run
  of the file needs nothing else.

Nothing else changes: the mechanisms, their other parameters and the calendar are the base's.
"""

import math
import os
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import networkx as nx

from sim.folders import make_folder, reason, remove_made, write_whole
from sim.parameters import NetworkParams
from sim.scenario import ScenarioError, from_dict, load_scenario_data
from sim.scenario_checks import MAX_SEATS
from sim.scenario_errors import parse_toml, toml_key, toml_value

BASE = "season2_2020"
LIST = ""  # the column of a party's list seats in the seat table (no region)
PER_PAIR = ("within_party_density", "region_tie_prob", "committee_tie_prob")
_COST_SCALE = 10**9  # remainders as integer costs: network simplex is exact on integers

Cell = tuple[str, str]  # (party code, region code or LIST)


class ScaleError(ValueError):
    """An argument the generator cannot use, in one line.

    Attributes:
        argument: Which argument (``lawmakers`` or ``out``; the CLI shows ``--lawmakers``).
        expected: What a usable value would be.
        got: What was given.
    """

    def __init__(self, argument: str, expected: str, got: str):
        self.argument, self.expected, self.got = argument, expected, got
        super().__init__(f"{argument}: expected {expected}, got {got}")


# --------------------------------------------------------------------------------------------
# Seats
# --------------------------------------------------------------------------------------------


def seat_table(data: Mapping) -> dict[Cell, int]:
    """The seats of a scenario's data by (party, region), list seats under region ``LIST``.

    Args:
        data: Parsed scenario data (``load_scenario_data``), assumed valid.

    Returns:
        Cells with at least one seat; their sum is the Assembly's size.
    """
    table: dict[Cell, int] = {}
    for region in data["regions"]:
        for party, seats in region.get("seats", {}).items():
            if seats:
                table[(party, region["code"])] = seats
    for party in data["parties"]:
        constituency = sum(r.get("seats", {}).get(party["code"], 0) for r in data["regions"])
        if party["seats"] > constituency:
            table[(party["code"], LIST)] = party["seats"] - constituency
    return table


def named_seats(data: Mapping) -> dict[Cell, int]:
    """Seats that seated named actors hold, by cell.

    A seated named actor holds a seat of their party in their region, or one of its list seats
    without a region (docs/scenario.md, "How named actors take seats").
    """
    held: dict[Cell, int] = {}
    for person in data.get("named", []):
        if person.get("seated", True):
            cell = (person["party"], person.get("region", LIST))
            held[cell] = held.get(cell, 0) + 1
    return held


def scaled_seats(data: Mapping, lawmakers: int) -> dict[Cell, int] | None:
    """The seat table scaled to ``lawmakers`` seats by controlled rounding (module docstring).

    Args:
        data: Parsed scenario data, the base.
        lawmakers: The new Assembly's size N, at least 1.

    Returns:
        Seats by cell adding up to N: every cell, party total and region total its exact share
        rounded down or up, except that a cell holding named actors holds at least them; None
        if the named actors cannot keep their seats at this size.
    """
    table = seat_table(data)
    base = sum(table.values())
    held = named_seats(data)
    exact = {cell: Fraction(seats * lawmakers, base) for cell, seats in table.items()}
    rows, cols = _margins(exact, 0), _margins(exact, 1)
    graph, demand = nx.DiGraph(), {}

    def edge(u, v, share: Fraction, least: int = 0) -> int:
        # A flow of [lo, hi] units: lo is sent up front (a node demand), the rest costs
        # -remainder per unit, so that the cheapest flow rounds up the largest remainders.
        lo, hi = max(math.floor(share), least), max(math.ceil(share), least)
        demand[u] = demand.get(u, 0) + lo
        demand[v] = demand.get(v, 0) - lo
        remainder = share - math.floor(share)
        graph.add_edge(u, v, capacity=hi - lo, weight=-round(remainder * _COST_SCALE))
        return lo

    for party, share in rows.items():
        edge("source", ("party", party), share)
    least = {
        (party, region): edge(
            ("party", party), ("region", region), share, held.get((party, region), 0)
        )
        for (party, region), share in exact.items()
    }
    for region, share in cols.items():
        edge(("region", region), "sink", share)
    edge("sink", "source", Fraction(lawmakers))  # the whole: exactly N
    nx.set_node_attributes(graph, demand, "demand")
    try:
        _, flow = nx.network_simplex(graph)
    except nx.NetworkXUnfeasible:
        return None
    return {
        (party, region): lo + flow[("party", party)][("region", region)]
        for (party, region), lo in least.items()
    }


def _margins(exact: Mapping[Cell, Fraction], axis: int) -> dict[str, Fraction]:
    """Exact totals of the table by party (axis 0) or by region (axis 1), in first-seen order."""
    totals: dict[str, Fraction] = {}
    for cell, share in exact.items():
        totals[cell[axis]] = totals.get(cell[axis], Fraction(0)) + share
    return totals


# --------------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------------


def scale_data(data: Mapping, lawmakers: int) -> dict | None:
    """The base's data with ``lawmakers`` seats, its committees and tie densities scaled.

    Pure arithmetic, unbounded and unvalidated (``scale_scenario`` checks both); the benchmarks
    use it to size runs that cannot be loaded.

    Args:
        data: Parsed scenario data, the base (not changed).
        lawmakers: The new Assembly's size N, at least 1.

    Returns:
        New data, or None if the named actors cannot keep their seats at this size.

    Raises:
        ValueError: If the base has seat tables after a general election, which this
            generator does not scale.
    """
    if any("seats" in election for election in data["elections"]):
        raise ValueError("scaling the seat tables of general elections is not implemented")
    seats = scaled_seats(data, lawmakers)
    if seats is None:
        return None
    base = sum(seat_table(data).values())
    out = dict(data)
    out["name"] = f"{data.get('name', BASE)}_scaled_{lawmakers}"
    out["title"] = f"{data['title']} (synthetic scale: {lawmakers} lawmakers)"
    out["parties"] = [
        {**party, "seats": sum(n for (p, _), n in seats.items() if p == party["code"])}
        for party in data["parties"]
    ]
    out["regions"] = [
        {**region, "seats": {p: seats.get((p, region["code"]), 0) for p in region.get("seats", {})}}
        for region in data["regions"]
    ]
    on_committee = {
        code: sum(code in person.get("committees", []) for person in data.get("named", []))
        for code in data["committee_sizes"]
    }
    out["committee_sizes"] = {
        code: min(lawmakers, max(1, on_committee[code], _half_up(Fraction(size * lawmakers, base))))
        for code, size in data["committee_sizes"].items()
    }
    parameters = {key: dict(group) for key, group in data.get("parameters", {}).items()}
    network = parameters.setdefault("network", {})
    for name in PER_PAIR:
        density = network.get(name, NetworkParams.__dataclass_fields__[name].default)
        network[name] = float(f"{min(1.0, density * base / lawmakers):.6g}")
    out["parameters"] = parameters
    return out


def _half_up(value: Fraction) -> int:
    """The nearest integer, halves rounded up (Python's round() rounds halves to even)."""
    return math.floor(value + Fraction(1, 2))


def scale_scenario(lawmakers: int, base: str | os.PathLike = BASE) -> dict:
    """The data of a valid scenario with ``lawmakers`` lawmakers, built from ``base``.

    Args:
        lawmakers: The Assembly's size N: at least the smallest size that holds the base's
            seated named actors in their seats, at most the loader's bound (MAX_SEATS).
        base: The scenario to scale (a shipped name or a path).

    Returns:
        Scenario data that ``from_dict`` (and so ``load_scenario`` of its file) accepts.

    Raises:
        ScaleError: For a size outside those bounds, or one at which the named actors do not
            keep their seats, naming ``lawmakers`` and the sizes that work.
    """
    data = load_scenario_data(base)
    label = data.get("name", str(base))
    if isinstance(lawmakers, bool) or not isinstance(lawmakers, int):
        raise ScaleError("lawmakers", "an integer", toml_value(lawmakers))
    smallest = smallest_size(data)
    if not smallest <= lawmakers <= MAX_SEATS:
        raise ScaleError(
            "lawmakers",
            f"an integer from {smallest} (the smallest Assembly that seats {label}'s named "
            f"actors in their regions and parties) to {MAX_SEATS} (the largest a scenario may "
            "have, sim.scenario_checks.MAX_SEATS)",
            str(lawmakers),
        )
    scaled = _valid(data, lawmakers)
    if scaled is None:
        below = next(n for n in range(lawmakers - 1, 0, -1) if _valid(data, n))
        above = next((n for n in range(lawmakers + 1, MAX_SEATS + 1) if _valid(data, n)), None)
        sizes = f"{below} or {above}" if above else str(below)
        raise ScaleError(
            "lawmakers",
            f"a size at which {label}'s named actors keep their region's and party's seats, "
            f"such as {sizes}",
            str(lawmakers),
        )
    return scaled


def smallest_size(data: Mapping) -> int:
    """The smallest Assembly into which ``scale_data`` fits the base as a valid scenario.

    Sizes are tried upwards from the number of seated named actors; the base's own size
    always fits. Larger sizes need not all fit (a named actor's region may round down).
    """
    start = max(1, sum(named_seats(data).values()))
    base = sum(seat_table(data).values())
    return next(n for n in range(start, base + 1) if _valid(data, n))


def _valid(data: Mapping, lawmakers: int) -> dict | None:
    """``scale_data``'s result if it is a valid scenario, else None."""
    scaled = scale_data(data, lawmakers)
    if scaled is None:
        return None
    try:
        from_dict(scaled, f"{scaled['name']}.toml")
    except ScenarioError:
        return None
    return scaled


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------


def scenario_text(data: Mapping, header: str = "") -> str:
    """Scenario data as TOML, read back to check that it holds the same data.

    Top-level values come first, then tables (``[parameters]``), then arrays of tables
    (``[[parties]]``), each entry's values on lines of their own and nested values inline.

    Args:
        data: Scenario data (tables as dicts, arrays as lists).
        header: Comment text put first, one ``# `` line per line.

    Returns:
        The TOML text.
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    tables, arrays = [], []
    for key, value in data.items():
        if isinstance(value, Mapping):
            tables.append(key)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            arrays.append(key)
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key in tables:
        lines += ["", f"[{toml_key(key)}]", *_entries(data[key])]
    for key in arrays:
        for entry in data[key]:
            lines += ["", f"[[{toml_key(key)}]]", *_entries(entry)]
    text = "\n".join(lines) + "\n"
    if parse_toml(text, "generated scenario") != data:
        raise ValueError("the scenario's data do not survive a TOML round trip")
    return text


def _entries(table: Mapping) -> list[str]:
    return [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()]


def header_text(data: Mapping, lawmakers: int, base: str | os.PathLike = BASE) -> str:
    """The comment that opens a generated file: what it is, and what was scaled."""
    network = data["parameters"]["network"]
    densities = "".join(f"\n    {name} = {network[name]}" for name in PER_PAIR)
    return (
        f"Generated by `relocsim scale --lawmakers {lawmakers}` (sim/scale.py) from {base}.\n"
        "Not a historical case: the base with its seats, committees and tie densities scaled,\n"
        'everything else as in the base (docs/performance.md, "Synthetic scale").\n'
        "- seats: the base's party-by-region table x N / base size, controlled rounding (each\n"
        "  party's and region's seats within one seat of its share; named actors keep theirs);\n"
        "- committee sizes: their share of the Assembly;\n"
        "- per-pair tie densities divided by N / base size, so that a member keeps about as\n"
        f"  many ties as in the base ([parameters] network):{densities}\n"
    )


def write_scaled(lawmakers: int, out: str | os.PathLike, base: str | os.PathLike = BASE) -> dict:
    """Write the scenario of ``scale_scenario`` to ``out``, whole or not at all.

    Args:
        lawmakers: The Assembly's size (see ``scale_scenario``).
        out: The file to write; missing folders above it are made. An existing file is
            replaced.
        base: The scenario to scale.

    Returns:
        The data written.

    Raises:
        ScaleError: For a bad size (before anything is written), or an ``out`` that is a
            folder or cannot be written; folders made for it are removed again.
    """
    if os.fspath(out).endswith(("/", os.sep)) or Path(out).is_dir():
        raise ScaleError("out", "a file to write", f"the folder {os.fspath(out)}")
    out = Path(out)
    data = scale_scenario(lawmakers, base)
    text = scenario_text(data, header_text(data, lawmakers, base))
    try:
        made = make_folder(out.parent, "--out")
    except ScenarioError as err:
        raise ScaleError(
            "out", "a file in a folder that can be written", f"{out} ({err.path}: {err.got})"
        ) from None
    try:
        write_whole(out, "w", lambda f: f.write(text))
    except OSError as err:
        remove_made(made)
        raise ScaleError("out", "a file that can be written", f"{out} ({reason(err)})") from None
    return data
