"""Benchmark: our sweep against mesa.batch_run, runs per second and peak memory, side by side.

A script, not a test: timings on shared machines are noisy, so it prints medians over repeated
runs and asserts nothing. Usage::

    python benchmarks/bench_sweep.py                        # sizes 1000,20000; 3 repeats
    python benchmarks/bench_sweep.py --sizes 100,300 --repeats 1    # a quick check

The design. One full-factorial experiment over ``parameters.timing.blame_weight`` at four
levels on the default scenario, with replicates to reach each size, is written once per size
as an experiment file in a temporary folder. Both tools read that same file: our sweep takes it
as it is (``experiments.sweep``, local backend, ``--workers`` processes); ``mesa.batch_run``
gets the same factor levels, the same fixed overrides, one seed per replicate and the same
number of processes, and runs an adapter model (``BatchRunModel`` below: the relocation model,
built from the scenario with the same overrides, that stops at the scenario's horizon, so that
``max_steps`` is the same number of weekly ticks). The seeds differ in form (batch_run gives
replicate ``r`` the same seed at every point; our sweep seeds every point and replicate
independently), the work per run does not, with one difference that belongs to the tools:
``batch_run`` reads its results from the model's DataCollector, so the model records its
weekly series, while our sweep keeps outcomes only (the experiment asks for no series), so its
runs record none (``series_every=0``; the outcome is the same).

Throughput is compared at the first size: each tool runs ``--repeats`` times, alternately, and
the table shows the median. Our sweep then runs once at every further size, for its peak
memory. Each case runs in a fresh subprocess of this script (``--case``), so that no case sees
another's imports, caches or pools (batch_run also forces the ``spawn`` start method for the
whole process), and the time is the wall time of the one call (``experiments.sweep`` or
``batch_run``), including its pool's start-up.

Peak memory. Inside each case a thread samples, every 50 ms, the resident set size (RSS, from
/proc/PID/statm) and the proportional set size (PSS, from /proc/PID/smaps_rollup) of the case
process and of all its descendants (found through the parent ids in /proc/*/stat: the pool's
workers, and for our sweep the forkserver and its children) and keeps the largest sums: "peak
MB" (RSS) and "PSS MB". RSS counts shared pages in every process, so its sum is an upper bound;
PSS shares each page among the processes that map it, so its sum counts it once (issue 14
compares tools by PSS). ``resource.getrusage`` is read too at the end of the case ("maxrss
MB": the case process's own peak plus the peak of its largest waited-for child); it misses
workers that are not yet reaped (forkserver children), so it is shown only as a cross-check.
"""

import argparse
import json
import os
import resource
import statistics
import tempfile
import threading
import time
import warnings
from pathlib import Path

SCENARIO = "season2_2020"
FACTOR = "parameters.timing.blame_weight"
LEVELS = (7.0, 14.0, 21.0, 28.0)
MASTER_SEED = 20220309
SAMPLE_SECONDS = 0.05
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# The batch_run adapter (module level, so that batch_run's spawned workers can unpickle it)
# --------------------------------------------------------------------------------------------

try:
    from bench_run import in_subprocess, int_list, positive_int

    import sim
    from sim.model import RelocationModel
    from sim.runner import weeks_in
except ImportError:  # pragma: no cover - run it with the project's venv
    raise SystemExit("bench_sweep: run with the project's venv (.venv/bin/python)") from None


class BatchRunModel(RelocationModel):
    """The relocation model as ``mesa.batch_run`` expects it: keyword parameters and a stop.

    Args:
        rng: The run's seed, from batch_run.
        scenario: The scenario's name or file.
        **params: Scenario overrides by dotted path (fixed ones and the factor's value).
    """

    def __init__(self, rng=None, scenario: str = SCENARIO, **params):
        setting = sim.load_scenario(scenario, params)
        super().__init__(setting, rng=rng)
        self.horizon_weeks = weeks_in(setting)

    def step(self) -> None:
        """One week; at the scenario's horizon the model stops, as ``sim.run`` does."""
        super().step()
        if self.steps >= self.horizon_weeks:
            self.running = False


# --------------------------------------------------------------------------------------------
# Memory: the process tree's RSS, sampled
# --------------------------------------------------------------------------------------------


