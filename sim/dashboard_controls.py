"""The dashboard's controls, the column on the left: the scenario picker and the sliders.

Each slider shows its value with its unit at all times, and under it what its scale means
(``control_readout``). The sliders are ``model_params()`` (sim/dashboard_model.py); they take
effect on Reset, when Mesa's ``ModelController`` builds a new ``DashboardModel`` from them.
"""

import html
from datetime import timedelta

import numpy as np
import solara
from mesa.visualization import Slider

from sim.dashboard_model import model_params, umbrella_union
from sim.scenario import Scenario, load_scenario

NOTE = "font-size: 12px; color: #555"


def control_readout(name: str, value, base: Scenario) -> tuple[str, str]:
    """(the value with its unit, what the scale means) for a slider, shown with it at all times.

    Args:
        name: A key of ``model_params()``.
        value: The slider's value.
        base: The scenario the controls apply to, for its recorded values.
    """
    timing, drafting = base.parameters.timing, base.parameters.drafting
    if name in ("cohesion_scale", "discipline_scale"):
        return f"{value:.2f} ×", "× the scenario's value, 1 = as recorded"
    if name == "union_strength":
        union = umbrella_union(base)
        recorded = f"recorded {union.strength:.2f}" if union else "no union in this scenario"
        return f"{value:.2f} of 1", f"0 = none, 1 = strongest; {recorded}"
    if name == "election_shift":
        first = next((e for e in base.elections if e.kind == "presidential"), None)
        if first is None:
            return f"{int(value):+d} weeks", "no presidential election in this scenario"
        moved = max(first.date + timedelta(weeks=int(value)), base.start)
        return f"{int(value):+d} weeks", f"polling day {moved}, recorded {first.date}"
    if name == "blame_weight":
        return (
            f"b2 = {value:g}",
            f"hazard × e^(−b2·B·w), w from {timing.permanent_campaign:g} mid-term to 1 at "
            f"polls; recorded {timing.blame_weight:g}",
        )
    if name == "fit_weight":
        return (
            f"{value:.2f} of 1",
            f"1 = fit and equity, 0 = lobbying; recorded {drafting.fit_weight:.2f}",
        )
    if name == "rng":
        return f"seed {int(value)}", "same settings, other luck"
    raise KeyError(name)


def _slider_value(spec: Slider, value: float) -> float | int:
    """A slider's value as the model takes it: an int, or a float without binary noise."""
    if not spec.is_float_slider:
        return round(value)
    decimals = max(0, -int(np.floor(np.log10(spec.step)))) + 1
    return round(float(value), decimals)


@solara.component
def ControlSlider(name: str, spec: Slider, params: solara.Reactive, base: Scenario):
    """One slider with its label, its value and unit (always shown), and what its scale means."""
    value = params.value[name]
    readout, scale = control_readout(name, value, base)

    def set_value(new):
        params.value = {**params.value, name: _slider_value(spec, new)}

    with solara.Column(gap="0px", style="margin-top: 3px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span>{html.escape(spec.label)}</span>"
                f'<b data-testid="relocsim-value-{name}" style="white-space:nowrap">'
                f"{html.escape(readout)}</b>"
            ),
            style="display:flex; justify-content:space-between; gap:8px; font-size:13px",
        )
        solara.v.Slider(
            v_model=value,
            on_v_model=set_value,
            min=spec.min,
            max=spec.max,
            step=spec.step,
            dense=True,
            hide_details=True,
            thumb_label=False,  # the value is always shown above, with its unit
            attributes={"aria-label": spec.label, "aria-valuetext": readout},
        )
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(scale), style=NOTE)


@solara.component
def ControlPanel(params: solara.Reactive):
    """The scenario and the sliders; they take effect on Reset, which builds a new model."""
    specs = solara.use_memo(model_params, [])
    scenario_name = params.value["scenario_name"]
    base = solara.use_memo(lambda: load_scenario(scenario_name), [scenario_name])
    picker = specs["scenario_name"]
    solara.Select(
        label=picker["label"],
        value=scenario_name,
        values=picker["values"],
        on_value=lambda new: params.set({**params.value, "scenario_name": new}),
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML="The sliders take effect when you press <b>Reset</b>.",
        style=NOTE,
    )
    for name, spec in specs.items():
        if isinstance(spec, Slider):
            ControlSlider(name, spec, params, base)
