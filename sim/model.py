"""The relocation model: regions, lawmakers, unions and ministries negotiate every week.

Each tick is one week. The order of submodels (docs/model.md): lobbying,
influence on the ties graph, union mobilisation, drafting, bargaining, the executive's
decision, and the legislature. Elections are dated Mesa events. The mechanisms are pure
functions elsewhere in ``sim/``; this module wires them to the agents' state.
"""

from bisect import bisect_right
from dataclasses import replace
from datetime import date, timedelta
from functools import cached_property
from numbers import Integral

import numpy as np
from mesa import Model
from mesa.agentset import AgentSet
from mesa.datacollection import DataCollector
from scipy import sparse

from agents import ExecutiveAgent, LawmakerAgent, MinistryAgent, RegionAgent, UnionAgent
from sim import allocation, assembly, influence, legislature, network, pressure, timing
from sim.allocation import STAY, UNDECIDED
from sim.bargaining import bargaining_table, bdm_bargain, compromise, largest_shift
from sim.reporters import reporters
from sim.scenario import Scenario
from sim.scenario_types import DECIDING_KIND, THRESHOLDS, WHIPS, Event, TabledBill
from sim.whyline import Line
from sim.world import NO_REGION, build_world

# Cached properties that hang on the members of the legislature (dropped when it changes).
_MEMBER_CACHES = (
    "susceptibility", "leader_party", "voting_arrays",
    "claim_anchor", "ties_graph", "flagship_stakes", "bidders",
)  # fmt: skip


