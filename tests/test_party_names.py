"""Party names change on the day they changed: the label function, its field, and every text.

The default scenario's UFP renamed itself the PPP on 2020-09-02 (its ``renamed``). Its code
stays UFP in the data; every line, summary, figure and dashboard text names it as it was called
on the day that text speaks of.
"""

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from matplotlib.text import Text

import sim
from sim.cli import summary
from sim.plots import timeline_figure
from sim.runner import weeks_in
from sim.scenario import ScenarioError, from_dict, load_scenario_data
from sim.scenario_types import LABEL_SPAN

RENAMED = date(2020, 9, 2)  # the UFP's national committee renamed it the PPP
RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
WORD = re.compile(r"[A-Za-z0-9_-]+")

# Runs whose why logs hold every kind of line that names a party: both results of the
# presidential election (a PPP government takes office after one), by- and local elections,
# parties split on floor votes (seed 8), party leaderships conceding under BDM (seed 1), and a
# head of government of the renamed party taking over at a dated event.
ACTING = {"date": date(2021, 1, 4), "kind": "executive", "who": "Acting head", "party": "UFP"}
RUNS = [
    *({"seed": seed} for seed in (0, 1, 2, 3, 8, 9)),  # 9: a floor vote the PPP splits on
    {"seed": 0, "elections.presidential_2022.result": "ruling_loses"},
    {"seed": 1, "elections.presidential_2022.result": "ruling_wins"},
    {"seed": 1, "parameters.bargaining.mechanism": "bdm"},
    {"seed": 2, "events": [ACTING]},
]


@pytest.fixture(scope="module")
def runs():
    return [sim.run("season2_2020", **run) for run in RUNS]


def _data(renamed):
    """The default scenario's data with the UFP's ``renamed`` replaced."""
    data = load_scenario_data("season2_2020")
    data["parties"][1]["renamed"] = renamed
    return data


def _every_label(setting) -> set[str]:
    """Every code and label any party of the scenario ever goes by."""
    return {p.code for p in setting.parties} | {r.label for p in setting.parties for r in p.renamed}


def _wrong_labels(setting, first: date, last: date | None = None) -> set[str]:
    """The codes and labels no party went by on any day from ``first`` to ``last``."""
    used = {
        label
        for p in setting.parties
        for label in setting.party_label(p.code, first, last).split(LABEL_SPAN)
    }
    return _every_label(setting) - used


def _words(text: str) -> set[str]:
    return set(WORD.findall(text))


# ---- the label function -------------------------------------------------------------------


def test_a_party_goes_by_its_code_until_the_day_it_was_renamed(season2):
    assert season2.party_label("UFP", RENAMED - timedelta(days=1)) == "UFP"
    assert season2.party_label("UFP", RENAMED) == "PPP"
    assert season2.party_label("UFP", date(2022, 3, 9)) == "PPP"
    assert season2.party_label("DP", RENAMED) == "DP"  # never renamed
    ufp = season2.party("UFP")
    assert ufp.code == "UFP"  # the data keep naming it one way
    assert ufp.name_on(RENAMED - timedelta(days=1)).startswith("United Future Party")
    assert ufp.name_on(RENAMED) == "People Power Party"


def test_over_a_period_the_label_names_each_name_of_the_period(season2):
    assert season2.party_label("UFP", season2.start, season2.horizon) == "UFP → PPP"
    assert season2.party_label("UFP", season2.start, RENAMED - timedelta(days=1)) == "UFP"
    assert season2.party_label("UFP", RENAMED, season2.horizon) == "PPP"
    assert season2.party_label("UFP", RENAMED - timedelta(days=1), RENAMED) == "UFP → PPP"
    assert season2.party_label("DP", season2.start, season2.horizon) == "DP"


def test_several_renamings_follow_each_other():
    setting = from_dict(
        _data([
            {"on": date(2020, 9, 2), "label": "PPP", "name": "People Power Party"},
            {"on": date(2021, 6, 1), "label": "NEW", "name": "A later name"},
        ]),
        "two.toml",
    )  # fmt: skip
    assert [setting.party_label("UFP", day) for day in
            (date(2020, 9, 1), date(2020, 9, 2), date(2021, 5, 31), date(2021, 6, 1))] == [
        "UFP", "PPP", "PPP", "NEW"]  # fmt: skip
    assert setting.party_label("UFP", setting.start, setting.horizon) == "UFP → PPP → NEW"
    assert setting.party_label("UFP", date(2021, 1, 4), setting.horizon) == "PPP → NEW"
    assert setting.party("UFP").name_on(date(2021, 6, 1)) == "A later name"


def test_an_unknown_party_has_no_label(season2):
    with pytest.raises(KeyError):
        season2.party_label("XX", RENAMED)


