"""The dashboard's Info view (sim/app.py, docs/dashboard.md): the model in the NetLogo Info form.

The sections are those of the NetLogo Models Library's Info tab, as in the lessons
(notebooks/lessons/): WHAT IS IT?, HOW IT WORKS, HOW TO USE IT, THINGS TO NOTICE, THINGS TO TRY,
EXTENDING THE MODEL, RELATED MODELS, CREDITS AND REFERENCES. The dashboard runs offline, so
the lessons are given by the command that opens them and their path, not by a web link.
"""

import html

import solara

FONT = 14  # px, as the many-runs view: read from the back of a classroom
# Columns of at least 340 px: two at 1280x720, more on a wider screen. The view's height grows
# with its text and the view scrolls down, so the columns never run off to the side.
COLUMNS = f"column-width: 340px; column-gap: 6px; font-size: {FONT}px; line-height: 1.4"
SECTION = (
    "break-inside: avoid; margin: 0 0 6px; padding: 4px 12px 6px; background: #fff;"
    " color: #222; border-radius: 4px; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.15);"
    " overflow-wrap: anywhere"
)
PARAGRAPH = "margin: 4px 0"
TITLE = "font-size: 15px; font-weight: bold; margin: 2px 0 4px"

# (title, notebook path, what it teaches, how to open it); tests/test_dashboard.py checks the
# paths and titles against the notebooks.
LESSONS = [
    (
        "Lesson 1. Why governments wait: blame avoidance and the election clock",
        "notebooks/lessons/01_why_governments_wait.ipynb",
        "move the election and watch the hazard of a ready plan fall before polling day",
        "<code>make lesson</code> opens it",
    ),
    (
        "Lesson 2. Party ties: discipline against constituency",
        "notebooks/lessons/02_party_ties.ipynb",
        "a Busan member of the ruling party between her region and her party, on the ties",
        "<code>make lesson</code>, then open it in JupyterLab's file browser",
    ),
    (
        "Lesson 3. Regions competing for institutions, and unions as veto players",
        "notebooks/lessons/03_regions_unions_assembly.ipynb",
        "bids, the ministries' allocation, the bargaining over scope, the unions and the Acts",
        "<code>make lesson</code>, then open it in JupyterLab's file browser",
    ),
]