class RelocationModel(Model):
    """Weekly negotiation over relocating public institutions out of the capital region.

    Args:
        setting: A validated scenario (``sim.load_scenario``).
        rng: Seed or generator; every random draw of the run comes from it.
        series_every: The DataCollector records every k-th week (week 0 first); 0 records
            none, for batch runs that keep only the outcome. It changes nothing else.
    """

    def __init__(self, setting: Scenario, rng=None, series_every: int = 1):
        whole = isinstance(series_every, Integral) and not isinstance(series_every, bool)
        if not whole or series_every < 0:
            raise ValueError(f"series_every must be an integer >= 0, got {series_every!r}")
        super().__init__(rng=rng)
        self.setting, self.params = setting, setting.parameters
        if self.params.null.reciprocity == "none":  # the null model: no norm of reciprocity
            legislature = replace(self.params.legislature, reciprocity=0.0)
            self.params = replace(self.params, legislature=legislature)
        self.series_every = series_every
        self.world = w = build_world(setting, self.rng)
        self.draw_ties()
        self.fit = allocation.bureaucratic_fit(w.cluster_match, w.bids, w.hub, w.is_finance)
        # What the data do not record about each institution-region pair: a Gumbel term on the
        # draft's whole utility makes its best region a multinomial-logit choice over fit and
        # pressure (McFadden 1974, allocation.logit_shares), so no region is excluded by
        # construction, and the institutions of one pool do not move as one block.
        self.taste = self.params.drafting.idiosyncrasy * self.rng.gumbel(size=self.fit.shape)
        self.seen_fit = self.fit + self.taste  # what scoped_plan ranks the moves by
        self._init_state()
        self._create_agents()  # the agents read the state they act on
        self.upcoming = [e for e in setting.elections if setting.start <= e.date <= setting.horizon]
        for e in self.upcoming:
            self.schedule_event(self.hold_election, at=self.week_of(e.date))
        # The clock counts every listed election, also those after the horizon: the last weeks
        # of a run are not "no election ahead" because the scenario stops there.
        self.election_weeks = np.array([self.week_of(e.date) for e in setting.elections], float)
        self.election_weights = np.array([e.weight for e in setting.elections], float)
        self.pending_events = [e for e in setting.events if e.date <= setting.horizon]
        for week in sorted({self.week_of(e.date) for e in self.pending_events}):
            self.schedule_event(self.apply_events, at=week)
        self.untabled_bills = [b for b in setting.bills if b.tabled <= setting.horizon]
        for week in sorted({self.week_of(b.tabled) for b in self.untabled_bills}):
            self.schedule_event(self.table_bills, at=week)
        self.datacollector = DataCollector(model_reporters=reporters(w.party_codes))
        self.record_week()

    def step(self) -> None:
        """One week: the agents' turns, in the order of docs/model.md."""
        RegionAgent.lobby(self)  # and their effort reaches the ministries
        LawmakerAgent.deliberate(self)
        UnionAgent.mobilise(self)
        self.tally_union_pressure()
        self.drafters.do("draft")
        self.bargain()  # the bargaining table: a meeting of the actors, not an agent
        self.head_of_government.decide()
        self.legislate()
        self.record_week()

    # ---- submodels ---------------------------------------------------------------------------
    def tally_union_pressure(self) -> None:
        """The unions' joint pressure this week, and the first week of its highest peak."""
        self.union_pressure = pressure.joint_pressure(self.mobilisation, self.union_weight)
        if self.union_pressure > self.peak_pressure:
            self.peak_pressure, self.peak_week = self.union_pressure, self.steps

    def bargain(self) -> None:
        """Stakeholders bargain over timing and scope, by the compromise or by BDM.

        Bargaining reopens only when some actor's position or salience has moved by at least
        ``reopen_threshold`` points (of 100) since it last closed; otherwise last week's
        agreement stands. The compromise is always computed (it is reported beside the
        bargained scope); BDM runs only under ``mechanism = "bdm"``, as it costs about 1 ms a
        call and does not predict better out of sample (docs/validation.md).
        """
        position, salience, capability = self.bargaining_table()
        bp, last = self.params.bargaining, self.last_bargained
        if last is not None:
            if largest_shift(position, salience, *last) < bp.reopen_threshold:
                return
        self.last_bargained = (position, salience)
        before = self.bargained_scope
        self.timing_compromise = float(compromise(position, salience, capability))
        if bp.mechanism == "compromise":
            self.bargained_scope = self.timing_compromise
            self.weigh_the_plan()
            if abs(self.bargained_scope - before) >= 1:
                self.log("bargaining", "compromise", "", f"scope {before:.0f} -> "
                         f"{self.bargained_scope:.0f}: the capability- and salience-weighted "
                         "mean of the positions")  # fmt: skip
            return
        result = bdm_bargain(position, salience, capability, bp.risk, bp.rounds, record=False)
        self.bargained_scope = float(result.forecast)
        self.weigh_the_plan()
        moved = np.abs(result.positions - position)
        k = int(moved.argmax())
        if moved[k] > 0:
            self.log("bargaining", self.bargainer_label(k), "",
                     f"conceded from {position[k]:.0f} to {result.positions[k]:.0f}; BDM "
                     f"forecast {self.bargained_scope:.0f}, compromise "
                     f"{self.timing_compromise:.0f}")  # fmt: skip

    def legislate(self) -> None:
        """Committee, fast track and floor for each pending bill."""
        w = self.world
        union = self.union_pressure * self.params.influence.union_pressure_weight
        for bill in (b for b in self.bills if b.pending):
            members = {
                **self.voting_arrays,
                "gain": self.bill_gain(bill) - union * w.labour,
                "line": self.bill_line(bill),
                "faction_line": self.faction_line(bill),
            }
            name = bill.code or w.inst_codes[bill.institution] + " Act"

            def vote(members, voters, stage, may_abstain, name=name):
                return LawmakerAgent.vote(self, name, members, voters, stage, may_abstain)

            for event in assembly.week_of_bill(
                bill, self.steps, members, self.rng, self.params.legislature, vote
            ):
                self.log("assembly", name, "", event)
            if bill.stage == "passed" and bill.code:
                self.enact(self.setting_bill(bill.code))

    def table_bills(self) -> None:
        """Bills the scenario tables this week go to their committee (or to the floor)."""
        w, now = self.world, self.time
        due = [b for b in self.untabled_bills if self.week_of(b.tabled) <= now]
        self.untabled_bills = [b for b in self.untabled_bills if b not in due]
        for spec in due:
            dest = w.region_codes.index(spec.destination) if spec.destination else -1
            committee = (w.committee_codes.index(spec.committee) if spec.committee
                         else assembly.FLOOR)  # fmt: skip
            self.bills.append(assembly.Bill(-1, dest, self.steps, code=spec.code,
                                            committee=committee,
                                            threshold=THRESHOLDS[spec.threshold],
                                            abstentions=self.setting.abstentions))  # fmt: skip
            self.log("assembly", spec.code, spec.destination, f"{spec.kind} bill tabled")

    def enact(self, spec: TabledBill) -> None:
        """A passed move or reversal fixes its institutions' destinations.

        A framework act fixes none: it enables moves without naming them.
        """
        if spec.kind == "framework":
            return
        w = self.world
        chosen = self.institutions_of(spec.institutions)
        destination = w.region_codes.index(spec.destination) if spec.kind == "move" else STAY
        self.decided[chosen] = destination
        self.decided_week[chosen] = self.steps
        self.note_decisions()

    def apply_events(self) -> None:
        """Dated changes of role: a named actor's new role, or a new head of government."""
        due = [e for e in self.pending_events if self.week_of(e.date) <= self.time]
        self.pending_events = [e for e in self.pending_events if e not in due]
        for event in due:
            if event.kind == "executive":
                self.executive = self.world.party_codes.index(event.party)
                self.partners = [self.world.party_codes.index(p) for p in event.partners]
                self.executive_changed()
                self.head_of_government.person = event.who
                self.log("event", event.who, self.party_label(event.party),
                         "became head of government")  # fmt: skip
            else:
                self.take_role(event)

    def take_role(self, event: Event) -> None:
        """A named actor takes a new role; leading a party changes whom members listen to."""
        self.roles[event.who] = event.role
        self.apply_roles()
        for name in ("susceptibility", "leader_party", "voting_arrays"):
            self.__dict__.pop(name, None)
        self.refresh_anchor_base()
        self.log("event", event.who, event.ministry, f"became {event.role.replace('_', ' ')}")

    def apply_roles(self) -> None:
        """The leaders and chairs among the named actors, after the roles taken at dated events."""
        w = self.world
        for name, role in self.roles.items():
            k = w.names.index(name)
            w.leader[k] = role in ("leader", "floor_leader")
            if role == "committee_chair":
                w.chair[w.committee[k]] = k

    def hold_election(self) -> None:
        """Polling day: the ruling side keeps or loses; the post-election regime applies."""
        e = self.upcoming.pop(0)
        if e.result:
            ruling_wins = e.result == "ruling_wins"
        else:
            ruling_wins = self.rng.random() < e.p_ruling_win
        winner = self.executive_name if ruling_wins else self.opposition_name
        self.winners[e.code] = winner
        if e.seats:
            self.seat_assembly(self.seated_setting.seated_after(e))
        shown = self.party_label(winner)
        self.log("election", e.code, shown, f"{e.kind} election won by {shown}")
        if e.kind == DECIDING_KIND[self.setting.executive.office] and not ruling_wins:
            self.incoming = winner
            if e.handover_days:  # the loser stays on as a caretaker until the handover
                self.caretaker_until = e.date + timedelta(days=e.handover_days)
                self.schedule_event(self.take_office, at=self.week_of(self.caretaker_until))
            else:
                self.take_office()
        elif not ruling_wins:
            # Defeat revives the issue (the DP after the 2021 by-elections, facts.md).
            self.pledge[self.executive] = min(
                1.0, self.pledge[self.executive] + self.params.timing.defeat_revival
            )
        self.refresh_anchor_base()
        self.ministry_position[self.coordinator_index] = 100 * self.pledge[self.executive]
        if e.kind == "general":  # bills die with the outgoing Assembly
            for bill in (b for b in self.bills if b.pending):
                bill.stage, bill.closed = "lapsed", self.steps

    def take_office(self) -> None:
        """The election's winner forms the government, and starts the plan again."""
        self.executive = self.world.party_codes.index(self.incoming)
        self.partners = []
        # A new government restarts the plan, with what it prepared in opposition.
        self.progress = self.params.drafting.opposition_draft * self.pledge[self.executive]
        self.caretaker_until = None
        self.executive_changed()
        self.head_of_government.person = ""  # nobody named: she is her party's government
        self.refresh_anchor_base()
        self.ministry_position[self.coordinator_index] = 100 * self.pledge[self.executive]
        prepared = f", with {self.progress:.0%} of the plan prepared in opposition"
        self.log("event", self.head_of_government.name, self.party_label(self.incoming),
                 "took office" + (prepared if self.progress else ""))  # fmt: skip

    def record_week(self) -> None:
        """The DataCollector's weekly record, on the weeks ``series_every`` asks for."""
        if self.series_every and self.steps % self.series_every == 0:
            self.datacollector.collect(self)

    # ---- helpers of the submodels ----------------------------------------------------------
    def commit(self, chosen: np.ndarray, destination: np.ndarray) -> None:
        """Fix the destinations of ``chosen`` institutions and introduce the Acts they need."""
        w = self.world
        self.decided[chosen] = destination[chosen]
        self.decided_week[chosen] = self.steps
        for i in np.nonzero(chosen & w.needs_act & (self.decided != STAY))[0]:
            self.bills.append(assembly.Bill(int(i), int(self.decided[i]), self.steps,
                                            committee=int(w.inst_committee[i]),
                                            abstentions=self.setting.abstentions))  # fmt: skip
        self.note_decisions()
        self.weigh_the_plan()  # what is left to announce, and its credit and blame, changed

    def bargaining_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions (0-100), saliences and capabilities of the bargaining actors.

        Actors (``bargainers``): regions (their lawmakers' mean support, salience by stake),
        the leaderships of parties that have leaders, ministries (the coordinator follows the
        president's party), unions (at 0, mobilisation as salience). Capabilities are fixed
        for the run (``_init_state``).
        """
        w = self.world
        position, salience = bargaining_table(
            self.stance[:, 0], w.member_region, self.stake, self.leader_party,
            len(w.party_codes), self.leading_parties, self.party_salience, self.ministry_position,
            self.ministry_salience, self.mobilisation,
        )  # fmt: skip
        return position, salience, self.bargainer_capability

    def draft_changed(self) -> None:
        """Recompute what depends on the draft alone: stakes, threats, credit and blame."""
        w = self.world
        self.stake = allocation.stake_of(self.draft, w.staff, w.receives, w.origin)
        self.threat = pressure.threat_of(w.defends, self.draft, w.staff)
        self.weigh_the_plan()
        self.refresh_anchor_base()

    def weigh_the_plan(self) -> None:
        """The plan the bargained scope allows, and its credit and regional blame.

        Credit and blame are those of what the executive would announce, not of the whole
        draft, counted in the ruling party's voters (``sim.allocation.scoped_plan`` and
        ``credit_and_blame``, compiled as one call: ``weigh_plan``).
        """
        w = self.world
        scope = self.bargained_scope / 100.0
        self.plan, self.credit, self.regional_blame = allocation.weigh_plan(
            self.draft, self.decided, self.seen_fit, scope, w.staff, w.bids, self.bidders,
            self.voter_weight, w.origin,
        )  # fmt: skip

    def refresh_anchor_base(self) -> None:
        """Recompute the part of the announce anchors that moves only with draft or election.

        A mix of the region's stake in the draft (the capital region's is negative) and the
        party leadership's pledge; leaders are anchored to the pledge itself
        (``sim.influence.announce_anchor_base``).
        """
        w = self.world
        self.anchor_base = influence.announce_anchor_base(
            self.stake, w.receives, w.member_region, self.pledge, w.member_party, w.faction,
            w.faction_stance, w.leader, self.params.influence.region_gain_weight,
        )  # fmt: skip

    def announce_anchor(self) -> np.ndarray:
        """Each member's constituency anchor for announcing now, this week."""
        return influence.pressed_anchor(self.anchor_base, self.union_pressed, self.union_pressure)

    # ---- state and derived quantities ------------------------------------------------------
    def _create_agents(self) -> None:
        w, s = self.world, self.setting
        self.lawmakers = self._create_lawmakers()
        r = len(w.region_codes)
        self.regions = RegionAgent.create_agents(
            self, r, list(range(r)), w.region_codes, w.region_names, w.receives.tolist()
        )
        u = len(s.unions)
        self.unions = UnionAgent.create_agents(
            self,
            u,
            list(range(u)),
            w.union_codes,
            [x.name for x in s.unions],
            [x.members for x in s.unions],
        )
        fields = [(k, m.code, m.name, m.role, m.capability, m.salience)
                  for k, m in enumerate(s.ministries)]  # fmt: skip
        self.ministries = MinistryAgent.create_agents(
            self, len(fields), *map(list, zip(*fields, strict=True))
        )
        self.drafters = self.ministries.select(lambda m: m.role == "drafter")
        self.head_of_government = ExecutiveAgent(self, s.executive.office, s.executive.name)
        # The kinds that take their turn as one array operation reach their agents by index.
        self.region_list, self.union_list = self.regions.to_list(), self.unions.to_list()

    def _create_lawmakers(self):
        """One LawmakerAgent per member of the current legislature (and unseated actor).

        Returns Mesa's own set of the kind (``agents_by_type``), not a new one: the weak-keyed
        set that ``create_agents`` builds would cost more than the 300 lawmakers themselves.
        """
        w = self.world
        party = [w.party_codes[p] for p in w.member_party]
        region = [w.region_codes[r] if r != NO_REGION else "" for r in w.member_region]
        for k, fields in enumerate(zip(w.names, party, region, w.seated.tolist(), strict=True)):
            LawmakerAgent(self, k, *fields)
        return self.agents_by_type.get(LawmakerAgent) or AgentSet([], random=self.random)

    def _init_state(self) -> None:
        w, s = self.world, self.setting
        n_inst = len(w.inst_codes)
        self.executive = w.party_codes.index(s.executive.party)
        self.partners = [w.party_codes.index(p) for p in s.executive.partners]
        self.pledge = w.pledge.copy()
        self.draft = np.full(n_inst, STAY)
        self.decided = np.full(n_inst, UNDECIDED)
        self.decided_week = np.full(n_inst, -1)
        self.decided_against = np.zeros(len(w.union_codes), dtype=bool)
        self.mobilisation = np.zeros(len(w.union_codes))
        # Union pressure = mobilisation weighted by strength x membership share, in [0, 1].
        self.union_weight = w.union_strength * w.union_members / max(w.union_members.sum(), 1.0)
        self.union_pressure = self.peak_pressure = 0.0
        self.peak_week = 0
        self.equity_penalty = np.zeros(len(w.region_codes))
        self.progress = self.bargained_scope = self.timing_compromise = 0.0
        self.caretaker_until = None  # the day a defeated executive hands over, while she waits
        if s.drafting_since:  # a plan its drafters began before the start
            weeks = (s.start - s.drafting_since).days / 7.0
            self.progress = min(1.0, weeks / self.params.drafting.drafting_weeks)
        self.last_bargained = None
        self.hazard = self.p_announce = self.proximity = self.credit = self.blame = 0.0
        self.effort = np.zeros((len(w.region_codes), n_inst))
        self.political = np.zeros((n_inst, len(w.region_codes)))
        self.intent = (
            w.bids
            + 0.5 * w.cluster_match
            + self.params.lobbying.hub_bonus * np.outer(w.is_finance, w.hub)
        ).T
        self.intent = self.intent * w.receives[:, None]
        # Fixed for the run, so computed once, in C order: the regions' turn
        # (sim.pressure.lobby_regions) walks each region's row.
        self.intent_share = np.ascontiguousarray(pressure.intent_shares(self.intent))
        self.region_wants = self.intent_share.any(axis=1).astype(float)
        self.lobbying_logged = np.zeros(len(w.region_codes))  # effort of each region's why-line
        self.union_action = np.zeros(len(w.union_codes), dtype=int)  # in UNION_ACTIONS
        self.blueprint_week = -1
        self.bills: list[assembly.Bill] = []
        self._why: list[tuple] = []  # rows of ``why``, some details still Lines
        self._why_read = 0  # rows before this one have their text
        self.winners: dict[str, str] = {}  # election code -> code of the party that won it
        # party_label's and member_label's caches, dropped when a renaming takes effect: the
        # model time from which each renaming's day is the model's day (date_of rounds 7t).
        self._renamings_from = sorted(
            ((r.on - s.start).days - 0.5) / 7.0 for p in s.parties for r in p.renamed
        )
        self.roles: dict[str, str] = {}  # roles named actors took at dated events
        bp = self.params.bargaining
        self.ministry_position = np.array([m.position for m in s.ministries], dtype=float)
        self.ministry_salience = np.array([m.salience for m in s.ministries], dtype=float)
        roles = [m.role for m in s.ministries]
        self.coordinator_index = roles.index("coordinator")
        # The coordinator (PMO) follows the president's party; it changes only at elections.
        self.ministry_position[self.coordinator_index] = 100 * self.pledge[self.executive]
        self.seated_setting = s
        self._init_members()
        self.party_salience = np.full(len(self.leading_parties), bp.party_salience)

    def _init_members(self) -> None:
        """Set up what hangs on the members of the legislature.

        At the start, and again after the seats change at a general election
        (``seat_assembly``).
        """
        w, s, bp = self.world, self.setting, self.params.bargaining
        n_parties = len(w.party_codes)
        for name in _MEMBER_CACHES:
            self.__dict__.pop(name, None)
        self._bill_gain: dict = {}  # bill_gain's cache
        self._labels_epoch = None  # member_label's names are of the old members
        # Share of each region's members in each party (access to an executive of that party).
        self.ruling_share = [
            self.region_means((w.member_party == p).astype(float)) for p in range(n_parties)
        ]
        self.executive_changed()
        self.draft_changed()
        self.anchor = np.column_stack([self.announce_anchor(), self.claim_anchor])
        self.stance = self.anchor.copy()
        self.zeal = self.region_means(self.stance[:, 1])
        # Bargaining actors and their capabilities: each group's sum to 1, the unions' to
        # union_capability. The parties at the table are those with a leader at the start.
        if not hasattr(self, "leading_parties"):
            self.leading_parties = np.nonzero(
                np.bincount(w.member_party[w.leader], minlength=n_parties)
            )[0]
        seats = np.bincount(w.member_party[w.seated], minlength=n_parties)[self.leading_parties]
        # Without constituency seats (a case whose seats are all national lists) every
        # region reaches the table by its lobbying capacity alone.
        reach = w.capacity * w.seat_share if w.seat_share.any() else w.capacity
        union_weight = w.union_members * w.union_strength
        ministry = np.array([m.capability for m in s.ministries], dtype=float)
        self.bargainer_capability = np.concatenate([
            reach / reach.sum(), seats / max(seats.sum(), 1), ministry / ministry.sum(),
            bp.union_capability * union_weight / max(union_weight.sum(), 1.0),
        ])  # fmt: skip

    def draw_ties(self) -> None:
        """Draw the ties graph of the current members, and its influence matrix."""
        w = self.world
        self.ties = network.draw_ties(
            self.rng,
            w.member_party,
            w.member_region,
            w.committee,
            w.caucus,
            w.leader,
            w.cohesion,
            self.params.network,
            w.faction,
            w.faction_leader,
        )
        if self.params.null.ties == "rewired":
            # A child stream: the run's own draws stay the full model's (common random
            # numbers), so that the null differs from the full model by its ties alone.
            self.ties = network.rewire(self.ties, self.rng.spawn(1)[0])
        elif self.params.null.ties == "none":
            self.ties = network.no_ties()
        self.influence = network.influence_matrix(
            self.ties, len(w.names), self.params.network.self_weight
        )

    def seat_assembly(self, setting: Scenario) -> None:
        """A new legislature from the seat table of a general election.

        Members, their committees, factions and ties are drawn anew from the new seats, and
        every member starts again from their anchor: a new Assembly, not the old one reshuffled.
        """
        self.seated_setting = setting
        self.world = build_world(setting, self.rng)
        self.apply_roles()  # roles taken at dated events outlast the election
        self.draw_ties()
        self.lawmakers.do("remove")
        self.lawmakers = self._create_lawmakers()
        self._init_members()

    @property
    def influence(self) -> sparse.csr_array:
        """W, the row-stochastic influence weights of the ties (``sim.network``), in CSR."""
        return self._influence

    @influence.setter
    def influence(self, weights: sparse.csr_array) -> None:
        self._influence = weights
        # What the lawmakers' weekly turn reads, the kernel's arrays, changes only with W.
        self.ties_csr = influence.csr_arrays(weights)

    @property
    def readiness(self) -> float:
        """How near an announcement looks: draft progress times the bargained timing (0-1)."""
        return self.progress * self.bargained_scope / 100.0

    @property
    def executive_name(self) -> str:
        """Code of the party holding the presidency."""
        return self.world.party_codes[self.executive]

    @property
    def opposition_name(self) -> str:
        """Code of the main party not holding the presidency (the scenario's other camp)."""
        s = self.setting
        return s.executive.party if self.executive_name == s.challenger else s.challenger

    @property
    def party_line(self) -> np.ndarray:
        """Each party's whip on an HQ bill.

        The government's parties for, the opposition against, the rest free.
        """
        line = np.zeros(len(self.world.party_codes))
        line[self.partners] = 1.0
        line[self.executive] = 1.0
        line[self.world.party_codes.index(self.opposition_name)] = -1.0
        return line

    @cached_property
    def voting_arrays(self) -> dict:
        """Static per-member arrays the vote rules need."""
        w, lp = self.world, self.params.legislature
        recognition = np.ones(len(w.names))
        recognition[w.leader] = lp.leader_recognition
        recognition[w.chair[w.chair >= 0]] = lp.leader_recognition
        return {
            "discipline": w.discipline[w.member_party],
            "seated": w.seated,
            "committees": w.committee & w.seated[:, None],
            "recognition": recognition,
            "party": w.member_party,
            "faction": w.faction,
            # Each member's caucus: her faction, or else her party.
            "bloc": np.where(w.faction >= 0, w.faction, len(w.faction_codes) + w.member_party),
        }

    @cached_property
    def susceptibility(self) -> np.ndarray:
        """Lambda: each member's party discipline (independents: a fixed low value)."""
        w, ip = self.world, self.params.influence
        lam = w.discipline[w.member_party]
        lam = np.where(lam > 0, lam, ip.independent_susceptibility)
        return np.where(w.leader, ip.leader_susceptibility, lam)

    @property
    def party_stance(self) -> np.ndarray:
        """(P,) each party's members' mean support for announcing now (read by the reporters)."""
        return self.party_means(self.stance[:, 0])

    def region_means(self, values: np.ndarray) -> np.ndarray:
        """(R,) each region's members' mean of ``values`` (0 for a region without members)."""
        w = self.world
        return influence.group_means(w.member_region, values, len(w.region_codes))

    def party_means(self, values: np.ndarray) -> np.ndarray:
        """(P,) each party's members' mean of ``values``."""
        w = self.world
        return influence.group_means(w.member_party, values, len(w.party_codes))

    @cached_property
    def leader_party(self) -> np.ndarray:
        """(N,) a leader's party, -1 for the other members (the leaderships' groups)."""
        return np.where(self.world.leader, self.world.member_party, -1)

    @cached_property
    def flagship_stakes(self) -> tuple[float, float]:
        """Credit and regional blame of designating the flagship alone (sim.allocation).

        Only the flagship's own bidders are disappointed, and the capital region loses only
        its staff: a single designation makes fewer losers than a whole blueprint.
        """
        w, s = self.world, self.setting
        flagship = w.inst_codes.index(s.flagship)
        alone = np.full(len(w.inst_codes), STAY)
        alone[flagship] = w.region_codes.index(s.flagship_region)
        own_bids = np.zeros_like(w.bids)
        own_bids[flagship] = w.bids[flagship]
        return allocation.credit_and_blame(alone, w.staff, own_bids, self.voter_weight, self.origin)

    @cached_property
    def flagship_union_weight(self) -> np.ndarray:
        """Weights of the unions' mobilisation in the flagship's blame: those defending it."""
        return (
            self.union_weight
            * self.world.defends[:, self.world.inst_codes.index(self.setting.flagship)]
        )

    @cached_property
    def origin(self) -> int | np.ndarray:
        """The institutions' origin: one region index when they share it, else (I,) indices."""
        origin = self.world.origin
        return int(origin[0]) if (origin == origin[0]).all() else origin

    @cached_property
    def bidders(self) -> np.ndarray:
        """(R,) bool, the regions that bid for some institution."""
        return self.world.bids.any(axis=0)

    @cached_property
    def claim_anchor(self) -> np.ndarray:
        """Each member's anchor for pressing their region's claims: how much the region wants.

        The region's total intent over every institution (``intent``: open bids, matching
        clusters, pools included, and the hub), relative to the keenest region's (assumption:
        a region's lawmakers press its claims as hard as it wants the bodies on the table; the
        old measure counted open bids only, which exist on the named institutions alone, and
        left a region that wants only pool bodies without zeal).
        """
        w = self.world
        intensity = self.intent.sum(axis=1)
        intensity = intensity / max(intensity.max(), 1e-9)
        return np.where(w.member_region >= 0, intensity[w.member_region], 0.0)

    @cached_property
    def ties_graph(self):
        """The ties as a networkx graph (built on first use, so batch runs never pay for it)."""
        party = [self.world.party_codes[p] for p in self.world.member_party]
        return network.ties_graph(self.ties, self.world.names, party)

    def week_of(self, day: date) -> float:
        """Model time (weeks since the start) of a calendar day."""
        return (day - self.setting.start).days / 7.0

    def date_of(self, week: float) -> date:
        """Calendar day of a model time."""
        return self.setting.start + timedelta(days=round(7 * week))

    def executive_changed(self) -> None:
        """Recompute what depends only on who holds the presidency (at start and elections)."""
        w, ip = self.world, self.params.influence
        ruling = w.member_party == self.executive
        self.ruling_members = np.nonzero(w.seated & ruling)[0]
        self.member_line = self.party_line[w.member_party]  # each member's whip on HQ bills
        # Unions press ruling-party members with labour ties (not the leaders).
        self.union_pressed = ip.union_pressure_weight * (w.labour & ruling & ~w.leader)
        # Credit and blame are counted in the voters of the party now in power.
        self.voter_weight = timing.electoral_weight(w.seat_share, self.ruling_share[self.executive])
        self.__dict__.pop("flagship_stakes", None)
        self.weigh_the_plan()

    def bill_gain(self, bill: assembly.Bill) -> np.ndarray:
        """Value of a bill to each member's constituency (``assembly.regional_gain``).

        A move's value depends only on its institutions and destination, so it is computed
        once per bill instead of every week the bill is pending; a reversal's is minus the
        move's. A framework act moves nothing yet: its value is that of the moves it enables
        (``assembly.framework_gain``).
        """
        key = (bill.code, bill.institution, bill.destination)
        if key in self._bill_gain:
            return self._bill_gain[key]
        w = self.world
        spec = self.setting_bill(bill.code) if bill.code else None
        kind = spec.kind if spec else "move"  # an HQ Act moves its one institution
        if kind == "framework":
            gain = assembly.framework_gain(w.member_region, w.bids.any(axis=0), w.origin)
        else:
            if spec:
                moved = self.institutions_of(spec.institutions)
            else:
                moved = np.arange(len(w.inst_codes)) == bill.institution
            gain = assembly.regional_gain(
                w.member_region, bill.destination, w.bids[moved].any(axis=0), w.origin[moved]
            )
        self._bill_gain[key] = -gain if kind == "reversal" else gain
        return self._bill_gain[key]

    def bill_line(self, bill: assembly.Bill) -> np.ndarray:
        """Each member's whip on a bill, in [-1, 1]: + yes, - no, 0 free.

        HQ Acts follow the government's line (``party_line``). A tabled bill follows its own
        whips: a party's entry replaces the government's line for its members, a faction's
        replaces its party's; on a free vote nobody is whipped. Optionally, a party's whip
        weighs as much as its leadership is committed to it (``committed_whips``).
        """
        w = self.world
        if not bill.code:  # an HQ Act: the government's line
            if self.params.legislature.whip == "flat":
                return self.member_line  # cached: it changes only with the executive
            return self.committed_whips(self.party_line)[w.member_party]
        spec = self.setting_bill(bill.code)
        if spec.free_vote:
            return np.zeros(len(w.names))
        party = self.party_line
        for code, whip in spec.whip.items():
            if code in w.party_codes:
                party[w.party_codes.index(code)] = WHIPS[whip]
        line = self.committed_whips(party, spec.kind == "reversal")[w.member_party]
        for code, whip in spec.whip.items():
            if code in w.faction_codes:
                line[w.faction == w.faction_codes.index(code)] = WHIPS[whip]
        return line

    def committed_whips(self, whips: np.ndarray, reversal: bool = False) -> np.ndarray:
        """(P,) each party's whip weighted by its leadership's commitment to it.

        The commitment is the leaders' mean support for relocating now (for a reversal, one
        minus it), in the whip's direction (``legislature.committed_whip``), where
        ``legislature.whip`` is "committed". A party whose leaders the scenario does not name
        whips with its full weight, as every party does by default ("flat").
        """
        if self.params.legislature.whip == "flat":
            return whips
        w = self.world
        support = legislature.leadership_support(
            w.member_party, w.leader, self.stance[:, 0], len(w.party_codes)
        )
        return legislature.committed_whip(whips, 1.0 - support if reversal else support)

    def faction_line(self, bill: assembly.Bill) -> np.ndarray:
        """Each member's faction leader's stance on a bill, in [-1, 1] (0 outside a faction).

        A leader's stance is her support for relocating now, rescaled from [0, 1]: for a move
        or a framework act as it stands, against a reversal negated.
        """
        w = self.world
        line = np.zeros(len(w.names))
        if not w.faction_leader.any():
            return line
        spec = self.setting_bill(bill.code) if bill.code else None
        sign = -1.0 if spec is not None and spec.kind == "reversal" else 1.0
        for leader in np.nonzero(w.faction_leader)[0]:
            line[w.faction == w.faction[leader]] = sign * (2.0 * self.stance[leader, 0] - 1.0)
        return line

    def institutions_of(self, codes) -> np.ndarray:
        """(I,) bool: the institutions of these scenario entries (a pool: all its members)."""
        entries = [k for k, i in enumerate(self.setting.institutions) if i.code in codes]
        return np.isin(self.world.inst_entry, entries)

    def note_decisions(self) -> None:
        """Which unions a decision already moves members of (``decided_against``, (U,) bool)."""
        moved = (self.decided != UNDECIDED) & (self.decided != STAY)
        self.decided_against = (self.world.defends & moved).any(axis=1)

    def setting_bill(self, code: str) -> TabledBill:
        """The scenario's tabled bill with this code."""
        return next(b for b in self.setting.bills if b.code == code)

    def log(self, kind: str, actor: str, target: str, detail: str | Line) -> None:
        """Append to the "why" log: who did what to whom this week, and why.

        Parties in ``actor``, ``target`` and ``detail`` go by ``party_label``: the log is read
        by people, so it names a party as it was called on the line's day. A weekly line may
        pass its detail as a ``Line``, formatted only when the log is read (``why``).
        """
        self._why.append((self.time, kind, actor, target, detail))

    @property
    def why(self) -> list[tuple]:
        """The why log: (time, kind, actor, target, detail) rows, every detail a str."""
        rows = self._why
        for k in range(self._why_read, len(rows)):
            if isinstance(rows[k][4], Line):
                rows[k] = (*rows[k][:4], str(rows[k][4]))
        self._why_read = len(rows)
        return rows

    def party_label(self, code: str) -> str:
        """How people called the party on the model's current day (``Scenario.party_label``).

        Looked up once per party until a renaming takes effect: most weeks' why-lines name
        the same parties.
        """
        self._drop_stale_labels()
        label = self._labels.get(code)
        if label is None:
            label = self._labels[code] = self.setting.party_label(code, self.date_of(self.time))
        return label

    def member_label(self, i: int) -> str:
        """Member ``i``'s name as shown today: an anonymous member's names her party's label."""
        self._drop_stale_labels()
        label = self._member_labels.get(i)
        if label is None:
            w = self.world
            party = self.party_label(w.party_codes[w.member_party[i]])
            label = self._member_labels[i] = w.shown_name(i, party)
        return label

    def _drop_stale_labels(self) -> None:
        """Forget the labels looked up before the latest renaming that has taken effect."""
        epoch = bisect_right(self._renamings_from, self.time)
        if epoch != self._labels_epoch:
            self._labels, self._member_labels, self._labels_epoch = {}, {}, epoch

    def bargainer_label(self, k: int) -> str:
        """The ``k``-th actor of ``bargaining_table``, as shown today.

        In the table's order: regions, the parties' leaderships, ministries, unions.
        """
        w = self.world
        leaderships = [f"{self.party_label(w.party_codes[p])} leadership"
                       for p in self.leading_parties]  # fmt: skip
        ministries = [m.code for m in self.setting.ministries]
        return [*w.region_codes, *leaderships, *ministries, *w.union_codes][k]
