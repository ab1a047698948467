"""What the DataCollector records each week: model attributes by name, the rest as functions."""

from functools import partial

from sim.allocation import STAY, UNDECIDED


def mean_stance(model, party: int) -> float:
    """Mean support for announcing now among one party's members."""
    return float(model.party_stance[party])


def moving_in_draft(model) -> int:
    """Institutions the current draft moves out of the capital region."""
    return int((model.draft != STAY).sum())


def decided_count(model) -> int:
    """Institutions whose destination the executive has fixed."""
    return int((model.decided != UNDECIDED).sum())


def reporters(party_codes: list[str]) -> dict:
    """DataCollector model reporters: model attributes by name, the rest as named functions."""
    series = {
        name: name
        for name in (
            "readiness",
            "hazard",
            "p_announce",
            "proximity",
            "credit",
            "blame",
            "union_pressure",
            "bargained_scope",
            "timing_compromise",
            "progress",
        )
    }
    series |= {"moving_in_draft": moving_in_draft, "decided": decided_count}
    series |= {
        f"stance_{code}": partial(mean_stance, party=k) for k, code in enumerate(party_codes)
    }
    return series
