"""What happened in a historical case: its truth file, read and checked (docs/cases.md).

A case of the library is a scenario ``sim/scenarios/CASE.toml`` with, beside it, its sourced
facts (``CASE.facts.md``) and its truth (``CASE.truth.toml``): dated events, each with the rule
that scores a model's prediction of it. This module reads truth files the way sim.scenario
reads scenarios: every problem is one line naming the file and the field, and every reference
(an election, a bill, a party, an institution, a region) is checked against the case's
scenario. Scoring itself belongs to the validation (issue "Validation that can fail...").
"""

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sim.scenario import Scenario, ScenarioError, available_scenarios, load_scenario
from sim.scenario_errors import Loc, file_label, parse_toml, show
from sim.scenario_fields import FieldChecker

CASE_KINDS = (
    "early_in_term",
    "after_election",
    "before_election",
    "postponed",
    "ruling_split",
    "free_vote",
    "passed",
    "failed",
)
"""What a case is an example of; the library must hold one of each of the first six."""

DECISIONS = ("blueprint", "flagship", "any")
"""``blueprint``: a plan allocating the institutions; ``flagship``: one designated alone;
``any``: the first decision of either kind, or a passed move bill."""

SCORES = {
    "decision": ("crps", "log_week_bin"),
    "binary": ("brier", "log"),
    "vote": ("yes_share",),
    "destination": ("log", "brier"),
}
"""The scoring rules each kind of event allows; the first is the default."""

STAGES = ("floor", "committee")
STAY = "stay"


@dataclass(frozen=True)
class TruthEvent:
    """One dated fact of a case, and how a prediction of it is scored.

    Only the fields of the event's kind are set; the others keep their empty defaults.

    Attributes:
        code: Identifier, unique in the case.
        kind: ``decision``, ``binary``, ``vote`` or ``destination`` (keys of SCORES).
        score: The scoring rule, one of SCORES[kind].
        source: Outlet, date and address of the source.
        decision: For decision events and decision-based binary events: one of DECISIONS.
        date: When it happened (decision, vote, destination).
        none_by: For a decision that did not come: the date by which none had come.
        before: Binary: the election code the decision is compared with.
        by: Binary: the date the decision is compared with.
        bill: A tabled bill's code (binary: whether it passed; vote: the bill voted on).
        act: An institution code whose HQ Act was voted on (vote events), instead of a bill.
        outcome: Binary: what happened.
        stage: Vote: ``floor`` or ``committee``.
        yes: Vote: yes votes by party code (may be partial).
        no: Vote: no votes by party code.
        abstain: Vote: abstentions by party code.
        faction_yes: Vote: yes votes by faction code.
        faction_no: Vote: no votes by faction code.
        totals: Vote: the official ``yes``, ``no`` and ``abstain`` totals, where known.
        institution: Destination: the institution (or pool) code.
        region: Destination: the region it went to, or ``stay``.
    """

    code: str
    kind: str
    score: str
    source: str
    decision: str = ""
    date: datetime.date | None = None
    none_by: datetime.date | None = None
    before: str = ""
    by: datetime.date | None = None
    bill: str = ""
    act: str = ""
    outcome: bool | None = None
    stage: str = ""
    yes: dict[str, int] = field(default_factory=dict)
    no: dict[str, int] = field(default_factory=dict)
    abstain: dict[str, int] = field(default_factory=dict)
    faction_yes: dict[str, int] = field(default_factory=dict)
    faction_no: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    institution: str = ""
    region: str = ""

    def describe(self) -> str:
        """The event and its truth in a few words, e.g. ``blueprint on 2015-10-01``."""
        if self.kind == "decision":
            when = f"on {self.date}" if self.date else f"none by {self.none_by}"
            return f"{self.decision} {when}"
        if self.kind == "binary":
            return f"{self.question()}: {'yes' if self.outcome else 'no'}"
        if self.kind == "vote":
            yes = sum(self.yes.values()) or self.totals.get("yes", 0)
            no = sum(self.no.values()) or self.totals.get("no", 0)
            return f"{self.stage} vote on {self.bill or self.act + ' Act'} {self.date}: {yes}-{no}"
        return f"{self.institution} -> {self.region} ({self.date})"

    def question(self) -> str:
        """What a binary event asks, whatever its code says: ``flagship by 2022-12-26``."""
        if self.bill:
            return f"bill {self.bill} passed"
        what = "any decision" if self.decision == "any" else self.decision
        return f"{what} before {self.before}" if self.before else f"{what} by {self.by}"


