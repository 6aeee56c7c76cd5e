"""Benchmark nnlite against the book's NumPy code, PyTorch on the CPU and the hardware floor.

    python benchmarks/run.py            # the full run (a few minutes); rewrites README.md's table
    python benchmarks/run.py --quick    # a smoke run with tiny sizes (seconds); writes nothing

Workloads (see workloads.py and lenet.py): (a) the spiral network, (b) an MLP of
Fashion-MNIST's size, (c) optimizer updates on 10 million parameters, (d) the peak memory of
(b), (e) a training step of article 004's LeNet (convolutions). Every
implementation of a workload is timed in the same run, round-robin (timing.py), and the
tables report medians. All implementations use the same dtype (``--dtype``) and the same
number of threads (``--threads``; by default NumPy's BLAS setting, given to torch too).
"""

from __future__ import annotations

import argparse
import gc
import sys
from dataclasses import dataclass
from pathlib import Path

import lenet
import machine
import memory
import numpy as np
import report
import timing
import workloads

import nnlite

README = Path(__file__).with_name("README.md")


@dataclass(frozen=True)
class Settings:
    rounds: int
    block_seconds: float
    settle_seconds: float
    networks: tuple[workloads.Network, ...]
    update_shape: tuple[int, int]
    resident_memory: bool
    lenet_batch: int


FULL = Settings(
    rounds=15,
    block_seconds=0.1,
    settle_seconds=0.25,
    networks=(workloads.SPIRAL, workloads.FASHION),
    update_shape=(1000, 10_000),
    resident_memory=True,
    lenet_batch=64,
)
QUICK = Settings(
    rounds=2,
    block_seconds=0.002,
    settle_seconds=0.0,
    networks=(
        workloads.quick_version(workloads.SPIRAL),
        workloads.quick_version(workloads.FASHION),
    ),
    update_shape=(100, 1000),
    resident_memory=False,
    lenet_batch=4,
)


# ---------------------------------------------------------------------- (a), (b)


def training_section(network: workloads.Network, dtype: np.dtype, settings: Settings):
    """Time one training step of every implementation; return the markdown and the medians."""
    problem = workloads.make_problem(network, dtype)
    steps, losses = {}, {}
    for name, build in workloads.TRAINING_IMPLEMENTATIONS.items():
        steps[name] = build(problem)
        # The loss after two updates: the same in every row shows they train the same network
        losses[name] = [steps[name]().item() for _ in range(3)][-1]
    for name, build in workloads.TRAINING_FLOORS.items():
        steps[name] = build(problem)
    timings = timing.time_interleaved(
        steps,
        rounds=settings.rounds,
        block_seconds=settings.block_seconds,
        settle_seconds=settings.settle_seconds,
    )
    nnlite_time = timings["nnlite"].median
    rows = []
    for name, result in timings.items():
        low, high = result.quartiles
        loss = f"{losses[name]:.6f}" if name in losses else "—"
        rows.append(
            [
                name,
                report.duration(result.median),
                f"{report.duration(low)} – {report.duration(high)}",
                report.ratio(nnlite_time, result.median),
                loss,
            ]
        )
    flops = workloads.training_flops(problem)
    floor = timings["floor: the products alone, np.dot"].median
    text = "\n\n".join(
        [
            f"### {network.label}",
            f"Data: {network.data}; {dtype.name}; time per training step (forward, loss, "
            f"backward, Adam update).",
            report.table(
                ["implementation", "median", "quartiles", "nnlite ÷ this", "loss at step 3"],
                rows,
            ),
            f"The products of a step: {flops / 1e6:.3g} MFLOP; the np.dot floor runs them at "
            f"{flops / floor / 1e9:.3g} GFLOP/s.",
        ]
    )
    return text, {name: result.median for name, result in timings.items()}


# ---------------------------------------------------------------------- (c)


