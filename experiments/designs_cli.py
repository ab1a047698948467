"""``relocsim validate --library --designs N ...``: the library scored on several designs.

One calibration design's out-of-sample scores move with the settings it happened to draw
(docs/validation.md: the design noise), often by more than a mechanism does. So a mechanism,
or the ladder's nulls, are judged on several designs, each run by ``relocsim calibrate
--master-seed N --out DIR``. This scores each design as ``validate --library`` does, prints the
designs side by side, and pools each comparison with the full model over them
(``library.pooled_difference``): the ladder's rungs, and with ``--against`` the full model of
another folder. Each design's folder is ``--out`` with ``{}`` replaced by its master seed.
"""

import sys
from pathlib import Path

import pandas as pd

from experiments.calibration import DEFAULT_OUT, load_calibration, load_evidence
from experiments.calibration_cli import (
    against_refused,
    chosen_rungs,
    counterfactuals_refused,
    design_ladder,
    interrupted,
)
from experiments.library import (
    BASE_RATE,
    NULLS,
    SAMPLES,
    base_rate,
    cross_validate,
    judge,
    out_of_sample_binary,
    pooled_difference,
)

SEED = "{}"  # in a folder template, the design's master seed


def folder_of(template: Path, seed: int) -> Path:
    """The folder of one design: ``template`` with ``{}`` replaced by its master seed."""
    return Path(str(template).replace(SEED, str(seed)))


def designs_command(args) -> int:
    """Handle ``relocsim validate --library --designs``."""
    from experiments.validation_spec import load_library_targets

    if counterfactuals_refused(args) or _refused(args):
        return 2
    targets = load_library_targets(args.file)
    specs = {seed: load_calibration(args.calibration, seed) for seed in args.designs}
    against = {seed: folder_of(args.against, seed) for seed in specs} if args.against else {}
    if any(against_refused(specs[seed], folder) for seed, folder in against.items()):
        return 2
    # Read (and check) the other folders' stores before anything runs or is printed.
    others = {seed: load_evidence(specs[seed], "full model", None, folder)
              for seed, folder in against.items()}  # fmt: skip
    scored = {}
    for seed, spec in specs.items():
        out = folder_of(args.out or DEFAULT_OUT, seed)
        try:
            scored[seed] = design_ladder(spec, out, chosen_rungs(args), args.workers)
        except KeyboardInterrupt:
            return interrupted("validate", out)
    full = {seed: rungs["full model"] for seed, (rungs, _) in scored.items()}
    print("The full model out of sample, design by design (its master seed):\n")
    _print(design_table(full), "{:.3f}")
    if not args.full_only:
        print(
            "\nNull-model ladder and alternative mechanisms, pooled over the designs (log score "
            "- full > 0: the full model is better; pooled: the mean over designs, with a 95% "
            "bootstrap interval over events, the same events in every design):\n"
        )
        pooled = pooled_ladder({seed: rungs for seed, (rungs, _) in scored.items()})
        _print(pooled)
    if others:
        print(f"\nAgainst the full model in {args.against} (log score there - here > 0: this "
              "model is better), by design and pooled:\n")  # fmt: skip
        others = {seed: cross_validate(evidence, specs[seed]) for seed, evidence in others.items()}
        _print(pooled_against(full, others))
    verdicts = [
        (f"{seed}: {line}", met)
        for seed, (rungs, table) in scored.items()
        for line, met in judge(rungs["full model"], table, targets)
    ]
    if targets.beat_every_null and not args.full_only:
        for _, row in pooled[pooled.model.isin(NULLS) | (pooled.model == BASE_RATE)].iterrows():
            verdicts.append((f"pooled: beats {row.model} (log score - full {row.pooled:+.3f} "
                             f"over {len(scored)} designs)", row.pooled > 0))  # fmt: skip
    print("\nTargets (experiments/validation.toml, [library]), design by design and pooled:")
    for line, met in verdicts:
        print(f"  {'met   ' if met else 'MISSED'}  {line}")
    return 0 if all(met for _, met in verdicts) else 1


