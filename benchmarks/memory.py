"""Peak memory of a training step, (d), measured three ways.

1. **Traced peak of the first steps**: the most memory the steps held at once, counting what
   they allocated after the model and data existed: optimizer state, gradients, activations
   and temporaries. NumPy reports every array it allocates to Python's ``tracemalloc``, so for
   the NumPy implementations this is exact. PyTorch's CPU allocator has no statistics of its
   own (``torch.cuda.max_memory_allocated`` is CUDA only), but ``torch.profiler`` with
   ``profile_memory=True`` records each allocation and release; its exported trace lists them
   in time order, and their running sum gives the same curve, and its maximum.
2. **Transient peak of a steady-state step**: the same, for one step after three warm-up steps,
   above what was held when the step began. This is what a step allocates and throws away.
3. **Resident high-water mark**: in a fresh process per implementation, the increase of the
   process's peak resident memory (Linux ``VmHWM``, reset with ``/proc/self/clear_refs``) over
   20 steps, from just before the first step. One method for every library; it sees what
   malloc and the libraries' caches keep, page-granular, so it is coarser than 1 and 2.

Run as a script, this module is the worker for 3: ``python memory.py IMPLEMENTATION DTYPE
SAMPLES THREADS`` prints the measured bytes as JSON.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import machine
import numpy as np
import workloads

WARMUP_STEPS = 3
RESIDENT_STEPS = 20

TRAINING_STEPS = workloads.TRAINING_IMPLEMENTATIONS


def uses_torch(implementation: str) -> bool:
    return implementation.startswith("torch")


def traced_peaks(implementation: str, problem: workloads.Problem) -> tuple[int, int]:
    """(peak of the first steps, transient peak of a steady-state step), in bytes."""
    step = TRAINING_STEPS[implementation](problem)
    if uses_torch(implementation):
        return _profiled_peaks(step)
    return tracemalloc_peaks(step)


def tracemalloc_peaks(step: workloads.Step) -> tuple[int, int]:
    """Peaks of NumPy's allocations: over the first steps, and above the start of one more.

    Tracing starts before the first step, so the later steps' releases of arrays made by the
    earlier ones are seen too.
    """
    tracemalloc.start()
    try:
        for _ in range(WARMUP_STEPS):
            step()
        first_steps = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        held, _ = tracemalloc.get_traced_memory()
        step()
        steady = tracemalloc.get_traced_memory()[1] - held
    finally:
        tracemalloc.stop()
    return first_steps, steady


def _profiled_peaks(step: workloads.Step) -> tuple[int, int]:
    """The same two peaks for torch, from the profiler's allocation events.

    The steady-state step is the second of two profiled ones, so that the releases of the
    first one's gradients (at ``zero_grad``) are seen.
    """
    timeline, _ = _held_bytes(step, WARMUP_STEPS)
    first_steps = max((held for _, held in timeline), default=0)
    timeline, last_start = _held_bytes(step, 2)
    held_at_start = next((held for time, held in reversed(timeline) if time < last_start), 0)
    steady = max((held for time, held in timeline if time >= last_start), default=0)
    return first_steps, steady - held_at_start


def _held_bytes(step: workloads.Step, steps: int) -> tuple[list[tuple[float, int]], float]:
    """Bytes torch holds (allocated minus released since profiling began) after each event,
    as ``(time, bytes)``, and the time the last step began.

    The events come from ``torch.profiler.profile(profile_memory=True)``, exported as a Chrome
    trace, whose ``[memory]`` events carry the size of each allocation (positive) and release
    (negative).
    """
    import tempfile
    import warnings

    from torch.profiler import ProfilerActivity, profile, record_function

    with warnings.catch_warnings():
        # Blocks allocated before profiling started are released without a known size
        warnings.simplefilter("ignore")
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as profiler:
            for _ in range(steps):
                with record_function("benchmark step"):
                    step()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "trace.json"
        profiler.export_chrome_trace(str(path))
        events = json.loads(path.read_text())["traceEvents"]
    last_start = max(float(e["ts"]) for e in events if e.get("name") == "benchmark step")
    changes = sorted(
        (float(e["ts"]), e["args"]["Bytes"]) for e in events if e.get("name") == "[memory]"
    )
    held, timeline = 0, []
    for time, change in changes:
        held += change
        timeline.append((time, held))
    return timeline, last_start


def resident_increase(implementation: str, dtype: str, samples: int, threads: int) -> int:
    """Run the worker in a fresh process and return its resident-memory increase in bytes."""
    arguments = [implementation, dtype, str(samples), str(threads)]
    completed = subprocess.run(
        [sys.executable, str(Path(__file__)), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])["resident_increase"]


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_high_water_mark() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _worker(implementation: str, dtype: str, samples: int, threads: int) -> None:
    machine.set_threads(threads)
    network = workloads.FASHION
    if samples != network.samples:
        network = workloads.Network(
            network.label, network.sizes, samples, network.learning_rate, network.data
        )
    problem = workloads.make_problem(network, np.dtype(dtype))
    step = TRAINING_STEPS[implementation](problem)
    # Start BLAS (its threads and buffers) before the baseline, with the same products
    if uses_torch(implementation):
        workloads.torch_floor_step(problem)()
    else:
        workloads.numpy_floor_step(problem)()
    if _reset_high_water_mark():
        before = _status_kib("VmRSS")
        for _ in range(RESIDENT_STEPS):
            step()
        after = _status_kib("VmHWM")
    else:  # not Linux: ru_maxrss is the peak over the whole process, so this may read low
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for _ in range(RESIDENT_STEPS):
            step()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"resident_increase": (after - before) * 1024}))


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
