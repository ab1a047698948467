"""A ministry or presidential body: it drafts the plan, and bargains over it."""

from mesa import Agent

from sim import allocation


class MinistryAgent(Agent):
    """A central-government body at the bargaining table over timing and scope.

    The drafting ministry also writes the plan: each week it advances the draft and redraws
    the destinations of the institutions not yet decided.

    Attributes:
        index: Row in the model's ministry arrays.
        code: Ministry code (``"MOLIT"``).
        name: Display name.
        role: ``coordinator``, ``drafter``, ``competent``, ``budget`` or ``deliberation``.
        capability: Bargaining capability.
        salience: Salience of the decision to it, 0-1.
    """

    def __init__(self, model, index, code, name, role, capability, salience):
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.role = role
        self.capability = capability
        self.salience = salience

    @property
    def position(self) -> float:
        """Preferred timing and scope, 0 (defer) to 100 (announce everything now).

        The coordinator's follows the executive's pledge, so it changes at elections.
        """
        return float(self.model.ministry_position[self.index])

    def draft(self) -> None:
        """The drafter advances the plan and redraws the undecided institutions.

        Where each goes weighs its bureaucratic fit against the regions' political pressure,
        less a penalty on regions already loaded, plus the ministry's idiosyncratic taste for
        each pair: a logit choice (``sim.allocation.draft_allocation``, compiled as
        ``redraw``). Decided institutions keep their decision. Regions the new draft loads
        above their share get a heavier penalty next week (``rebalance_draft``). One compiled
        call does both (``drafting_week``).
        """
        if self.role != "drafter":
            return
        m, dp = self.model, self.model.params.drafting
        m.progress = min(1.0, m.progress + 1.0 / dp.drafting_weeks)
        draft, moved, m.equity_penalty = allocation.drafting_week(
            m.fit, m.political, dp.fit_weight, m.equity_penalty, dp.stay_threshold,
            m.world.receives, m.taste, m.decided, m.draft, dp.equity_rate,
        )  # fmt: skip
        if moved:
            m.draft = draft
            m.draft_changed()
            m.log("drafting", self.code, "", f"redrew {moved} destination(s); the plan is "
                  f"{m.progress:.0%} drafted")  # fmt: skip
