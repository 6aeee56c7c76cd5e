"""What the figures were measured on: CPU, load, library versions and thread settings."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import nnlite
from nnlite.optimizers.engine.blocks import set_update_threads, update_threads

THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_CORETYPE",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_pools() -> list[dict]:
    """threadpoolctl's view of the thread pools loaded in this process ([] if unavailable)."""
    try:
        import threadpoolctl
    except ImportError:
        return []
    return threadpoolctl.threadpool_info()


def numpy_blas_threads() -> int | None:
    """Threads of the BLAS NumPy uses, per threadpoolctl (None if it cannot tell)."""
    numpy_libs = Path(np.__file__).parent.parent / "numpy.libs"
    pools = [pool for pool in blas_pools() if pool["user_api"] == "blas"]
    for pool in pools:
        if str(numpy_libs) in pool["filepath"] or "numpy" in pool["filepath"]:
            return pool["num_threads"]
    return pools[0]["num_threads"] if pools else None


def set_threads(threads: int | None) -> int:
    """Give NumPy's BLAS, nnlite's updates of large parameters and torch the same number of
    threads and return it.

    ``threads=None`` keeps NumPy's BLAS setting (from the environment) and gives the others
    the same.
    """
    if threads is not None:
        import threadpoolctl

        # Kept for the whole run: threadpoolctl's limiter object is not needed after this call
        threadpoolctl.threadpool_limits(limits=threads, user_api="blas")
    chosen = numpy_blas_threads() if threads is None else threads
    chosen = chosen or os.cpu_count() or 1
    set_update_threads(chosen)
    try:
        import torch
    except ImportError:
        return chosen
    torch.set_num_threads(chosen)
    return chosen


def git_revision() -> str:
    """The commit of the working tree and whether nnlite/ has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "nnlite"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} (nnlite/ with uncommitted changes)" if changes else commit


def describe(
    threads: int, start_load: str, others: float | None, revision: str
) -> list[tuple[str, str]]:
    """(item, value) rows for the report; ``revision`` is git_revision() from the start."""
    others_text = "unknown" if others is None else f"{others:.2f}"
    rows = [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} logical CPUs visible"),
        ("CPUs kept busy by other processes just before the run", others_text),
        ("load average (1, 5, 15 min), start and end", f"{start_load}; {load_average()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("NumPy", np.__version__),
        ("nnlite", f"{nnlite.__version__}, commit {revision}"),
    ]
    try:
        import torch

        threads_now = torch.get_num_threads()
        rows.append(("torch", f"{torch.__version__}, intra-op threads: {threads_now}"))
    except ImportError:
        rows.append(("torch", "not installed"))
    rows.append(("nnlite threads for updates of large parameters", str(update_threads())))
    for pool in blas_pools():
        details = ", ".join(
            f"{key}={pool[key]}"
            for key in ("internal_api", "version", "architecture", "threading_layer")
            if pool.get(key)
        )
        rows.append(
            (f"thread pool {pool['prefix']}", f"threads: {pool['num_threads']} ({details})")
        )
    for variable in THREAD_VARIABLES:
        rows.append((variable, os.environ.get(variable, "not set")))
    rows.append(("threads used by every implementation", str(threads)))
    rows.append(("command", " ".join(["python", *_command()])))
    return rows


def busy_cpus(seconds: float = 1.0) -> float | None:
    """How many CPUs other processes keep busy now, from /proc/stat over ``seconds``.

    The load average is a minute-long moving average, so after a burst it reports load that
    is gone; the CPU counters say what happens now. None where /proc/stat does not exist.
    """

    def counters() -> tuple[int, int]:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle and iowait
        return sum(fields[:8]), idle

    try:
        total_before, idle_before = counters()
        time.sleep(seconds)
        total_after, idle_after = counters()
    except (OSError, ValueError, IndexError):
        return None
    total = total_after - total_before
    if total <= 0:
        return None
    busy_share = 1 - (idle_after - idle_before) / total
    return busy_share * (os.cpu_count() or 1)


def busy_warning(threads: int, others: float | None) -> str | None:
    """A warning if other processes keep the CPUs busy enough to stall this run's threads."""
    cpus = os.cpu_count() or 1
    if others is None or others + threads <= cpus + 0.25:
        return None
    return (
        f"**Busy machine**: other processes kept about {others:.1f} of the {cpus} CPUs busy "
        f"just before this run, which used {threads} thread(s). A thread pool that waits for "
        f"a descheduled thread at every barrier can run many times slower, so some figures "
        f"below may be too; rerun on a quiet machine, or with `--threads 1`."
    )


def load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _command() -> list[str]:
    script = Path(sys.argv[0])
    try:
        script = script.resolve().relative_to(Path.cwd())
    except ValueError:
        pass
    return [str(script), *sys.argv[1:]]
