"""``relocsim sweep``, ``verify``, ``report``, ``export``, ``validate``: experiments in a shell.

Registered through the entry-point group ``relocsim.commands`` (see pyproject.toml), so that
``sim`` never imports this package. Exit codes: 0 when every run finished, 1 when any run
failed (the failures are in the store) or the store could not be written (a full disk: what
was stored stays), 2 for bad input (nothing is written), 130 when interrupted (what was stored
stays; continue with --resume).
"""

import argparse
import contextlib
import sys
from pathlib import Path


def add_sweep_command(commands) -> None:
    """Register ``relocsim sweep`` on the CLI's subparsers object."""
    p = commands.add_parser(
        "sweep",
        help="run a batch experiment into a resumable store",
        description="Run every run of an experiment (scenario, factors, design, replicates, "
        "master seed) and store the results in OUT: Parquet parts under runs/ (and series/), "
        "a SQLite ledger and a manifest. Load them with experiments.load_results(OUT) or "
        "pandas.read_parquet('OUT/runs').",
    )
    p.add_argument(
        "experiment",
        metavar="EXPERIMENT",
        help="experiment file (TOML), or a shipped experiment's name such as election_timing",
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="the store's folder")
    p.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="worker processes, at most 1024 (default: all cores; 1 runs in this process)",
    )
    p.add_argument(
        "--backend",
        choices=("local", "dask"),
        default="local",
        help="where runs execute (default: %(default)s, a process pool on this machine; "
        "dask: dask.distributed, from the extra relocsim[dask])",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --backend dask: a running Dask scheduler (default: a LocalCluster of "
        "--workers processes, 2 unless given)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue this experiment's store in DIR, skipping the runs it has",
    )
    p.add_argument(
        "--chunk-size", type=_positive, metavar="N", help="runs per task (default: automatic)"
    )
    p.set_defaults(handler=sweep_command)
    add_verify_command(commands)
    add_report_command(commands)  # report, export and validate share the plugin's entry point
    add_export_command(commands)
    add_validate_command(commands)
    from experiments.calibration_cli import add_calibrate_command

    add_calibrate_command(commands, _workers)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _workers(text: str) -> int:
    from experiments.sweeper import MAX_WORKERS

    value = _positive(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_WORKERS}, got {text!r}")
    return value


def sweep_command(args) -> int:
    """Handle ``relocsim sweep``."""
    from experiments.store import StoreWriteError, read_ledger  # here: `--help` stays fast
    from experiments.sweeper import sweep

    if args.scheduler is not None and args.backend != "dask":
        print("relocsim sweep: --scheduler: expected with --backend dask", file=sys.stderr)
        return 2
    try:
        summary = sweep(
            args.experiment,
            args.out,
            workers=args.workers,
            backend=args.backend,
            scheduler=args.scheduler,
            resume=args.resume,
            chunk_size=args.chunk_size,
        )
    except ImportError as err:  # --backend dask without relocsim[dask]
        print(f"relocsim sweep: {err}", file=sys.stderr)
        return 2
    except StoreWriteError as err:  # a full disk: what was stored stays, --resume continues
        print(f"relocsim sweep: --out {args.out}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stored = len(read_ledger(args.out)) if (args.out / "manifest.json").is_file() else 0
        print(
            f"relocsim sweep: interrupted; {stored} runs are stored in {args.out}; "
            "continue with --resume",
            file=sys.stderr,
        )
        return 130
    print(summary)
    if summary.failed:
        print(f"first failure: {summary.first_error}")
        return 1
    return 0


def add_verify_command(commands) -> None:
    """Register ``relocsim verify`` on the CLI's subparsers object."""
    p = commands.add_parser(
        "verify",
        help="check a sweep store: ledger against parts, row counts, readable parts, manifest",
        description="Check that a sweep store tells the truth: a readable manifest and ledger, "
        "every part the ledger names on disk, readable, of the store's columns and holding the "
        "runs the ledger says, and no part the ledger does not name. Prints one line per "
        "problem and the command that repairs the store; exit 1 if anything is wrong.",
    )
    p.add_argument("store", type=Path, metavar="DIR", help="the sweep's store (its --out)")
    p.set_defaults(handler=verify_command)


def verify_command(args) -> int:
    """Handle ``relocsim verify``."""
    from experiments.integrity import repair_command, store_problems
    from experiments.store import read_ledger, read_manifest

    try:
        with _store_errors():
            problems = store_problems(args.store)
    except OSError as err:  # cannot be read here and now: not a verdict on the store
        print(f"relocsim verify: {err}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"{args.store / problem}")
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        print(f"{count}; repair: {repair_command(args.store)}")
        return 1
    planned = read_manifest(args.store)["counts"]["runs"]
    ledger = read_ledger(args.store)
    todo = "" if len(ledger) == planned else " (the rest: the same sweep with --resume)"
    print(
        f"{args.store}: sound; {len(ledger)} of {planned} runs stored in "
        f"{ledger['part'].nunique()} parts{todo}"
    )
    return 0


def add_report_command(commands) -> None:
    """Register ``relocsim report`` on the CLI's subparsers object."""
    p = commands.add_parser(
        "report",
        help="figures and a summary table of a sweep store",
        description="Write figures (PNG and SVG) and summary tables (CSV) of a sweep store into "
        "DIR/report, and print the summary: P(blueprint before the election) with Wilson "
        "intervals per factor level and pair of factors, the spread of blueprint dates around "
        "the election, Sobol or Morris indices, and PRIM boxes.",
    )
    p.add_argument("store", type=Path, metavar="DIR", help="the sweep's store (its --out)")
    p.add_argument(
        "--election",
        default="presidential_2022",
        metavar="CODE",
        help="the election that 'before' refers to (default: %(default)s)",
    )
    p.add_argument(
        "--figures", type=Path, metavar="FOLDER", help="where to write (default: DIR/report)"
    )
    p.set_defaults(handler=report_command)


def report_command(args) -> int:
    """Handle ``relocsim report``."""
    from experiments.reporting import report

    try:
        with _store_errors():
            result = report(args.store, election=args.election, figures_dir=args.figures)
    except OSError as err:  # e.g. a full disk
        return _not_written("report", err)
    print(result)
    print(f"wrote {len(result.files)} files to {result.files[0].parent}")
    return 0


def add_export_command(commands) -> None:
    """Register ``relocsim export`` on the CLI's subparsers object."""
    p = commands.add_parser(
        "export",
        help="a sweep store's runs as one CSV table (BehaviorSpace table layout)",
        description="Write the runs of a sweep store as one CSV table in the layout of NetLogo "
        "BehaviorSpace's table output (see docs/experiments.md).",
    )
    p.add_argument("store", type=Path, metavar="DIR", help="the sweep's store (its --out)")
    p.add_argument("--csv", action="store_true", required=True, help="CSV (the only format)")
    p.add_argument("--out", type=Path, metavar="FILE", help="file to write (default: stdout)")
    p.set_defaults(handler=export_command)


def export_command(args) -> int:
    """Handle ``relocsim export``."""
    from experiments.export import export_csv, write_stdout

    try:
        with _store_errors():
            text = export_csv(args.store, args.out)
    except OSError as err:  # e.g. --out under a file, or a full disk: the file is not written
        return _not_written("export", err)
    if args.out is None:
        write_stdout(text)
    return 0


def _not_written(command: str, err: OSError) -> int:
    """One line for an output that could not be written; exit code 1."""
    from sim.folders import reason

    where = f" {err.filename}" if err.filename else ""
    print(f"relocsim {command}: could not write{where} ({reason(err)})", file=sys.stderr)
    return 1


def add_validate_command(commands) -> None:
    """Register ``relocsim validate`` on the CLI's subparsers object."""
    p = commands.add_parser(
        "validate",
        help="historical cases against their truth (Brier score), and counterfactuals",
        description="Run each historical case of FILE (default: the shipped "
        "experiments/validation.toml) for N seeds, print the predicted probability of each "
        "event against its truth, the Brier score and whether the targets are met; with "
        "--counterfactuals, also the counterfactuals against their baselines. Rewrites the "
        "generated part of the doc (between its validate markers) and its figures. Exit codes: "
        "0 when it ran (even if a target is MISSED), 1 when runs failed, 2 for bad input. "
        "With --library, the case library instead: every case predicted out of sample from "
        "the calibration's stores (relocsim calibrate; what is missing runs first), the "
        "null-model ladder beside the alternative mechanisms, and the targets of FILE's "
        "[library] table: exit 1 when one is missed. Its tables and pairs plot replace the "
        "part of the doc between its library markers.",
    )
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="validation file (TOML)")
    p.add_argument(
        "--seeds",
        type=_positive,
        default=200,
        metavar="N",
        help="seeded runs per case and per counterfactual arm (default: %(default)s)",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="worker processes (default: all cores; 1 runs in this process)",
    )
    p.add_argument(
        "--counterfactuals", action="store_true", help="also run and report the counterfactuals"
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder of the runs' stores, one per case and arm; stores of an earlier "
        "validation there are replaced (default: results/validation; with --library, the "
        "calibration's, results/calibration, reused)",
    )
    docs = p.add_mutually_exclusive_group()
    docs.add_argument(
        "--docs",
        type=Path,
        default=Path("docs/validation.md"),
        metavar="PATH",
        help="Markdown file to update between its validate markers, with figures in "
        "figures/ next to it (default: %(default)s)",
    )
    docs.add_argument(
        "--no-docs", dest="docs", action="store_const", const=None, help="write no doc or figure"
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the stores in DIR of an interrupted validation (same file and seeds)",
    )
    p.add_argument(
        "--library",
        action="store_true",
        help="instead, score every case of the library (relocsim cases) against its dated "
        "truth out of sample (leave one case out), with the null-model ladder and the "
        "alternative mechanisms",
    )
    p.add_argument(
        "--calibration",
        type=Path,
        metavar="FILE",
        help="with --library: the calibration file (default: experiments/calibration.toml)",
    )
    from experiments.calibration_cli import add_master_seed, add_rung_options, seed

    add_master_seed(p, "with --library: ")
    p.add_argument(
        "--designs",
        type=seed,
        nargs="+",
        metavar="N",
        help="with --library: score several designs (each run by calibrate --master-seed N "
        "--out DIR) side by side and pool the ladder's comparisons, and --against's, over "
        "them: --out (and --against) name each design's folder with {} for its master seed, "
        "say results/design_{}; writes no doc or figure",
    )
    add_rung_options(
        p,
        full_only="with --library: score the full model alone, against the base rate (the "
        "stores of calibrate --full-only, say for another --master-seed); writes no doc or "
        "figure",
        rungs="with --library: score the full model and these rungs only (the stores of "
        "calibrate --rungs); writes no doc or figure",
    )
    p.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="with --library: also compare the full model, event by event, with the full model "
        "stored in DIR for the same design (calibrate --full-only --out DIR, with a mechanism "
        "changed): the paired log-score difference with its 95%% interval, and the events "
        "whose P moved",
    )
    p.add_argument(
        "--case",
        metavar="NAME",
        help="instead, run one case of the library for --seeds runs in this process, at the "
        "scenario's parameters, and print every truth event's prediction, the decision dates "
        "(median and 90%% interval), the blueprints by quarter and each region's wins against "
        "its bids; writes nothing",
    )
    p.set_defaults(handler=validate_command)


CASE_MASTER_SEED = 20200720  # the Season 2 start date, as a number, as in calibration.toml


def case_command(args) -> int:
    """Handle ``relocsim validate --case NAME``."""
    from experiments.case_check import check_case, report
    from sim.truth import library

    if args.case not in library():
        print(f"relocsim validate: --case: expected a case of the library, one of: "
              f"{', '.join(library())}; got {args.case!r}", file=sys.stderr)  # fmt: skip
        return 2
    print(report(check_case(args.case, args.seeds, CASE_MASTER_SEED)))
    return 0


def validate_command(args) -> int:
    """Handle ``relocsim validate``."""
    from experiments.validation import validate

    if args.library and args.designs:
        from experiments.designs_cli import designs_command

        return designs_command(args)
    if args.library:
        from experiments.calibration_cli import library_command

        return library_command(args)
    if args.case:
        return case_command(args)
    library_only = {
        "--calibration": args.calibration is not None,
        "--master-seed": args.master_seed is not None,
        "--designs": args.designs is not None,
        "--full-only": args.full_only,
        "--rungs": args.rungs is not None,
        "--against": args.against is not None,
    }
    for option in (option for option, given in library_only.items() if given):
        print(f"relocsim validate: {option} needs --library", file=sys.stderr)
        return 2
    args.out = args.out or Path("results/validation")
    try:
        result = validate(
            args.file,
            seeds=args.seeds,
            workers=args.workers,
            counterfactuals=args.counterfactuals,
            out_dir=args.out,
            docs=args.docs,
            resume=args.resume,
        )
    except KeyboardInterrupt:
        print(
            f"relocsim validate: interrupted; the finished runs are stored in {args.out}; "
            "continue with --resume",
            file=sys.stderr,
        )
        return 130
    print(result)
    if result.files:
        print("wrote " + ", ".join(str(f) for f in result.files))
    print(f"ran in {result.seconds:.1f} s; runs stored in {result.out_dir}")
    return 1 if result.failed else 0


@contextlib.contextmanager
def _store_errors():
    """Blame DIR, not --out, for a folder that is not a store (the store's reader says --out)."""
    from sim import ScenarioError

    try:
        yield
    except ScenarioError as err:
        if err.file != "--out":
            raise
        raise ScenarioError("DIR", err.path, err.expected, err.got) from None