@dataclass(frozen=True)
class CaseTruth:
    """The truth file of one case.

    Attributes:
        case: The scenario's name.
        summary: What happened, in a sentence or two.
        kinds: What the case is an example of (CASE_KINDS).
        events: The dated events, in file order.
        source: The truth file's path.
    """

    case: str
    summary: str
    kinds: tuple[str, ...]
    events: tuple[TruthEvent, ...]
    source: str = ""


def truth_path(case: str) -> Path:
    """Where a shipped case's truth file lies."""
    return Path(str(resources.files("sim") / "scenarios" / f"{case}.truth.toml"))


def facts_path(case: str) -> Path:
    """Where a shipped case's facts file lies."""
    return Path(str(resources.files("sim") / "scenarios" / f"{case}.facts.md"))


def library() -> list[str]:
    """The shipped cases: scenarios that have a truth file beside them (sorted)."""
    return [name for name in available_scenarios() if truth_path(name).is_file()]


def load_truth(case_or_path: str | os.PathLike, scenario: Scenario | None = None) -> CaseTruth:
    """Read and check a truth file.

    Args:
        case_or_path: A shipped case's name, or the path of a truth file.
        scenario: The case's scenario; default: the shipped scenario the file names.

    Raises:
        ScenarioError: In one line naming the truth file and the field.
    """
    name = os.fspath(case_or_path)
    path = truth_path(name) if "/" not in name and not name.endswith(".toml") else Path(name)
    label = file_label(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(
            label, "(file)", "a readable UTF-8 truth file", show(str(err))
        ) from None
    return truth_from_dict(parse_toml(text, label), str(path), scenario)


def truth_from_dict(data: Mapping, source: str, scenario: Scenario | None = None) -> CaseTruth:
    """Check a parsed truth file against its scenario and build the CaseTruth."""
    c = FieldChecker(file_label(source))
    top = c.table(data, (), ("case", "summary", "outcomes", "events"))
    case = c.text(top, "case", (), nonempty=True)
    if scenario is None:
        if case not in available_scenarios():
            c.fail(("case",), "the name of a shipped scenario", case)
        scenario = load_scenario(case)
    elif case != scenario.name:
        c.fail(("case",), f"the scenario's name {scenario.name!r}", case)
    kinds = c.refs(top, "outcomes", (), CASE_KINDS, "case kind", nonempty=True)
    events = tuple(
        _event(c, raw, ("events", i), scenario)
        for i, raw in enumerate(c.tables(top, "events", (), nonempty=True))
    )
    seen: dict[str, int] = {}
    for i, event in enumerate(events):
        if event.code in seen:
            c.fail(
                ("events", i, "code"), f"a code not used by events[{seen[event.code]}]", event.code
            )
        seen[event.code] = i
    return CaseTruth(case, c.text(top, "summary", (), nonempty=True), kinds, events, source)


_KEYS = {
    "decision": ("decision", "date", "none_by"),
    "binary": ("decision", "before", "by", "bill", "outcome"),
    "vote": (
        "bill",
        "act",
        "stage",
        "date",
        "yes",
        "no",
        "abstain",
        "faction_yes",
        "faction_no",
        "totals",
    ),
    "destination": ("institution", "region", "date"),
}


def _event(c: FieldChecker, raw: object, loc: Loc, s: Scenario) -> TruthEvent:
    """One ``[[events]]`` table, checked for its kind and against the scenario."""
    t = c.table(
        raw, loc, ("code", "kind", "score", "source", *{k for v in _KEYS.values() for k in v})
    )
    kind = c.choice(t, "kind", loc, tuple(SCORES))
    c.table(t, loc, ("code", "kind", "score", "source", *_KEYS[kind]))
    common = {
        "code": c.code(t, "code", loc),
        "kind": kind,
        "score": c.choice(t, "score", loc, SCORES[kind], default=SCORES[kind][0]),
        "source": c.text(t, "source", loc, nonempty=True),
    }
    return {"decision": _decision, "binary": _binary, "vote": _vote, "destination": _destination}[
        kind
    ](c, t, loc, s, common)


def _day_in_window(c, t, key, loc, s: Scenario) -> datetime.date:
    """A date between the scenario's start and horizon."""
    day = c.day(t, key, loc)
    if not s.start <= day <= s.horizon:
        c.fail((*loc, key), f"a date from {s.start} to the horizon {s.horizon}", day)
    return day


def _either(c, t, loc, first: str, second: str) -> str:
    """The one key of two alternatives that the table has (each named by its first word)."""
    keys = (first.split()[0], second.split()[0])
    present = [k for k in keys if k in t]
    if len(present) != 1:
        c.fail(loc, f"exactly one of {first} and {second}", present)
    return present[0]


def _decision(c, t, loc, s, common) -> TruthEvent:
    decision = c.choice(t, "decision", loc, DECISIONS)
    key = _either(c, t, loc, "date (when it came)", "none_by (none came by then)")
    return TruthEvent(**common, decision=decision, **{key: _day_in_window(c, t, key, loc, s)})


def _binary(c, t, loc, s, common) -> TruthEvent:
    outcome = c.boolean(t, "outcome", loc)
    if "bill" in t:
        c.table(t, loc, ("code", "kind", "score", "source", "bill", "outcome"))
        bill = c.ref(t, "bill", loc, tuple(b.code for b in s.bills), "a bill of the scenario")
        return TruthEvent(**common, bill=bill, outcome=outcome)
    decision = c.choice(t, "decision", loc, DECISIONS)
    if _either(c, t, loc, "before (an election code)", "by (a date), or a bill") == "before":
        before = c.ref(t, "before", loc, tuple(e.code for e in s.elections), "an election code")
        return TruthEvent(**common, decision=decision, before=before, outcome=outcome)
    return TruthEvent(
        **common, decision=decision, by=_day_in_window(c, t, "by", loc, s), outcome=outcome
    )


def _vote(c, t, loc, s, common) -> TruthEvent:
    if _either(c, t, loc, "bill (a tabled bill)", "act (an institution's HQ Act)") == "bill":
        target = {"bill": c.ref(t, "bill", loc, tuple(b.code for b in s.bills), "a bill code")}
    else:
        acts = tuple(i.code for i in s.institutions if i.hq_act)
        target = {"act": c.ref(t, "act", loc, acts, "an institution with an HQ Act")}
    parties = tuple(p.code for p in s.parties)
    factions = tuple(f.code for f in s.factions)
    tallies = {key: _tally(c, t, key, loc, parties) for key in ("yes", "no", "abstain")}
    tallies |= {key: _tally(c, t, key, loc, factions) for key in ("faction_yes", "faction_no")}
    totals = _tally(c, t, "totals", loc, ("yes", "no", "abstain"))
    if not (tallies["yes"] or tallies["no"] or totals):
        c.fail(loc, "votes by party (yes, no) or official totals", "none")
    return TruthEvent(
        **common,
        **target,
        **tallies,
        totals=totals,
        stage=c.choice(t, "stage", loc, STAGES),
        date=_day_in_window(c, t, "date", loc, s),
    )


def _tally(c, t, key, loc, allowed) -> dict[str, int]:
    """A table of vote counts, keyed by party, faction or total."""
    raw = c.value(t, key, {})
    if not isinstance(raw, Mapping):
        c.fail((*loc, key), "a table of vote counts", raw)
    c.table(raw, (*loc, key), allowed)
    return {k: c.integer(raw, k, (*loc, key), lo=0) for k in raw}


def _destination(c, t, loc, s, common) -> TruthEvent:
    institution = c.ref(
        t, "institution", loc, tuple(i.code for i in s.institutions), "an institution code"
    )
    regions = (STAY, *(r.code for r in s.regions if r.receives))
    return TruthEvent(
        **common,
        institution=institution,
        region=c.ref(t, "region", loc, regions, "a receiving region or stay"),
        date=_day_in_window(c, t, "date", loc, s),
    )


def case_records(names: list[str]) -> list[dict]:
    """One plain record per shipped case, for ``relocsim cases`` and its JSON."""
    records = []
    for name in names:
        scenario = load_scenario(name)
        truth = load_truth(name, scenario)
        records.append(
            {
                "case": name,
                "title": scenario.title,
                "country": scenario.country,
                "start": scenario.start.isoformat(),
                "horizon": scenario.horizon.isoformat(),
                "kinds": list(truth.kinds),
                "summary": truth.summary,
                "facts": str(facts_path(name)),
                "events": [
                    {
                        "code": e.code,
                        "kind": e.kind,
                        "score": e.score,
                        "truth": e.describe(),
                        "source": e.source,
                    }
                    for e in truth.events
                ],
            }
        )
    return records
