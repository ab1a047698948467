"""Mechanism parameters: every number the submodels use, declared in one place.

Each field carries its default, a one-line meaning and its source in ``metadata``. A source of
``"assumption"`` marks a number chosen by us, not taken from a publication or from facts.md;
``LIBRARY_POSTERIOR`` marks a default set to the median of the settings that the library's
history matching keeps (``make calibrate``, docs/validation.md), where it identifies the
parameter. Scenario files may override any field in their ``[parameters]`` table, and
``--set parameters.GROUP.NAME=VALUE`` overrides them per run.
"""

from dataclasses import dataclass, field

LIBRARY_POSTERIOR = (
    "history matching on the ten cases of the library (docs/validation.md, Calibration): "
    "the median of the settings kept, identified; 90% interval "
)
TIMING_MEDIAN = (
    "history matching on the ten cases of the library (docs/validation.md, Calibration): the "
    "median of the settings the eighth calibration kept, taken for every parameter of the "
    "hazard together, identified or not, since they act jointly; 90% interval "
)


def param(default, doc: str, source: str = "assumption", lo=None, hi=None, choices=None):
    """Declare a parameter with its meaning, source and allowed range.

    ``lo`` and ``hi`` are inclusive bounds of a number; ``choices`` the allowed values of a
    text parameter.
    """
    meta = {"doc": doc, "source": source, "lo": lo, "hi": hi, "choices": choices}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class NetworkParams:
    """How the party-ties graph is drawn (sim/network.py)."""

    within_party_density: float = param(
        0.12, "Probability of a tie between two members of one party at cohesion 1.", lo=0, hi=1
    )
    region_tie_prob: float = param(
        0.25, "Probability of a tie between two members (any party) of one region.", lo=0, hi=1
    )
    committee_tie_prob: float = param(
        0.15, "Probability of a tie between two members of one committee.", lo=0, hi=1
    )
    leader_weight: float = param(
        4.0, "Weight of a member's tie to their party's leaders, relative to a peer tie.", lo=0
    )
    caucus_weight: float = param(2.0, "Weight of a tie between caucus members.", lo=0)
    region_weight: float = param(1.5, "Weight of a same-region tie.", lo=0)
    self_weight: float = param(
        1.0, "Weight a member gives their own current stance (W's diagonal).", lo=0
    )


@dataclass(frozen=True)
class InfluenceParams:
    """Friedkin-Johnsen stance dynamics (sim/influence.py)."""

    region_gain_weight: float = param(
        0.6, "Weight of the region's expected gain in a member's anchor for announcing.", lo=0, hi=1
    )
    union_pressure_weight: float = param(
        0.5, "How far union mobilisation lowers a labour-tied member's anchor.", lo=0, hi=1
    )
    leader_susceptibility: float = param(
        0.2, "Susceptibility of party leaders, who set the line more than they follow.", lo=0, hi=1
    )
    independent_susceptibility: float = param(
        0.3, "Susceptibility of members with no party discipline (independents).", lo=0, hi=1
    )


@dataclass(frozen=True)
class LobbyingParams:
    """Regional lobbying (sim/pressure.py)."""

    hub_bonus: float = param(
        0.5, "Extra effort a financial hub (designated or pledged) puts on finance bodies.", lo=0
    )
    ruling_access: float = param(
        1.0, "Multiplier on pressure that reaches ministries through ruling-party members.", lo=0
    )


@dataclass(frozen=True)
class UnionParams:
    """Union mobilisation (sim/pressure.py)."""

    rise_rate: float = param(
        0.15, "Weekly rate at which mobilisation follows the threat.", lo=0, hi=1
    )
    decay_rate: float = param(0.03, "Weekly decay of mobilisation without threat.", lo=0, hi=1)
    anticipation: float = param(
        3.0, "How strongly a near announcement (readiness) raises the perceived threat.", lo=0
    )


@dataclass(frozen=True)
class DraftingParams:
    """Ministries' draft allocation (sim/allocation.py)."""

    fit_weight: float = param(
        0.6,
        "Weight on bureaucratic fit (sector cluster, equity) against political pressure.",
        "Phase 1 allocated by clusters and equity (facts.md); the split is an assumption",
        lo=0,
        hi=1,
    )
    idiosyncrasy: float = param(
        0.136,
        "Scale of each institution-region pair's Gumbel taste on the draft's utility, drawn "
        "once per run.",
        LIBRARY_POSTERIOR + "[0.061, 0.325] (the fifth calibration; the sixth, with ties "
        "drawn by skips, does not identify it: median 0.29 [0.061, 0.444]); the Gumbel form "
        "makes the draft a multinomial logit (McFadden 1974)",
        lo=0,
    )
    equity_rate: float = param(
        0.005, "Weekly rate at which the equity penalty of an over-served region grows.", lo=0
    )
    stay_threshold: float = param(
        0.35, "Score below which an institution stays in the capital region.", lo=0, hi=1
    )
    drafting_weeks: float = param(
        22.0,
        "Weeks of ministry work before a draft is complete (readiness 1).",
        LIBRARY_POSTERIOR + "[9.7, 29.9], median 22.3 (the eighth calibration; the calibration "
        "before drafting_since: 21 [10.5, 33.5]; after it, median 18.1 [10.4, 39.3], not "
        "identified)",
        lo=1,
    )
    opposition_draft: float = param(
        1.0,
        "Share of the draft a new government brings to office, per unit of its party's pledge "
        "(0: it starts the plan afresh).",
        "an opposition that campaigns on a policy prepares it in opposition (Riddell & Haddon "
        "2009, 'Transitions: preparing for changes of government', Institute for Government); "
        "the form, linear in the pledge, and the value 1 (a pledge of 1 brings a draft ready) "
        "are assumptions. Judged with legislature.whip = 'committed' (docs/validation.md, 'The "
        "committed whip and the opposition's draft, together')",
        lo=0,
        hi=1,
    )