def _tree_memory(root: int) -> tuple[int, int]:
    """Bytes of ``root`` and all its descendants now: (RSS, PSS), each summed over them.

    PSS (proportional set size, /proc/PID/smaps_rollup) divides each shared page among the
    processes that share it, so that the sum counts the forkserver's and the workers' shared
    pages once; the RSS sum counts them in each (an upper bound).
    """
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss += int(f.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += next(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024
        except (OSError, IndexError, ValueError, StopIteration):
            pass  # it ended between the scan and now
    return rss, pss


class PeakSampler:
    """Keeps the largest RSS and PSS of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = SAMPLE_SECONDS):
        self.interval, self.peak, self.peak_pss = interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        pid = os.getpid()
        while True:
            self._sample(pid)
            if self._stop.wait(self.interval):
                return

    def _sample(self, pid: int) -> None:
        rss, pss = _tree_memory(pid)
        self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(os.getpid())


# --------------------------------------------------------------------------------------------
# One case, in its own process
# --------------------------------------------------------------------------------------------


def _ours(design: str, workers: int, out: str) -> dict:
    import experiments

    experiment = experiments.load_experiment(design)
    t0 = time.perf_counter()
    summary = experiments.sweep(experiment, out, workers=workers, progress=False)
    seconds = time.perf_counter() - t0
    return {"runs": summary.done + summary.failed, "failed": summary.failed, "seconds": seconds}


def _batch_run(design: str, workers: int) -> dict:
    from mesa.batchrunner import batch_run

    import experiments

    experiment = experiments.load_experiment(design)
    parameters: dict = {"scenario": experiment.scenario}
    parameters.update({path: [value] for path, value in experiment.overrides.items()})
    parameters.update({f.path: list(f.levels) for f in experiment.factors})
    seeds = [
        experiments.run_seed(experiment.master_seed, 0, r) for r in range(experiment.replicates)
    ]
    steps = weeks_in(sim.load_scenario(experiment.scenario, experiment.overrides))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        rows = batch_run(
            BatchRunModel,
            parameters=parameters,
            number_processes=workers,
            max_steps=steps,
            data_collection_period=-1,
            display_progress=False,
            rng=seeds,
        )
        seconds = time.perf_counter() - t0
    notes = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})
    ticks = {row["Step"] for row in rows}
    return {
        "runs": len(rows),
        "failed": 0,
        "seconds": seconds,
        "warnings": notes,
        "steps": steps,
        "last_steps": sorted(ticks),
    }


def run_case(tool: str, design: str, workers: int, out: str) -> dict:
    """Run one case here and return its figures (printed as one JSON line by main)."""
    with PeakSampler() as sampler:
        try:
            result = _ours(design, workers, out) if tool == "ours" else _batch_run(design, workers)
        except Exception as error:  # report, do not crash the whole comparison
            result = {"error": f"{type(error).__name__}: {error}"}
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.update(
        peak_mb=sampler.peak / MB,
        pss_mb=sampler.peak_pss / MB,
        maxrss_mb=(own + kids) / 1024,  # KiB on Linux
    )
    return result


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------


def write_design(folder: Path, size: int) -> tuple[Path, int]:
    """The shared experiment file for about ``size`` runs; returns it and its exact runs."""
    replicates = max(1, -(-size // len(LEVELS)))
    levels = ", ".join(repr(v) for v in LEVELS)
    path = folder / f"bench_{size}.toml"
    path.write_text(
        f'title = "bench_sweep: {FACTOR} x {len(LEVELS)} levels, {replicates} replicates"\n'
        f'scenario = "{SCENARIO}"\n'
        f"replicates = {replicates}\n"
        f"master_seed = {MASTER_SEED}\n\n"
        f'[[factors]]\npath = "{FACTOR}"\nlevels = [{levels}]\n\n'
        f'[design]\nkind = "full_factorial"\n\n'
        f"[record]\nseries_every = 0\n"
    )
    return path, replicates * len(LEVELS)


def spawn_case(tool: str, design: Path, workers: int, out: Path) -> dict:
    """Run one case in a fresh subprocess of this script and parse its figures."""
    env = dict(os.environ, TQDM_DISABLE="1")
    arguments = ["--case", tool, "--design", str(design), "--workers", str(workers)]
    result = in_subprocess(__file__, [*arguments, "--out", str(out)], env)
    if "error" in result:
        result.update(peak_mb=float("nan"), pss_mb=float("nan"), maxrss_mb=float("nan"))
    return result


def _row(tool: str, runs: int, workers: int, results: list[dict]) -> dict:
    good = [r for r in results if "error" not in r]
    seconds = statistics.median(r["seconds"] for r in good) if good else float("nan")
    return {
        "tool": tool,
        "runs": runs,
        "workers": workers,
        "seconds": seconds,
        "runs_s": runs / seconds if good else float("nan"),
        "peak_mb": max((r["peak_mb"] for r in results), default=float("nan")),
        "pss_mb": max((r["pss_mb"] for r in results), default=float("nan")),
        "maxrss_mb": max((r["maxrss_mb"] for r in results), default=float("nan")),
        "repeats": len(good),
        "failed": max((r.get("failed", 0) for r in good), default=0),
        "errors": sorted({r["error"] for r in results if "error" in r}),
    }


def compare(sizes: list[int], repeats: int, workers: int) -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        folder = Path(tmp)
        designs = {size: write_design(folder, size) for size in sizes}
        first = sizes[0]
        design, runs = designs[first]
        print(
            f"design: {SCENARIO}, full factorial over {FACTOR} = {list(LEVELS)}, "
            f"{workers} worker(s), {repeats} repeat(s); files in {folder}",
            flush=True,
        )
        ours, theirs = [], []
        for i in range(repeats):
            ours.append(spawn_case("ours", design, workers, folder / f"store_{first}_{i}"))
            print(f"  ours      {runs:>6} runs, repeat {i + 1}: {_brief(ours[-1])}", flush=True)
            theirs.append(spawn_case("batch_run", design, workers, folder / "unused"))
            print(f"  batch_run {runs:>6} runs, repeat {i + 1}: {_brief(theirs[-1])}", flush=True)
        rows = [
            _row("ours (experiments.sweep)", runs, workers, ours),
            _row("mesa.batch_run", runs, workers, theirs),
        ]
        for size in sizes[1:]:
            design, n = designs[size]
            case = spawn_case("ours", design, workers, folder / f"store_{size}")
            print(f"  ours      {n:>6} runs, once:     {_brief(case)}", flush=True)
            rows.append(_row("ours (experiments.sweep)", n, workers, [case]))
    _table(rows)
    mesa_notes = sorted({w for r in theirs for w in r.get("warnings", [])})
    print()
    ratio_speed = rows[0]["runs_s"] / rows[1]["runs_s"]
    ratio_mem = rows[0]["peak_mb"] / rows[1]["peak_mb"]
    ratio_pss = rows[0]["pss_mb"] / rows[1]["pss_mb"]
    print(
        f"ours / batch_run at {runs} runs (this invocation): throughput x{ratio_speed:.2f}, "
        f"peak memory x{ratio_mem:.2f} by RSS, x{ratio_pss:.2f} by PSS (issue 14: <= 1)"
    )
    ours_rows = [rows[0], *rows[2:]]
    if len(ours_rows) > 1:
        first, last = ours_rows[0], ours_rows[-1]
        print(
            f"ours, peak PSS {last['runs']} runs / {first['runs']} runs: "
            f"x{last['pss_mb'] / first['pss_mb']:.2f} ({first['pss_mb']:.0f} -> "
            f"{last['pss_mb']:.0f} MB)"
        )
    print("targets (issue 3): >= 80 runs/s; >= 2x batch_run's throughput; memory flat in runs")
    if mesa_notes:
        print("mesa.batch_run warned: " + "; ".join(mesa_notes))
    for r in rows:
        for error in r["errors"]:
            print(f"error in {r['tool']} ({r['runs']} runs): {error}")
    print(f"total wall time {time.perf_counter() - started:.1f} s")


def _brief(case: dict) -> str:
    if "error" in case:
        return case["error"]
    return (
        f"{case['seconds']:.2f} s, {case['runs'] / case['seconds']:.1f} runs/s, "
        f"peak {case['peak_mb']:.0f} MB RSS, {case['pss_mb']:.0f} MB PSS"
    )


def _table(rows: list[dict]) -> None:
    print()
    head = (
        f"{'tool':<26}{'runs':>7}{'workers':>8}{'seconds':>9}{'runs/s':>9}{'peak MB':>9}"
        f"{'PSS MB':>8}{'maxrss MB':>11}{'repeats':>8}{'failed':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['tool']:<26}{r['runs']:>7}{r['workers']:>8}{r['seconds']:>9.2f}"
            f"{r['runs_s']:>9.1f}{r['peak_mb']:>9.0f}{r['pss_mb']:>8.0f}{r['maxrss_mb']:>11.0f}"
            f"{r['repeats']:>8}"
            f"{r['failed']:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Throughput is compared at the first size; memory is shown at every size.",
    )
    parser.add_argument(
        "--sizes",
        type=int_list,
        default=[1000, 20000],
        help="runs per experiment, comma-separated (default: 1000,20000); "
        "rounded up to a multiple of 4 levels",
    )
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=3,
        help="timed repeats per tool at the first size (default: %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=2,
        help="worker processes for both tools (default: %(default)s)",
    )
    parser.add_argument("--case", choices=("ours", "batch_run"), help=argparse.SUPPRESS)
    parser.add_argument("--design", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.design, args.workers, args.out)), flush=True)
    else:
        compare(args.sizes, args.repeats, args.workers)


if __name__ == "__main__":
    main()
