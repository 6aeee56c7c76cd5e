"""Invalid arguments raise at construction, with PyTorch's message where PyTorch has one."""

import re

import pytest

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
    Schedule_ReduceOnPlateau,
    Schedule_Sequential,
    Schedule_StepDecay,
)

STEP = Schedule_StepDecay(0.1, step_size=3)

# (id, what to build, error, message: PyTorch's where it has one)
# fmt: off
CASES = [
    ("negative_lr", lambda: Schedule_StepDecay(-1.0, step_size=3), ValueError, "Invalid learning rate: -1.0"),  # noqa: E501
    ("nan_lr", lambda: Schedule_ExponentialDecay(float("nan"), gamma=0.9), ValueError, "Invalid learning rate: nan"),  # noqa: E501
    ("text_lr", lambda: Schedule_ExponentialDecay("0.1", gamma=0.9), TypeError, "initial_learning_rate must be a number, got '0.1'"),  # noqa: E501
    ("negative_decay", lambda: Schedule_InverseTimeDecay(0.1, decay=-1e-3), ValueError, "decay must be a finite number >= 0, got -0.001"),  # noqa: E501
    ("lambda_not_callable", lambda: Schedule_Lambda(0.1, lr_lambda=0.5), TypeError, "lr_lambda must be a function of the step"),  # noqa: E501
    ("step_size_0", lambda: Schedule_StepDecay(0.1, step_size=0), ValueError, "step_size must be a positive whole number, got 0"),  # noqa: E501
    ("step_size_float", lambda: Schedule_StepDecay(0.1, step_size=2.5), TypeError, "step_size must be a whole number, got 2.5"),  # noqa: E501
    ("negative_gamma", lambda: Schedule_StepDecay(0.1, step_size=3, gamma=-0.1), ValueError, "gamma must be a finite number >= 0, got -0.1"),  # noqa: E501
    ("negative_milestone", lambda: Schedule_MultiStepDecay(0.1, milestones=[5, -1]), ValueError, "each milestone must be a whole number >= 0, got -1"),  # noqa: E501
    ("milestones_text", lambda: Schedule_MultiStepDecay(0.1, milestones="5"), TypeError, "milestones must be a list of steps"),  # noqa: E501
    ("T_max_0", lambda: Schedule_CosineAnnealing(0.1, T_max=0), ValueError, "T_max must be a positive whole number, got 0"),  # noqa: E501
    ("negative_eta_min", lambda: Schedule_CosineAnnealing(0.1, T_max=5, eta_min=-0.01), ValueError, "eta_min must be a finite number >= 0, got -0.01"),  # noqa: E501
    ("T_0_0", lambda: Schedule_CosineWarmRestarts(0.1, T_0=0), ValueError, "Expected positive integer T_0, but got 0"),  # noqa: E501
    ("T_0_float", lambda: Schedule_CosineWarmRestarts(0.1, T_0=2.0), ValueError, "Expected positive integer T_0, but got 2.0"),  # noqa: E501
    ("T_mult_0", lambda: Schedule_CosineWarmRestarts(0.1, T_0=5, T_mult=0), ValueError, "Expected integer T_mult >= 1, but got 0"),  # noqa: E501
    ("eta_min_text", lambda: Schedule_CosineWarmRestarts(0.1, T_0=5, eta_min="0"), ValueError, "Expected float or int eta_min, but got 0 of type <class 'str'>"),  # noqa: E501
    ("start_factor_0", lambda: Schedule_LinearWarmup(0.1, start_factor=0.0), ValueError, "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),  # noqa: E501
    ("start_factor_2", lambda: Schedule_LinearWarmup(0.1, start_factor=2.0), ValueError, "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),  # noqa: E501
    ("end_factor_2", lambda: Schedule_LinearWarmup(0.1, end_factor=1.5), ValueError, "Ending multiplicative factor expected to be between 0 and 1."),  # noqa: E501
    ("linear_total_0", lambda: Schedule_LinearWarmup(0.1, total_iters=0), ValueError, "total_iters must be a positive whole number, got 0"),  # noqa: E501
    ("constant_factor_2", lambda: Schedule_ConstantWarmup(0.1, factor=2.0), ValueError, "Constant multiplicative factor expected to be between 0 and 1."),  # noqa: E501
    ("constant_factor_negative", lambda: Schedule_ConstantWarmup(0.1, factor=-0.5), ValueError, "Constant multiplicative factor expected to be between 0 and 1."),  # noqa: E501
    ("polynomial_total_0", lambda: Schedule_PolynomialDecay(0.1, total_iters=0), ValueError, "total_iters must be a positive whole number, got 0"),  # noqa: E501
    ("negative_power", lambda: Schedule_PolynomialDecay(0.1, power=-1.0), ValueError, "power must be a finite number >= 0, got -1.0"),  # noqa: E501
    ("one_cycle_no_length", lambda: Schedule_OneCycle(0.1), ValueError, "You must define either total_steps OR (epochs AND steps_per_epoch)"),  # noqa: E501
    ("one_cycle_total_0", lambda: Schedule_OneCycle(0.1, total_steps=0), ValueError, "Expected positive integer total_steps, but got 0"),  # noqa: E501
    ("one_cycle_epochs_0", lambda: Schedule_OneCycle(0.1, epochs=0, steps_per_epoch=5), ValueError, "Expected positive integer epochs, but got 0"),  # noqa: E501
    ("one_cycle_steps_per_epoch", lambda: Schedule_OneCycle(0.1, epochs=3, steps_per_epoch=-5), ValueError, "Expected positive integer steps_per_epoch, but got -5"),  # noqa: E501
    ("one_cycle_pct_start", lambda: Schedule_OneCycle(0.1, total_steps=10, pct_start=1.5), ValueError, "Expected float between 0 and 1 pct_start, but got 1.5"),  # noqa: E501
    ("one_cycle_anneal", lambda: Schedule_OneCycle(0.1, total_steps=10, anneal_strategy="exp"), ValueError, "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),  # noqa: E501
    ("one_cycle_div_factor", lambda: Schedule_OneCycle(0.1, total_steps=10, div_factor=0.0), ValueError, "div_factor and final_div_factor must be above 0, got 0.0 and 10000.0"),  # noqa: E501
    ("cyclic_mode", lambda: Schedule_Cyclic(0.01, 0.1, mode="sawtooth"), ValueError, "mode is invalid and scale_fn is None"),  # noqa: E501
    ("cyclic_scale_mode", lambda: Schedule_Cyclic(0.01, 0.1, scale_mode="epochs"), ValueError, "scale_mode must be one of ['cycle', 'iterations'], got 'epochs'"),  # noqa: E501
    ("cyclic_step_size", lambda: Schedule_Cyclic(0.01, 0.1, step_size_up=0), ValueError, "step_size_up must be a positive whole number, got 0"),  # noqa: E501
    ("cyclic_negative_max", lambda: Schedule_Cyclic(0.01, -0.1), ValueError, "Invalid learning rate: -0.1"),  # noqa: E501
    ("plateau_factor", lambda: Schedule_ReduceOnPlateau(0.1, factor=1.0), ValueError, "Factor should be < 1.0."),  # noqa: E501
    ("plateau_negative_factor", lambda: Schedule_ReduceOnPlateau(0.1, factor=-0.5), ValueError, "factor must be a finite number >= 0, got -0.5"),  # noqa: E501
    ("plateau_mode", lambda: Schedule_ReduceOnPlateau(0.1, mode="lowest"), ValueError, "mode lowest is unknown!"),  # noqa: E501
    ("plateau_threshold_mode", lambda: Schedule_ReduceOnPlateau(0.1, threshold_mode="relative"), ValueError, "threshold mode relative is unknown!"),  # noqa: E501
    ("plateau_patience", lambda: Schedule_ReduceOnPlateau(0.1, patience=-1), ValueError, "patience must be a whole number >= 0, got -1"),  # noqa: E501
    ("plateau_min_lr", lambda: Schedule_ReduceOnPlateau(0.1, min_lr=-1.0), ValueError, "Invalid learning rate: -1.0"),  # noqa: E501
    ("sequential_empty", lambda: Schedule_Sequential([], milestones=[]), ValueError, "Schedule_Sequential expects at least one schedule, but got no schedule."),  # noqa: E501
    ("sequential_milestone_count", lambda: Schedule_Sequential([STEP, STEP], milestones=[]), ValueError, "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 0"),  # noqa: E501
    ("sequential_milestones_order", lambda: Schedule_Sequential([STEP, STEP, STEP], milestones=[5, 5]), ValueError, "milestones must increase, got [5, 5]"),  # noqa: E501
    ("sequential_milestone_0", lambda: Schedule_Sequential([STEP, STEP], milestones=[0]), ValueError, "each milestone must be a positive whole number, got 0"),  # noqa: E501
    ("sequential_not_a_schedule", lambda: Schedule_Sequential([STEP, 0.1], milestones=[3]), TypeError, "the schedule at index 1 should be a Schedule"),  # noqa: E501
    ("sequential_one_schedule", lambda: Schedule_Sequential(STEP, milestones=[]), TypeError, "schedules must be a list of schedules"),  # noqa: E501
    ("chained_empty", lambda: Schedule_Chained([]), ValueError, "Schedule_Chained expects at least one schedule to be chained, but got no schedule."),  # noqa: E501
    ("chained_different_lrs", lambda: Schedule_Chained([STEP, Schedule_StepDecay(0.2, step_size=3)]), ValueError, "must all start from the same initial_learning_rate; got [0.1, 0.2]"),  # noqa: E501
]
# fmt: on


@pytest.mark.parametrize(
    ("build", "error", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_invalid_arguments_are_refused(build, error, message):
    with pytest.raises(error, match=re.escape(message)):
        build()


@pytest.mark.parametrize("step", [-1, 1.5, True, "3", None])
def test_a_step_must_be_a_whole_number_of_updates(step):
    with pytest.raises(ValueError, match="step must be the number of updates already made"):
        STEP(step)


def test_one_cycle_refuses_steps_past_its_end_with_torchs_message():
    schedule = Schedule_OneCycle(0.1, total_steps=10)
    schedule(10)  # PyTorch computes this one too: the rate after the last update
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of total"):
        schedule(11)
    with pytest.raises(ValueError, match="Tried to step 12 times"):
        schedule.momentum(12)


def test_values_needs_a_count():
    with pytest.raises(ValueError, match="steps must be a whole number >= 0, got -1"):
        STEP.values(-1)
    assert STEP.values(0) == []


def test_a_pure_schedule_refuses_a_state_to_load():
    with pytest.raises(ValueError, match="keeps no state"):
        STEP.load_state_dict({"best": 1.0})
    STEP.load_state_dict({})
