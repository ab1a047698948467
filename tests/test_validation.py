"""relocsim validate: the file's checks, a small real run checked by hand, and the arithmetic.

The real run (module fixture) uses a copy of the shipped validation file with two of its
counterfactuals and 6 seeds, through the real command line; its tables are recomputed here
from the stores (experiments.load_results) and from direct sim.run calls.
"""

import math
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import experiments
import sim
from experiments.validation import brier, estimate
from experiments.validation_report import BEGIN, END
from experiments.validation_spec import Condition, Event, Requirement

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
SHIPPED = Path(experiments.__file__).with_name("validation.toml")
SEEDS = 6
OUTSIDE_HEAD = f"# My notes\n\nBy hand, above the `{BEGIN}` line; the `{END}` line ends it.\n\n"
OUTSIDE_TAIL = "\n## Calibration\n\nWritten by hand, below the markers.\n"


def small_file(folder: Path) -> Path:
    """The shipped file with its first two counterfactuals only (5 stores in all)."""
    text = SHIPPED.read_text(encoding="utf-8")
    cut = text.index('[[counterfactuals]]\nname = "weaker / stronger unions"')
    path = folder / "small.toml"
    path.write_text(text[:cut], encoding="utf-8")
    return path


def validate_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RELOCSIM, "validate", *args], capture_output=True, text=True)


def block(doc: Path) -> str:
    """The generated part of a doc, without the day it ran."""
    text = doc.read_text(encoding="utf-8")
    inside = text.split(f"\n{BEGIN}\n", 1)[1].split(f"\n{END}\n", 1)[0]
    return re.sub(r" on \d{4}-\d{2}-\d{2}:", " on DAY:", inside)


def table_rows(doc: Path, first_cell: str) -> dict[tuple[str, str], list[str]]:
    """The Markdown table rows whose first cell is ``first_cell``, by their first two cells."""
    rows = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and cells[0] == first_cell:
            rows[(cells[0], cells[1])] = cells
    return rows


def shown(k: int, n: int) -> str:
    lo, hi = experiments.wilson(k, n)
    return f"{k / n:.3f} [{lo:.3f}, {hi:.3f}]"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validate")
    file = small_file(folder)
    doc = folder / "docs" / "validation.md"
    doc.parent.mkdir()
    text = f"{OUTSIDE_HEAD}{BEGIN}\nold text\n{END}{OUTSIDE_TAIL}"
    doc.write_text(text, encoding="utf-8")
    out = folder / "out"
    done = validate_cli(
        str(file),
        "--seeds",
        str(SEEDS),
        "--workers",
        "1",
        "--counterfactuals",
        "--out",
        str(out),
        "--docs",
        str(doc),
    )
    return {"file": file, "doc": doc, "out": out, "done": done}


# --------------------------------------------------------------------------------------------
# A small real run
# --------------------------------------------------------------------------------------------


def test_the_run_prints_the_tables_and_writes_doc_and_figures(run):
    done, doc = run["done"], run["doc"]
    assert done.returncode == 0, done.stderr
    assert "Brier score, mean (P − truth)² over 5 events" in done.stdout
    assert "Counterfactuals (B against A" in done.stdout
    # The verdict counts exactly the rows (and the Brier line) whose last cell says MISSED.
    lines = done.stdout.splitlines()
    verdict = next(line for line in lines if line.startswith(("All targets met.", "MISSED ")))
    missed = sum(line.rstrip().endswith("MISSED") for line in lines)
    if missed:
        assert verdict.startswith(f"MISSED {missed}: ")
    else:
        assert verdict == "All targets met."
    for name in ("validation.png", "counterfactuals.png"):
        assert (doc.parent / "figures" / name).read_bytes().startswith(b"\x89PNG")
    assert f"relocsim validate {run['file']} --seeds {SEEDS} --counterfactuals" in block(doc)


def test_text_outside_the_markers_is_kept(run):
    text = run["doc"].read_text(encoding="utf-8")
    assert text.startswith(OUTSIDE_HEAD + BEGIN + "\n")
    assert text.endswith(END + OUTSIDE_TAIL)
    assert "old text" not in text


