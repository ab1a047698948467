"""``relocsim export DIR --csv``: a store's runs as one table in BehaviorSpace's "table" layout.

NetLogo BehaviorSpace's table output is a CSV file, every field quoted, with six header lines
and then one row per run and measured step::

    "BehaviorSpace results (NetLogo 6.4.0)","Table version 2.0"
    "/path/to/Model.nlogo"
    "experiment name"
    "11/27/2026 12:30:11:000 +0000"
    "min-pxcor","max-pxcor","min-pycor","max-pycor"
    "-16","16","-16","16"
    "[run number]","factor 1","factor 2","[step]","metric 1","metric 2"
    "1","0.4","0.3","100","57","true"

Our mapping (docs/experiments.md): line 1 names relocsim and its version; line 2 the scenario
file; line 3 the experiment's name; line 4 the store's creation time from its manifest, in
BehaviorSpace's date format (so one store always exports the same bytes); lines 5-6, where
NetLogo puts the world's size, the scenario's start and horizon. Then ``[run number]`` (1-based,
in design order: point, then replicate), one column per factor, ``[step]`` (the weekly ticks
the run simulated, i.e. its final tick: outcomes are measured once, at the end), then
``seed``, ``status``, ``error`` and every outcome column. Booleans are written ``true`` and
``false`` as NetLogo does, a missing value as an empty field. Failed runs are kept, with
their error, as failures are data.
"""

import csv
import io
import math
import os
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.integrity import require_sound
from experiments.store import _write_text_atomically, load_results, read_manifest

# Columns that are not outcomes, or appear elsewhere in the BehaviorSpace layout.
_LEADING = ("run_id", "point", "replicate", "seed", "status", "error")


def export_csv(out_dir: str | os.PathLike, file: str | os.PathLike | None = None) -> str:
    """The store's runs as BehaviorSpace table CSV text; also written to ``file`` if given.

    Raises:
        ScenarioError: If out_dir is not a sound sweep store (one line, naming the repair).
        OSError: If ``file`` cannot be written; then nothing of it is.
    """
    require_sound(out_dir)
    manifest = read_manifest(out_dir)
    table = load_results(out_dir)
    factors = list(manifest["design"]["factors"])
    outcomes = [c for c in table.columns if c not in (*_LEADING, *factors, "weeks")]
    experiment = manifest["experiment"]
    replicates = int(experiment["replicates"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(
        [f"BehaviorSpace results (relocsim {manifest.get('relocsim')})", "Table version 2.0"]
    )
    writer.writerow([manifest["scenario"]["file"]])
    writer.writerow([experiment["name"]])
    writer.writerow([_when(manifest.get("created"))])
    writer.writerow(["scenario", "start", "horizon"])
    setting = _setting(manifest)
    writer.writerow([manifest["scenario"]["name"], *setting])
    writer.writerow(["[run number]", *factors, "[step]", "seed", "status", "error", *outcomes])
    for row in table.itertuples(index=False):
        values = dict(zip(table.columns, row, strict=True))
        number = int(values["point"]) * replicates + int(values["replicate"]) + 1
        writer.writerow(
            [
                number,
                *(_cell(values[f]) for f in factors),
                _cell(values["weeks"]),
                _cell(values["seed"]),
                _cell(values["status"]),
                _cell(values["error"]),
                *(_cell(values[c]) for c in outcomes),
            ]
        )
    text = buffer.getvalue()
    if file is not None:
        _write_text_atomically(Path(file), text)  # whole, or not at all (a full disk)
    return text


def _setting(manifest: dict) -> list[str]:
    from experiments.reporting import _scenario

    setting = _scenario(manifest)
    return [setting.start.isoformat(), setting.horizon.isoformat()]


def _when(created: str | None) -> str:
    if not created:
        return ""
    moment = datetime.fromisoformat(created)
    return (
        moment.strftime("%m/%d/%Y %H:%M:%S:")
        + f"{moment.microsecond // 1000:03d}"
        + (moment.strftime(" %z") if moment.tzinfo else "")
    )


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_stdout(text: str) -> None:
    """Write the export to standard output."""
    sys.stdout.write(text)
