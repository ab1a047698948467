"""The model behind the dashboard's controls: what Reset re-creates, and the controls' specs.

Mesa's ``ModelController`` (the Step, Play and Reset of its SolaraViz) runs the model and
re-creates it from the controls on Reset, so ``DashboardModel`` takes them as keyword arguments
and turns them into scenario overrides (``control_overrides``: the dotted paths of ``sim.run``
and ``relocsim run --set``). ``model_params`` gives the controls as Mesa's ``Slider`` specs;
``week_label`` and ``settings_line`` say where the running model is and what it runs with. The
sliders themselves are drawn by sim/dashboard_controls.py; the page is sim/app.py.
"""

from datetime import timedelta

from mesa.visualization import Slider

from sim.model import RelocationModel
from sim.runner import weeks_in
from sim.scenario import Scenario, available_scenarios, load_scenario

DEFAULT_SCENARIO = "season2_2020"
DEFAULT_SEED = 7


# ---- the model that Reset re-creates ----------------------------------------------------------
class DashboardModel(RelocationModel):
    """A RelocationModel built from the dashboard's controls (keyword arguments only).

    Args:
        scenario_name: A shipped scenario (``available_scenarios()``).
        cohesion_scale: Multiplies the cohesion of the two main parties (the executive's and
            the challenger's: DP and UFP), capped at 1.
        discipline_scale: Multiplies those two parties' discipline, capped at 1.
        union_strength: Strength of the largest union (KFIU); None keeps the scenario's.
        election_shift: Weeks by which every presidential election moves (negative: earlier).
        blame_weight: ``parameters.timing.blame_weight`` (b2); None keeps the scenario's.
        fit_weight: ``parameters.drafting.fit_weight``; None keeps the scenario's.
        rng: The run's seed.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        cohesion_scale: float = 1.0,
        discipline_scale: float = 1.0,
        union_strength: float | None = None,
        election_shift: int = 0,
        blame_weight: float | None = None,
        fit_weight: float | None = None,
        rng: int = DEFAULT_SEED,
    ):
        self.controls = {
            "scenario_name": scenario_name,
            "cohesion_scale": cohesion_scale,
            "discipline_scale": discipline_scale,
            "union_strength": union_strength,
            "election_shift": int(election_shift),
            "blame_weight": blame_weight,
            "fit_weight": fit_weight,
            "rng": int(rng),
        }
        base = load_scenario(scenario_name)
        self.overrides = control_overrides(base, **self.controls)
        super().__init__(load_scenario(scenario_name, self.overrides), rng=int(rng))
        self.weeks = weeks_in(self.setting)

    def step(self) -> None:
        """One week; the run stops at the scenario's horizon (Step and Play then grey out)."""
        super().step()
        if self.steps >= self.weeks:
            self.running = False


def main_parties(setting: Scenario) -> tuple[str, ...]:
    """The executive's party and the challenger (DP and UFP in the default scenario)."""
    return tuple(dict.fromkeys((setting.executive.party, setting.challenger)))


def umbrella_union(setting: Scenario):
    """The union with the most members (the KFIU in the default scenario), or None."""
    return max(setting.unions, key=lambda u: u.members, default=None)


def control_overrides(
    base: Scenario,
    *,
    cohesion_scale: float = 1.0,
    discipline_scale: float = 1.0,
    union_strength: float | None = None,
    election_shift: int = 0,
    blame_weight: float | None = None,
    fit_weight: float | None = None,
    **_ignored,
) -> dict[str, object]:
    """Scenario overrides (dotted paths, as for ``sim.run``) for the dashboard's controls."""
    out: dict[str, object] = {}
    parties = {p.code: p for p in base.parties}
    for code in main_parties(base):
        party = parties[code]
        if cohesion_scale != 1.0:
            out[f"parties.{code}.cohesion"] = _unit(party.cohesion * cohesion_scale)
        if discipline_scale != 1.0:
            out[f"parties.{code}.discipline"] = _unit(party.discipline * discipline_scale)
    union = umbrella_union(base)
    if union is not None and union_strength is not None:
        out[f"unions.{union.code}.strength"] = _unit(union_strength)
    if election_shift:
        for e in base.elections:
            if e.kind == "presidential":  # no earlier than the start: scenarios require it
                moved = e.date + timedelta(weeks=int(election_shift))
                out[f"elections.{e.code}.date"] = max(moved, base.start)
    if blame_weight is not None:
        out["parameters.timing.blame_weight"] = round(float(blame_weight), 4)
    if fit_weight is not None:
        out["parameters.drafting.fit_weight"] = _unit(fit_weight)
    return out


