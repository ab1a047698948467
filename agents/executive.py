"""The head of government: each week she announces the plan, designates a flagship, or waits."""

import numpy as np
from mesa import Agent

from sim import timing
from sim.allocation import UNDECIDED
from sim.pressure import joint_pressure
from sim.whyline import Line

WAIT_REASON = {
    "blueprint": "a blueprint on the table",
    "flagship": "its flagship ready to designate",
}


class ExecutiveAgent(Agent):
    """A president or prime minister, who alone can announce a relocation.

    What she sees: how ready the plan is, the credit its winners bring and the blame its losers
    voice (disappointed bidders and the capital, counted in her party's voters, marginal seats
    more; and the unions), and how near the next election is. What she does: announces the
    blueprint, designates the flagship alone, or waits. The options are competing hazards
    (docs/model.md); one draw of the model's RNG decides whether either happens this week and,
    if so, which.

    Attributes:
        office: ``president`` or ``prime_minister``.
        person: The head of government's name, or ``""`` when nobody named her (after an
            election's winner took office): ``name`` then calls her by her government.
    """

    def __init__(self, model, office: str, person: str):
        super().__init__(model)
        self.office = office
        self.person = person
        self.looming = 0  # the index of the election behind this week's proximity

    @property
    def name(self) -> str:
        """Her name, or "the PPP government": her party as it was called on the model's day."""
        m = self.model
        return self.person or f"the {m.party_label(m.executive_name)} government"

    def decide(self) -> None:
        """Weigh credit against blame for each open option, then act or wait."""
        m, tp = self.model, self.model.params.timing
        m.proximity, self.looming = timing.looming_election(
            m.election_weeks, m.election_weights, m.steps, tp.horizon_weeks
        )
        m.blame = m.regional_blame + m.union_pressure
        options = self.options()
        hazards = {}
        if "blueprint" in options:
            hazards["blueprint"] = self.hazard_of(m.readiness, m.credit, m.blame)
        if "flagship" in options:
            credit, blame = m.flagship_stakes
            blame += joint_pressure(m.mobilisation, m.flagship_union_weight)
            hazards["flagship"] = self.hazard_of(m.readiness, credit, blame)
        m.hazard = sum(hazards.values())
        m.p_announce = timing.weekly_probability(m.hazard)
        why = Line(  # formatted when the log is read: a line a week costs to format
            "p={:.3f}: readiness {:.2f}, credit {:.2f}, blame {:.2f}, election proximity {:.2f}",
            m.p_announce, m.readiness, m.credit, m.blame, m.proximity,
        )  # fmt: skip
        draw = m.rng.random()
        if draw >= m.p_announce:
            m.log("executive", self.name, "", Line("{}; {}", self.why_wait(options), why))
        elif draw < m.p_announce * hazards.get("blueprint", 0.0) / m.hazard:
            self.announce_blueprint(str(why))
        else:
            self.designate_flagship(str(why))

    def why_wait(self, options: list[str]) -> Line:
        """Why she did not announce this week, and, when an election holds her back, until when."""
        m, tp = self.model, self.model.params.timing
        if m.caretaker_until:
            return Line(
                "waited: a caretaker, who launches nothing new, until the {} government takes "
                "office on {}", m.party_label(m.incoming), m.caretaker_until,
            )  # fmt: skip
        if not options and m.blueprint_week >= 0:  # not waiting: the plan is out, all fixed
            return Line("nothing more to announce: the blueprint has been out since {}",
                        m.date_of(m.blueprint_week))  # fmt: skip
        if not options:
            return Line(
                "waited: nothing to announce (the draft {:.0%} done, the agreed scope {:.0f} of "
                "the {:.0f} a plan needs)", m.progress, m.bargained_scope, tp.blueprint_scope,
            )  # fmt: skip
        held = " and ".join(WAIT_REASON[o] for o in options)
        losing = tp.credit_weight * m.credit < tp.blame_weight * m.blame
        if m.proximity > 0 and losing:
            e = self.looming_election()
            return Line("postponed until after the {} election of {}, with {}: its losers "
                        "weigh more than its winners", e.kind, e.date, held)  # fmt: skip
        if self.permanent_campaign > 0 and losing:
            return Line("held back, with {}: its losers weigh more than its winners", held)
        return Line("waited with {}", held)

    def looming_election(self):
        """The election that weighs most on the clock this week (the one behind g(tau))."""
        return self.model.setting.elections[self.looming]

    def options(self) -> list[str]:
        """What she could announce now: some of ``blueprint`` and ``flagship``.

        A blueprint needs a complete draft, a bargained scope of at least ``blueprint_scope``,
        and no blueprint yet. An executive whose party pledged a flagship can also designate it
        alone, as MOLIT did with KDB in 2023 (facts.md), once the draft is complete: her
        ministries prepare a designation as they prepare a plan, and a new government starts
        the draft again (so no decision of any kind is a start-of-run artefact). A defeated
        executive waiting to hand over is a caretaker and has no option: caretaker conventions
        bar new policy until the new government is sworn in (Boston et al. 1998, "Caretaker
        government and the evolution of caretaker conventions in New Zealand", VUW Law Review
        28(4), which surveys other democracies too). Assumption: a defeated president before
        her successor's inauguration behaves as such a caretaker.
        """
        m, s, options = self.model, self.model.setting, []
        if m.caretaker_until:
            return options
        complete = m.progress >= 1.0 - 1e-9  # the sum of 1/drafting_weeks may fall short
        scoped = m.bargained_scope >= m.params.timing.blueprint_scope
        if complete and m.blueprint_week < 0 and scoped:
            options.append("blueprint")
        flagship_open = s.flagship and m.decided[m.world.inst_codes.index(s.flagship)] == UNDECIDED
        if complete and flagship_open and m.executive_name == s.flagship_party:
            options.append("flagship")
        return options

    def hazard_of(self, readiness: float, credit: float, blame: float) -> float:
        """The announcement hazard of one option this week (``sim.timing``)."""
        m, tp = self.model, self.model.params.timing
        if m.params.null.hazard == "constant":  # the null model: no election, credit, blame
            return tp.base_hazard * readiness
        return timing.announcement_hazard(
            tp.base_hazard, readiness, credit, tp.credit_weight, blame, tp.blame_weight,
            m.proximity, self.permanent_campaign,
        )  # fmt: skip

    @property
    def permanent_campaign(self) -> float:
        """c, how much credit and blame weigh with no election near: 0 under the null 'clock'."""
        m = self.model
        return 0.0 if m.params.null.hazard == "clock" else m.params.timing.permanent_campaign

    def announce_blueprint(self, why: str) -> None:
        """Every undecided institution gets its destination in the plan.

        The plan is the best-fitting share of the draft's moves that the bargained scope allows
        (``sim.allocation.scoped_plan``); the rest stay.
        """
        m = self.model
        m.blueprint_week = m.steps
        m.commit(m.decided == UNDECIDED, m.plan)
        m.log("executive", self.name, "blueprint", "announced; " + why)

    def designate_flagship(self, why: str) -> None:
        """The flagship alone goes to its pledged region, by administrative act."""
        m, w, s = self.model, self.model.world, self.model.setting
        flagship = w.inst_codes.index(s.flagship)
        region = w.region_codes.index(s.flagship_region)
        m.commit(np.arange(len(m.decided)) == flagship, np.full(len(w.inst_codes), region))
        m.log("executive", self.name, s.flagship, f"designated for {s.flagship_region}; {why}")
