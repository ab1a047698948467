"""``relocsim calibrate`` and ``relocsim validate --library``: the library on the command line.

``calibrate`` runs the calibration design (experiments/calibration.py) on every case under
every rung (the null models and the alternative mechanisms) and prints the posterior.
``validate --library`` reads those stores (running what is missing first), scores every case
out of sample, prints the ladder and judges the targets of the validation file's
``[library]`` table: exit 1 when one is missed. Both resume where an interrupted run stopped.
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

from experiments.calibration import (
    DEFAULT_OUT,
    complete,
    folder,
    load_calibration,
    load_evidence,
    pairs_plot,
    posterior,
    run_design,
)
from experiments.library import RUNGS, cross_validate, events_by_rung, judge, ladder, paired

FIGURE = "figures/calibration_pairs.png"  # beside the doc


def add_calibrate_command(commands, workers) -> None:
    """Register ``relocsim calibrate``; ``workers`` parses --workers (bounded, as sweep's)."""
    p = commands.add_parser(
        "calibrate",
        help="history matching of every case of the library on one Sobol design",
        description="Run the Sobol design of FILE (default: the shipped "
        "experiments/calibration.toml) on every case of the library (relocsim cases), under "
        "the full model, each null model and each alternative mechanism, one resumable store "
        "each under DIR/<model>/<case>"
        "; then print the posterior: the settings that no case's truth rules out, per "
        "parameter, and write their pairs plot to DIR/pairs.png. relocsim validate --library "
        "reuses the stores. FILE's optional [overrides] table sets parameters in every run: "
        "to judge a mechanism option on the same design, run it into another DIR and pair the "
        "two with validate --library --against. Exit codes: 0 done, 2 bad input, 130 "
        "interrupted (continue with --resume).",
    )
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="calibration file (TOML)")
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help="folder of the stores; an earlier calibration's are replaced unless --resume "
        "(default: %(default)s)",
    )
    p.add_argument("--workers", type=workers, metavar="N", help="worker processes, at most 1024")
    p.add_argument(
        "--resume", action="store_true", help="continue the stores of an interrupted calibration"
    )
    add_rung_options(
        p,
        full_only="run the full model only, not the nulls and alternatives (validate --library "
        "needs them all; validate --library --full-only scores these alone)",
        rungs="run the full model and these rungs only, say the ties' two nulls on another "
        "design; with --resume, adds them to an earlier calibration's folder",
    )
    add_master_seed(p, "")
    p.set_defaults(handler=calibrate_command)


RUNG_FOLDERS = {folder(name): name for name in RUNGS if name != "full model"}
"""The rungs that ``--rungs`` can name, by their folders' names (no spaces to quote)."""


def add_rung_options(parser, full_only: str, rungs: str) -> None:
    """The exclusive ``--full-only`` and ``--rungs`` options, with their help texts."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--full-only", action="store_true", help=full_only)
    group.add_argument(
        "--rungs",
        type=rung,
        nargs="+",
        metavar="NAME",
        help=f"{rungs}; NAME is one of {', '.join(RUNG_FOLDERS)}",
    )


def rung(text: str) -> str:
    """A rung named by its folder, say ``rewired_ties`` (argparse type)."""
    if text not in RUNG_FOLDERS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(RUNG_FOLDERS)}, got {text!r}")
    return RUNG_FOLDERS[text]


def chosen_rungs(args) -> dict[str, dict]:
    """The rungs asked for, in the ladder's order: by default every one.

    With ``--full-only``, the full model's alone; with ``--rungs``, the full model's and those.
    """
    if not (args.full_only or args.rungs):
        return RUNGS
    wanted = {"full model", *(args.rungs or ())}
    return {name: switches for name, switches in RUNGS.items() if name in wanted}


def add_master_seed(parser, only: str) -> None:
    """The ``--master-seed`` option of ``calibrate`` and of ``validate --library``."""
    parser.add_argument(
        "--master-seed",
        type=seed,
        metavar="N",
        help=f"{only}another Sobol design: replaces the calibration file's master_seed, to "
        "measure how much the design moves the scores (give calibrate and validate the same "
        "N, a separate --out, and validate --no-docs)",
    )


def seed(text: str) -> int:
    """A master seed: a non-negative integer (argparse type)."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return int(text)


def calibrate_command(args) -> int:
    """Handle ``relocsim calibrate``."""
    spec = load_calibration(args.file, args.master_seed)  # checked before anything runs
    rungs = chosen_rungs(args)
    try:
        run_design(spec, rungs, out_dir=args.out, workers=args.workers, resume=args.resume)
    except KeyboardInterrupt:
        return interrupted("calibrate", args.out)
    evidence = load_evidence(spec, "full model", out_dir=args.out, switches=rungs["full model"])
    result = cross_validate(evidence, spec)
    _print_posterior(spec, result)
    print(f"wrote {pairs_plot(spec, result.kept, args.out / 'pairs.png')}")
    return 0


