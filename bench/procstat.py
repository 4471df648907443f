"""What the kernel says about processes: CPU time, memory, and the machine's foreign load.

CPU is the time the scheduler ran each thread of the process (/proc/<pid>/task/*/schedstat, in
nanoseconds; /proc/<pid>/stat's utime + stime, in 10 ms ticks, where schedstat is missing), not
wall time: on a shared machine wall time measures the neighbours too. The bench processes keep
their threads for their whole life, so no CPU leaves with an exited thread. Memory is the proportional set
size (PSS, /proc/<pid>/smaps_rollup), which charges a shared library page to each of the
processes mapping it by its share, beside the resident set (RSS), which counts it in full in each.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """CPU seconds of a process so far, all its threads (0 when it is gone)."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        return sum(int((t / "schedstat").read_text().split()[0]) for t in tasks) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def cpu_of(pids: Iterable[int]) -> float:
    return sum(cpu_s(pid) for pid in pids)


def machine_busy_s() -> float:
    """CPU seconds every core of the machine spent outside idle and iowait so far."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields[:8]]  # user nice system idle iowait irq softirq steal
    return (sum(values) - values[3] - values[4]) / TICKS_PER_S


def load_1min() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


@dataclass
class Meter:
    """CPU of our processes and of everything else on the machine, between start and stop."""

    ours: list[int]
    began: float = 0.0
    ours_cpu: float = 0.0
    busy: float = 0.0

    def start(self) -> Meter:
        self.began = time.monotonic()
        self.ours_cpu = cpu_of(self.ours)
        self.busy = machine_busy_s()
        return self

    def stop(self) -> tuple[float, float]:
        """(wall seconds, foreign CPU cores: the machine's busy time not spent by our processes,
        per second of wall time)."""
        wall = time.monotonic() - self.began
        foreign = (machine_busy_s() - self.busy) - (cpu_of(self.ours) - self.ours_cpu)
        return wall, max(0.0, foreign) / max(wall, 1e-9)


def _kb(path: Path, key: str) -> float:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    return round(_kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss:"), 1)


def rss_mb(pid: int) -> float:
    return round(_kb(Path(f"/proc/{pid}/status"), "VmRSS:"), 1)


def peak_rss_mb(pid: int) -> float:
    return round(_kb(Path(f"/proc/{pid}/status"), "VmHWM:"), 1)
