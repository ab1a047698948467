"""Benchmark: milliseconds per default run and microseconds per agent-tick.

A script, not a test: timings on shared machines are noisy, so it prints medians over repeated
runs. Usage: ``python benchmarks/bench_run.py [--runs N]``.

Its helpers (``positive_int``, ``int_list``, ``warmed``, ``time_batch``, ``in_subprocess``,
``machine``) serve the other benchmarks too (``from bench_run import ...``: a script's folder
is on its import path).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date

import sim
from sim.runner import weeks_in


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def int_list(text: str) -> list[int]:
    """An argparse type: positive integers separated by commas, such as ``300,3000``."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers like 300,3000, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def warmed(scenario: str, series_every: int = 1) -> sim.Scenario:
    """The scenario, loaded, after one untimed run (caches filled, modules imported).

    Args:
        scenario: A shipped scenario's name or a TOML file.
        series_every: As the timed runs will record their series (``sim.run``).
    """
    setting = sim.load_scenario(scenario)
    sim.run(setting, seed=0, series_every=series_every)
    return setting


def time_batch(run: Callable[[int], object], seeds: Iterable[int]) -> float:
    """Seconds per run of one batch, timed as a whole (one clock reading per batch).

    Args:
        run: Does one run with the seed it is given.
        seeds: The batch's seeds, one run each.
    """
    seeds = list(seeds)
    t0 = time.perf_counter()
    for seed in seeds:
        run(seed)
    return (time.perf_counter() - t0) / len(seeds)


def in_subprocess(script: str, arguments: list[str], env: dict | None = None) -> dict:
    """Run a benchmark script again in a fresh process and read the figures it printed.

    A case in its own process sees no other case's imports, caches or peak memory.

    Args:
        script: The script (its ``__file__``).
        arguments: Its command-line arguments, which make it run one case and print its
            figures as a JSON object on one line.
        env: The process's environment (default: this one's).

    Returns:
        The last JSON line it printed, or ``{"error": ...}`` with its exit code and the last
        line of its stderr.
    """
    command = [sys.executable, os.path.abspath(script), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"case exited {done.returncode}: {tail}"}
    return json.loads(lines[-1])


def machine() -> str:
    """Today's date and the machine, for the record: cores, CPU model, Python, load."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass  # not Linux: platform's answer stands
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{date.today().isoformat()}, {os.cpu_count()} cores ({model}), "
        f"Python {platform.python_version()}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=positive_int, default=50, help="timed runs (default: %(default)s)"
    )
    parser.add_argument("--scenario", default="season2_2020")
    args = parser.parse_args()
    setting = warmed(args.scenario)
    times, build = [], []
    for seed in range(args.runs):
        t0 = time.perf_counter()
        model = sim.build_model(setting, seed=seed)
        t1 = time.perf_counter()
        sim.run(setting, seed=seed)
        t2 = time.perf_counter()
        build.append(t1 - t0)
        times.append(t2 - t1)
    agents = len(model.agents)
    weeks = weeks_in(setting)
    ms = statistics.median(times) * 1e3
    print(f"scenario {args.scenario}: {agents} agents, {weeks} weekly ticks, {args.runs} runs")
    print(f"median run      {ms:8.2f} ms  (min {min(times) * 1e3:.2f}, max {max(times) * 1e3:.2f})")
    print(f"median set-up   {statistics.median(build) * 1e3:8.2f} ms")
    print(f"per agent-tick  {ms * 1e3 / (agents * weeks):8.3f} us")
    print(f"per tick        {ms * 1e3 / weeks:8.1f} us")


if __name__ == "__main__":
    main()
