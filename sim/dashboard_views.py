"""The dashboard's views under the timeline: the ties network, the draft allocation, the why log.

Each view is a ``@solara.component`` that draws plain SVG and HTML in a white card (``CARD``,
which the timeline in sim/dashboard_timeline.py shares, with ``party_colour``). They need no
chart library in the browser, so the page runs offline, and a step re-renders in milliseconds.
The ties graph is laid out once per model, with a fixed seed.
"""

import html
import weakref

import networkx as nx
import numpy as np
import solara
from mesa.visualization.utils import update_counter

from sim.allocation import STAY, UNDECIDED
from sim.dashboard_model import week_label
from sim.model import RelocationModel
from sim.plots import PARTY_COLOURS  # the notebooks' and the figures' colours too

LAYOUT_SEED = 2020  # the ties graph's layout: seeded, so that a run always looks the same
CARD = (  # a view: white, and it scrolls inside when its cell is too small for it
    "overflow: auto; padding: 6px 10px; font-size: 13px; background: #fff; color: #222;"
    " border-radius: 4px; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.15)"
)
OTHER_COLOURS = ["#9467bd", "#2ca02c", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


def party_colour(code: str, k: int) -> str:
    """A party's colour: its own where known, else one of a fixed palette."""
    return PARTY_COLOURS.get(code, OTHER_COLOURS[k % len(OTHER_COLOURS)])


# ---- the ties network ----------------------------------------------------------------------
NET_W, NET_H, NET_STRIP = 480.0, 300.0, 26.0  # SVG units; the strip holds the untied members
_layouts: "weakref.WeakKeyDictionary[RelocationModel, tuple[np.ndarray, str]]" = (
    weakref.WeakKeyDictionary()
)


def network_layout(model: RelocationModel) -> tuple[np.ndarray, str]:
    """Node positions (n, 2) in SVG units and the SVG of the edges, computed once per model.

    The largest connected group is laid out by ``nx.spring_layout`` with a fixed seed, so the
    picture does not jump between steps and a run always looks the same; its outermost 1% are
    pulled to the frame. Members with no tie to it sit in a row along the bottom.
    """
    cached = _layouts.get(model)
    if cached is None:
        graph = model.ties_graph
        groups = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
        main = sorted(groups[0])
        pos = nx.spring_layout(graph.subgraph(main), seed=LAYOUT_SEED, k=0.15)
        core = np.array([pos[k] for k in main], dtype=float)
        lo, hi = np.percentile(core, [1, 99], axis=0)
        core = np.clip((core - lo) / np.maximum(hi - lo, 1e-9), -0.02, 1.02)
        xy = np.zeros((graph.number_of_nodes(), 2))
        xy[main] = [14, 12] + core * [NET_W - 28, NET_H - NET_STRIP - 24]
        rest = [k for group in groups[1:] for k in sorted(group)]
        if rest:
            xy[rest, 0] = np.linspace(120, NET_W - 14, len(rest))
            xy[rest, 1] = NET_H - NET_STRIP / 2
        path = "".join(
            f"M{xy[s, 0]:.1f} {xy[s, 1]:.1f}L{xy[t, 0]:.1f} {xy[t, 1]:.1f}"
            for s, t in graph.edges()
        )
        edges = (
            f'<svg viewBox="0 0 {NET_W:g} {NET_H:g}" width="100%" height="100%" '
            f'preserveAspectRatio="xMidYMid meet"><path d="{path}" stroke="#9a9a9a" '
            'stroke-width="0.3" stroke-opacity="0.3" fill="none"/></svg>'
        )
        cached = _layouts[model] = (xy, edges)
    return cached


def network_nodes_svg(model: RelocationModel) -> str:
    """The lawmakers as circles: colour = party, radius = support for announcing now."""
    w = model.world
    xy, _ = network_layout(model)
    colours = [party_colour(c, k) for k, c in enumerate(w.party_codes)]
    labels = [model.party_label(c) for c in w.party_codes]
    stance = np.clip(model.stance[:, 0], 0.0, 1.0)
    radius = 1.0 + 4.0 * stance
    circles = "".join(
        f'<circle cx="{xy[i, 0]:.1f}" cy="{xy[i, 1]:.1f}" r="{radius[i]:.2f}" '
        f'fill="{colours[p]}"><title>{html.escape(w.shown_name(i, labels[p]))} '
        f"({html.escape(labels[p])}): {stance[i]:.2f}</title></circle>"
        for i, p in enumerate(w.member_party.tolist())
    )
    return (
        f'<svg viewBox="0 0 {NET_W:g} {NET_H:g}" width="100%" height="100%" '
        f'preserveAspectRatio="xMidYMid meet" data-week="{model.steps}">'
        f'<g stroke="#ffffff" stroke-width="0.3" fill-opacity="0.85">{circles}</g></svg>'
    )


def party_legend(model: RelocationModel) -> str:
    """Each party's colour and its members' mean support for announcing now."""
    w = model.world
    items = (
        f'<span style="white-space:nowrap;margin-right:8px"><span style="color:'
        f'{party_colour(c, k)};font-size:16px">&#9679;</span> {html.escape(model.party_label(c))} '
        f"{model.party_stance[k]:.2f}"
        "</span>"
        for k, c in enumerate(w.party_codes)
    )
    return " ".join(items)  # spaces: a narrow view wraps between the parties


@solara.component
def TiesNetwork(model: RelocationModel):
    """The ties graph: who can pull whom. Colour: party; size: support for announcing now."""
    update_counter.get()
    xy, edges = network_layout(model)
    # The SVG scales with its cell, so any text in it could shrink below 12 px: the caption of
    # the bottom row is HTML instead.
    untied = int(np.count_nonzero(xy[:, 1] == NET_H - NET_STRIP / 2))
    strip = f"<br>Bottom row: {untied} lawmakers with no tie to the rest." if untied else ""
    with solara.Column(style=CARD, gap="2px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                "<b>Ties between lawmakers</b> (colour: party; size: support for announcing "
                f"now)<br>{party_legend(model)}{strip}"
            ),
        )
        with solara.Div(style="position: relative; width: 100%; flex: 1 1 0; min-height: 140px"):
            # Two layers: the edges never change, so only the nodes go to the browser.
            solara.HTML(tag="div", unsafe_innerHTML=edges, style="position:absolute;inset:0;")
            solara.HTML(
                tag="div",
                unsafe_innerHTML=network_nodes_svg(model),
                style="position:absolute;inset:0;",
                attributes={"data-testid": "relocsim-network"},
            )


# ---- the draft allocation ------------------------------------------------------------------
def allocation_rows(model: RelocationModel) -> list[tuple[str, list[str]]]:
    """(region, [institution labels]) of the current draft; named institutions come first.

    A named institution reads ``KDB`` (``KDB ✔`` once the executive has fixed it); a pool
    reads ``Energy bodies ×3`` (``Energy bodies ×3 (2 ✔)``). Regions that get a named
    institution come first, the capital region ("stays") last.
    """
    w, s = model.world, model.setting
    decided = np.asarray(model.decided)
    # A decision stands over the draft: in the week of a blueprint the draft still moves
    # institutions that the blueprint keeps in the capital region.
    shown = np.where(decided != UNDECIDED, decided, np.asarray(model.draft))
    entries = s.institutions
    rows = []
    for r in [*range(len(w.region_codes)), STAY]:
        members = np.nonzero(shown == r)[0]
        if r != STAY and not len(members):
            continue
        named, pools = [], {}
        for i in members.tolist():
            entry = entries[int(w.inst_entry[i])]
            if entry.count == 1:
                mark = " ✔" if decided[i] != UNDECIDED else ""
                named.append(f"<b>{html.escape(entry.code)}</b>{mark}")
            else:
                n, fixed = pools.get(entry.name, (0, 0))
                pools[entry.name] = (n + 1, fixed + int(decided[i] != UNDECIDED))
        labels = named + [
            f"{html.escape(name)} ×{n}" + (f" ({fixed} ✔)" if fixed else "")
            for name, (n, fixed) in pools.items()
        ]
        where = "stays in the capital region" if r == STAY else w.region_names[r]
        rows.append((where, labels, bool(named), r == STAY))
    rows.sort(key=lambda row: (row[3], not row[2]))
    return [(where, labels) for where, labels, _, _ in rows]


def allocation_header(model: RelocationModel) -> tuple[str, str]:
    """(title, sentence) above the allocation: what is decided, what moves, what is a draft.

    Decided institutions (✔) are counted apart from the ministries' draft for the others, and
    beside the draft what a blueprint would move now: only the best-fitting share of the
    draft's moves that the bargained scope allows (``sim.allocation.scoped_plan``), the rest
    staying. So a draft that moves 122 and a blueprint that then moves 59 read as they are.
    """
    w, s = model.world, model.setting
    decided, draft = np.asarray(model.decided), np.asarray(model.draft)
    total = len(decided)
    fixed = decided != UNDECIDED
    n_fixed, n_moving = int(fixed.sum()), int((fixed & (decided != STAY)).sum())
    done = (
        f"{n_moving} {'moves' if n_moving == 1 else 'move'} out of the capital region, "
        f"{n_fixed - n_moving} stay in it"
    )
    if n_fixed == total:
        how = f" by the blueprint of {model.date_of(model.blueprint_week)}"
        how = how if model.blueprint_week >= 0 else ""
        return "Allocation decided", f"all {total} institutions decided (✔){how}: {done}."
    open_ = ~fixed
    drafted = int((open_ & (draft != STAY)).sum())
    planned = int((open_ & (np.asarray(model.plan) != STAY)).sum())
    blueprint = (
        f"a blueprint now would move {planned} of them (bargained scope "
        f"{model.bargained_scope:.0f} of 100), the rest staying."
    )
    if not n_fixed:
        return "Draft allocation", (
            f"nothing decided yet. The ministries' draft moves {drafted} of the {total} "
            f"institutions out of the capital region; {blueprint}"
        )
    flagship = w.inst_codes.index(s.flagship) if s.flagship else None
    if n_fixed == n_moving == 1 and flagship is not None and fixed[flagship]:
        when = model.date_of(int(model.decided_week[flagship]))
        news = (
            f"the flagship {s.flagship} decided (✔): to {w.region_names[decided[flagship]]}, {when}"
        )
    else:
        news = f"{n_fixed} of the {total} institutions decided (✔): {done}"
    return "Draft allocation", (
        f"{news}. Of the other {int(open_.sum())}, the ministries' draft moves {drafted}; "
        f"{blueprint}"
    )


@solara.component
def DraftAllocation(model: RelocationModel):
    """The ministries' current draft, and what the executive has decided."""
    update_counter.get()
    title, sentence = allocation_header(model)
    # One paragraph per region, so that a narrow column wraps the institutions, not the names.
    body = "".join(
        f'<div data-region style="margin-top:3px"><span style="color:#555">'
        f"{html.escape(where)}:</span> {', '.join(labels) or '-'}</div>"
        for where, labels in allocation_rows(model)
    )
    solara.HTML(
        tag="div",
        style=CARD,
        attributes={"data-testid": "relocsim-draft", "data-week": str(model.steps)},
        unsafe_innerHTML=(
            f'<span data-testid="relocsim-draft-header"><b>{title}</b>: '
            f"{html.escape(sentence)}</span>{body}"
        ),
    )


# ---- the why log ---------------------------------------------------------------------------
def this_week(model: RelocationModel) -> list[tuple]:
    """Why-log entries of the last step (elections held between two ticks included)."""
    now = model.steps
    return [row for row in model.why if now - 1 < row[0] <= now] if now else []


@solara.component
def WhyLog(model: RelocationModel):
    """Who moved whom, how the bargained scope moved, why the executive waited or acted."""
    update_counter.get()
    rows = this_week(model)
    if rows:
        body = "".join(
            f'<div data-why style="margin-top:3px"><i>{html.escape(kind)}</i> · '
            f"{html.escape(actor)}{' → ' + html.escape(target) if target else ''}: "
            f"{html.escape(detail)}</div>"
            for _, kind, actor, target, detail in rows
        )
    else:
        body = "<p>Nothing yet: press Step to run the first week.</p>"
    solara.HTML(
        tag="div",
        style=CARD,
        attributes={"data-testid": "relocsim-why", "data-week": str(model.steps)},
        unsafe_innerHTML=f"<b>Why: {week_label(model)}</b>{body}",
    )