def update_section(dtype: np.dtype, settings: Settings):
    problem = workloads.make_update_problem(*settings.update_shape, dtype)
    count = problem.parameter_count
    parts = [
        f"### (c) optimizer update alone, {count / 1e6:.4g} M parameters, {dtype.name}",
        f"One `({settings.update_shape[0]}, {settings.update_shape[1]})` weight array and its "
        f"biases with fixed gradients: `pre_update_params(); update_params(layer); "
        f"post_update_params()` for the NumPy rows, `optimizer.step()` for torch. The floor is "
        f"one pass over every array the update must read and write, at the bandwidth of a "
        f"copy of the weights (one read and one write; `np.copyto` with one thread or torch's "
        f"`copy_` with all, whichever is faster in the round), measured in the same rounds. "
        f"'Transient peak' is the most memory a steady-state update allocates above what it "
        f"holds (tracemalloc; one parameter array is "
        f"{report.size(problem.weights.nbytes)}).",
    ]
    medians = {}
    for rule in workloads.UPDATE_RULES:
        text, rule_medians = _update_table(rule, problem, settings)
        parts.append(text)
        medians[rule.name] = rule_medians
        gc.collect()
    return "\n\n".join(parts), medians


def _update_table(rule: workloads.UpdateRule, problem: workloads.UpdateProblem, settings: Settings):
    steps = {"nnlite": workloads.book_update_step(nnlite, rule, problem)}
    fused = workloads.HAVE_NUMBA and rule.nnlite_fused_factory is not None
    if fused:
        steps[workloads.NNLITE_FUSED] = workloads.book_update_step(
            nnlite, rule, problem, fused=True
        )
    steps["naive book-style NumPy"] = workloads.book_update_step(
        workloads.naive_book, rule, problem
    )
    for variant, label in (
        ("default", "default (for-loop on CPU)"),
        ("foreach", "foreach=True"),
        ("fused", "fused=True"),
    ):
        if variant != "fused" or rule.has_fused:
            name = f"torch {rule.torch_name}, {label}"
            steps[name] = workloads.torch_update_step(rule, problem, variant)
    copies = {
        "memory copy: np.copyto of the weights (1 thread)": workloads.numpy_copy_step(problem),
        "memory copy: torch copy_ of the weights (all threads)": workloads.torch_copy_step(problem),
    }
    timings = timing.time_interleaved(
        steps | copies,
        rounds=settings.rounds,
        block_seconds=settings.block_seconds,
        settle_seconds=settings.settle_seconds,
    )
    del steps, copies
    # The floor: arrays_touched passes over all parameters at the faster copy's bandwidth
    numpy_copy, torch_copy = (timings[name] for name in list(timings)[-2:])
    fastest = [min(pair) for pair in zip(numpy_copy.seconds, torch_copy.seconds, strict=True)]
    passes = rule.arrays_touched * problem.parameter_count / (2 * problem.weights.size)
    floor_name = f"floor: {rule.arrays_touched} array passes at the faster copy's bandwidth"
    timings[floor_name] = timing.Timing(floor_name, 1, [t * passes for t in fastest])
    bandwidths = [2 * problem.weights.nbytes / copy.median for copy in (numpy_copy, torch_copy)]
    transient = {
        "nnlite": _transient_update_peak(nnlite, rule, problem),
        "naive book-style NumPy": _transient_update_peak(workloads.naive_book, rule, problem),
    }
    if fused:
        transient[workloads.NNLITE_FUSED] = _transient_update_peak(
            nnlite, rule, problem, fused=True
        )
    nnlite_time = timings["nnlite"].median
    rows = []
    for name, result in timings.items():
        low, high = result.quartiles
        rows.append(
            [
                name,
                report.duration(result.median),
                f"{report.duration(low)} – {report.duration(high)}",
                report.ratio(nnlite_time, result.median),
                report.size(transient.get(name)),
            ]
        )
    text = "\n\n".join(
        [
            f"#### {rule.name}",
            report.table(
                ["implementation", "median", "quartiles", "nnlite ÷ this", "transient peak"],
                rows,
            ),
            f"Copy bandwidth (bytes read + written per second): {bandwidths[0] / 1e9:.3g} GB/s "
            f"with one thread, {bandwidths[1] / 1e9:.3g} GB/s with torch's threads.",
        ]
    )
    return text, {name: result.median for name, result in timings.items()} | {
        **{f"{name} transient": peak for name, peak in transient.items()},
        "parameter bytes": problem.weights.nbytes,
    }


