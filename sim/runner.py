"""``run``: one seeded run of a scenario, reduced to a flat outcome record.

This is the function batch experiments call. It is pure: the same scenario, seed and overrides
give the same ``RunResult``, whatever process it runs in. The outcome schema is documented in
``OUTCOME_SCHEMA`` and docs/outcomes.md.
"""

from functools import cached_property
from os import PathLike

import numpy as np
import pandas as pd

from sim.allocation import STAY, UNDECIDED
from sim.model import RelocationModel
from sim.scenario import Scenario, load_scenario

# Columns of the flat outcome record; {election}, {institution}, {region} and {act} are
# expanded per scenario (see outcome_columns). Types: str, int, float, bool, or None where not
# reached.
OUTCOME_SCHEMA = {
    "scenario": "scenario name",
    "seed": "the run's seed",
    "weeks": "weekly ticks simulated",
    "blueprint_date": "ISO date of the blueprint announcement, or None",
    "blueprint_week": "week of the blueprint (0 = start), or None",
    "first_decision_date": "ISO date of the first blueprint or designation, or None",
    "blueprint_before_{election}": "the blueprint came before that election's polling day",
    "decision_before_{election}": "any blueprint or designation came before that election",
    "winner_{election}": "code of the party that won the election, or None if not held in the "
    "window (its code even if it was renamed: Scenario.party_label gives how it was called)",
    "dest_{institution}": "region code, 'stay', or 'undecided', for each named institution",
    "decided_{institution}_date": "ISO date its destination was decided, or None",
    "relocated": "institutions with a decided destination outside the capital region",
    "relocated_staff": "their head-office staff",
    "won_{region}": "for each receiving region: institutions decided for it, pools included",
    "act_{act}_fate": "not_needed, not_introduced, committee, fast_track, passed, failed, lapsed",
    "act_{act}_date": "ISO date the Act passed, failed or lapsed, or None",
    "bill_{bill}_fate": "for each tabled bill: not_tabled, committee, fast_track, passed, failed, "
    "lapsed",
    "bill_{bill}_date": "ISO date the tabled bill passed, failed or lapsed, or None",
    "bill_{bill}_yes": "yes votes in its last floor vote, or None",
    "bill_{bill}_no": "no votes in its last floor vote, or None",
    "bill_{bill}_abstain": "abstentions in its last floor vote, or None",
    "yes_share_{bill}_{stage}_{party}": "for each tabled bill, stage (floor, committee) and "
    "party: the share of the party's members voting yes or no who voted yes in the last such "
    "vote (abstentions left out, as in a recorded tally's yes / (yes + no)), or None",
    "peak_mobilisation": "highest membership-weighted union mobilisation (0-1)",
    "peak_mobilisation_date": "ISO date of that peak",
    "executive_end": "code of the party holding the presidency at the horizon",
}


class RunResult:
    """What one run returns.

    The weekly series and the why log are tables built on first access, so that batch runs,
    which mostly need only the outcome, do not pay for them.

    Attributes:
        outcome: Flat dict of scalars (OUTCOME_SCHEMA).
        series: One row per recorded week (DataCollector model variables), indexed by date.
        why: The "why" log: one row per event, with week, date, kind, actor, target, detail.
        votes: One row per vote and party (and faction): yes and no votes, members voting.
        model: The finished model, for anything the tables do not hold.
    """

    def __init__(self, model: RelocationModel, seed: int):
        self.outcome = outcome(model, seed)
        self.model = model

    @cached_property
    def series(self) -> pd.DataFrame:
        """One row per recorded week (DataCollector model variables), indexed by date."""
        return series(self.model)

    @cached_property
    def why(self) -> pd.DataFrame:
        """The "why" log, one row per event."""
        return why_frame(self.model)

    @cached_property
    def votes(self) -> pd.DataFrame:
        """Every vote of the run, one row per party and per faction."""
        return votes_frame(self.model)


def build_model(
    scenario: str | PathLike | Scenario, *, seed: int, series_every: int = 1, **overrides
) -> RelocationModel:
    """A ready-to-step model (for notebooks and the dashboard); arguments as for ``run``."""
    return RelocationModel(resolve(scenario, overrides), rng=seed, series_every=series_every)


def run(
    scenario: str | PathLike | Scenario, *, seed: int, series_every: int = 1, **overrides
) -> RunResult:
    """Run one scenario to its horizon.

    Args:
        scenario: A shipped scenario's name, a TOML path, or a loaded ``Scenario``.
        seed: Seed of the run's random generator.
        series_every: Record the weekly series every k-th week; 0 records none (the outcome
            is the same either way, and batch runs that keep no series run faster).
        **overrides: Scenario values by dotted path (``"parameters.timing.blame_weight"``),
            or with ``__`` for the dots (``parameters__timing__blame_weight=2``).

    Returns:
        The outcome record, weekly series and why log.
    """
    model = build_model(scenario, seed=seed, series_every=series_every, **overrides)
    model.run_for(weeks_in(model.setting))
    return RunResult(model, seed)


def resolve(scenario, overrides) -> Scenario:
    """A validated Scenario from a name, a path or a Scenario, with overrides applied."""
    if isinstance(scenario, Scenario):
        return load_scenario(scenario.source, overrides) if overrides else scenario
    return load_scenario(scenario, overrides)


def weeks_in(setting: Scenario) -> int:
    """Number of weekly ticks from the start to the horizon."""
    return (setting.horizon - setting.start).days // 7


