"""Benchmark: milliseconds per default run and microseconds per agent-tick.

A script, not a test: timings on shared machines are noisy, so it prints medians over repeated
runs. Usage: ``python benchmarks/bench_run.py [--runs N]``.
"""

import argparse
import statistics
import time

import sim
from sim.runner import weeks_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs (default: %(default)s)")
    parser.add_argument("--scenario", default="season2_2020")
    args = parser.parse_args()
    setting = sim.load_scenario(args.scenario)
    sim.run(setting, seed=0)  # warm caches and imports
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