def _transient_update_peak(module, rule, problem, fused: bool = False) -> int:
    """Bytes a steady-state update allocates above what it holds (the fourth update)."""
    step = workloads.book_update_step(module, rule, problem, fused=fused)
    _, steady = memory.tracemalloc_peaks(step)
    return steady


# ---------------------------------------------------------------------- (d)


def memory_section(dtype: np.dtype, settings: Settings, threads: int) -> str:
    network = settings.networks[-1]
    problem = workloads.make_problem(network, dtype)
    parameter_bytes = sum(array.nbytes for array in [*problem.weights, *problem.biases])
    rows = []
    for name in workloads.TRAINING_IMPLEMENTATIONS:
        first_steps, steady = memory.traced_peaks(name, problem)
        if settings.resident_memory:
            resident = report.size(
                memory.resident_increase(name, dtype.name, network.samples, threads)
            )
        else:
            resident = "skipped (--quick)"
        method = "torch.profiler" if memory.uses_torch(name) else "tracemalloc"
        rows.append([name, report.size(first_steps), report.size(steady), resident, method])
    return "\n\n".join(
        [
            f"### (d) peak memory of (b), {network.sizes}, batch {network.samples}, {dtype.name}",
            f"The parameters take {report.size(parameter_bytes)} and the input batch "
            f"{report.size(problem.inputs.nbytes)}; neither is counted below. Columns, as "
            f"explained in `memory.py`: the most memory held at once during the first "
            f"{memory.WARMUP_STEPS} steps (optimizer state, gradients, activations, "
            f"temporaries); the most a steady-state step allocates above what it holds when it "
            f"starts; and the increase of the resident high-water mark over "
            f"{memory.RESIDENT_STEPS} steps in a fresh process.",
            report.table(
                [
                    "implementation",
                    f"peak, first {memory.WARMUP_STEPS} steps",
                    "transient peak, one step",
                    f"resident increase, {memory.RESIDENT_STEPS} steps",
                    "method for the first two",
                ],
                rows,
            ),
        ]
    )


# ---------------------------------------------------------------------- (e)


def lenet_section(dtype: np.dtype, settings: Settings) -> str:
    """Time a LeNet training step of every implementation in lenet.py."""
    problem = lenet.make_problem(settings.lenet_batch, dtype)
    steps, losses = {}, {}
    for name, build in lenet.IMPLEMENTATIONS.items():
        steps[name] = build(problem)
        # The loss after two updates: the same in every row shows they train the same network
        losses[name] = float([steps[name]() for _ in range(3)][-1])
    timings = timing.time_interleaved(
        steps,
        rounds=settings.rounds,
        block_seconds=settings.block_seconds,
        settle_seconds=settings.settle_seconds,
    )
    nnlite_time = timings["nnlite"].median
    rows = []
    for name, result in timings.items():
        low, high = result.quartiles
        rows.append(
            [
                name,
                report.duration(result.median),
                f"{report.duration(low)} – {report.duration(high)}",
                report.ratio(nnlite_time, result.median),
                f"{losses[name]:.6f}",
            ]
        )
    torch_ratio = nnlite_time / timings[lenet.TORCH].median
    verdict = "met" if torch_ratio <= 1 else "**not met**"
    return "\n\n".join(
        [
            f"### (e) LeNet (article 004), batch {settings.lenet_batch}, SGD",
            f"Random N(0, 1) images of 1 × 32 × 32 and targets of 10 values; {dtype.name}; time "
            f"per training step (forward, mean squared error, backward, SGD update, learning "
            f"rate {lenet.LEARNING_RATE}). The network: Conv2D 1→6 5×5, ReLU, max-pool 2, "
            f"Conv2D 6→16 5×5, ReLU, max-pool 2, Flatten, Dense 400→120, ReLU, Dense 120→84, "
            f"ReLU, Dense 84→10.",
            report.table(
                ["implementation", "median", "quartiles", "nnlite ÷ this", "loss at step 3"],
                rows,
            ),
            f"Target of issue 11, nnlite ≤ 1.0 × PyTorch: {torch_ratio:.2f}, {verdict}.",
        ]
    )


# ---------------------------------------------------------------------- targets


