"""docs/ODD.md cannot drift from the code (issue 4, "Model documentation").

Convention: a *parameter table* is a Markdown table whose header's first cell is ``parameter``.
Each of its rows names exactly one mechanism parameter in its first cell, as ``group.name`` in
backticks (``group`` a field of ``sim.parameters.Parameters``, ``name`` a field of that group's
dataclass), and gives the code's default in the second cell (the ``default`` column). The tests
check that the tables name every parameter exactly once and nothing else, with the right
default, and that the seven ODD elements are the document's level-2 headings, in order.
"""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from sim.parameters import Parameters

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

ELEMENTS = (
    "1 Purpose and patterns",
    "2 Entities, state variables and scales",
    "3 Process overview and scheduling",
    "4 Design concepts",
    "5 Initialization",
    "6 Input data",
    "7 Submodels",
)

PARAMETER_CELL = re.compile(r"`([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)`")


def cells(line: str) -> list[str]:
    """The cells of a Markdown table row (escaped pipes ``\\|`` do not split)."""
    body = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def parameter_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every body row of every parameter table."""
    rows, in_table, in_fence = [], False, False
    lines = text.splitlines()
    for k, line in enumerate(lines, start=1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence or not line.lstrip().startswith("|"):
            in_table = False
            continue
        row = cells(line)
        previous = lines[k - 2].lstrip() if k >= 2 else ""
        if not previous.startswith("|"):  # a header row starts a new table
            in_table = row[0].lower() == "parameter"
            continue
        if in_table and not set(row[0]) <= set("-: "):  # skip the delimiter row
            rows.append((k, row))
    return rows


def code_parameters() -> dict[str, object]:
    """Every mechanism parameter as ``group.name``, with its default."""
    defaults = Parameters()
    return {
        f"{group.name}.{f.name}": getattr(getattr(defaults, group.name), f.name)
        for group in fields(Parameters)
        for f in fields(getattr(defaults, group.name))
    }


@pytest.fixture(scope="module")
def documented() -> dict[str, list[tuple[int, list[str]]]]:
    """Parameter references in the ODD's tables: name -> [(line, cells), ...]."""
    found: dict[str, list[tuple[int, list[str]]]] = {}
    for k, row in parameter_rows(ODD.read_text(encoding="utf-8")):
        match = PARAMETER_CELL.fullmatch(row[0])
        assert match, f"ODD.md line {k}: parameter cell {row[0]!r} is not one `group.name`"
        found.setdefault(".".join(match.groups()), []).append((k, row))
    return found


def test_the_odd_has_parameter_tables(documented):
    assert len(documented) >= 10


def test_every_documented_parameter_exists_in_the_code(documented):
    known = code_parameters()
    unknown = {name: [k for k, _ in rows] for name, rows in documented.items()}
    unknown = {name: lines for name, lines in unknown.items() if name not in known}
    assert not unknown, f"ODD.md names parameters that sim.parameters lacks: {unknown}"


def test_every_parameter_of_the_code_is_documented(documented):
    missing = sorted(set(code_parameters()) - set(documented))
    assert not missing, f"parameters missing from ODD.md's parameter tables: {missing}"


def test_each_parameter_is_documented_once(documented):
    repeated = {name: [k for k, _ in rows] for name, rows in documented.items() if len(rows) > 1}
    assert not repeated, f"parameters in more than one ODD.md table row: {repeated}"


def test_documented_defaults_match_the_code(documented):
    known = code_parameters()
    wrong = {}
    for name, rows in documented.items():
        for k, row in rows:
            if name not in known:
                continue  # reported by test_every_documented_parameter_exists_in_the_code
            if isinstance(known[name], str):  # a text parameter: its value in backticks
                if row[1].strip("`") != known[name]:
                    wrong[name] = (k, row[1], known[name])
                continue
            try:
                value = float(row[1])
            except (IndexError, ValueError):
                wrong[name] = (k, row[1:2], known[name])
                continue
            if value != pytest.approx(float(known[name])):
                wrong[name] = (k, row[1], known[name])
    assert not wrong, f"ODD.md default differs from sim.parameters (line, ODD, code): {wrong}"


def test_the_seven_odd_elements_are_the_headings_in_order():
    headings = [
        line.removeprefix("## ").strip()
        for line in ODD.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    ]
    elements = [h for h in headings if h[:1].isdigit()]
    assert elements == list(ELEMENTS)