def design_table(full: dict) -> pd.DataFrame:
    """One row per design: the full model's out-of-sample scores and its worst event.

    Args:
        full: Each design's (master seed's) full-model ``LibraryScores``.
    """
    rows = []
    for seed, result in full.items():
        binary = out_of_sample_binary(result)
        worst = binary.loc[binary.brier.idxmax()]
        summary = result.summary.set_index("sample").loc[SAMPLES["out"]]
        rows.append(
            {
                "design": seed,
                "Brier": binary.brier.mean(),
                "log score": binary.log.mean(),
                "decision CRPS": summary["decision CRPS"],
                "destination log": summary["destination log"],
                "worst (P - truth)^2": worst.brier,
                "worst event": f"{worst.case}: {worst.event} (P = {worst.p:.2f})",
                "settings kept": len(result.kept),
            }
        )
    return pd.DataFrame(rows)


def pooled_ladder(scored: dict) -> pd.DataFrame:
    """Each rung against the full model, design by design and pooled over the designs.

    Args:
        scored: Each design's (master seed's) scores by rung (``library.ladder``'s first
            result); every design has the same rungs.

    Returns:
        One row per rung and the base rate: its log score minus the full model's on each
        design, their mean over designs, its 95% interval, and on how many designs the full
        model is ahead (the difference > 0).
    """
    full = {seed: out_of_sample_binary(rungs["full model"]) for seed, rungs in scored.items()}
    names = [name for name in next(iter(scored.values())) if name != "full model"]
    rows = []
    for name in [*names, BASE_RATE]:
        pairs = {
            seed: (full[seed], base_rate(full[seed]) if name == BASE_RATE
                   else out_of_sample_binary(scored[seed][name]))
            for seed in scored
        }  # fmt: skip
        rows.append({"model": name, **_pooled_row(pairs)})
    return pd.DataFrame(rows)


def pooled_against(full: dict, others: dict) -> pd.DataFrame:
    """The other folder's full model against this one's, by design and pooled (one row)."""
    pairs = {seed: (out_of_sample_binary(full[seed]), out_of_sample_binary(others[seed]))
             for seed in others}  # fmt: skip
    return pd.DataFrame([{"model": "there - here", **_pooled_row(pairs)}])


def _pooled_row(pairs: dict) -> dict:
    """The difference on each design, pooled, with its interval and how many designs are > 0."""
    mean, lo, hi = pooled_difference(list(pairs.values()))  # checks the events first
    row = {str(seed): (other.log - full.log).mean() for seed, (full, other) in pairs.items()}
    ahead = sum(value > 0 for value in row.values())
    return {**row, "pooled": mean, "95% interval": f"[{lo:.3f}, {hi:.3f}]",
            "> 0 on": f"{ahead} of {len(row)} designs"}  # fmt: skip


def _refused(args) -> bool:
    """Say in one line, and return True, what is wrong with ``--designs`` and its folders."""
    problem = None
    if args.master_seed is not None:
        problem = "--master-seed: give every design's master seed in --designs instead"
    elif len(set(args.designs)) < len(args.designs):
        problem = f"--designs: expected distinct master seeds, got {args.designs}"
    elif len(args.designs) > 1:
        for option, folder in (("--out", args.out or DEFAULT_OUT), ("--against", args.against)):
            if folder is not None and SEED not in str(folder):
                problem = (
                    f"{option}: expected a folder with {SEED} where each design's "
                    f"master seed goes (say results/design_{SEED}), got {folder}"
                )
                break
    if problem:
        print(f"relocsim validate: {problem}", file=sys.stderr)
    return problem is not None


def _print(table: pd.DataFrame, number: str = "{:+.3f}") -> None:
    with pd.option_context("display.width", 250, "display.float_format", number.format):
        print(table.to_string(index=False))