# ---- the field ----------------------------------------------------------------------------

PPP = {"on": date(2020, 9, 2), "label": "PPP", "name": "People Power Party"}


@pytest.mark.parametrize(
    ("renamed", "message"),
    [
        ({"on": date(2020, 9, 2)},
         "parties[1].renamed: expected an array of tables ([[renamed]]), got {on = 2020-09-02}"),
        ([{**PPP, "on": "September"}],
         'parties[1].renamed[0].on: expected a date (YYYY-MM-DD), got "September"'),
        ([PPP, {**PPP, "label": "X", "on": date(2020, 9, 2)}],
         "parties[1].renamed[1].on: expected a date after parties[1].renamed[0].on (2020-09-02), "
         "got 2020-09-02"),
        ([PPP, {**PPP, "label": "X", "on": date(2020, 8, 1)}],
         "parties[1].renamed[1].on: expected a date after parties[1].renamed[0].on (2020-09-02), "
         "got 2020-08-01"),
        ([{**PPP, "label": "UFP"}],
         "parties[1].renamed[0].label: expected a label other than the one in force before it "
         '(UFP), got "UFP"'),
        ([PPP, {**PPP, "on": date(2021, 1, 4)}],
         "parties[1].renamed[1].label: expected a label other than the one in force before it "
         '(PPP), got "PPP"'),
        ([{**PPP, "label": "DP"}],
         "parties[1].renamed[0].label: expected a label that is not another party's "
         '(parties[0].code is "DP"), got "DP"'),
        ([{**PPP, "label": "People Power"}],
         "parties[1].renamed[0].label: expected a label (a letter, then letters, digits, _ or -), "
         'got "People Power"'),
        ([{**PPP, "name": " "}],
         'parties[1].renamed[0].name: expected a non-empty string, got " "'),
        ([{"on": date(2020, 9, 2), "label": "PPP"}],
         "parties[1].renamed[0].name: expected a non-empty string, got nothing"),
        ([{**PPP, "code": "PPP"}],
         'parties[1].renamed[0].code: expected one of: on, label, name, got "code"'),
    ],
)  # fmt: skip
def test_a_bad_renaming_is_reported_at_its_field(renamed, message):
    with pytest.raises(ScenarioError) as err:
        from_dict(_data(renamed), "season2_2020.toml")
    assert str(err.value) == f"season2_2020.toml: {message}"


def test_a_label_is_not_another_partys_label():
    data = _data([PPP])
    data["parties"][0]["renamed"] = [{"on": date(2021, 1, 4), "label": "PPP", "name": "x"}]
    with pytest.raises(ScenarioError) as err:
        from_dict(data, "season2_2020.toml")
    assert str(err.value) == (
        "season2_2020.toml: parties[1].renamed[0].label: expected a label that is not another "
        'party\'s (parties[0].renamed[0].label is "PPP"), got "PPP"'
    )


def test_a_party_may_take_back_an_old_name():
    back = {"on": date(2021, 1, 4), "label": "UFP", "name": "United Future Party"}
    setting = from_dict(_data([PPP, back]), "back.toml")
    assert setting.party_label("UFP", setting.start, setting.horizon) == "UFP → PPP → UFP"