def _items(*items: str, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    body = "".join(f'<li style="margin-top: 3px">{item}</li>' for item in items)
    return f'<{tag} style="margin: 4px 0; padding-left: 22px">{body}</{tag}>'


def lessons_html() -> str:
    """The three lessons: title, what they teach, the notebook's path and how to open it."""
    return _items(
        *(
            f"<b>{html.escape(title)}</b>: {html.escape(about)}.<br><code>{path}</code>: {how}."
            for title, path, about, how in LESSONS
        )
    )


SECTIONS = [
    (
        "WHAT IS IT?",
        "<p>In 2018 Korea's ruling Democratic Party promised to move the remaining public "
        "institutions out of the Seoul capital region (“Innovation City Season 2”). A list "
        "was expected in 2020. None came before the April 2021 by-elections or the March 2022 "
        "presidential election.</p><p>relocsim follows that negotiation week by week, from "
        "2020 to the end of 2022, with lawmakers, regions, unions, ministries and the "
        "executive as agents. Why would a government sit on a plan it has promised? The model "
        "builds in one answer, <b>blame avoidance</b> (Weaver 1986): a relocation has few "
        "winners and many losers, losers remember at the polls, so a government holds a plan "
        "back as an election nears, and announces, if at all, once it has passed.</p>",
    ),
    (
        "HOW IT WORKS",
        "<p>Each week (one Step):</p>"
        + _items(
            "regions lobby for the institutions they want; through ruling-party lawmakers "
            "their pressure counts more;",
            "lawmakers' support for announcing now spreads along the ties network "
            "(Friedkin-Johnsen): each takes part of their stance from those they are tied to, "
            "as much as their party's discipline, and keeps the rest of their anchor, their "
            "region's stake and their party's pledge;",
            "unions mobilise as an announcement looks nearer and the draft moves their members;",
            "the ministries draft where each institution goes, weighing fit and equity against "
            "lobbying;",
            "regions, parties, ministries and unions bargain over how much to announce "
            "(scope, 0-100); a blueprint moves the best-fitting share of the draft it allows;",
            "the executive announces with probability P = 1 − exp(−h) in the week, with the "
            "hazard h = h0 · readiness · exp(g(τ) · (b1·G − b2·B)) per week;",
            "Acts that fix a bank's head office in Seoul go to the Assembly; elections are "
            "held on their dates, and a new government starts the plan again.",
            ordered=True,
        )
        + "<p>G (credit) and B (blame) are seat-weighted shares of the Assembly: the regions "
        "the plan gives an institution, and those whose bids fail plus the capital region for "
        "the staff it loses, marginal seats fully and safe ones half; B adds the unions' "
        "mobilisation (0-1). g(τ), 0-1, rises as the next election, τ weeks away, nears. Far "
        "from an election a ready plan comes at the base rate h0; near one, a plan whose blame "
        "outweighs its credit is held back by factors of ten. docs/model.md gives each step's "
        "code and sources.</p>",
    ),
    (
        "HOW TO USE IT",
        _items(
            "<b>Step</b> runs one week; <b>▶</b> plays, up to ten weeks a second, and "
            "<b>❚❚</b> pauses. The run stops at the scenario's horizon (week 127).",
            "The sliders take effect when you press <b>Reset</b>, which builds a new model. "
            "“running with” under the week lists the values in use.",
            "<b>one run</b>: the timeline (readiness, the hazard on a log scale, mobilisation, "
            "blame and credit, the parties' stances), the why log of the week, the allocation "
            "and the ties between lawmakers.",
            "<b>many runs</b>: the same settings over N seeds; the histogram of the blueprints' "
            "dates, and P(blueprint before the election) with its 95% interval. "
            "<b>Compare with</b> runs a setting without the election, the unions or the fear "
            "of blame beside it.",
            "<b>info</b>: this page.",
        ),
    ),
    (
        "THINGS TO NOTICE",
        _items(
            "The hazard panel: in the months before polling day the hazard sinks by factors "
            "of ten while the plan is as ready as before; only the election clock g(τ) has "
            "changed. The day after the election it jumps back, unless the government lost.",
            "Blame B usually lies above credit G: winners are few, losers many, and the capital "
            "region elects almost half the Assembly.",
            "Union mobilisation climbs before any announcement: the unions act on how near a "
            "decision looks, and add to the blame.",
            "A blueprint moves fewer institutions than the draft: only the share the bargained "
            "scope allows. The allocation's first line says how many.",
            "In the ties network the circles shrink or grow as stances spread along the ties.",
        ),
    ),
    (
        "THINGS TO TRY",
        _items(
            "In <b>many runs</b>, compare with <i>no presidential election</i> over 100 seeds. "
            "Do more blueprints come before 9 March 2022? Do the two intervals overlap?",
            "Set <b>Blame avoidance b2</b> to 0 and Reset. Does the election still hold the plan "
            "back, or pull it forward?",
            "Set <b>Union strength</b> to 0, then 1. How do mobilisation, blame and the date of "
            "the blueprint change?",
            "Set the <b>Ministries' weight on fit vs politics</b> to 1, then 0. Where do KDB and "
            "IBK go?",
            "Move the <b>Presidential election shift</b> to −26 weeks. When do the blueprints "
            "come now?",
            "Keep the settings and change only the <b>Seed</b>. How much of one run's story is "
            "luck?",
            ordered=True,
        ),
    ),
    (
        "EXTENDING THE MODEL",
        _items(
            "Let the election's result depend on the decision: an announced relocation could "
            "change the ruling side's chance to win in the winning and losing regions.",
            "Give the opposition a strategy: promising institutions before the election "
            "changes who the losers are.",
            "Replace the hazard by an explicit choice between announcing now and after the "
            "election (a war of attrition, Alesina &amp; Drazen 1991).",
            "Let ties change: members who disagree for long could cut them, or listen only to "
            "colleagues close to them (bounded confidence, Hegselmann &amp; Krause 2002).",
        )
        + "<p>The hazard is in <code>sim/timing.py</code>, the executive's decision in "
        "<code>agents/executive.py</code>, the parameters in <code>sim/parameters.py</code>, "
        "this page in <code>sim/app.py</code>, the <code>sim/dashboard_*.py</code> it "
        "imports, and <code>sim/info.py</code>.</p>",
    ),
    (
        "RELATED MODELS",
        "<p>Three lessons take the mechanism apart, in the same form, with exercises and "
        "worked answers. They are Jupyter notebooks in the project folder. <code>make lesson"
        "</code> installs JupyterLab once and serves it on this machine only (127.0.0.1):</p>"
        + lessons_html()
        + "<p>The notebooks in <code>notebooks/</code> explore further: one run up close, "
        "the election's timing over sweeps, and what drives the outcome.</p>",
    ),
    (
        "CREDITS AND REFERENCES",
        _items(
            "Weaver, R. K. (1986). The politics of blame avoidance. <i>Journal of Public "
            "Policy</i> 6(4).",
            "Strobl, D., Bäck, H., Müller, W. C. &amp; Angelova, M. (2021). Electoral cycles "
            "in government policy making. <i>British Journal of Political Science</i> 51(1).",
            "Mayhew, D. R. (1974). <i>Congress: The Electoral Connection</i>. Yale UP.",
            "Friedkin, N. E. &amp; Johnsen, E. C. (1999). Social influence networks and "
            "opinion change. <i>Advances in Group Processes</i> 16.",
            "Stokman, F. N. &amp; Van Oosten, R. (1994) and Bueno de Mesquita, B. (1994), in "
            "<i>European Community Decision Making</i>. Yale UP.",
            "Tsebelis, G. (2002). <i>Veto Players</i>. Princeton UP.",
            "The model: <code>docs/model.md</code> and <code>docs/ODD.md</code>. Built with "
            "Mesa and Solara; the sections follow the Info tab of the NetLogo Models Library "
            "(Wilensky, U. 1999, NetLogo, Northwestern University).",
        ),
    ),
]


@solara.component
def Info():
    """The Info view: one card per section, in columns that fit the page's width."""
    paragraph = f'<p style="{PARAGRAPH}">'  # the browser's own 1em margins waste a projector
    cards = "".join(
        f'<section style="{SECTION}" data-info-section><h3 style="{TITLE}">{title}</h3>'
        f"{body.replace('<p>', paragraph)}</section>"
        for title, body in SECTIONS
    )
    solara.HTML(
        tag="div",
        style=COLUMNS,
        unsafe_innerHTML=cards,
        attributes={"data-testid": "relocsim-info"},
    )