@dataclass(frozen=True)
class BargainingParams:
    """Stakeholder bargaining over timing and scope (sim/bargaining.py)."""

    mechanism: str = param(
        "compromise",
        "What sets the bargained scope: 'compromise' (the capability- and salience-weighted "
        "mean) or 'bdm' (Bueno de Mesquita's expected-utility challenges).",
        "the out-of-sample ladder (docs/validation.md): BDM predicts no better than the "
        "compromise (the eleventh calibration: log score worse by 0.014 [-0.028, 0.061]), so the "
        "simpler one is the default; ahead on the eighth (-0.020 [-0.050, 0.014]), BDM as the "
        "default with every null run under it lost to no ties (-0.021 [-0.048, 0.000])",
        choices=("compromise", "bdm"),
    )
    rounds: int = param(3, "BDM challenge rounds each time bargaining reopens.", lo=1, hi=50)
    reopen_threshold: float = param(
        5.0,
        "Points (of 100) some actor's position or salience must move before bargaining reopens.",
        "assumption: smaller shifts lie within the precision of expert-coded positions; 0 "
        "re-bargains every week",
        lo=0,
    )
    party_salience: float = param(
        0.6, "Salience of the decision to each party leadership.", lo=0, hi=1
    )
    union_capability: float = param(
        0.5, "Total capability of the unions, relative to all regions' (1).", lo=0
    )
    risk: float = param(
        1.0,
        "Risk exponent r of every actor (BDM: below 1 risk-acceptant, above 1 risk-averse).",
        "BDM 1997",
        0.5,
        2,
    )


@dataclass(frozen=True)
class TimingParams:
    """The executive's announcement hazard (sim/timing.py)."""

    base_hazard: float = param(
        0.198,
        "h0: weekly hazard of announcing a complete draft whose credit and blame cancel.",
        TIMING_MEDIAN + "[0.093, 0.263], not identified (the sixth calibration identified "
        "0.103 [0.039, 0.200]; the seventh kept 0.103 [0.039, 0.224], not identified)",
        lo=0,
    )
    credit_weight: float = param(
        2.9,
        "b1: weight of the winners' electoral credit (times w, from c in mid-term to 1).",
        LIBRARY_POSTERIOR + "[0.81, 4.4] (the eighth calibration; earlier ones: 4.8 [0.52, "
        "7.8], identified, before lawmakers voted by their weightiest cue; after it, 5.4 "
        "[1.0, 12.2], and 4.4 [0.61, 13.4] with drafting_since, not identified); the effect: "
        "Mayhew 1974 (credit claiming)",
        lo=0,
    )
    blame_weight: float = param(
        11.6,
        "b2: weight of the losers' electoral blame and the unions' pressure (times w).",
        TIMING_MEDIAN + "[4.8, 14.4], not identified (the seventh calibration identified 12.8 "
        "[8.6, 15.0], the sixth 12.5 [8.6, 14.9]; the fourth and fifth did not: 9.5 [4.5, "
        "15.5], and 8.9 [3.7, 14.6] with drafting_since)",
        lo=0,
    )
    horizon_weeks: float = param(
        40.0,
        "Scale of g(tau) = exp(-tau / scale), weeks before an election when blame looms.",
        "assumption; Strobl et al. 2021 find the effect within the final year",
        lo=1,
    )
    permanent_campaign: float = param(
        0.35,
        "c: weight of credit and blame with no election near, against 1 on polling day.",
        TIMING_MEDIAN + "[0.085, 0.90], not identified (a second "
        "design: 0.34 [0.05, 0.75]); 0 is the election clock alone (Strobl et al. 2021), the "
        "null 'clock'; governments also campaign between elections (Blumenthal 1980; "
        "Ornstein & Mann 2000)",
        lo=0,
        hi=1,
    )
    defeat_revival: float = param(
        0.1,
        "Rise in the ruling leadership's pledge after it loses a by- or local election.",
        "assumption; the DP revived the issue after the 2021-04-07 by-elections (facts.md)",
        lo=0,
        hi=1,
    )
    blueprint_scope: float = param(
        19.4,
        "Bargained scope (0-100) at or above which a blueprint is announced.",
        LIBRARY_POSTERIOR + "[13.9, 25.6] (the eighth calibration; the seventh: 16.1 "
        "[10.8, 21.8]; the sixth: 15.9 [10.8, 21.8]; the fifth: 17.4 [10.8, 27.1])",
        lo=0,
        hi=100,
    )


