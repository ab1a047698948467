"""Experiment files and designs: validation, one-line errors, points and seeds (no runs)."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import experiments
import sim
from experiments.design import salib_problem
from experiments.spec import point_count
from sim.cli import main

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
HEAD = 'scenario = "season2_2020"\nreplicates = 2\nmaster_seed = 5\n'


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return path


def test_shipped_experiments_load_and_answer_their_questions():
    timing = experiments.load_experiment("election_timing")
    assert timing.paths == (
        "parties.DP.cohesion",
        "unions.KFIU.strength",
        "elections.presidential_2022.date",
    )
    assert len(experiments.design_points(timing)) == 3 * 3 * 4
    sobol = experiments.load_experiment("sobol_blueprint")
    assert sobol.design.kind == "sobol" and all(f.bounds for f in sobol.factors)
    assert len(experiments.design_points(sobol)) == sobol.design.n * (len(sobol.factors) + 2)
    # the shipped files are also found by path, as the CLI takes them
    path = Path(experiments.__file__).with_name("election_timing.toml")
    assert experiments.load_experiment(path) == timing


def test_relative_scenario_path_is_resolved_against_the_experiment_file(tmp_path):
    scenario = Path(sim.load_scenario("season2_2020").source)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mine.toml").write_text(scenario.read_text())
    exp = write(tmp_path, HEAD.replace('"season2_2020"', '"sub/mine.toml"'))
    assert experiments.load_experiment(exp).scenario == str(tmp_path / "sub" / "mine.toml")


RANGED = "[[factors]]\npath = 'parameters.timing.blame_weight'\nrange = [2.0, 20.0]\n"
# A factor of 100 levels: three of them make a million points.
LEVELS = (
    "[[factors]]\npath = '{path}'\nlevels = ["
    + ", ".join(f"{i / 100:.2f}" for i in range(100))
    + "]\n"
)

BAD = [
    ("replicates = 2\nmaster_seed = 1\n", "exp.toml: scenario: expected a non-empty string"),
    (HEAD.replace("replicates = 2", "replicates = 0"), "replicates: expected a positive integer"),
    (HEAD + "colour = 1\n", "colour: expected one of: title, scenario"),
    (HEAD + "[[factors]]\npath = 'parties.XX.cohesion'\nlevels = [0.5]\n", "factors[0].path"),
    (HEAD + "[[factors]]\npath = 'parties.DP.cohesion'\nlevels = []\n", "factors[0].levels"),
    (HEAD + "[[factors]]\npath = 'parties.DP.cohesion'\nlevels = [1, 'x']\n", "of one type"),
    (HEAD + "[overrides]\nhorizon = 'soon'\n", "overrides.horizon: expected a date"),
    (
        HEAD + "design = 'sobol'\n[[factors]]\npath = 'parties.DP.cohesion'\nrange = [0, 1]\n",
        "design.n: expected a positive integer, got nothing",
    ),
    (
        HEAD + "[design]\nkind = 'sobol'\nn = 12\n[[factors]]\npath = 'parties.DP.cohesion'\n"
        "range = [0.1, 0.9]\n",
        "design.n: expected a power of 2",
    ),
    (
        HEAD + "design = 'lhs'\n[[factors]]\npath = 'parties.DP.cohesion'\nrange = [0.9, 0.1]\n",
        "factors[0].range: expected lo < hi",
    ),
    (HEAD + "design = 'nope'\n", "design.kind: expected one of: full_factorial"),
    (HEAD + "scenario = 1\n", "line 4"),  # a duplicate key: TOML itself is invalid
    # Every size is bounded (MAX_REPLICATES, MAX_POINTS, MAX_RUNS), before any work.
    (
        HEAD.replace("replicates = 2", "replicates = 100000000000000000000"),
        "replicates: expected an integer in [1, 10000], got 100000000000000000000",
    ),
    (
        HEAD + "[design]\nkind = 'sobol'\nn = 1099511627776\n" + RANGED,
        "design.n: expected at most 32768 (n x 3 points: at most 100000), got 1099511627776",
    ),
    (
        HEAD + "[design]\nkind = 'lhs'\nn = 1000000000000\n" + RANGED,
        "design.n: expected at most 100000 (n points: at most 100000), got 1000000000000",
    ),
    (
        HEAD + "[design]\nkind = 'morris'\nn = 60000\n" + RANGED,
        "design.n: expected at most 50000 (n x 2 points: at most 100000), got 60000",
    ),
    (
        HEAD
        + "".join(
            LEVELS.format(path=p)
            for p in ("parties.DP.cohesion", "unions.KFIU.strength", "parties.UFP.cohesion")
        ),
        "factors: expected at most 100000 points in all (the product of the levels' counts), "
        "got 1000000",
    ),
    (
        HEAD.replace("replicates = 2", "replicates = 200")
        + LEVELS.format(path="parties.DP.cohesion")
        + LEVELS.format(path="unions.KFIU.strength"),
        "replicates: expected at most 100 (10000 points x replicates: at most 1000000 runs",
    ),
    (
        HEAD + "[overrides]\n'parties.DP.seats' = 100000000\n",
        "overrides.parties.DP.seats: expected an integer in [0, 50000], got 100000000",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_experiment_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, text, expected):
    out = tmp_path / "out"
    assert main(["sweep", str(write(tmp_path, text)), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and expected in captured.err, captured.err
    assert captured.err.startswith("relocsim sweep: ")
    assert not out.exists()


def test_bad_experiment_through_the_installed_command(tmp_path):
    exp = write(tmp_path, HEAD + "[[factors]]\npath = 'parameters.timing.nonsense'\nlevels = [1]\n")
    done = subprocess.run(
        [*RELOCSIM, "sweep", str(exp), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("relocsim sweep: exp.toml: factors[0].path: expected one of:")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_backend_is_refused_by_the_cli(tmp_path, capsys):
    exp = write(tmp_path, HEAD)
    with pytest.raises(SystemExit) as stop:
        main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--backend", "ray"])
    assert stop.value.code == 2
    assert "invalid choice: 'ray'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_too_many_workers_are_refused_by_the_cli(tmp_path, capsys):
    # each worker is a process: --workers 100000 would start as many as there are tasks
    exp = write(tmp_path, HEAD)
    with pytest.raises(SystemExit) as stop:
        main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "100000"])
    assert stop.value.code == 2
    assert "--workers: expected at most 1024, got '100000'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_level_the_scenario_rejects_is_not_an_error_of_the_file(tmp_path):
    # Its runs are recorded as failed instead (tests/test_experiments_sweep.py).
    exp = write(tmp_path, HEAD + "[[factors]]\npath = 'parties.DP.cohesion'\nlevels = [1.5]\n")
    assert experiments.load_experiment(exp).factors[0].levels == (1.5,)


def test_full_factorial_crosses_levels_in_order_with_one_type_per_column(tmp_path):
    exp = experiments.load_experiment(
        write(
            tmp_path,
            HEAD + "[[factors]]\npath = 'parameters.timing.blame_weight'\nlevels = [2, 3.5]\n"
            "[[factors]]\npath = 'elections.presidential_2022.date'\n"
            "levels = [2022-03-09, 2023-06-01]\n",
        )
    )
    assert [f.column_type for f in exp.factors] == ["float64", "date32"]
    assert experiments.design_points(exp) == [
        (2.0, date(2022, 3, 9)),
        (2.0, date(2023, 6, 1)),
        (3.5, date(2022, 3, 9)),
        (3.5, date(2023, 6, 1)),
    ]


def test_points_design_takes_values_as_given(tmp_path):
    exp = experiments.load_experiment(
        write(
            tmp_path,
            HEAD + "[design]\nkind = 'points'\npoints = [[0.2, 'IBK'], [0.9, 'KDB']]\n"
            "[[factors]]\npath = 'parties.DP.cohesion'\n[[factors]]\npath = 'flagship'\n",
        )
    )
    assert experiments.design_points(exp) == [(0.2, "IBK"), (0.9, "KDB")]
    assert [f.column_type for f in exp.factors] == ["float64", "string"]


@pytest.mark.parametrize(
    ("design", "count"),
    [
        ("kind = 'lhs'\nn = 7", 7),
        ("kind = 'sobol'\nn = 8", 8 * 4),
        ("kind = 'sobol'\nn = 8\nsecond_order = true", 8 * 6),
        ("kind = 'morris'\nn = 3\nnum_levels = 4", 3 * 3),
    ],
)
def test_sampled_designs_are_seeded_and_within_range(tmp_path, design, count):
    text = (
        HEAD + f"[design]\n{design}\n"
        "[[factors]]\npath = 'parameters.timing.blame_weight'\nrange = [2.0, 20.0]\n"
        "[[factors]]\npath = 'parameters.bargaining.rounds'\nrange = [1, 5]\n"
    )
    exp = experiments.load_experiment(write(tmp_path, text))
    points = experiments.design_points(exp)
    assert len(points) == count == point_count(exp.design, exp.factors)  # the bounds' count
    assert points == experiments.design_points(experiments.load_experiment(tmp_path / "exp.toml"))
    weights, rounds = zip(*points, strict=True)
    assert all(isinstance(w, float) and 2.0 <= w <= 20.0 for w in weights)
    assert all(type(r) is int and 1 <= r <= 5 for r in rounds)
    assert salib_problem(exp)["bounds"] == [[2.0, 20.0], [1.0, 6.0]]
    other = experiments.load_experiment(
        write(tmp_path, text.replace("master_seed = 5", "master_seed = 6"))
    )
    assert experiments.design_points(other) != points


def test_seeds_follow_seed_sequence_of_master_point_and_replicate(tmp_path):
    exp = experiments.load_experiment(
        write(tmp_path, HEAD + "[[factors]]\npath = 'parties.DP.cohesion'\nlevels = [0.3, 0.6]\n")
    )
    specs = list(experiments.run_specs(exp, experiments.design_points(exp)))
    assert [s.run_id for s in specs] == ["p00000r0000", "p00000r0001", "p00001r0000", "p00001r0001"]
    for s in specs:
        expected = np.random.SeedSequence(5, spawn_key=(s.point, s.replicate)).generate_state(1)[0]
        assert s.seed == int(expected) == experiments.run_seed(5, s.point, s.replicate)
    assert len({s.seed for s in specs}) == len(specs)


def test_public_names_resolve_lazily_to_their_definitions():
    import experiments.sweeper  # a submodule import must not shadow experiments.sweep

    assert callable(experiments.sweep) and experiments.sweep is experiments.sweeper.sweep
    assert all(getattr(experiments, name) is not None for name in experiments.__all__)