def targets_section(spiral: dict, fashion: dict, updates: dict) -> str:
    torch_rows = [name for name in workloads.TRAINING_IMPLEMENTATIONS if name.startswith("torch")]
    default = torch_rows[0]
    adam = updates["Adam"]
    rows = []
    for ours, label in (("nnlite", "nnlite"), (workloads.NNLITE_FUSED, "nnlite fused")):
        if ours not in spiral or ours not in adam:
            continue
        checks = [
            (
                f"(a) {label} ≤ 0.5 × naive book-style",
                spiral[ours] / spiral["naive book-style NumPy"],
                0.5,
            ),
            (f"(a) {label} < torch default", spiral[ours] / spiral[default], 1.0),
            (
                f"(a) {label} < fastest torch variant",
                spiral[ours] / min(spiral[name] for name in torch_rows),
                1.0,
            ),
            (f"(b) {label} ≤ 0.7 × torch default", fashion[ours] / fashion[default], 0.7),
            (
                f"(b) {label} ≤ 0.7 × fastest torch variant",
                fashion[ours] / min(fashion[name] for name in torch_rows),
                0.7,
            ),
            (
                f"(c) Adam: {label} ≤ torch foreach=True",
                adam[ours] / adam["torch Adam, foreach=True"],
                1,
            ),
            (
                f"(c) Adam: {label} ≤ torch default (for-loop on CPU)",
                adam[ours] / adam["torch Adam, default (for-loop on CPU)"],
                1.0,
            ),
            (
                f"(c) Adam: {label} ≤ torch fused=True",
                adam[ours] / adam["torch Adam, fused=True"],
                1,
            ),
            (
                f"(c) Adam: {label}'s transient peak < one parameter array",
                adam[f"{ours} transient"] / adam["parameter bytes"],
                1.0,
            ),
        ]
        rows += [
            [target, f"{value:.2f}", f"{limit:g}", "met" if value <= limit else "**not met**"]
            for target, value, limit in checks
        ]
    return "\n\n".join(
        [
            "### Targets of issue 6 (ratios from this run)",
            report.table(["target", "ratio", "limit", ""], rows),
        ]
    )


# ---------------------------------------------------------------------- main


WORKLOADS = ("a", "b", "c", "d", "e")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, two rounds (smoke)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--threads", type=int, default=None, help="BLAS and torch threads")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of interleaved timing")
    parser.add_argument(
        "--only", nargs="+", choices=WORKLOADS, default=WORKLOADS, help="run some workloads"
    )
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README.md")
    args = parser.parse_args(argv)

    settings = QUICK if args.quick else FULL
    if args.rounds is not None:
        settings = Settings(**{**settings.__dict__, "rounds": args.rounds})
    threads = machine.set_threads(args.threads)
    dtype = np.dtype(args.dtype)
    start_load = machine.load_average()
    revision = machine.git_revision()
    others = machine.busy_cpus()
    warning = machine.busy_warning(threads, others)

    sections = []

    def emit(text: str) -> None:
        sections.append(text)
        print(text, end="\n\n", flush=True)

    if warning:
        print(warning, end="\n\n", flush=True)

    training, updates = {}, None
    for key, network in zip("ab", settings.networks, strict=True):
        if key in args.only:
            text, training[key] = training_section(network, dtype, settings)
            emit(text)
    if "c" in args.only:
        text, updates = update_section(dtype, settings)
        emit(text)
    if "d" in args.only:
        emit(memory_section(dtype, settings, threads))
    if "e" in args.only:
        emit(lenet_section(dtype, settings))
    if set(training) == {"a", "b"} and updates is not None:
        emit(targets_section(training["a"], training["b"], updates))
    emit(
        f"Timing: {settings.rounds} rounds of about {settings.block_seconds} s per "
        f"implementation and workload; medians over the rounds, quartiles to show the spread."
    )
    environment = "\n\n".join(
        [
            "### Machine and settings",
            report.table(["", ""], machine.describe(threads, start_load, others, revision)),
        ]
    )
    emit(environment)
    complete = set(args.only) == set(WORKLOADS)
    if complete and not args.quick and not args.no_readme:
        generated = [warning] if warning else []
        generated += [environment, *sections[:-1]]
        report.replace_generated_part(README, "\n\n".join(generated))
        print(f"wrote {README}", file=sys.stderr)


if __name__ == "__main__":
    main()
