"""Benchmark: cost per tick, ties and peak memory of runs with 300, 3,000 and 30,000 lawmakers.

A script, not a test: timings on shared machines are noisy, so it prints medians and asserts
nothing. Usage::

    python benchmarks/bench_scale.py                         # N = 300, 3000, 30000; 3 runs
    python benchmarks/bench_scale.py --sizes 300,1000 --runs 2

Each size N is the default case scaled by ``sim.scale`` (``relocsim scale``): seats scaled to
N, and the per-pair tie densities divided by N / 300 so that a member keeps about as many ties
(docs/performance.md). Each run is a fresh process of this script (``--case``): it writes the
scenario with ``sim.scale.write_scaled``, loads it, builds the model with its seed (timed:
"set-up", which draws the ties) and steps it week by week to the horizon, timing every tick
(``model.run_for(1)``, as ``sim.run`` steps, without series). Runs go round the sizes, seed 1
of each, then seed 2 of each, ..., so that a change of load on a shared machine falls on every
size alike. For each size it reports the median tick over all ticks of its runs, the agents
(Mesa's ``model.agents``: lawmakers, regions, unions, ministries, the executive), the ties as
drawn (``model.ties``, median over the runs: a peer tie once per pair, a leader tie once per
member and leader), the mean degree (2 x ties / members) and the peak memory (the largest
``resource.getrusage`` ru_maxrss of its runs: a process's largest resident set).

Growth (issue 14, "Done means" 4): from one size to a larger one, the cost per tick's ratio
divided by the ratio of agents + ties. 1 means the cost grows as agents plus ties do; the target
is at most 1.2 from 300 to 30,000 lawmakers.

Memory check. Before a size starts, its memory is estimated from the scenario (no run needed):
the numbers and pairs that tie drawing holds and the ties themselves, kept as arrays and as
the sparse influence matrix (``estimate_bytes``), on top of what the process holds without them
(the smallest size's measured peak less its estimate). A size whose estimate exceeds
``--max-gb`` (8) or the memory available now is skipped, with the estimate printed; so is a
size above the scenario loader's bound (``MAX_SEATS``, 50,000), which ``relocsim scale``
refuses. With ``--probe``, such a size is tried anyway, in a process whose
address space is capped at ``--max-gb``, so that the allocation that fails is recorded instead
of the machine swapping; the probe raises the loader's bound in that process only.
"""

import argparse
import itertools
import json
import math
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_run import in_subprocess, int_list, machine, positive_int

from sim.parameters import NetworkParams
from sim.scale import BASE, LIST, scale_data, write_scaled
from sim.scenario import load_scenario_data
from sim.scenario_checks import MAX_SEATS

GB = 1024**3  # GB here are 2**30 bytes (numpy says GiB)
MB = 1024**2
TARGET_GROWTH = 1.2  # issue 14: cost per tick at most 1.2x faster than agents + ties
TARGET_PEAK_GB = 2.0  # issue 14: peak memory at 30,000 lawmakers


# --------------------------------------------------------------------------------------------
# What a size needs, from its scenario data (no run)
# --------------------------------------------------------------------------------------------


def groups(data: dict) -> dict[str, list[tuple[int, float]]]:
    """Each kind of peer tie's groups, as (members, chance of a tie per pair).

    The groups of ``sim.network.draw_ties``: parties at ``within_party_density`` x cohesion,
    regions, committees and the named actors' caucuses. Members are every member of the graph,
    unseated named actors included (they are drawn too). The base has no factions.
    """
    network = {name: getattr(NetworkParams(), name) for name in ("within_party_density",
               "region_tie_prob", "committee_tie_prob")}  # fmt: skip
    network.update(data.get("parameters", {}).get("network", {}))
    unseated = [p for p in data.get("named", []) if not p.get("seated", True)]
    party_members = {p["code"]: p["seats"] for p in data["parties"]}
    region_members = {r["code"]: sum(r.get("seats", {}).values()) for r in data["regions"]}
    for person in unseated:
        party_members[person["party"]] += 1
        if person.get("region", LIST):
            region_members[person["region"]] += 1
    caucuses: dict[str, int] = {}
    for person in data.get("named", []):
        for caucus in person.get("caucuses", []):
            caucuses[caucus] = caucuses.get(caucus, 0) + 1
    return {
        "party": [(party_members[p["code"]], network["within_party_density"] * p["cohesion"])
                  for p in data["parties"]],
        "region": [(m, network["region_tie_prob"]) for m in region_members.values()],
        "committee": [(m, network["committee_tie_prob"]) for m in data["committee_sizes"].values()],
        "caucus": [(m, 1.0) for m in caucuses.values()],
    }  # fmt: skip