def counterfactuals_refused(args) -> bool:
    """Say so in one line, and return True, when ``--library`` is given ``--counterfactuals``."""
    if args.counterfactuals:
        print(
            "relocsim validate: --library scores the case library; it takes no --counterfactuals",
            file=sys.stderr,
        )
    return args.counterfactuals


def against_refused(spec, against: Path) -> bool:
    """Say so in one line, and return True, when ``against`` lacks the design's full model."""
    if complete(spec, ["full model"], out_dir=against):
        return False
    print(f"relocsim validate: --against: expected a folder holding the full model's "
          f"complete runs of this design (calibrate --full-only with the same file and "
          f"master seed), got {against}", file=sys.stderr)  # fmt: skip
    return True


def design_ladder(spec, out: Path, wanted: dict[str, dict], workers) -> tuple[dict, pd.DataFrame]:
    """``library.ladder`` of the design's stores in ``out``, running what is missing first."""
    if not complete(spec, wanted, out_dir=out):
        print(f"running the calibration design's missing runs into {out}", file=sys.stderr)
        run_design(spec, wanted, out_dir=out, workers=workers, resume=True)
    return ladder(spec, rungs=wanted, out_dir=out)


def _with_overrides(spec) -> str:
    """What the calibration file's ``[overrides]`` set in every run, or "" when none."""
    fixed = ", ".join(f"{path} = {value!r}" for path, value in spec.overrides.items())
    return f" (every run with {fixed})" if fixed else ""


def _print_posterior(spec, result) -> None:
    print(
        f"Settings not ruled out by any case: {len(result.kept)} of {spec.points} "
        f"(cut {result.cut:.2f}); events no setting matches, set aside: "
        f"{', '.join(result.set_aside) or 'none'}{_with_overrides(spec)}"
    )
    table = posterior(spec, result.kept).drop(columns="source")
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))


def interrupted(command: str, out: Path) -> int:
    """Say where the finished runs are and how to continue; the exit code of an interrupt."""
    print(
        f"relocsim {command}: interrupted; the finished runs are stored in {out}; "
        "continue with --resume",
        file=sys.stderr,
    )
    return 130


def _print_against(result, other, against: Path) -> None:
    """The full model against another's on the same design: a paired comparison, event by event.

    The other store holds the full model of the same calibration design, run with a mechanism
    changed (say, forced off in another checkout): common random numbers, so that the
    difference is the mechanism's and not the design's.

    Args:
        result: The full model's ``LibraryScores``.
        other: The other full model's, cross-validated on the same design.
        against: The other's folder, for the heading.
    """
    mean, lo, hi, moved = paired(result, other)
    print(
        f"\nAgainst the full model in {against}, out of sample on the same design: log score "
        f"there - here {mean:+.3f} [{lo:.3f}, {hi:.3f}] (> 0: this model is better). Binary "
        "events whose P moved by 0.05 or more (P here and there):"
    )
    moved = moved.rename(columns={"full": "here", "other": "there"})
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(moved.to_string(index=False) if len(moved) else "  none")


def library_command(args) -> int:
    """Handle ``relocsim validate --library``."""
    from experiments.library_report import doc_text, markdown_report, write_doc
    from experiments.validation_spec import load_library_targets

    if counterfactuals_refused(args):
        return 2
    targets = load_library_targets(args.file)  # checked before anything runs
    spec = load_calibration(args.calibration, args.master_seed)
    if args.against is not None and against_refused(spec, args.against):
        return 2
    # Read (and check) the other design's stores before anything is printed.
    other = load_evidence(spec, "full model", None, args.against) if args.against else None
    # The docs hold the whole ladder: a part of it writes none.
    wanted = chosen_rungs(args)
    text = doc_text(args.docs) if args.docs is not None and wanted == RUNGS else None
    out = args.out or DEFAULT_OUT
    try:
        rungs, table = design_ladder(spec, out, wanted, args.workers)
    except KeyboardInterrupt:
        return interrupted("validate", out)
    result = rungs["full model"]
    print(result)
    print(
        "\nNull-model ladder and alternative mechanisms, out of sample (binary events; log "
        "score - full > 0: the full model is better, with a 95% bootstrap interval over "
        "events; the full model must beat each null, not the alternatives):"
    )
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    print()
    _print_posterior(spec, result)
    if other is not None:
        _print_against(result, cross_validate(other, spec), args.against)
    verdicts = judge(result, table, targets)
    if text is not None:
        figure = pairs_plot(spec, result.kept, args.docs.parent / FIGURE)
        found = posterior(spec, result.kept)
        block = markdown_report(
            result, table, verdicts, found, FIGURE,
            "relocsim validate --library" + _with_overrides(spec),
            events_by_rung(rungs),
        )  # fmt: skip
        write_doc(args.docs, text, block)
        print(f"wrote {args.docs}, {figure}")
    print("\nTargets (experiments/validation.toml, [library]):")
    for line, met in verdicts:
        print(f"  {'met   ' if met else 'MISSED'}  {line}")
    print(f"runs stored in {out}")
    return 0 if all(met for _, met in verdicts) else 1
