"""Keeping `slackcase run` on one CPU (`SLACKCASE_CPU`).

CPython runs Python code in one thread at a time (the GIL). On a machine with more than
one CPU, the app's threads (waitress's or Socket Mode's, the jobs, the store's writer)
hand the GIL to each other across CPUs, and a hand-over across CPUs costs more than one
on the same CPU (a wake-up on the other CPU, whose cache does not hold what the last
thread touched). Measured on a 2-core VM, waves of 50 submissions cost a
third to a half more CPU per case that way (12.5-14.3 ms) than with the process on one
CPU (9.1-10.1 ms), and their p99 ack was 15-57% slower. On one CPU, a thread that waits
hands the interpreter straight to the next, and the other CPUs are left to the rest of
the machine. The app never had more than one CPU's worth of Python to run; what runs
outside the GIL (SQLite, fsync, TLS) now shares that CPU too, which the same
measurements include.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from slackcase.config import ConfigError

AUTO = "auto"
ALL = "all"

log = logging.getLogger("slackcase.cpu")


def choose_cpu(setting: str, allowed: Collection[int]) -> int | None:
    """The CPU to keep the process on, or None to leave its threads to the system.

    `auto` takes the highest-numbered CPU the process may use: many machines send their
    disk and network interrupts to CPU 0. With one CPU allowed there is nothing to do.
    """
    if setting == ALL or not allowed:
        return None
    if setting == AUTO:
        return max(allowed) if len(allowed) > 1 else None
    cpu = int(setting)
    if cpu not in allowed:
        raise ConfigError(f"SLACKCASE_CPU: CPU {cpu} is not one this process may use "
                          f"(it may use {cpu_list(allowed)}); set one of those, auto or all")
    return cpu


def cpu_list(cpus: Iterable[int]) -> str:
    """CPUs as the kernel lists them: 0-3,6."""
    ranges: list[list[int]] = []
    for cpu in sorted(cpus):
        if ranges and cpu == ranges[-1][1] + 1:
            ranges[-1][1] = cpu
        else:
            ranges.append([cpu, cpu])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


@dataclass(frozen=True)
class Affinity:
    """What keep_on_one_cpu asks of the system: Linux's calls, or a test's fakes."""

    allowed: Callable[[], set[int]]  # the CPUs this process may run on
    threads: Callable[[], list[int]]  # its threads' ids
    pin: Callable[[int, set[int]], None]  # keep one thread to these CPUs

    @classmethod
    def of_this_system(cls) -> Affinity | None:
        """Linux's calls, or None where there are none (macOS, Windows)."""
        if not hasattr(os, "sched_setaffinity"):
            return None
        return cls(lambda: os.sched_getaffinity(0), _threads, os.sched_setaffinity)


def keep_on_one_cpu(setting: str, system: Affinity | None) -> int | None:
    """Apply SLACKCASE_CPU to every thread of this process; the CPU chosen, if any.

    system is Affinity.of_this_system(). Call it before the app starts its threads:
    threads started later inherit it. Where the system cannot do this (macOS, Windows:
    no system) or refuses (a container's policy), the threads stay where they were, with
    a warning when a CPU was asked for.
    """
    if system is None:
        if setting not in (AUTO, ALL):
            log.warning("SLACKCASE_CPU=%s does nothing on this system", setting)
        return None
    allowed = system.allowed()
    cpu = choose_cpu(setting, allowed)
    if cpu is None:
        return None
    threads = system.threads()
    try:
        for thread in threads:
            _pin(system, thread, {cpu})
    except OSError as exc:
        for thread in threads:  # all of them back where they were, not some here, some there
            with contextlib.suppress(OSError):
                _pin(system, thread, allowed)
        log.warning("could not keep the threads on CPU %d (%s); they run on any of %s",
                    cpu, exc.strerror or exc, cpu_list(allowed))
        return None
    log.info("running on CPU %d (SLACKCASE_CPU=%s; `all` leaves the threads to the system)",
             cpu, setting)
    return cpu


def _pin(system: Affinity, thread: int, cpus: set[int]) -> None:
    with contextlib.suppress(ProcessLookupError):  # the thread ended meanwhile
        system.pin(thread, cpus)


def _threads() -> list[int]:
    try:
        return [int(task) for task in os.listdir("/proc/self/task")]
    except OSError:
        return [0]  # this thread; the ones it starts inherit the CPU