def test_renamings_are_overridden_by_index():
    setting = sim.load_scenario("season2_2020", {"parties.UFP.renamed.0.on": "2020-10-05"})
    assert setting.party_label("UFP", date(2020, 10, 4)) == "UFP"
    assert setting.party_label("UFP", date(2020, 10, 5)) == "PPP"
    assert sim.load_scenario("season2_2020", {"parties.UFP.renamed": []}).party("UFP").renamed == ()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "parties.UFP.renamed.0.label=DP"],
         "--set: parties.UFP.renamed.0.label: expected a label that is not another party's"),
        (["--set", "parties.UFP.renamed.0.on=soon"],
         '--set: parties.UFP.renamed.0.on: expected a date (YYYY-MM-DD), got "soon"'),
        (["--scenario", "BAD"],
         "bad.toml: parties[1].renamed[0].label: expected a label other than the one in force"),
    ],
)  # fmt: skip
def test_a_bad_renaming_stops_the_cli_in_one_line(tmp_path, args, expected):
    text = (Path(__file__).parents[1] / "sim/scenarios/season2_2020.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('label = "PPP"', 'label = "UFP"', 1))
    args = [str(bad) if a == "BAD" else a for a in args]
    done = subprocess.run([*RELOCSIM, "run", *args], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert expected in done.stderr


# ---- every text names a party as it was called on its day ---------------------------------


def test_no_why_line_names_a_party_outside_its_dates(runs, season2):
    said = {"UFP": 0, "PPP": 0}
    kinds = set()
    for result in runs:
        for day, kind, actor, target, detail in result.why[
            ["date", "kind", "actor", "target", "detail"]
        ].itertuples(index=False):
            words = _words(f"{actor} {target} {detail}")
            wrong = words & _wrong_labels(season2, date.fromisoformat(day))
            assert not wrong, (day, kind, actor, target, detail)
            for label in said:
                said[label] += label in words
            if "PPP" in words:
                kinds.add(kind)
    assert said["UFP"] and said["PPP"]  # the runs name the party under both of its names
    assert kinds == {"influence", "election", "event", "executive", "vote", "bargaining"}


def test_the_log_names_the_winner_and_the_new_government_by_the_day(runs):
    lost = runs[RUNS.index({"seed": 0, "elections.presidential_2022.result": "ruling_loses"})]
    why = lost.why
    election = why[(why.kind == "election") & (why.actor == "presidential_2022")].iloc[0]
    assert (election.target, election.detail) == ("PPP", "presidential election won by PPP")
    took = why[(why.kind == "event") & why.detail.str.startswith("took office")].iloc[0]
    assert (took.date, took.actor, took.target) == ("2022-05-10", "the PPP government", "PPP")
    assert (why[why.date > "2022-05-10"].query("kind == 'executive'").actor
            == "the PPP government").all()  # fmt: skip
    # The data keep the code: outcomes read the same with or without the renaming.
    assert lost.outcome["winner_presidential_2022"] == "UFP"
    assert lost.outcome["executive_end"] == "UFP"


def test_a_renaming_changes_text_only(runs):
    texts_differ = []
    for run, named in zip(RUNS, runs, strict=True):
        plain = sim.run("season2_2020", **run, **{"parties.UFP.renamed": []})
        assert plain.outcome == named.outcome
        assert plain.series.equals(named.series)
        assert plain.votes.equals(named.votes)
        same = ["week", "date", "kind"]
        assert plain.why[same].equals(named.why[same])
        texts_differ.append(not plain.why.equals(named.why))
    assert all(texts_differ)  # ... and the text does change


def test_the_run_summary_names_each_winner_as_it_was_called_on_polling_day(runs, season2):
    for result in runs:
        for line in summary(result).splitlines():
            code = line.strip().split(":")[0]
            if code in {e.code for e in season2.elections} and "won by" in line:
                polling = season2.election(code).date
                assert not _words(line) & _wrong_labels(season2, polling), line
    lost = runs[RUNS.index({"seed": 0, "elections.presidential_2022.result": "ruling_loses"})]
    assert "presidential_2022: blueprint" in summary(lost)
    assert "won by PPP" in summary(lost).split("presidential_2022:")[1].splitlines()[0]


def _figure_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize(
    ("first", "last", "legend"),
    [
        (None, None, "UFP → PPP"),  # the whole run
        (None, RENAMED - timedelta(days=1), "UFP"),
        (RENAMED, None, "PPP"),
    ],
)
def test_a_figure_names_a_party_only_by_the_names_of_the_dates_it_shows(
    runs, season2, first, last, legend
):
    result = runs[0]
    shown = result.series.loc[first and first.isoformat() : last and last.isoformat()]
    fig = timeline_figure(shown, season2, result.outcome, "a run")
    xs = [date.fromisoformat(d) for d in shown.index]
    texts = _figure_texts(fig)
    wrong = _wrong_labels(season2, min(xs), max(xs))
    assert not [t for t in texts if _words(t) & wrong]
    assert legend in texts


def test_the_dashboard_names_parties_by_the_day_it_shows():
    pytest.importorskip("solara")  # the dashboard extra
    from sim.dashboard_model import settings_line
    from sim.dashboard_timeline import timeline_svg
    from sim.dashboard_views import network_nodes_svg, party_legend

    model = sim.build_model(
        "season2_2020", seed=0, **{"elections.presidential_2022.result": "ruling_loses"}
    )
    s = model.setting
    for week in (4, 10, weeks_in(s)):  # August 2020, before the renaming; October; the end
        model.run_for(week - model.steps)
        today = model.date_of(model.steps)
        now = " ".join([
            party_legend(model), settings_line(model), network_nodes_svg(model),
        ])  # fmt: skip
        assert not _words(now) & _wrong_labels(s, today), today
        svg = timeline_svg(model)  # its series span the run so far
        assert not _words(svg) & _wrong_labels(s, s.start, today), today
        for e in (e for e in s.elections if e.code in model.winners):
            assert f">{e.kind} {e.date}: {s.party_label(model.winners[e.code], e.date)}<" in svg
    assert "presidential 2022-03-09: PPP" in svg
    assert {"PPP"} <= _words(now) and "UFP" not in _words(now)
