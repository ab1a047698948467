"""``relocsim sweep``: the command-line face of experiments.sweep.

Registered through the entry-point group ``relocsim.commands`` (see pyproject.toml), so that
``sim`` never imports this package. Exit codes: 0 when every run finished, 1 when any run
failed (the failures are in the store), 2 for bad input (nothing is written), 130 when
interrupted (what was stored stays; continue with --resume).
"""

import argparse
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
        type=_positive,
        metavar="N",
        help="worker processes (default: all cores; 1 runs in this process)",
    )
    p.add_argument(
        "--backend",
        choices=("local",),
        default="local",
        help="where runs execute (default: %(default)s, a process pool on this machine)",
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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def sweep_command(args) -> int:
    """Handle ``relocsim sweep``."""
    from experiments.store import read_ledger  # imported here: `relocsim --help` stays fast
    from experiments.sweeper import sweep

    try:
        summary = sweep(
            args.experiment,
            args.out,
            workers=args.workers,
            backend=args.backend,
            resume=args.resume,
            chunk_size=args.chunk_size,
        )
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