def test_case_probabilities_match_the_stores_and_direct_runs(run):
    doc, out = run["doc"], run["out"]
    rows = table_rows(doc, "season2_2020") | table_rows(doc, "kdb_2023")
    # season2_2020, from its store
    table = experiments.load_results(out / "cases" / "season2_2020")
    assert (table["status"] == "done").all() and len(table) == SEEDS
    for label, column in (
        ("blueprint before 2022-03-09", "blueprint_date"),
        ("any decision before 2022-03-09", "first_decision_date"),
    ):
        k = sum(isinstance(v, str) and v < "2022-03-09" for v in table[column])
        row = rows[("season2_2020", label)]
        assert row[2:5] == [str(SEEDS), shown(k, SEEDS), "false"]
        assert math.isclose(float(row[5]), (k / SEEDS) ** 2, abs_tol=5e-5)
    # kdb_2023, from direct runs with the seeds validate uses
    master = experiments.load_validation(run["file"]).master_seed
    outcomes = [
        sim.run("kdb_2023", seed=experiments.run_seed(master, 0, r)).outcome for r in range(SEEDS)
    ]
    designated = sum(
        o["dest_KDB"] == "busan" and o["decided_KDB_date"] < "2024-04-10" for o in outcomes
    )
    passed = sum(
        o["act_KDB_fate"] == "passed" and o["act_KDB_date"] < "2024-04-10" for o in outcomes
    )
    plan = sum(
        o["blueprint_date"] is not None and o["blueprint_date"] < "2024-04-10" for o in outcomes
    )
    expected = {
        "KDB designated before 2024-04-10": (designated, "true", ">=", 0.6),
        "KDB Act passed before 2024-04-10": (passed, "false", "<=", 0.2),
        "general plan (blueprint) before 2024-04-10": (plan, "false", None, None),
    }
    for label, (k, truth, op, bound) in expected.items():
        row = rows[("kdb_2023", label)]
        assert row[2:5] == [str(SEEDS), shown(k, SEEDS), truth], label
        p = k / SEEDS
        if op is not None:
            met = p >= bound if op == ">=" else p <= bound
            assert row[7] == ("met" if met else "MISSED"), label


def test_counterfactual_compares_the_variant_with_the_baseline(run):
    out = run["out"]
    rows = table_rows(run["doc"], "no election inside the window")
    row = rows[("no election inside the window", "blueprint before 2022-03-09")]

    def k_of(store):
        table = experiments.load_results(store)
        return sum(isinstance(v, str) and v < "2022-03-09" for v in table["blueprint_date"])

    a = k_of(out / "cases" / "season2_2020")
    b = k_of(out / "counterfactuals" / "no_election_inside_the_window" / "variant")
    assert row[2:6] == [
        "baseline",
        shown(a, SEEDS),
        "every election on 2023-06-01",
        shown(b, SEEDS),
    ]
    assert row[6] == f"{(b - a) / SEEDS:+.3f}"
    assert row[9] == ("met" if b > 0 and b >= 3 * a else "MISSED")


def test_same_seeds_give_the_same_doc_table(run, tmp_path):
    doc = tmp_path / "again.md"
    result = experiments.validate(
        run["file"],
        seeds=SEEDS,
        workers=1,
        counterfactuals=True,
        out_dir=tmp_path / "out",
        docs=doc,
        progress=False,
    )
    assert block(doc) == block(run["doc"])
    assert doc.read_text(encoding="utf-8").startswith("# Validation\n")  # a new doc: the intro
    assert str(result) in run["done"].stdout
    assert len(result.cases) == 5 and result.counterfactuals is not None