def members(data: dict) -> int:
    """Members of the graph: the seats and the unseated named actors."""
    unseated = sum(not p.get("seated", True) for p in data.get("named", []))
    return sum(p["seats"] for p in data["parties"]) + unseated


def expected_ties(data: dict) -> float:
    """Expected ties of a draw: p x pairs in each peer group, plus the leader ties.

    Every member listens to each leader of their party (leader and floor leader) but
    themselves: a party of m members with L leaders has m L - L leader ties.
    """
    peer = sum(p * m * (m - 1) / 2 for kind in groups(data).values() for m, p in kind)
    size = {p["code"]: p["seats"] for p in data["parties"]}
    for person in data.get("named", []):
        size[person["party"]] += not person.get("seated", True)
    leaders: dict[str, int] = {}
    for person in data.get("named", []):
        if person.get("role") in ("leader", "floor_leader"):
            leaders[person["party"]] = leaders.get(person["party"], 0) + 1
    return peer + sum(size[party] * k - k for party, k in leaders.items())


def estimate_bytes(data: dict) -> dict[str, float]:
    """Bytes that drawing the ties and building the influence matrix take, at their peak.

    - ``draw``: ``sim.network`` draws about one random number per expected tie (a float64) and
      finds each tie's two members and group (three int64), copied once as they are cut to size.
    - ``ties``: the expected ties (``expected_ties``), each a source, target, kind and weight
      (8 bytes each) kept in the ``Ties`` arrays, twice over while they are concatenated, and
      again as the sparse influence matrix (an index and a weight per entry, both ways).
    """
    return {
        "draw": (8 + 2 * 24) * expected_ties(data),
        "ties": 32 * 2 * expected_ties(data) + 2 * 16 * expected_ties(data),
    }


def available_bytes() -> float:
    """MemAvailable from /proc/meminfo (inf where it cannot be read)."""
    try:
        with open("/proc/meminfo") as f:
            line = next(line for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration):
        return math.inf
    return int(line.split()[1]) * 1024


# --------------------------------------------------------------------------------------------
# One size, in its own process
# --------------------------------------------------------------------------------------------