def _unit(value: float) -> float:
    """Clip to [0, 1] and drop slider float noise (0.30000000000000004)."""
    return round(min(1.0, max(0.0, float(value))), 4)


def model_params(scenario_name: str = DEFAULT_SCENARIO) -> dict:
    """The controls, as Mesa's ``Slider`` specs; their defaults reproduce ``relocsim run``.

    ``control_readout`` gives each slider's unit and scale, shown beside it on the page.
    """
    s = load_scenario(scenario_name)
    union = umbrella_union(s)
    pair = " & ".join(s.party_label(c, s.start, s.horizon) for c in main_parties(s))
    return {
        "scenario_name": {
            "type": "Select",
            "value": scenario_name,
            "values": available_scenarios(),
            "label": "Scenario",
        },
        "cohesion_scale": Slider(f"Party cohesion, {pair}", 1.0, 0.0, 1.4, 0.05),
        "discipline_scale": Slider(f"Party discipline, {pair}", 1.0, 0.0, 1.25, 0.05),
        "union_strength": Slider(
            f"Union strength, {union.code if union else 'none'}",
            union.strength if union else 0.0,
            0.0,
            1.0,
            0.05,
            dtype=float,
        ),
        "election_shift": Slider("Presidential election shift", 0, -52, 52, 1),
        "blame_weight": Slider(
            "Blame avoidance b2", s.parameters.timing.blame_weight, 0.0, 30.0, 0.1, dtype=float
        ),
        "fit_weight": Slider(
            "Ministries' weight on fit vs politics",
            s.parameters.drafting.fit_weight,
            0.0,
            1.0,
            0.05,
            dtype=float,
        ),
        "rng": Slider("Seed", DEFAULT_SEED, 0, 100, 1),
    }


def control_defaults(scenario_name: str = DEFAULT_SCENARIO) -> dict[str, object]:
    """Every control at its default (with them, the dashboard shows ``relocsim run``)."""
    return {
        name: spec.value if isinstance(spec, Slider) else spec["value"]
        for name, spec in model_params(scenario_name).items()
    }


# ---- the running model in words ---------------------------------------------------------
def week_label(model: RelocationModel) -> str:
    """'week 12 of 127, 2020-10-12'."""
    total = weeks_in(model.setting)
    return f"week {model.steps} of {total}, {model.date_of(model.steps).isoformat()}"


def settings_line(model: RelocationModel) -> str:
    """The values the running model uses for each control (read back from its scenario)."""
    s = model.setting
    parties = {p.code: p for p in s.parties}
    main = main_parties(s)
    parts = [s.name]
    if isinstance(model, DashboardModel):
        parts.append(f"seed {model.controls['rng']}")
    label = model.party_label
    parts.append("cohesion " + " / ".join(f"{label(c)} {parties[c].cohesion:.2f}" for c in main))
    parts.append(
        "discipline " + " / ".join(f"{label(c)} {parties[c].discipline:.2f}" for c in main)
    )
    union = umbrella_union(s)
    if union is not None:
        parts.append(f"{union.code} strength {union.strength:.2f}")
    parts += [f"{e.code} {e.date.isoformat()}" for e in s.elections if e.kind == "presidential"]
    parts.append(f"b2 {s.parameters.timing.blame_weight:g}")
    parts.append(f"fit weight {s.parameters.drafting.fit_weight:.2f}")
    return " · ".join(parts)