# --------------------------------------------------------------------------------------------
# Bad input: one line, exit 2, nothing written
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'column = "dest_KDB"',
            'column = "dest_XYZ"',
            "small.toml: cases[1].events[0].when[0].column: expected an outcome column of kdb_2023",
        ),
        (
            "truth = true ",
            'truth = "yes"',
            'cases[1].events[0].truth: expected true or false, got "yes"',
        ),
        (
            '"parties.DP.cohesion" = 0.1',
            '"parties.XX.cohesion" = 0.1',
            "counterfactuals[1].low.set.parties.XX.cohesion: expected one of: DP, UFP",
        ),
        (
            "before = 2024-04-10 }",
            'before = "2024-04-10" }',
            "when[1].before: expected a date (YYYY-MM-DD)",
        ),
        ('case = "season2_2020"', 'case = "nope"', "counterfactuals[0].case: expected the name"),
        (
            "ratio_at_least = 3.0",
            "ratio = 3.0",
            "counterfactuals[0].require.ratio: expected one of",
        ),
    ],
)
def test_a_bad_file_is_one_line_exit_2_and_writes_nothing(tmp_path, old, new, expected):
    text = small_file(tmp_path).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "small.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    doc = tmp_path / "docs" / "validation.md"
    done = validate_cli(
        str(tmp_path / "small.toml"),
        "--seeds",
        "2",
        "--counterfactuals",
        "--out",
        str(tmp_path / "out"),
        "--docs",
        str(doc),
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("relocsim validate: ") and expected in done.stderr
    assert not (tmp_path / "out").exists() and not doc.parent.exists()


def test_bad_markers_and_arguments_are_one_line_exit_2(tmp_path):
    doc = tmp_path / "v.md"
    text = f"notes\n{END}\n{BEGIN}\n"
    doc.write_text(text, encoding="utf-8")
    done = validate_cli("--seeds", "2", "--out", str(tmp_path / "out"), "--docs", str(doc))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "v.md: (markers): expected a line <!-- validate:begin --> and, after it" in done.stderr
    assert doc.read_text(encoding="utf-8") == text and not (tmp_path / "out").exists()
    done = validate_cli("--seeds", "0", "--no-docs")
    assert done.returncode == 2 and "--seeds: expected a positive integer" in done.stderr


# --------------------------------------------------------------------------------------------
# The shipped file and the arithmetic
# --------------------------------------------------------------------------------------------


def test_the_shipped_file_holds_the_cases_of_issue_4():
    spec = experiments.load_validation()
    assert [c.name for c in spec.cases] == ["season2_2020", "kdb_2023"]
    events = {(c.name, e.label): e for c in spec.cases for e in c.events}
    assert len(events) == 5
    assert str(events[("season2_2020", "blueprint before 2022-03-09")].target) == "≤ 0.2"
    assert str(events[("kdb_2023", "KDB designated before 2024-04-10")].target) == "≥ 0.6"
    assert events[("kdb_2023", "KDB designated before 2024-04-10")].truth is True
    assert str(spec.brier_target) == "≤ 0.1"
    cfs = {cf.name: cf for cf in spec.counterfactuals}
    assert str(cfs["no election inside the window"].require) == "B/A ≥ 3"
    assert str(cfs["party cohesion low → high"].require) == "|B − A| ≥ 0.2"
    unions = {u.code for u in sim.load_scenario("season2_2020").unions}
    for arm in cfs["weaker / stronger unions"].arms:  # every union of the scenario is set
        assert {p.split(".")[1] for p in arm.experiment.overrides} == unions
    moved = cfs["no election inside the window"].b.experiment.overrides
    season2 = sim.load_scenario("season2_2020")
    assert {p.split(".")[1] for p in moved} == {
        e.code for e in season2.elections if e.date <= season2.horizon
    }


def test_brier_and_estimate_on_a_hand_example():
    before = Event("early", (Condition("blueprint_date", "before", date(2022, 3, 9)),), False)
    records = [{"blueprint_date": d} for d in ["2021-01-04", "2022-03-08", "2022-03-09", None]]
    records += [{"blueprint_date": "2022-09-05"}] * 6
    found = estimate(records, before)  # 2 of 10: the polling day itself is not before it
    assert (found["runs"], found["occurred"], found["p"]) == (10, 2, 0.2)
    assert (found["lo"], found["hi"]) == experiments.wilson(2, 10)
    assert brier(0.2, False) == pytest.approx(0.04)
    assert brier(0.7, True) == pytest.approx(0.09)
    assert (brier(0.2, False) + brier(0.7, True)) / 2 == pytest.approx(0.065)
    passed = Event("passed", (Condition("act", "equals", "passed"),), True)
    assert estimate([{"act": "passed"}, {"act": None}, {"act": "failed"}], passed)["occurred"] == 1


def test_requirements_on_ratios_and_differences():
    ratio = Requirement("ratio_at_least", 3.0)
    assert ratio.met(0.1, 0.3) and not ratio.met(0.1, 0.29)
    assert ratio.met(0.0, 0.05) and not ratio.met(0.0, 0.0)  # from never to sometimes counts
    assert Requirement("abs_difference_at_least", 0.2).met(0.5, 0.3)
    assert not Requirement("difference_at_least", 0.2).met(0.5, 0.3)
    assert not ratio.met(math.nan, 0.5)
    assert ratio.met(10 / 200, 30 / 200)  # 3 * 0.05 is 0.15000000000000002 in floating point
    assert Requirement("abs_difference_at_least", 0.2).met(0.3, 0.5)  # 0.5 - 0.3 < 0.2 in floats
