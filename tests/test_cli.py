"""The relocsim command line, run as a user would (subprocess) and in-process."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import limit_file_size

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]


def test_same_seed_gives_identical_files(tmp_path):
    for out in ("A", "B"):
        done = subprocess.run(
            [*RELOCSIM, "run", "--seed", "7", "--out", str(tmp_path / out)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "blueprint" in done.stdout
    names = sorted(p.name for p in (tmp_path / "A").iterdir())
    assert names == ["outcome.json", "series.csv", "timeline.png", "votes.csv", "why.csv"]
    for name in names:
        assert (tmp_path / "A" / name).read_bytes() == (tmp_path / "B" / name).read_bytes(), name


def test_json_prints_the_outcome(capsys):
    assert main(["run", "--seed", "3", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["seed"] == 3 and outcome["scenario"] == "season2_2020"


def test_override_moves_the_election(capsys):
    assert (
        main(
            ["run", "--seed", "3", "--json", "--set", "elections.presidential_2022.date=2023-06-01"]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["winner_presidential_2022"] is None


def bad_scenario(tmp_path):
    text = (Path(__file__).parents[1] / "sim/scenarios/season2_2020.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace("seats = { UFP = 15, DP = 3 }", 'seats = { UFP = 15, DP = "x" }', 1)
    )
    return bad


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "--seed", "x"], "--seed"),
        (["run", "--seed", "-1"], "--seed: expected a non-negative integer"),
        (["run", "--set", "nonsense"], "nonsense"),
        (["run", "--set", "parties.XX.discipline=1"], "parties.XX"),
        (["run", "--set", "parties.DP.discipline=2"], "parties.DP.discipline"),
        (["run", "--scenario", "no_such_scenario"], "no_such_scenario"),
        (["run", "--scenario", "BAD"], "bad.toml: regions[0].seats.DP: expected"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, expected):
    args = [str(bad_scenario(tmp_path)) if a == "BAD" else a for a in args]
    out = tmp_path / "out"
    done = subprocess.run([*RELOCSIM, *args, "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert expected in done.stderr
    assert not out.exists()


def test_help_explains_the_run_command():
    done = subprocess.run([*RELOCSIM, "run", "--help"], capture_output=True, text=True, check=True)
    for flag in ("--scenario", "--seed", "--set", "--out", "--json"):
        assert flag in done.stdout


def test_existing_files_are_replaced_whole(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--seed", "1", "--out", str(out)]) == 0
    first = (out / "outcome.json").read_bytes()
    assert main(["run", "--seed", "2", "--out", str(out)]) == 0
    assert (out / "outcome.json").read_bytes() != first
    assert sorted(p.name for p in out.iterdir()) == [
        "outcome.json",
        "series.csv",
        "timeline.png",
        "votes.csv",
        "why.csv",
    ]
    shutil.rmtree(out)


def test_out_naming_a_file_is_refused_before_running(tmp_path):
    existing = tmp_path / "taken.txt"
    existing.write_text("keep me")
    done = subprocess.run(
        [*RELOCSIM, "run", "--out", str(existing)], capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "expected a folder" in done.stderr and done.stdout == ""
    assert existing.read_text() == "keep me"


@pytest.mark.parametrize("command", ["run", "sweep"])
@pytest.mark.parametrize("where", ["under a file", "unwritable"])
def test_bad_out_path_is_one_line_exit_2_before_any_work(tmp_path, command, where):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    # /proc takes no new folders, even from root (for whom permissions do not count).
    out = afile / "sub" if where == "under a file" else Path("/proc/relocsim-test/out")
    args = ["run", "--seed", "1"] if command == "run" else ["sweep", "demo"]
    done = subprocess.run([*RELOCSIM, *args, "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""  # no summary: nothing was simulated
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"--out: {out}: expected a folder" in done.stderr
    assert afile.read_text() == "keep me" and sorted(tmp_path.iterdir()) == [afile]


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path):
    out = tmp_path / "new" / "out"
    done = subprocess.run(
        [*RELOCSIM, "run", "--seed", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size(20_000),  # smaller than the run's series.csv and figure
    )
    assert done.returncode == 1 and "blueprint" in done.stdout  # it ran, then could not write
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "could not write (File too large); nothing written" in done.stderr
    assert not (tmp_path / "new").exists()


def test_reading_the_arguments_loads_neither_mesa_nor_pandas():
    # `relocsim --help` and argument errors must answer at once: the heavy imports wait until
    # a command runs (sim's lazy run function, experiments' lazy names).
    probe = (
        "import sys, sim, sim.cli, experiments.cli\n"
        "from sim import load_scenario, ScenarioError\n"
        "print(sorted(m for m in ('mesa', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_sim_run_is_the_function_even_after_its_module_is_imported():
    probe = "import sim, sim.runner; print(callable(sim.run), sim.run is sim.runner.run)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.split() == ["True", "True"], done.stderr