def outcome(model: RelocationModel, seed: int) -> dict:
    """The flat outcome record of a finished run."""
    s, w = model.setting, model.world

    def iso(week: int) -> str | None:
        return None if week < 0 else model.date_of(week).isoformat()

    first = model.decided_week[model.decided_week >= 0]
    first_week = int(first.min()) if len(first) else -1
    record = {
        "scenario": s.name,
        "seed": seed,
        "weeks": model.steps,
        "blueprint_date": iso(model.blueprint_week),
        "blueprint_week": model.blueprint_week if model.blueprint_week >= 0 else None,
        "first_decision_date": iso(first_week),
    }
    for e in s.elections:
        polling = model.week_of(e.date)
        record[f"blueprint_before_{e.code}"] = 0 <= model.blueprint_week < polling
        record[f"decision_before_{e.code}"] = 0 <= first_week < polling
        record[f"winner_{e.code}"] = model.winners.get(e.code)
    named = [inst for inst in s.institutions if inst.count == 1]
    for inst in named:
        i = w.inst_codes.index(inst.code)
        record[f"dest_{inst.code}"] = destination_name(model, i)
        record[f"decided_{inst.code}_date"] = iso(int(model.decided_week[i]))
    moved = (model.decided != UNDECIDED) & (model.decided != STAY)
    record["relocated"] = int(moved.sum())
    record["relocated_staff"] = float(w.staff[moved].sum())
    won = np.bincount(model.decided[moved], minlength=len(w.region_codes))
    for k in np.nonzero(w.receives)[0]:
        record[f"won_{w.region_codes[k]}"] = int(won[k])
    bills = {w.inst_codes[b.institution]: b for b in model.bills if not b.code}
    for inst in named:
        bill = bills.get(inst.code)
        fate = bill.stage if bill else "not_introduced"
        record[f"act_{inst.code}_fate"] = fate if inst.hq_act else "not_needed"
        record[f"act_{inst.code}_date"] = iso(bill.closed) if bill else None
    tabled = {b.code: b for b in model.bills if b.code}
    for spec in s.bills:
        bill = tabled.get(spec.code)
        floor = [v for v in bill.votes if v.stage == "floor"] if bill else []
        record[f"bill_{spec.code}_fate"] = bill.stage if bill else "not_tabled"
        record[f"bill_{spec.code}_date"] = iso(bill.closed) if bill else None
        record[f"bill_{spec.code}_yes"] = int(floor[-1].yes.sum()) if floor else None
        record[f"bill_{spec.code}_no"] = int(floor[-1].no.sum()) if floor else None
        record[f"bill_{spec.code}_abstain"] = int(floor[-1].abstain.sum()) if floor else None
        for stage in ("floor", "committee"):
            last = [v for v in bill.votes if v.stage == stage][-1:] if bill else []
            for k, party in enumerate(w.party_codes):
                share = None
                if last:
                    decided = (last[0].party == k) & ~last[0].abstain  # voted yes or no
                    share = float(last[0].yes[decided].mean()) if decided.any() else None
                record[f"yes_share_{spec.code}_{stage}_{party}"] = share
    record["peak_mobilisation"] = model.peak_pressure
    record["peak_mobilisation_date"] = iso(model.peak_week)
    record["executive_end"] = model.executive_name
    return record


def destination_name(model: RelocationModel, i: int) -> str:
    """Region code, 'stay' or 'undecided' for institution ``i``."""
    dest = model.decided[i]
    if dest == UNDECIDED:
        return "undecided"
    return "stay" if dest == STAY else model.world.region_codes[dest]


def series(model: RelocationModel) -> pd.DataFrame:
    """The weekly series, indexed by the date of each recorded week."""
    frame = model.datacollector.get_model_vars_dataframe()
    weeks = range(0, len(frame) * model.series_every, model.series_every or 1)
    frame.index = pd.Index([model.date_of(k).isoformat() for k in weeks], name="date")
    frame.insert(0, "week", weeks)
    return frame


def why_frame(model: RelocationModel) -> pd.DataFrame:
    """The why log as a table."""
    frame = pd.DataFrame(model.why, columns=["time", "kind", "actor", "target", "detail"])
    # Events between ticks (elections) carry their own day; the week is the tick they follow.
    frame.insert(0, "week", frame["time"].astype(int))
    frame.insert(1, "date", [model.date_of(t).isoformat() for t in frame.pop("time")])
    return frame


VOTE_COLUMNS = [
    "bill", "stage", "week", "date", "group", "code", "yes", "no", "abstain", "voting",
]  # fmt: skip


def votes_frame(model: RelocationModel) -> pd.DataFrame:
    """Every vote on every bill: one row per party (``group = "party"``) and per faction.

    ``voting`` counts the members of the group who voted; members vote yes or no or abstain,
    so ``yes + no + abstain == voting``, and a party's ``voting`` never exceeds its seats.
    """
    w, rows = model.world, []
    for bill in model.bills:
        name = bill.code or w.inst_codes[bill.institution] + " Act"
        for vote in bill.votes:
            day = model.date_of(vote.week).isoformat()
            groups = [
                ("party", w.party_codes, vote.party),
                ("faction", w.faction_codes, vote.faction),
            ]
            for group, codes, member_group in groups:
                for k, code in enumerate(codes):
                    mine = member_group == k
                    if mine.any():
                        rows.append((name, vote.stage, vote.week, day, group, code,
                                     int(vote.yes[mine].sum()), int(vote.no[mine].sum()),
                                     int(vote.abstain[mine].sum()), int(mine.sum())))  # fmt: skip
    return pd.DataFrame(rows, columns=VOTE_COLUMNS)