def run_case(lawmakers: int, seed: int, probe_gb: float | None) -> dict:
    """Time one run at ``lawmakers`` lawmakers, here; the figures as a dict.

    Args:
        lawmakers: The Assembly's size.
        seed: The run's seed.
        probe_gb: None for a size the generator accepts; else cap this process's address space
            at this many GB, lift the loader's bound, and record what fails.
    """
    import sim
    from sim import scenario_checks
    from sim.runner import weeks_in

    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        path = Path(tmp) / f"scaled_{lawmakers}.toml"
        if probe_gb is None:
            write_scaled(lawmakers, path)
            setting = sim.load_scenario(path)
        else:
            limit = int(probe_gb * GB)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            scenario_checks.MAX_SEATS = lawmakers  # this process only: to see what fails next
            data = scale_data(load_scenario_data(BASE), lawmakers)
            setting = scenario_checks.from_dict(data, str(path))
    figures: dict = {"setup_s": [], "tick_s": []}
    stage = "set-up (tie drawing and influence matrix)"
    try:
        t0 = time.perf_counter()
        model = sim.build_model(setting, seed=seed, series_every=0)
        figures["setup_s"].append(time.perf_counter() - t0)
        stage = "the weekly ticks"
        for _ in range(weeks_in(setting)):
            t0 = time.perf_counter()
            model.run_for(1)
            figures["tick_s"].append(time.perf_counter() - t0)
        figures.update(
            members=len(model.world.names), agents=len(model.agents), ties=[len(model.ties.source)]
        )
    except MemoryError as err:
        figures["error"] = f"MemoryError in {stage}: {err}"
    figures["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB
    return figures


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def plan(lawmakers: int, baseline: float, max_gb: float) -> tuple[dict, str]:
    """A size's data, estimates and the reason to skip it ('' to run it)."""
    data = scale_data(load_scenario_data(BASE), lawmakers)
    if data is None:
        return {}, "the named actors do not keep their seats at this size (sim.scale)"
    unscaled = {**data, "parameters": load_scenario_data(BASE).get("parameters", {})}
    need = estimate_bytes(data)
    info = {
        "members": members(data),
        "expected_degree": 2 * expected_ties(data) / members(data),
        "unscaled_degree": 2 * expected_ties(unscaled) / members(data),
        "estimate": need,
        "estimate_total": baseline + sum(need.values()),
    }
    reasons = []
    if lawmakers > MAX_SEATS:
        reasons.append(f"above the scenario loader's bound (MAX_SEATS = {MAX_SEATS})")
    if info["estimate_total"] > max_gb * GB:
        reasons.append(f"would need about {info['estimate_total'] / GB:.1f} GB > {max_gb} GB")
    elif info["estimate_total"] > available_bytes():
        reasons.append(f"would need about {info['estimate_total'] / GB:.1f} GB, more than the "
                       f"{available_bytes() / GB:.1f} GB available")  # fmt: skip
    return info, "; ".join(reasons)


def describe_estimate(info: dict) -> str:
    """The parts of a size's memory estimate, in words."""
    e = info["estimate"]
    return (
        f"drawing the ties {e['draw'] / GB:.2f} GB + the ties and their sparse influence "
        f"matrix {e['ties'] / GB:.2f} GB, on top of the process"
    )


def growth_lines(rows: list[dict]) -> list[str]:
    """Cost per tick's growth against agents + ties, between measured sizes."""
    done = [r for r in rows if r.get("tick_ms")]
    lines = []
    pairs = list(itertools.pairwise(done))
    if len(done) > 2:
        pairs.append((done[0], done[-1]))
    for a, b in pairs:
        cost = b["tick_ms"] / a["tick_ms"]
        size = (b["agents"] + b["ties"]) / (a["agents"] + a["ties"])
        lines.append(
            f"  {a['n']:>6} -> {b['n']:<6} cost per tick x{cost:.1f}, agents + ties x{size:.1f}: "
            f"growth {cost / size:.2f}"
        )
    return lines


def say(text: str) -> None:
    """Progress, on stderr."""
    print(text, file=sys.stderr, flush=True)


def merge(row: dict, case: dict, prefix: str = "") -> None:
    """Add one run's figures to a size's: times and ties pooled, the largest peak.

    Args:
        row: The size's figures so far.
        case: One run's, from ``run_case`` (``error`` if it failed).
        prefix: Put before an error in the size's note.
    """
    for key in ("setup_s", "tick_s", "ties"):
        row.setdefault(key, []).extend(case.pop(key, []))
    if "peak_bytes" in case:
        row["peak_bytes"] = max(row.get("peak_bytes", 0), case.pop("peak_bytes"))
    if "error" in case:
        row["note"] = prefix + case.pop("error")
    row.update(case)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=int_list,
        default=[300, 3000, 30000],
        help="lawmakers, comma-separated (default: 300,3000,30000)",
    )
    parser.add_argument(
        "--runs",
        type=positive_int,
        default=3,
        help="runs per size, seeds 1, 2, ..., sizes alternating (default: %(default)s)",
    )
    parser.add_argument(
        "--max-gb",
        type=float,
        default=8.0,
        help="skip a size estimated to need more (default: %(default)s)",
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help="try skipped sizes anyway, address space capped at --max-gb, to record what fails",
    )
    parser.add_argument("--case", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--probe-gb", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.seed, args.probe_gb)), flush=True)
        return
    started = time.perf_counter()
    rows = measure(args.sizes, args.runs, args.max_gb, args.probe)
    print(f"machine: {machine()}")
    print(f"{BASE} scaled by sim.scale; {args.runs} runs per size, one process each, sizes "
          "alternating; median over all their ticks")  # fmt: skip
    print_table(rows)
    print(f"total wall time {time.perf_counter() - started:.1f} s")


def measure(sizes: list[int], runs: int, max_gb: float, probe: bool) -> list[dict]:
    """Plan and run every size, each run in its own process; one row of figures per size.

    Args:
        sizes: Lawmakers of each size.
        runs: Runs per size (seeds 1, 2, ...); the sizes alternate.
        max_gb: A size estimated to need more is skipped (or probed).
        probe: Try skipped sizes once, with the address space capped at ``max_gb``.
    """
    rows: dict[int, dict] = {}
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0  # until measured
    timed = []  # sizes that ran their first run, to run again
    for n in sorted(sizes):  # the first round: decide, smallest first
        info, skip = plan(n, baseline, max_gb)
        row = rows[n] = {"n": n, **info}
        if info:
            say(f"N = {n}: expected mean degree {info['expected_degree']:.1f}; estimated peak "
                f"{info['estimate_total'] / MB:.0f} MB ({describe_estimate(info)})")  # fmt: skip
        if skip and not (info and probe):
            row["note"] = f"skipped: {skip}"
            say(f"N = {n}: {row['note']}")
            continue
        arguments = ["--case", str(n), "--seed", "1"]
        if skip:
            arguments += ["--probe-gb", str(max_gb)]
            say(f"N = {n}: {skip}; probing with {max_gb} GB of address space")
        merge(row, in_subprocess(__file__, arguments), "probe: " if skip else "")
        if "note" not in row and not skip:
            timed.append(n)
            if len(timed) == 1:  # the process without the ties, measured
                baseline = row["peak_bytes"] - sum(info["estimate"].values())
        say(f"N = {n}, run 1: {row.get('note') or 'done'}")
    for seed in range(2, runs + 1):  # the other rounds: sizes alternate, as load changes
        for n in timed:
            merge(rows[n], in_subprocess(__file__, ["--case", str(n), "--seed", str(seed)]))
            say(f"N = {n}, run {seed}: {rows[n].get('note') or 'done'}")
    for row in rows.values():
        if row.get("tick_s"):
            row["tick_ms"] = statistics.median(row["tick_s"]) * 1e3
            row["setup_ms"] = statistics.median(row["setup_s"]) * 1e3
            row["ties"] = statistics.median(row["ties"])
            row["degree"] = 2 * row["ties"] / row["members"]
    return list(rows.values())


def dashes(*widths: int) -> str:
    """Empty cells of a table row, a dash each."""
    return "".join(f"{'-':>{w}}" for w in widths)


def print_table(rows: list[dict]) -> None:
    """The sizes' figures, the notes on skipped and failed sizes, and the growth."""
    head = (
        f"{'lawmakers':>9}{'agents':>8}{'ties':>10}{'degree':>8}{'expected':>9}"
        f"{'unscaled':>9}{'set-up ms':>10}{'tick ms':>9}{'peak MB':>9}{'est. MB':>9}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ran, planned = bool(r.get("tick_ms")), "members" in r
        cells = [
            f"{r['n']:>9}",
            f"{r['agents']:>8}{r['ties']:>10.0f}{r['degree']:>8.1f}" if ran else dashes(8, 10, 8),
            f"{r['expected_degree']:>9.1f}{r['unscaled_degree']:>9.0f}" if planned
            else dashes(9, 9),
            f"{r['setup_ms']:>10.1f}{r['tick_ms']:>9.2f}" if ran else dashes(10, 9),
            f"{r['peak_bytes'] / MB:>9.0f}" if "peak_bytes" in r else dashes(9),
            f"{r['estimate_total'] / MB:>9.0f}" if planned else dashes(9),
        ]  # fmt: skip
        print("".join(cells))
    print(
        "degree: 2 x ties / members, measured; expected: the same from the densities in the "
        "file; unscaled: expected at the base's densities (what scaling N alone would give)"
    )
    for r in rows:
        if r.get("note"):
            print(f"N = {r['n']}: {r['note']}")
            if "estimate" in r:
                print(f"  estimate: {describe_estimate(r)}")
    print("growth of the cost per tick against agents + ties (issue 14: <= "
          f"{TARGET_GROWTH} from 300 to 30,000 lawmakers):")  # fmt: skip
    print("\n".join(growth_lines(rows)) or "  (fewer than two sizes measured)")
    print(f"issue 14 also asks: runs at 3,000 and 30,000 complete; peak memory at 30,000 "
          f"< {TARGET_PEAK_GB:.0f} GB")  # fmt: skip


if __name__ == "__main__":
    main()
