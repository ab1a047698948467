"""The ``relocsim`` command line.

``relocsim run`` runs one scenario. Other packages add subcommands through the entry-point
group ``relocsim.commands`` (a function that takes the subparsers object), so that ``sim``
never imports them.
"""

import argparse
import json
import os
import sys
import tempfile
from importlib.metadata import entry_points
from pathlib import Path

from sim.scenario import ScenarioError, parse_set_options


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message: str):  # noqa: D102
        self.exit(2, f"{self.prog}: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``relocsim`` command."""
    parser = OneLineParser(
        prog="relocsim",
        description="Agent-based simulation of relocating Korean public institutions out of the "
        "Seoul capital region (Innovation City Season 2).",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    add_run_command(commands)
    add_cases_command(commands)
    add_dashboard_command(commands)
    add_scale_command(commands)
    for plugin in entry_points(group="relocsim.commands"):
        try:
            plugin.load()(commands)
        except Exception as err:  # a broken plugin must not take `relocsim run` down with it
            print(f"relocsim: the {plugin.name} command is unavailable: {err}", file=sys.stderr)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ScenarioError as err:
        print(f"relocsim {args.command}: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `relocsim run | head`: the reader left, not an error
        sys.stderr.close()
        return 0


def add_run_command(commands) -> None:
    """Register ``relocsim run``."""
    p = commands.add_parser(
        "run",
        help="run one scenario with one seed",
        description="Run one scenario to its horizon; print when the blueprint landed relative "
        "to each election, the allocation, the Acts and the tabled bills; write the weekly "
        "series (CSV), the why log (CSV), the votes by party (CSV), the outcome (JSON) and a "
        "timeline figure (PNG) to --out.",
    )
    p.add_argument(
        "--scenario",
        default="season2_2020",
        metavar="NAME|FILE",
        help="shipped scenario name or TOML file (default: %(default)s)",
    )
    p.add_argument("--seed", type=seed_value, default=0, help="random seed (default: %(default)s)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help="override a scenario value by dotted path, e.g. "
        "--set elections.presidential_2022.date=2023-06-01 (repeatable)",
    )
    p.add_argument(
        "--out", type=Path, metavar="DIR", help="write series, log, outcome and figure here"
    )
    p.add_argument("--json", action="store_true", help="print the outcome record as JSON")
    p.set_defaults(handler=run_command)


def seed_value(text: str) -> int:
    """A seed from the command line: a non-negative integer (numpy's SeedSequence needs one)."""
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return seed


def run_command(args) -> int:
    """Handle ``relocsim run``: an unusable --out fails before the run, a full disk after it."""
    from sim.folders import make_folder, reason, remove_made
    from sim.runner import run  # imported here so that `relocsim --help` stays fast

    made = make_folder(args.out, "--out") if args.out else []
    try:
        result = run(args.scenario, seed=args.seed, **parse_set_options(args.overrides))
        if args.json:
            print(json.dumps(result.outcome, indent=2))
        else:
            print(summary(result))
        if args.out:
            write_outputs(result, args.out, args.scenario, args.overrides)
    except OSError as err:  # e.g. the disk filled up: the outputs are all written, or none
        remove_made(made)
        if isinstance(err, BrokenPipeError):  # the reader of stdout left: main() handles it
            raise
        print(f"relocsim run: --out {args.out}: could not write ({reason(err)}); nothing written",
              file=sys.stderr)  # fmt: skip
        return 1
    except BaseException:
        remove_made(made)
        raise
    return 0


def summary(result) -> str:
    """A readable account of one run (parties as they were called on the days it names)."""
    o, setting = result.outcome, result.model.setting
    lines = [f"scenario {o['scenario']}, seed {o['seed']}, {o['weeks']} weeks"]
    lines.append(f"blueprint: {o['blueprint_date'] or 'never announced'}")
    lines.append(f"first decision: {o['first_decision_date'] or 'none'}")
    for key in (k for k in o if k.startswith("blueprint_before_")):
        code = key.removeprefix("blueprint_before_")
        relation = "before" if o[key] else "not before"
        winner = o.get(f"winner_{code}")
        day = setting.election(code).date
        winner = setting.party_label(winner, day) if winner else "not held in the window"
        lines.append(f"  {code}: blueprint {relation} it; won by {winner}")
    lines.append("allocation:")
    lines += [
        f"  {k.removeprefix('dest_'):8} -> {v}" for k, v in o.items() if k.startswith("dest_")
    ]
    lines.append("acts and bills:")
    for key in (k for k in o if k.startswith("act_") and k.endswith("_fate")):
        code = key.removeprefix("act_").removesuffix("_fate")
        when = o[f"act_{code}_date"]
        lines.append(f"  {code:8} {o[key]}" + (f" ({when})" if when else ""))
    for key in (k for k in o if k.startswith("bill_") and k.endswith("_fate")):
        code = key.removeprefix("bill_").removesuffix("_fate")
        tally = f", floor {o[f'bill_{code}_yes']}-{o[f'bill_{code}_no']}"
        when = o[f"bill_{code}_date"]
        lines.append(f"  bill {code}: {o[key]}" + (f" ({when})" if when else "")
                     + (tally if o[f"bill_{code}_yes"] is not None else ""))  # fmt: skip
    lines.append(
        f"peak union mobilisation {o['peak_mobilisation']:.2f} on {o['peak_mobilisation_date']}"
    )
    lines.append(f"relocated {o['relocated']} institutions, {o['relocated_staff']:.0f} staff")
    return "\n".join(lines)


def write_outputs(result, out: Path, scenario: str, overrides: list[str]) -> None:
    """Write all files into a temporary folder, then move them into ``out`` one by one."""
    from sim.plots import save_figure, timeline_figure
    from sim.runner import resolve

    setting = resolve(scenario, parse_set_options(overrides))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        tmp = Path(tmp)
        result.series.to_csv(tmp / "series.csv")
        result.why.to_csv(tmp / "why.csv", index=False)
        result.votes.to_csv(tmp / "votes.csv", index=False)
        (tmp / "outcome.json").write_text(json.dumps(result.outcome, indent=2) + "\n")
        title = f"{setting.title} (seed {result.outcome['seed']})"
        save_figure(
            timeline_figure(result.series, setting, result.outcome, title),
            tmp / "timeline.png",
        )
        for f in sorted(tmp.iterdir()):
            os.replace(f, out / f.name)
    print(f"wrote {out}/: series.csv, why.csv, votes.csv, outcome.json, timeline.png")


def add_cases_command(commands) -> None:
    """Register ``relocsim cases``."""
    p = commands.add_parser(
        "cases",
        help="list the library of historical cases and their truth",
        description="List the historical cases shipped with relocsim (a scenario with a truth "
        "file beside it, docs/cases.md): country, window, what kind of case it is and how many "
        "dated events its truth holds. Name cases to see every event, its truth, its scoring "
        "rule and its source.",
    )
    p.add_argument("names", nargs="*", metavar="CASE", help="cases to show in full")
    p.add_argument("--json", action="store_true", help="print the cases and events as JSON")
    p.set_defaults(handler=cases_command)


def cases_command(args) -> int:
    """Handle ``relocsim cases``."""
    from sim.truth import case_records, library

    shipped = library()
    for name in args.names:
        if name not in shipped:
            raise ScenarioError(name, "(case name)", "a case of the library, one of: "
                                + ", ".join(shipped), f'"{name}"')  # fmt: skip
    records = case_records(args.names or shipped)
    if args.json:
        print(json.dumps(records, indent=2, default=str))
        return 0
    if not args.names:
        print(f"{len(records)} cases (relocsim cases NAME shows one in full):")
        print(f"  {'case':27} {'country':7} {'window':23} {'events':>6}  kinds")
        for r in records:
            window = f"{r['start']} to {r['horizon']}"
            print(f"  {r['case']:27} {r['country']:7} {window:23} {len(r['events']):>6}  "
                  + ", ".join(r["kinds"]))  # fmt: skip
        return 0
    for r in records:
        print(f"{r['case']} ({r['country']}, {r['start']} to {r['horizon']}): {r['title']}")
        print(f"  kinds: {', '.join(r['kinds'])}")
        print(f"  {r['summary']}")
        for e in r["events"]:
            print(f"  - {e['code']} [{e['kind']}, scored by {e['score']}]: {e['truth']}")
            print(f"      source: {e['source']}")
        print(f"  facts: {r['facts']}")
    return 0


def add_scale_command(commands) -> None:
    """Register ``relocsim scale``."""
    p = commands.add_parser(
        "scale",
        help="write the default case as a scenario with N lawmakers",
        description="Write a scenario file with N lawmakers built from season2_2020, for "
        "timing the model at scale: the same regions, parties, institutions, unions and "
        "elections, the named actors in their seats, each party's and region's seats within "
        "one seat of its share, committees in proportion, and the per-pair tie densities "
        "divided by N/300 so that a member keeps about as many ties as in the base "
        "(docs/performance.md). Run it with: relocsim run --scenario FILE.",
    )
    p.add_argument(
        "--lawmakers",
        type=int,
        required=True,
        metavar="N",
        help="seats of the Assembly (the base has 300; at most 3000, the loader's bound)",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="the scenario file to write (TOML)")
    p.set_defaults(handler=scale_command)


def scale_command(args) -> int:
    """Handle ``relocsim scale``: a bad argument is one line and exit 2, nothing written."""
    from sim.scale import ScaleError, write_scaled

    try:
        data = write_scaled(args.lawmakers, args.out)
    except ScaleError as err:
        print(f"relocsim scale: --{err.argument}: expected {err.expected}, got {err.got}",
              file=sys.stderr)  # fmt: skip
        return 2
    seats = ", ".join(f"{p['code']} {p['seats']}" for p in data["parties"])
    print(f"wrote {args.out}: {data['name']}, {args.lawmakers} lawmakers ({seats})")
    return 0


def add_dashboard_command(commands) -> None:
    """Register ``relocsim dashboard``."""
    p = commands.add_parser(
        "dashboard",
        help="serve the teaching dashboard in the browser",
        description="Serve the teaching dashboard, a Solara page run by Mesa's controller "
        "(docs/dashboard.md), on this "
        "machine and print its address. It listens on 127.0.0.1 only unless --host says "
        "otherwise. Needs the dashboard extra: pip install 'relocsim[dashboard]'.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default: %(default)s, this machine only)",
    )
    p.add_argument(
        "--port", type=int, default=8765, help="port (default: %(default)s; 0 picks a free one)"
    )
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.set_defaults(handler=dashboard_command)


def dashboard_command(args) -> int:
    """Handle ``relocsim dashboard``: check the address, then run Solara's server in-process."""
    import socket
    import subprocess

    prog = "relocsim dashboard"
    if not 0 <= args.port <= 65535:
        print(f"{prog}: --port must be 0-65535, got {args.port}", file=sys.stderr)
        return 2
    try:  # free, and ours to take? (also turns --port 0 into a free port)
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((args.host, args.port))
            port = probe.getsockname()[1]
    except OSError as err:
        reason = err.strerror or str(err)
        print(f"{prog}: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 2
    # Solara reads its settings when first imported: no usage reports, no version check, and
    # no "This website runs on Solara" banner, which would sit over the bottom-right view.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    try:  # imported here: `relocsim run` stays fast and works without the dashboard extra
        from click.exceptions import Abort
        from solara.__main__ import cli as solara_cli

        from sim import app
    except ImportError as err:
        print(
            f"{prog}: needs the dashboard extra ({(err.name or '?').split('.')[0]} is missing): "
            "pip install 'relocsim[dashboard]'",
            file=sys.stderr,
        )
        return 2
    try:
        fetched = app.fetch_web_assets()  # once; without them the page needs the Internet
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
        print(f"{prog}: browser files not cached ({err}); the page will fetch them online")
    else:
        if fetched:
            print(f"{prog}: cached the browser files {', '.join(fetched)}")
    if args.host in ("0.0.0.0", "::"):
        print(f"{prog}: warning: --host {args.host} serves every network interface")
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"{prog}: serving http://{shown}:{port}/ (Ctrl-C stops it)", flush=True)
    options = ["--host", args.host, "--port", str(port), "--production", "--no-check-version"]
    options.append("--no-open" if args.no_browser else "--open")
    try:
        solara_cli.main(["run", "sim.app", *options], prog_name=prog, standalone_mode=False)
    except (KeyboardInterrupt, Abort):
        # uvicorn shuts down on Ctrl-C, then raises SIGINT again once it has; click turns
        # that KeyboardInterrupt into Abort, which is a normal stop here, not an error.
        pass
    print(f"{prog}: stopped")
    return 0
