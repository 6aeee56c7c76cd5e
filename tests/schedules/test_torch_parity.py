"""Every schedule gives PyTorch's learning-rate sequence (float64, within 1e-12).

One line per case: the nnlite schedule, the torch scheduler on an SGD optimizer with the same
initial learning rate, and the number of steps (enough to pass every milestone and restart).
PyTorch records ``param_groups[0]["lr"]`` before each ``optimizer.step()`` and steps the
scheduler after it; nnlite gives ``schedule(0), schedule(1), ...``.
"""

import pytest
from torch.optim import lr_scheduler

from nnlite import (
    Schedule_Chained,
    Schedule_ConstantWarmup,
    Schedule_CosineAnnealing,
    Schedule_CosineWarmRestarts,
    Schedule_Cyclic,
    Schedule_ExponentialDecay,
    Schedule_InverseTimeDecay,
    Schedule_Lambda,
    Schedule_LinearWarmup,
    Schedule_MultiStepDecay,
    Schedule_OneCycle,
    Schedule_PolynomialDecay,
    Schedule_Sequential,
    Schedule_StepDecay,
)

T = lr_scheduler  # short, for the one-line tables


# (id, nnlite schedule, torch scheduler builder, steps, initial lr of the torch optimizer)
# fmt: off
CASES = [
    ("inverse_time", lambda: Schedule_InverseTimeDecay(0.1, decay=0.1), lambda o: T.LambdaLR(o, lambda k: 1 / (1 + 0.1 * k)), 40, 0.1),  # noqa: E501
    ("inverse_time_book", lambda: Schedule_InverseTimeDecay(1.0, decay=1e-3), lambda o: T.LambdaLR(o, lambda k: 1 / (1 + 1e-3 * k)), 40, 1.0),  # noqa: E501
    ("lambda", lambda: Schedule_Lambda(0.1, lr_lambda=lambda k: 0.95**k), lambda o: T.LambdaLR(o, lambda k: 0.95**k), 40, 0.1),  # noqa: E501
    ("step", lambda: Schedule_StepDecay(0.1, step_size=3), lambda o: T.StepLR(o, step_size=3), 40, 0.1),  # noqa: E501
    ("step_gamma", lambda: Schedule_StepDecay(1.0, step_size=7, gamma=0.5), lambda o: T.StepLR(o, 7, gamma=0.5), 40, 1.0),  # noqa: E501
    ("step_every", lambda: Schedule_StepDecay(1.0, step_size=1, gamma=0.9), lambda o: T.StepLR(o, 1, gamma=0.9), 40, 1.0),  # noqa: E501
    ("multistep", lambda: Schedule_MultiStepDecay(0.1, milestones=[5, 12, 20]), lambda o: T.MultiStepLR(o, [5, 12, 20]), 40, 0.1),  # noqa: E501
    ("multistep_repeat", lambda: Schedule_MultiStepDecay(1.0, milestones=[3, 3, 10], gamma=0.5), lambda o: T.MultiStepLR(o, [3, 3, 10], gamma=0.5), 40, 1.0),  # noqa: E501
    ("multistep_unsorted", lambda: Schedule_MultiStepDecay(1.0, milestones=[25, 4], gamma=0.3), lambda o: T.MultiStepLR(o, [25, 4], gamma=0.3), 40, 1.0),  # noqa: E501
    ("exponential", lambda: Schedule_ExponentialDecay(0.1, gamma=0.9), lambda o: T.ExponentialLR(o, gamma=0.9), 40, 0.1),  # noqa: E501
    ("exponential_long", lambda: Schedule_ExponentialDecay(1.0, gamma=0.99), lambda o: T.ExponentialLR(o, gamma=0.99), 200, 1.0),  # noqa: E501
    ("cosine", lambda: Schedule_CosineAnnealing(0.1, T_max=10), lambda o: T.CosineAnnealingLR(o, T_max=10), 45, 0.1),  # noqa: E501
    ("cosine_eta_min", lambda: Schedule_CosineAnnealing(0.1, T_max=7, eta_min=0.01), lambda o: T.CosineAnnealingLR(o, 7, eta_min=0.01), 40, 0.1),  # noqa: E501
    ("cosine_T_max_1", lambda: Schedule_CosineAnnealing(1.0, T_max=1), lambda o: T.CosineAnnealingLR(o, 1), 30, 1.0),  # noqa: E501
    ("cosine_long", lambda: Schedule_CosineAnnealing(3.7, T_max=50, eta_min=0.2), lambda o: T.CosineAnnealingLR(o, 50, eta_min=0.2), 250, 3.7),  # noqa: E501
    ("restarts", lambda: Schedule_CosineWarmRestarts(0.1, T_0=5), lambda o: T.CosineAnnealingWarmRestarts(o, T_0=5), 30, 0.1),  # noqa: E501
    ("restarts_mult", lambda: Schedule_CosineWarmRestarts(0.1, T_0=3, T_mult=2, eta_min=0.01), lambda o: T.CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.01), 50, 0.1),  # noqa: E501
    ("restarts_T_0_1", lambda: Schedule_CosineWarmRestarts(1.0, T_0=1, T_mult=3), lambda o: T.CosineAnnealingWarmRestarts(o, 1, T_mult=3), 45, 1.0),  # noqa: E501
    ("restarts_eta_min", lambda: Schedule_CosineWarmRestarts(1.0, T_0=4, eta_min=0.05), lambda o: T.CosineAnnealingWarmRestarts(o, 4, eta_min=0.05), 30, 1.0),  # noqa: E501
    ("linear", lambda: Schedule_LinearWarmup(0.1), lambda o: T.LinearLR(o), 30, 0.1),
    ("linear_quarter", lambda: Schedule_LinearWarmup(1.0, start_factor=0.25, total_iters=4), lambda o: T.LinearLR(o, 0.25, total_iters=4), 30, 1.0),  # noqa: E501
    ("linear_to_half", lambda: Schedule_LinearWarmup(0.1, start_factor=0.1, end_factor=0.5, total_iters=10), lambda o: T.LinearLR(o, 0.1, 0.5, 10), 30, 0.1),  # noqa: E501
    ("linear_decay", lambda: Schedule_LinearWarmup(0.1, start_factor=1.0, end_factor=0.05, total_iters=20), lambda o: T.LinearLR(o, 1.0, 0.05, 20), 30, 0.1),  # noqa: E501
    ("constant", lambda: Schedule_ConstantWarmup(0.1), lambda o: T.ConstantLR(o), 30, 0.1),
    ("constant_half", lambda: Schedule_ConstantWarmup(1.0, factor=0.5, total_iters=10), lambda o: T.ConstantLR(o, 0.5, 10), 30, 1.0),  # noqa: E501
    ("constant_one", lambda: Schedule_ConstantWarmup(1.0, factor=1.0, total_iters=3), lambda o: T.ConstantLR(o, 1.0, 3), 30, 1.0),  # noqa: E501
    ("polynomial", lambda: Schedule_PolynomialDecay(0.1), lambda o: T.PolynomialLR(o), 30, 0.1),
    ("polynomial_square", lambda: Schedule_PolynomialDecay(1.0, total_iters=20, power=2.0), lambda o: T.PolynomialLR(o, 20, power=2.0), 30, 1.0),  # noqa: E501
    ("polynomial_root", lambda: Schedule_PolynomialDecay(1.0, total_iters=25, power=0.5), lambda o: T.PolynomialLR(o, 25, power=0.5), 30, 1.0),  # noqa: E501
    ("one_cycle", lambda: Schedule_OneCycle(1.0, total_steps=30), lambda o: T.OneCycleLR(o, 1.0, total_steps=30), 31, 0.5),  # noqa: E501
    ("one_cycle_linear", lambda: Schedule_OneCycle(0.1, total_steps=40, anneal_strategy="linear"), lambda o: T.OneCycleLR(o, 0.1, total_steps=40, anneal_strategy="linear"), 41, 0.5),  # noqa: E501
    ("one_cycle_three", lambda: Schedule_OneCycle(0.1, total_steps=40, three_phase=True), lambda o: T.OneCycleLR(o, 0.1, total_steps=40, three_phase=True), 41, 0.5),  # noqa: E501
    ("one_cycle_three_linear", lambda: Schedule_OneCycle(0.1, total_steps=33, three_phase=True, anneal_strategy="linear"), lambda o: T.OneCycleLR(o, 0.1, total_steps=33, three_phase=True, anneal_strategy="linear"), 34, 0.5),  # noqa: E501
    ("one_cycle_factors", lambda: Schedule_OneCycle(2.0, total_steps=45, pct_start=0.25, div_factor=10.0, final_div_factor=100.0), lambda o: T.OneCycleLR(o, 2.0, total_steps=45, pct_start=0.25, div_factor=10.0, final_div_factor=100.0), 46, 0.5),  # noqa: E501
    ("one_cycle_epochs", lambda: Schedule_OneCycle(0.1, epochs=5, steps_per_epoch=7), lambda o: T.OneCycleLR(o, 0.1, epochs=5, steps_per_epoch=7), 36, 0.5),  # noqa: E501
    ("cyclic", lambda: Schedule_Cyclic(0.01, 0.1, step_size_up=4), lambda o: T.CyclicLR(o, 0.01, 0.1, step_size_up=4), 40, 0.5),  # noqa: E501
    ("cyclic_triangular2", lambda: Schedule_Cyclic(0.01, 0.1, step_size_up=3, step_size_down=5, mode="triangular2"), lambda o: T.CyclicLR(o, 0.01, 0.1, 3, 5, mode="triangular2"), 50, 0.5),  # noqa: E501
    ("cyclic_exp_range", lambda: Schedule_Cyclic(0.001, 0.1, step_size_up=5, mode="exp_range", gamma=0.95), lambda o: T.CyclicLR(o, 0.001, 0.1, 5, mode="exp_range", gamma=0.95), 50, 0.5),  # noqa: E501
    ("cyclic_scale_fn", lambda: Schedule_Cyclic(0.01, 0.1, step_size_up=2, scale_fn=lambda x: 0.7**x), lambda o: T.CyclicLR(o, 0.01, 0.1, 2, scale_fn=lambda x: 0.7**x), 40, 0.5),  # noqa: E501
    ("cyclic_scale_fn_steps", lambda: Schedule_Cyclic(0.01, 0.1, step_size_up=3, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"), lambda o: T.CyclicLR(o, 0.01, 0.1, 3, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"), 40, 0.5),  # noqa: E501
    ("sequential", lambda: Schedule_Sequential([Schedule_LinearWarmup(1.0, start_factor=0.1, total_iters=3), Schedule_CosineAnnealing(1.0, T_max=5)], milestones=[3]), lambda o: T.SequentialLR(o, [T.LinearLR(o, 0.1, total_iters=3), T.CosineAnnealingLR(o, T_max=5)], milestones=[3]), 30, 1.0),  # noqa: E501
    ("sequential_three", lambda: Schedule_Sequential([Schedule_ConstantWarmup(0.1, factor=0.2, total_iters=10), Schedule_CosineAnnealing(0.1, T_max=8, eta_min=0.01), Schedule_ExponentialDecay(0.1, gamma=0.9)], milestones=[4, 12]), lambda o: T.SequentialLR(o, [T.ConstantLR(o, 0.2, 10), T.CosineAnnealingLR(o, 8, 0.01), T.ExponentialLR(o, 0.9)], milestones=[4, 12]), 40, 0.1),  # noqa: E501
    ("sequential_steps", lambda: Schedule_Sequential([Schedule_ExponentialDecay(0.1, gamma=0.8), Schedule_StepDecay(0.1, step_size=4, gamma=0.5), Schedule_MultiStepDecay(0.1, milestones=[3, 9])], milestones=[6, 20]), lambda o: T.SequentialLR(o, [T.ExponentialLR(o, 0.8), T.StepLR(o, 4, 0.5), T.MultiStepLR(o, [3, 9])], milestones=[6, 20]), 40, 0.1),  # noqa: E501
    ("sequential_restarts", lambda: Schedule_Sequential([Schedule_LinearWarmup(0.1, start_factor=0.2, total_iters=5), Schedule_CosineWarmRestarts(0.1, T_0=4, T_mult=2)], milestones=[5]), lambda o: T.SequentialLR(o, [T.LinearLR(o, 0.2, total_iters=5), T.CosineAnnealingWarmRestarts(o, 4, 2)], milestones=[5]), 40, 0.1),  # noqa: E501
    ("sequential_polynomial", lambda: Schedule_Sequential([Schedule_LinearWarmup(0.1, start_factor=0.5, total_iters=3), Schedule_PolynomialDecay(0.1, total_iters=20, power=2.0)], milestones=[3]), lambda o: T.SequentialLR(o, [T.LinearLR(o, 0.5, total_iters=3), T.PolynomialLR(o, 20, 2.0)], milestones=[3]), 30, 0.1),  # noqa: E501
    ("chained", lambda: Schedule_Chained([Schedule_ConstantWarmup(1.0, factor=0.1, total_iters=2), Schedule_ExponentialDecay(1.0, gamma=0.9)]), lambda o: T.ChainedScheduler([T.ConstantLR(o, 0.1, 2), T.ExponentialLR(o, 0.9)]), 30, 1.0),  # noqa: E501
    ("chained_linear_step", lambda: Schedule_Chained([Schedule_LinearWarmup(0.1, start_factor=0.2, total_iters=6), Schedule_StepDecay(0.1, step_size=5, gamma=0.5)]), lambda o: T.ChainedScheduler([T.LinearLR(o, 0.2, total_iters=6), T.StepLR(o, 5, 0.5)]), 30, 0.1),  # noqa: E501
    ("chained_cosine_multistep", lambda: Schedule_Chained([Schedule_CosineAnnealing(0.1, T_max=36), Schedule_MultiStepDecay(0.1, milestones=[5, 15], gamma=0.5)]), lambda o: T.ChainedScheduler([T.CosineAnnealingLR(o, 36), T.MultiStepLR(o, [5, 15], 0.5)]), 36, 0.1),  # noqa: E501
    ("chained_three", lambda: Schedule_Chained([Schedule_PolynomialDecay(0.1, total_iters=40, power=1.5), Schedule_ExponentialDecay(0.1, gamma=0.97), Schedule_ConstantWarmup(0.1, factor=0.5, total_iters=4)]), lambda o: T.ChainedScheduler([T.PolynomialLR(o, 40, 1.5), T.ExponentialLR(o, 0.97), T.ConstantLR(o, 0.5, 4)]), 35, 0.1),  # noqa: E501
]
# fmt: on


@pytest.mark.parametrize(
    ("make_ours", "make_torch", "steps", "lr"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_learning_rates_equal_torch(make_ours, make_torch, steps, lr, torch_run, assert_match):
    assert steps >= 30
    schedule = make_ours()
    theirs, _ = torch_run(make_torch, steps, lr=lr)
    ours = [schedule(step) for step in range(steps)]
    assert_match(ours, theirs, repr(schedule))
    assert schedule.values(steps) == ours
