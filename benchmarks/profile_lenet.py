"""Where nnlite's LeNet training step (workload (e)) spends its time, layer by layer.

    python benchmarks/profile_lenet.py              # NumPy's thread settings
    python benchmarks/profile_lenet.py --threads 1  # one thread for BLAS (and torch)
    python benchmarks/profile_lenet.py --torch      # and PyTorch's own profile of its step

Each layer's forward and backward, the loss and the SGD update are timed separately in every
step of a training loop (batch 64, float32); the table gives the median over the steps. With
``--torch``, ``torch.profiler`` lists the operations of PyTorch's step, for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict

import lenet
import machine
import numpy as np

import nnlite


def profile_nnlite(batch: int, steps: int) -> list[tuple[str, float]]:
    problem = lenet.make_problem(batch, np.dtype(np.float32))
    layers = lenet.nnlite_network(problem)
    trainable = [layer for layer in layers if hasattr(layer, "weights")]
    loss_function = nnlite.Loss_MeanSquaredError()
    optimizer = nnlite.Optimizer_SGD(learning_rate=lenet.LEARNING_RATE)
    seconds = defaultdict(list)

    def timed(name: str, call, *arguments) -> None:
        start = time.perf_counter()
        call(*arguments)
        seconds[name].append(time.perf_counter() - start)

    names = [f"{index:2d} {layer!r}" for index, layer in enumerate(layers)]
    for _ in range(steps):
        values = problem.inputs
        for name, layer in zip(names, layers, strict=True):
            timed(f"{name} forward", layer.forward, values)
            values = layer.output
        timed("loss", loss_function.calculate, values, problem.targets)
        timed("loss backward", loss_function.backward, values, problem.targets)
        dvalues = loss_function.dinputs
        for name, layer in zip(reversed(names), reversed(layers), strict=True):
            timed(f"{name} backward", layer.backward, dvalues)
            dvalues = layer.dinputs

        def update() -> None:
            optimizer.pre_update_params()
            for layer in trainable:
                optimizer.update_params(layer)
            optimizer.post_update_params()

        timed("SGD update", update)
    warm = steps // 5  # leave out the first steps (allocations, BLAS's threads starting)
    return [(name, statistics.median(times[warm:])) for name, times in seconds.items()]


def profile_torch(batch: int, steps: int) -> str:
    from torch.profiler import ProfilerActivity, profile

    step = lenet.torch_step(lenet.make_problem(batch, np.dtype(np.float32)))
    for _ in range(5):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        for _ in range(steps):
            step()
    return profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=None, help="BLAS and torch threads")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--torch", action="store_true", help="also profile PyTorch's step")
    args = parser.parse_args()
    threads = machine.set_threads(args.threads)

    rows = profile_nnlite(args.batch, args.steps)
    total = sum(median for _, median in rows)
    print(f"nnlite, LeNet, batch {args.batch}, float32, {threads} thread(s): median per step")
    width = max(len(name) for name, _ in rows)
    for name, median in rows:
        print(f"{name:{width}}  {median * 1e3:7.3f} ms  {100 * median / total:5.1f} %")
    print(f"{'sum':{width}}  {total * 1e3:7.3f} ms")
    if args.torch:
        print(f"\nPyTorch, the same step, {args.steps} steps (torch.profiler):")
        print(profile_torch(args.batch, args.steps))


if __name__ == "__main__":
    main()
