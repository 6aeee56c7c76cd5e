"""Where nnlite's training step spends its time, for benchmarks/PROFILE.md.

    python benchmarks/profile_nnlite.py              # everything; rewrites PROFILE.md's tables
    python benchmarks/profile_nnlite.py --threads 1  # steadier on a busy machine
    python benchmarks/profile_nnlite.py --quick      # a smoke run; writes nothing

It measures, for workloads (a) and (b) of run.py (float32):

1. each stage of a step, nnlite against the book-style baseline, interleaved (timing.py);
2. the input validation alone: the step against the same step with every check replaced by
   a pass-through, in a separate process;
3. faster expressions that keep every number, each timed against the current one and
   compared byte for byte;
4. cProfile's view of 2,000 (a) / 300 (b) steps;
5. line_profiler on the functions that matter, if it is installed (``pip install
   line_profiler``; it is not a dependency of nnlite);
6. a step under ``nnfs.init()`` (which patches NumPy, so in subprocesses) against one without;
7. the Adam update of (c) in cache-sized blocks (a prototype, checked to give bit-identical
   weights) and, if it is installed, with numexpr.

Nothing here changes nnlite's files; the prototypes live in this file only.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import io
import json
import pstats
import statistics
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from pathlib import Path

import machine
import naive_book
import numpy as np
import report
import timing
import workloads

import nnlite
from nnlite.activations.base import Activation
from nnlite.losses import labels as labels_module
from nnlite.optimizers.engine import blocks
from nnlite.optimizers.optimizer import Optimizer

PROFILE = Path(__file__).with_name("PROFILE.md")
DTYPE = np.dtype("float32")
BLOCK_SECONDS = 0.05
ROUNDS = 15


# ---------------------------------------------------------------------- 1. stages


class Network_Objects:
    """The objects of one book-style network, after one full training step."""

    def __init__(self, module: object, problem: workloads.Problem) -> None:
        self.dense = []
        for weights, biases in zip(problem.weights, problem.biases, strict=True):
            layer = module.Layer_Dense(*weights.shape)
            layer.weights, layer.biases = weights.copy(), biases.copy()
            self.dense.append(layer)
        self.relu = [module.Activation_ReLU() for _ in self.dense[:-1]]
        self.loss_activation = module.Activation_Softmax_Loss_CategoricalCrossentropy()
        self.optimizer = module.Optimizer_Adam(learning_rate=problem.network.learning_rate)
        self.inputs, self.labels = problem.inputs, problem.labels
        for stage in self.stages().values():
            stage()

    def stages(self) -> dict[str, workloads.Step]:
        """Each stage of a step as a callable, in the order a step runs them."""
        stages = {}
        previous = _attribute(self, "inputs")
        for index, dense in enumerate(self.dense):
            stages[f"dense{index + 1}.forward"] = _call(dense.forward, previous)
            if index < len(self.relu):
                relu = self.relu[index]
                stages[f"relu{index + 1}.forward"] = _call(relu.forward, _attribute(dense))
                previous = _attribute(relu)
        loss_activation = self.loss_activation
        last = self.dense[-1]
        stages["softmax + loss forward"] = lambda: loss_activation.forward(last.output, self.labels)
        stages["softmax + loss backward"] = lambda: loss_activation.backward(
            loss_activation.output, self.labels
        )
        stages[f"dense{len(self.dense)}.backward"] = lambda: last.backward(loss_activation.dinputs)
        for index in reversed(range(len(self.relu))):
            relu, after, before = self.relu[index], self.dense[index + 1], self.dense[index]
            stages[f"relu{index + 1}.backward"] = _call(relu.backward, _attribute(after, "dinputs"))
            stages[f"dense{index + 1}.backward"] = _call(
                before.backward, _attribute(relu, "dinputs")
            )
        stages["optimizer: pre + update_params × layers + post"] = self.update

        return stages

    def update(self) -> None:
        self.optimizer.pre_update_params()
        for dense in self.dense:
            self.optimizer.update_params(dense)
        self.optimizer.post_update_params()


def _attribute(obj: object, name: str = "output"):
    return lambda: getattr(obj, name)


def _call(method, argument):
    return lambda: method(argument())


def stage_table(problem: workloads.Problem) -> str:
    networks = {
        "nnlite": Network_Objects(nnlite, problem),
        "book-style": Network_Objects(naive_book, problem),
    }
    steps = {}
    for label, network in networks.items():
        for stage, call in network.stages().items():
            steps[(stage, label)] = call
    # A stage can run again and again on what the previous stage left, so the stages are timed
    # like whole implementations: round-robin, both networks together
    timings = timing.time_interleaved(
        {f"{stage} | {label}": call for (stage, label), call in steps.items()},
        rounds=ROUNDS,
        block_seconds=BLOCK_SECONDS / 5,
    )
    stages = list(networks["nnlite"].stages())
    rows, totals = [], defaultdict(float)
    for stage in stages:
        ours = timings[f"{stage} | nnlite"].median
        theirs = timings[f"{stage} | book-style"].median
        totals["nnlite"] += ours
        totals["book-style"] += theirs
        rows.append(
            [stage, report.duration(ours), report.duration(theirs), report.duration(ours - theirs)]
        )
    rows.append(
        [
            "**sum of the stages**",
            report.duration(totals["nnlite"]),
            report.duration(totals["book-style"]),
            report.duration(totals["nnlite"] - totals["book-style"]),
        ]
    )
    return report.table(["stage", "nnlite", "book-style", "difference"], rows)


# ---------------------------------------------------------------------- 2. validation

#: nnlite's check functions and the argument each returns (None: returns nothing).
CHECKS = {
    "as_2d_array": "values",
    "check_same_shape": "values",
    "check_finite": None,
    "require_forward": None,
    "check_predictions": "y_pred",
    "check_class_labels": "y_true",
    "check_targets": "y_true",
}


def pass_through_patches() -> list[tuple[object, str, object, object]]:
    """(owner, attribute, check, pass-through) for every check of nnlite loaded so far.

    A pass-through returns the value its check would return (the checked array) and does
    nothing else. The checks are found wherever a module imported them, so the list follows
    nnlite's code as it is.
    """
    patches = []
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("nnlite"):
            continue
        for name, returned in CHECKS.items():
            function = getattr(module, name, None)
            if callable(function):
                patches.append((module, name, function, _pass_through(function, returned)))
    check_backward = getattr(Activation, "_check_backward", None)
    if check_backward is not None:
        patches.append(
            (Activation, "_check_backward", check_backward, lambda self, dvalues: dvalues)
        )
    return patches


def _pass_through(function, returned):
    if returned is None:
        return lambda *args, **kwargs: None
    index = list(inspect.signature(function).parameters).index(returned)
    return lambda *args, **kwargs: kwargs[returned] if returned in kwargs else args[index]


def validation_worker(key: str, threads: int) -> None:
    """Time nnlite's step with its checks and with pass-throughs, alternating block by block.

    Runs in its own process (``--validation-worker``), so the replaced checks never reach
    the process that reports; nnlite's files are not touched.
    """
    machine.set_threads(threads)
    network = {"a": workloads.SPIRAL, "b": workloads.FASHION}[key]
    step = workloads.nnlite_training_step(workloads.make_problem(network, DTYPE))
    patches = pass_through_patches()

    def checks(on: bool) -> None:
        for owner, name, check, pass_through in patches:
            setattr(owner, name, check if on else pass_through)

    calls = timing.calls_for(step, BLOCK_SECONDS)
    samples = defaultdict(list)
    for round_index in range(2 * ROUNDS):
        for mode in ("with", "without")[:: 1 if round_index % 2 else -1]:
            checks(mode == "with")
            start = time.perf_counter()
            for _ in range(calls):
                step()
            samples[mode].append((time.perf_counter() - start) / calls)
    checks(True)
    replaced = sorted({name for _, name, _, _ in patches})
    print(
        json.dumps(
            {mode: statistics.median(values) for mode, values in samples.items()}
            | {"replaced": replaced}
        )
    )


def validation_table(key: str, threads: int) -> str:
    """nnlite's step with its checks, and with every check replaced by a pass-through."""
    completed = subprocess.run(
        [sys.executable, __file__, "--validation-worker", key, "--threads", str(threads)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    with_checks, without = result["with"], result["without"]
    rows = [
        ["nnlite as it is", report.duration(with_checks), "—"],
        [
            "every check a pass-through",
            report.duration(without),
            f"{report.duration(with_checks - without)} "
            f"({100 * (with_checks - without) / with_checks:.0f} % of the step)",
        ],
    ]
    names = ", ".join(f"`{name}`" for name in result["replaced"])
    return "\n\n".join(
        [
            report.table(["one step", "median", "the checks cost"], rows),
            f"One process, {2 * ROUNDS} rounds alternating the two, checks replaced wherever an "
            f"nnlite module imported them: {names}.",
        ]
    )


# ---------------------------------------------------------------------- 2b. candidates


def same_bits(first: np.ndarray, second: np.ndarray) -> bool:
    """True if both arrays have the same dtype, shape and bytes (so also the sign of zero)."""
    first, second = np.ascontiguousarray(first), np.ascontiguousarray(second)
    return (
        first.dtype == second.dtype
        and first.shape == second.shape
        and first.tobytes() == second.tobytes()
    )


def candidates_table(problem: workloads.Problem) -> str:
    """Changes that keep every number: the book's expression against a faster one.

    Each pair runs on the arrays of a real step; the result of the alternative is compared
    with the book's byte for byte. Rows 4 and 5 are about nnlite as it is now (the first
    layer's unused input gradient, the optimizer's work around the update rule); the last
    three measure further ideas.
    """
    net = Network_Objects(nnlite, problem)
    relu, dense_after = net.relu[-1], net.dense[-1]
    dvalues, relu_inputs = dense_after.dinputs, relu.inputs
    scores = net.loss_activation.output
    labels = net.labels
    samples = len(labels)
    rows_index = np.arange(samples)
    first = net.dense[0]
    first_dvalues = net.relu[0].dinputs
    layer = net.dense[0]
    optimizer = net.optimizer

    def relu_now():
        dinputs = dvalues.copy()
        dinputs[relu_inputs <= 0] = 0
        return dinputs

    def relu_where():
        return np.where(relu_inputs <= 0, 0, dvalues)

    def softmax_cce_now():
        dinputs = scores.copy()
        dinputs[range(samples), labels] -= 1
        return dinputs / samples

    def softmax_cce_arange():
        dinputs = scores.copy()
        dinputs[rows_index, labels] -= 1
        dinputs /= samples
        return dinputs

    def cce_now():
        return -np.log(np.clip(scores, 1e-7, 1 - 1e-7)[range(samples), labels])

    def cce_pick_then_clip():
        return -np.log(np.clip(scores[rows_index, labels], 1e-7, 1 - 1e-7))

    def first_layer_dinputs():
        return np.dot(first_dvalues, first.weights.T)

    def nothing():
        return first_dvalues

    def update_params_now():
        optimizer.update_params(layer)

    bare = _bare_adam_update(layer, optimizer)
    separate, flat, flat_identical = _flat_parameter_pair(net)
    losses = net.loss_activation.loss.forward(scores, labels)

    def mean_and_sum():
        return np.array([losses.mean(), losses.sum()])

    def one_sum():
        total = losses.sum()
        return np.array([total / len(losses), total])

    def subdtype_check():
        return np.issubdtype(labels.dtype, np.integer)

    def kind_check():
        return labels.dtype.kind in "iu"

    pairs = [
        (
            "ReLU backward: `copy()`, `dinputs[inputs <= 0] = 0` → "
            "`np.where(inputs <= 0, 0, dvalues)`",
            relu_now,
            relu_where,
            True,
        ),
        (
            "softmax+CCE backward: `[range(n), y]` → `[np.arange(n), y]`, then `/= n` in place",
            softmax_cce_now,
            softmax_cce_arange,
            True,
        ),
        (
            "CCE forward: clip all, pick with `range(n)` → pick with `np.arange(n)`, clip those",
            cce_now,
            cce_pick_then_clip,
            True,
        ),
        (
            "dense1.backward: the first layer's `dinputs` (nobody reads it) → not computed",
            first_layer_dinputs,
            nothing,
            False,
        ),
        (
            "Adam `update_params(dense1)` → the rule's arithmetic alone (`update_rule` × 2)",
            update_params_now,
            bare,
            False,
        ),
    ]
    pairs += [
        (
            "Loss.calculate: `.mean()` and `.sum()` of the sample losses → one `.sum()`, "
            "mean = sum / n",
            mean_and_sum,
            one_sum,
            True,
        ),
        (
            "check_class_labels: `np.issubdtype(y.dtype, np.integer)` → `y.dtype.kind in 'iu'`",
            subdtype_check,
            kind_check,
            False,
        ),
        (
            "Adam's rule on each parameter array → once on one flat array holding them all "
            f"(same bytes: {'yes' if flat_identical else '**no**'})",
            separate,
            flat,
            False,
        ),
    ]
    steps = {}
    for index, (_, now, alternative, _) in enumerate(pairs):
        steps[f"{index} now"] = now
        steps[f"{index} alternative"] = alternative
    timings = timing.time_interleaved(steps, rounds=ROUNDS, block_seconds=BLOCK_SECONDS / 5)
    rows = []
    for index, (label, now, alternative, compare) in enumerate(pairs):
        before = timings[f"{index} now"].median
        after = timings[f"{index} alternative"].median
        identical = ("yes" if same_bits(now(), alternative()) else "**no**") if compare else "n/a"
        rows.append(
            [
                label,
                report.duration(before),
                report.duration(after),
                report.duration(before - after),
                identical,
            ]
        )
    return report.table(["change", "before", "after", "saved per call", "same bytes"], rows)


def _bare_adam_update(layer, optimizer):
    """Optimizer_Adam.update_rule on the layer's arrays, without update_params' work."""
    pairs = [(layer.weights, layer.dweights), (layer.biases, layer.dbiases)]
    run, _ = _bare_adam_updates(pairs, optimizer)
    return run


def _bare_adam_updates(pairs, optimizer):
    """A callable running nnlite's Adam rule once on copies of each ``(value, gradient)``,
    from fresh state, and the list of those copies."""
    from nnlite.optimizers.engine.plans import Update

    updates = []
    for value, gradient in pairs:
        update = Update(
            learning_rate=optimizer.current_learning_rate,
            step=1,
            state={"momentums": np.zeros_like(value), "cache": np.zeros_like(value)},
            scratch=[np.empty_like(value), np.empty_like(value)],
            scalars={},
            settings=optimizer.param_groups[0],
            parameter=nnlite.Layer_Dense.parameter_specs[0],
        )
        updates.append((value.copy(), gradient, update))

    def run():
        for value, gradient, update in updates:
            optimizer.update_rule(value, gradient, update)

    return run, [value for value, _, _ in updates]


def _flat_parameter_pair(net) -> tuple[workloads.Step, workloads.Step, bool]:
    """Adam's rule on every parameter array of the network, one array at a time, against
    the same rule once on a single array holding all of them (a flat parameter buffer)."""
    pairs = [
        pair
        for dense in net.dense
        for pair in ((dense.weights, dense.dweights), (dense.biases, dense.dbiases))
    ]
    separate, separate_values = _bare_adam_updates(pairs, net.optimizer)
    flat_value = np.concatenate([value.ravel() for value, _ in pairs])
    flat_gradient = np.concatenate([gradient.ravel() for _, gradient in pairs])
    flat, (flat_values,) = _bare_adam_updates([(flat_value, flat_gradient)], net.optimizer)
    separate()
    flat()
    identical = same_bits(np.concatenate([value.ravel() for value in separate_values]), flat_values)
    return separate, flat, identical


# ---------------------------------------------------------------------- 3. cProfile


def cprofile_table(problem: workloads.Problem, steps: int) -> str:
    step = workloads.nnlite_training_step(problem)
    step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    by_function = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():
        by_function.append((tottime, cumtime, calls, _short(filename, line, name)))
    by_function.sort(reverse=True)
    rows = [
        [
            label,
            f"{calls / steps:g}",
            report.duration(tottime / steps),
            report.duration(cumtime / steps),
            f"{100 * tottime / total:.1f} %",
        ]
        for tottime, cumtime, calls, label in by_function[:22]
    ]
    return "\n\n".join(
        [
            f"cProfile, {steps} steps; {report.duration(total / steps)} per step under the "
            f"profiler (which inflates short Python calls). 'own' is the time inside the "
            f"function itself, NumPy's element-wise work included (ufuncs and operators are not "
            f"separate calls to cProfile); 'with callees' adds the functions it calls.",
            report.table(
                ["function", "calls per step", "own per step", "with callees", "share of own"],
                rows,
            ),
        ]
    )


def _short(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return f"`{name}`"
    path = Path(filename)
    parts = path.parts
    if "nnlite" in parts:
        path = Path(*parts[parts.index("nnlite") :])
    elif "benchmarks" in parts:
        path = Path(*parts[parts.index("benchmarks") :])
    else:
        path = Path(path.name)
    return f"`{path}:{line}({name})`"


# ---------------------------------------------------------------------- 4. line_profiler


#: (owner, function name) of what line_profiler lists; missing ones are skipped, so the list
#: survives renames in nnlite.
LINE_PROFILED = (
    (nnlite.Layer_Dense, "forward"),
    (nnlite.Layer_Dense, "backward"),
    (nnlite.Activation_ReLU, "backward"),
    (nnlite.Activation_Softmax_Loss_CategoricalCrossentropy, "backward"),
    (nnlite.Loss_CategoricalCrossentropy, "forward"),
    (labels_module, "check_class_labels"),
    (Optimizer, "update_params"),
    (nnlite.Optimizer_Adam, "update_rule"),
)


def line_profile(problem: workloads.Problem, steps: int) -> str:
    try:
        from line_profiler import LineProfiler
    except ImportError:
        return "line_profiler is not installed (`pip install line_profiler`); skipped."
    functions = [getattr(owner, name) for owner, name in LINE_PROFILED if hasattr(owner, name)]
    profiler = LineProfiler(*functions)
    step = workloads.nnlite_training_step(problem)
    step()
    profiler.runcall(lambda: [step() for _ in range(steps)])
    stream = io.StringIO()
    profiler.print_stats(stream=stream, output_unit=1e-6, stripzeros=True)
    text = stream.getvalue()
    # Keep the paths short and the listing readable
    root = str(Path(nnlite.__file__).parent.parent) + "/"
    return text.replace(root, "")


# ---------------------------------------------------------------------- 5. nnfs.init()

NNFS_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    if sys.argv[1] == "init":
        import nnfs
        nnfs.init()
    sys.path.insert(0, sys.argv[2])
    import machine
    import workloads

    machine.set_threads(int(sys.argv[3]))
    problem = workloads.make_problem(workloads.SPIRAL, np.dtype("float32"))
    step = workloads.nnlite_training_step(problem)
    for _ in range(50):
        step()
    samples = []
    for _ in range(15):
        start = time.perf_counter()
        for _ in range(200):
            step()
        samples.append((time.perf_counter() - start) / 200)
    samples.sort()
    print(json.dumps({"median": samples[len(samples) // 2]}))
    """
)


def nnfs_init_table(alternations: int, threads: int) -> str:
    """nnlite's (a) step with and without nnfs.init(), in alternating fresh processes.

    ``nnfs.init()`` patches NumPy for the whole process, so the two cannot share one; each
    process reports its own median, and the table gives the median and the range of those.
    """
    results = defaultdict(list)
    for index in range(alternations):
        for mode in ("init", "plain")[:: 1 if index % 2 else -1]:
            arguments = [mode, str(Path(__file__).parent), str(threads)]
            completed = subprocess.run(
                [sys.executable, "-c", NNFS_SCRIPT, *arguments],
                capture_output=True,
                text=True,
                check=True,
            )
            results[mode].append(json.loads(completed.stdout)["median"])
    medians = {mode: statistics.median(values) for mode, values in results.items()}
    rows = []
    for mode, label in (
        ("plain", "float32 arrays, NumPy as it is"),
        ("init", "float32 arrays under `nnfs.init()` (np.dot computes in float64)"),
    ):
        values = results[mode]
        rows.append(
            [
                label,
                report.duration(medians[mode]),
                f"{report.duration(min(values))} – {report.duration(max(values))}",
                f"{medians[mode] / medians['plain']:.2f}",
            ]
        )
    return "\n\n".join(
        [
            report.table(["(a) nnlite step", "median", "range over processes", "ratio"], rows),
            f"{alternations} processes of each kind, alternating; each process times 15 blocks "
            f"of 200 steps after 50 warm-up steps and reports its median.",
        ]
    )


# ---------------------------------------------------------------------- 6. large updates


def nnlite_adam_step(problem, *, blocked: bool, threads: int, fused: bool):
    """nnlite's Adam on the arrays of (c), its plan prepared with these settings: in cache-
    sized blocks on ``threads`` threads (blocks.py) or whole, NumPy's rule or ``fused``."""
    saved = blocks.MIN_BLOCKED_SIZE
    blocks.set_update_threads(threads)
    if not blocked:
        blocks.MIN_BLOCKED_SIZE = 2**62
    try:
        step = workloads.book_update_step(nnlite, workloads.UPDATE_RULES[0], problem, fused=fused)
        step()  # the first update prepares the plan, which later updates reuse
    finally:
        blocks.MIN_BLOCKED_SIZE = saved
    return step


def large_update_table(shape: tuple[int, int]) -> str:
    problem = workloads.make_update_problem(*shape, DTYPE)
    base_name = "nnlite Optimizer_Adam, whole arrays (blocking off)"
    steps = {base_name: nnlite_adam_step(problem, blocked=False, threads=1, fused=False)}
    for threads in (1, 2):
        steps[f"nnlite, blocks of {blocks.BLOCK_SIZE} elements, {threads} thread(s)"] = (
            nnlite_adam_step(problem, blocked=True, threads=threads, fused=False)
        )
    if workloads.HAVE_NUMBA:
        steps["nnlite fused=True (numba), whole arrays, 1 thread"] = nnlite_adam_step(
            problem, blocked=False, threads=1, fused=True
        )
        steps["nnlite fused=True (numba), in blocks, 2 threads"] = nnlite_adam_step(
            problem, blocked=True, threads=2, fused=True
        )
    blocks.set_update_threads(None)
    try:
        import numexpr
    except ImportError:
        numexpr = None
    if numexpr is not None:
        for threads in (1, 2):
            name = f"numexpr {numexpr.__version__} (optional package), {threads} thread(s)"
            steps[name] = _Numexpr_Adam(problem, numexpr, threads).step
    steps["memory copy: np.copyto of the weights"] = workloads.numpy_copy_step(problem)
    timings = timing.time_interleaved(steps, rounds=9, block_seconds=0.3)
    base = timings[base_name].median
    rows = [
        [name, report.duration(result.median), f"{base / result.median:.2f}"]
        for name, result in timings.items()
    ]
    return "\n\n".join(
        [
            report.table(
                [f"Adam update, {shape} weights + biases, float32", "median", "speed-up"], rows
            ),
            "nnlite's blocked and fused updates give the whole-array rule's bits (tested in "
            "tests/optimizers/test_blocks.py and test_compiled.py)."
            + (
                f" numexpr, with every constant a float32 as NumPy makes it, bit-identical "
                f"after 3 updates: **{_numexpr_is_identical(problem, numexpr)}**."
                if numexpr is not None
                else " (numexpr is not installed, so its rows are left out.)"
            ),
        ]
    )


class _Numexpr_Adam:
    """nnlite's Adam rule as three numexpr expressions, one pass each, on copies of (c)."""

    def __init__(self, problem, numexpr, threads) -> None:
        self.problem, self.numexpr, self.threads = problem, numexpr, threads
        self.weights, self.biases = problem.weights.copy(), problem.biases.copy()
        self.weight_state = [np.zeros_like(self.weights), np.zeros_like(self.weights)]
        self.bias_state = [np.zeros_like(self.biases), np.zeros_like(self.biases)]
        self.iterations = 0

    def step(self) -> None:
        self.numexpr.set_num_threads(self.threads)
        self.iterations += 1
        t = self.iterations
        dtype = self.weights.dtype.type
        # The constants NumPy would use: Python floats become the arrays' dtype
        constants = {
            "b1": dtype(0.9),
            "ob1": dtype(1 - 0.9),
            "b2": dtype(0.999),
            "ob2": dtype(1 - 0.999),
            "bc1": dtype(1 - 0.9**t),
            "bc2": dtype(1 - 0.999**t),
            "nlr": dtype(-0.001),
            "eps": dtype(1e-7),
        }
        evaluate = self.numexpr.evaluate
        for value, gradient, (m, v) in (
            (self.weights, self.problem.dweights, self.weight_state),
            (self.biases, self.problem.dbiases, self.bias_state),
        ):
            names = {"W": value, "g": gradient, "m": m, "v": v, **constants}
            evaluate("b1*m + ob1*g", local_dict=names, out=m, casting="same_kind")
            evaluate("b2*v + ob2*(g*g)", local_dict=names, out=v, casting="same_kind")
            evaluate(
                "W + (nlr*(m/bc1)) / (sqrt(v/bc2) + eps)",
                local_dict=names,
                out=value,
                casting="same_kind",
            )


def _numexpr_is_identical(problem, numexpr) -> bool:
    expected = _nnlite_after_three_updates(problem)
    numexpr_adam = _Numexpr_Adam(problem, numexpr, 2)
    for _ in range(3):
        numexpr_adam.step()
    ours = (
        numexpr_adam.weights,
        *numexpr_adam.weight_state,
        numexpr_adam.biases,
        *numexpr_adam.bias_state,
    )
    return all(np.array_equal(a, b) for a, b in zip(expected, ours, strict=True))


def _nnlite_after_three_updates(problem) -> tuple[np.ndarray, ...]:
    layer = nnlite.Layer_Dense(1, 1)
    layer.weights, layer.biases = problem.weights.copy(), problem.biases.copy()
    layer.dweights, layer.dbiases = problem.dweights, problem.dbiases
    optimizer = nnlite.Optimizer_Adam(learning_rate=0.001)
    for _ in range(3):
        optimizer.pre_update_params()
        optimizer.update_params(layer)
        optimizer.post_update_params()
    return (
        layer.weights,
        layer.weight_momentums,
        layer.weight_cache,
        layer.biases,
        layer.bias_momentums,
        layer.bias_cache,
    )


# ---------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="do not rewrite PROFILE.md")
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke run)")
    parser.add_argument("--threads", type=int, default=None, help="BLAS and torch threads")
    parser.add_argument("--validation-worker", choices=("a", "b"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.validation_worker:
        validation_worker(args.validation_worker, machine.set_threads(args.threads))
        return
    threads = machine.set_threads(args.threads)
    start_load = machine.load_average()
    revision = machine.git_revision()
    others = machine.busy_cpus()
    sections = []

    def emit(text: str) -> None:
        sections.append(text)
        print(text, end="\n\n", flush=True)

    steps_of = {"a": 200 if args.quick else 2000, "b": 30 if args.quick else 300}
    problems = {
        "a": workloads.make_problem(workloads.SPIRAL, DTYPE),
        "b": workloads.make_problem(workloads.FASHION, DTYPE),
    }
    for key, problem in problems.items():
        emit(f"### {problem.network.label}: the stages of one step, float32")
        emit(stage_table(problem))
        emit(f"#### Input validation alone, {key}")
        emit(validation_table(key, threads=threads))
        emit(f"#### Changes that keep every number, measured in isolation, {key}")
        emit(candidates_table(problem))
        emit(f"#### cProfile, {key}")
        emit(cprofile_table(problem, steps_of[key]))
        emit(f"#### line_profiler, {key} ({steps_of[key]} steps; times in µs)")
        emit(
            "<details><summary>line-by-line listing</summary>\n\n```\n"
            + line_profile(problem, steps_of[key])
            + "\n```\n\n</details>"
        )
    emit("### A step of (a) under `nnfs.init()`, in fresh processes")
    emit(nnfs_init_table(alternations=1 if args.quick else 5, threads=threads))
    emit("### (c) Adam on 10 M parameters: whole, in blocks, on threads, compiled, numexpr")
    emit(large_update_table((100, 1000) if args.quick else (1000, 10_000)))
    emit("### Machine and settings")
    emit(report.table(["", ""], machine.describe(threads, start_load, others, revision)))
    if not args.no_write and not args.quick:
        report.replace_generated_part(PROFILE, "\n\n".join(sections), script="profile_nnlite.py")
        print(f"wrote {PROFILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