@dataclass(frozen=True)
class LegislatureParams:
    """Acts that fix an institution's HQ (sim/legislature.py)."""

    leader_recognition: float = param(
        5.0, "Recognition weight of a party leader or committee chair, relative to a member.", lo=1
    )
    discipline_strength: float = param(
        3.0, "Logit weight of the party line in a member's vote.", "Baron & Ferejohn 1989", lo=0
    )
    regional_strength: float = param(
        2.5, "Logit weight of a member's regional gain or loss from the bill.", lo=0
    )
    reciprocity: float = param(
        0.9,
        "r: logit weight of the norm of reciprocity, a yes cue the same for every member, "
        "which decides where her constituency, whip and faction weigh less (no stake, no whip).",
        "universalism: Weingast 1979 (AJPS 23); the value: the median of the eleventh "
        "calibration on U[0, 3] (docs/validation.md)",
        lo=0,
    )
    whip: str = param(
        "committed",
        "A party's whip in votes: 'flat' (its full weight) or 'committed' (weighted by its "
        "leaders' support for the bill, in the whip's direction: legislature.committed_whip).",
        "the form: Snyder & Groseclose 2000; Kingdon 1989. The default since the thirteenth "
        "calibration: with drafting.opposition_draft, ahead of the flat whip and the fresh "
        "start out of sample (docs/validation.md, 'The committed whip and the opposition's "
        "draft, together'); alone, level on four designs ('The committed whip, tried')",
        choices=("flat", "committed"),
    )
    vote_noise: float = param(1.0, "Scale of the logistic noise in each vote.", lo=0.01)
    abstention_band: float = param(
        0.0,
        "c: half-width of the band of a member's vote utility in which she abstains, in an "
        "ordered logit of no, abstain and yes (0: nobody abstains).",
        "off by default: calibrated on U[0, 1.5] (median 1.10) it predicted worse out of "
        "sample than without it (docs/validation.md), because members who stay away are not "
        "modelled. The form: McKelvey & Zavoina 1975; indifferent members abstain: Cohen & "
        "Noll 1991",
        lo=0,
    )
    caucus_noise: float = param(
        2.6,
        "Scale of the normal shock each caucus (a faction, or else a party) shares on a vote: "
        "what its meeting on the day decides, which the model does not see.",
        "the eleventh calibration's median on U[0, 3], identified (90% interval [1.97, 2.9]; "
        "docs/validation.md); the form: the 2003 Korean caucuses set their lines on the day "
        "of the vote (kr_capital_act_2003.truth.toml)",
        lo=0,
    )
    fast_track_share: float = param(
        0.6,
        "Share of all members needed to designate a fast-track bill.",
        "National Assembly Act Art. 85-2",
        0,
        1,
    )
    fast_track_weeks: int = param(
        47,
        "Weeks a fast-tracked bill waits before the floor (330 days).",
        "National Assembly Act Art. 85-2",
        0,
    )
    committee_patience_weeks: int = param(
        12, "Weeks a bill waits in committee before its sponsors try fast-track.", lo=1
    )


@dataclass(frozen=True)
class NullParams:
    """Null models: each replaces one mechanism by its simplest alternative (docs/validation.md).

    A mechanism earns its place only where the full model beats its null out of sample.
    """

    hazard: str = param(
        "model",
        "The announcement hazard: 'model' (credit and blame on the election clock, with the "
        "permanent campaign), 'clock' (the same with permanent_campaign 0: credit and blame "
        "weigh only as an election nears) or 'constant' (base_hazard x readiness, no election "
        "effect).",
        choices=("model", "clock", "constant"),
    )
    ties: str = param(
        "party",
        "The ties graph: 'party' (drawn from parties, regions, committees, caucuses, "
        "factions), 'rewired' (the same degrees, partners shuffled: Maslov & Sneppen 2002) or "
        "'none' (no ties: each member keeps to their anchor).",
        choices=("party", "rewired", "none"),
    )
    reciprocity: str = param(
        "norm",
        "The norm of reciprocity in votes: 'norm' (legislature.reciprocity) or 'none' (0: a "
        "member with no stake, whip or faction tosses a coin).",
        choices=("norm", "none"),
    )


@dataclass(frozen=True)
class Parameters:
    """All mechanism parameters, grouped by submodel."""

    network: NetworkParams = NetworkParams()
    influence: InfluenceParams = InfluenceParams()
    lobbying: LobbyingParams = LobbyingParams()
    unions: UnionParams = UnionParams()
    drafting: DraftingParams = DraftingParams()
    bargaining: BargainingParams = BargainingParams()
    timing: TimingParams = TimingParams()
    legislature: LegislatureParams = LegislatureParams()
    null: NullParams = NullParams()
