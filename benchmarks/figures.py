"""The benchmark's arithmetic: percentiles, and the share of CPU time the host took."""

from __future__ import annotations

from pathlib import Path


def cpu_times() -> list[int]:
    """The machine's CPU time so far, by kind (/proc/stat); [] where there is no /proc."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0]
        return [int(value) for value in first.split()[1:9]]
    except (OSError, ValueError):
        return []


def stolen(before: list[int], after: list[int]) -> str:
    """How much of the CPU time this machine wanted went to other tenants of its host
    (steal): where that is more than a few percent, tail latencies measure the host."""
    if len(before) < 8 or len(after) < 8:
        return "n/a"
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        b - a for a, b in zip(before, after, strict=True))
    busy = user + nice + system + irq + softirq + steal
    return f"{100 * steal / busy:.0f}%" if busy else "0%"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
