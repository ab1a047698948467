"""relocsim scale: scenarios of the default case with N lawmakers (sim/scale.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.runner import weeks_in
from sim.scale import PER_PAIR, scale_scenario, write_scaled
from sim.scenario import load_scenario
from tests.conftest import limit_file_size

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
BASE = load_scenario("season2_2020")
BASE_SIZE = sum(p.seats for p in BASE.parties)
SIZES = (42, 97, 300, 301, 600, 1999, 3000)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("scaled")
    files = {n: folder / f"scaled_{n}.toml" for n in SIZES}
    for n, path in files.items():
        write_scaled(n, path)
    return files


def relocsim(*args: str, **options) -> subprocess.CompletedProcess:
    """Run the command as a user would, with its output captured as text."""
    return subprocess.run([*RELOCSIM, *args], capture_output=True, text=True, **options)


def region_seats(setting) -> dict[str, int]:
    return {r.code: sum(r.seats.values()) for r in setting.regions}


def test_every_file_loads_with_n_seats(written):
    for n, path in written.items():
        setting = load_scenario(path)
        assert sum(p.seats for p in setting.parties) == n
        lists = sum(setting.proportional_seats().values())
        assert sum(region_seats(setting).values()) + lists == n


def test_each_party_and_region_is_within_one_seat_of_its_share(written):
    base_regions = region_seats(BASE)
    for n, path in written.items():
        setting = load_scenario(path)
        for party in setting.parties:
            share = BASE.party(party.code).seats * n / BASE_SIZE
            assert abs(party.seats - share) < 1, (n, party.code, party.seats, share)
        for code, seats in region_seats(setting).items():
            share = base_regions[code] * n / BASE_SIZE
            assert abs(seats - share) < 1, (n, code, seats, share)


def test_the_rest_of_the_base_stays(written):
    setting = load_scenario(written[600])
    for field in ("elections", "institutions", "unions", "ministries", "named", "executive"):
        assert getattr(setting, field) == getattr(BASE, field), field
    assert [r.code for r in setting.regions] == [r.code for r in BASE.regions]
    assert setting.committee_sizes == {k: 2 * v for k, v in BASE.committee_sizes.items()}
    base_network = BASE.parameters.network
    for name in PER_PAIR:
        assert getattr(setting.parameters.network, name) == getattr(base_network, name) / 2


def test_at_the_base_size_a_run_is_the_base_run(written):
    # Nothing but the seats, committees and densities is touched, and at 300 they are equal.
    ours = sim.run(written[300], seed=5, series_every=0).outcome
    base = sim.run("season2_2020", seed=5, series_every=0).outcome
    assert ours.pop("scenario") == "season2_2020_scaled_300"
    base.pop("scenario")
    assert ours == base


def mean_degree(model) -> float:
    return 2 * len(model.ties.source) / len(model.world.names)


def test_a_run_at_600_completes_with_the_base_degree(written):
    result = sim.run(written[600], seed=2, series_every=0)
    setting = result.model.setting
    assert result.outcome["weeks"] == weeks_in(setting)
    world = result.model.world
    assert int(world.seated.sum()) == 600
    assert {n.name for n in BASE.named} <= set(world.names)
    base = sim.build_model("season2_2020", seed=2, series_every=0)
    assert mean_degree(result.model) == pytest.approx(mean_degree(base), rel=0.1)
    # With the base's densities the degree would double: the scaling is what holds it.
    unscaled = sim.build_model(
        written[600],
        seed=2,
        **{f"parameters.network.{name}": getattr(BASE.parameters.network, name)
           for name in PER_PAIR},
    )  # fmt: skip
    assert mean_degree(unscaled) > 1.7 * mean_degree(base)


def test_the_same_size_gives_the_same_bytes(written, tmp_path):
    again = tmp_path / "again.toml"
    write_scaled(600, again)
    assert again.read_bytes() == written[600].read_bytes()


def test_sizes_between_fitting_ones_can_fail_and_say_which_fit():
    # At 43 seats the named actors' regions round below them; 42 and 46 hold them.
    with pytest.raises(ValueError, match="such as 42 or 46, got 43"):
        scale_scenario(43)


def test_the_command_writes_a_file_that_runs(tmp_path):
    out = tmp_path / "new" / "scaled.toml"
    done = relocsim("scale", "--lawmakers", "120", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}: season2_2020_scaled_120, 120 lawmakers")
    assert sum(p.seats for p in load_scenario(out).parties) == 120
    done = relocsim("run", "--scenario", str(out), "--seed", "1", "--json")
    assert done.returncode == 0 and '"scenario": "season2_2020_scaled_120"' in done.stdout


@pytest.mark.parametrize(
    ("lawmakers", "out", "expected"),
    [
        ("5", "x.toml", "--lawmakers: expected an integer from 42 "),
        ("60000", "x.toml", "--lawmakers: expected an integer from 42 "),
        ("10000000000000000000000", "x.toml", "--lawmakers: expected an integer from 42 "),
        ("43", "x.toml", "--lawmakers: expected a size at which"),
        ("600", ".", "--out: expected a file to write, got the folder"),
        ("600", "newdir/", "--out: expected a file to write, got the folder"),
        ("600", "afile/x.toml", "--out: expected a file in a folder that can be written"),
        ("600", "/proc/relocsim-test/x.toml", "--out: expected a file in a folder that can be"),
    ],
)
def test_bad_arguments_are_one_line_exit_2_and_write_nothing(
    tmp_path, monkeypatch, capsys, lawmakers, out, expected
):
    # In process: an exception would escape main() and fail the test (a traceback).
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    monkeypatch.chdir(tmp_path)
    assert main(["scale", "--lawmakers", lawmakers, "--out", out]) == 2
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.count("\n") == 1
    assert printed.err.startswith("relocsim scale: ") and expected in printed.err
    assert afile.read_text() == "keep me" and sorted(tmp_path.iterdir()) == [afile]


def test_a_size_that_is_no_integer_is_one_line_exit_2(tmp_path):
    done = relocsim("scale", "--lawmakers", "many", "--out", str(tmp_path / "x.toml"))
    assert done.returncode == 2 and done.stdout == "" and not any(tmp_path.iterdir())
    assert done.stderr == "relocsim scale: argument --lawmakers: invalid int value: 'many'\n"


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path):
    out = tmp_path / "new" / "scaled.toml"
    # A file size limit smaller than the file (about 11 kB), as on a full disk.
    done = relocsim("scale", "--lawmakers", "600", "--out", str(out),
                    preexec_fn=limit_file_size(2_000))  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "--out: expected a file that can be written" in done.stderr
    assert "File too large" in done.stderr
    assert not (tmp_path / "new").exists()
