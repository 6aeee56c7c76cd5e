"""Schedule_ReduceOnPlateau follows PyTorch's ReduceLROnPlateau report by report."""

import math

import numpy as np
import pytest
from torch.optim import lr_scheduler

from nnlite import Schedule_ReduceOnPlateau

T = lr_scheduler  # short, for the one-line tables

# The trace of shared/reference/optimizers.md §3.3 (factor .5, patience 2, rel threshold .1,
# cooldown 1, min_lr .1, starting lr 1.0), then a long plateau that reaches min_lr
REFERENCE_LOSSES = [
    1.0,
    0.95,
    0.93,
    0.92,
    0.91,
    0.5,
    0.49,
    0.48,
    0.47,
    0.46,
    0.45,
    0.44,
    0.43,
    0.42,
    0.41,
]
REFERENCE_LOSSES += [0.4] * 20
# The learning rate after each of the first 15 reports, as the reference's table says
REFERENCE_RATES = [1.0] * 3 + [0.5] * 5 + [0.25] * 6 + [0.125]


def make_reference():
    return Schedule_ReduceOnPlateau(
        1.0, factor=0.5, patience=2, threshold=0.1, cooldown=1, min_lr=0.1
    )


def run(schedule, metrics):
    """The rate before each update, reporting ``metrics[k]`` after update k."""
    rates = []
    for step, metric in enumerate(metrics):
        rates.append(schedule(step))
        schedule.report(metric)
    return rates


def noisy_losses(seed, count=40):
    rng = np.random.default_rng(seed)
    return list(1.0 / (1 + np.arange(count) / 8) + rng.normal(0, 0.03, count))


def test_the_reference_trace():
    schedule = make_reference()
    rates_after_reports = []
    for loss in REFERENCE_LOSSES[:15]:
        schedule.report(loss)
        rates_after_reports.append(schedule(0))
    assert rates_after_reports == REFERENCE_RATES
    for loss in REFERENCE_LOSSES[15:]:
        schedule.report(loss)
    assert schedule(0) == 0.1  # min_lr


# (id, nnlite schedule, torch scheduler builder, metrics, torch optimizer lr)
# fmt: off
CASES = [
    ("reference", make_reference, lambda o: T.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.1, cooldown=1, min_lr=0.1), REFERENCE_LOSSES, 1.0),  # noqa: E501
    ("defaults", lambda: Schedule_ReduceOnPlateau(0.1), lambda o: T.ReduceLROnPlateau(o), [1.0] * 40, 0.1),  # noqa: E501
    ("noisy", lambda: Schedule_ReduceOnPlateau(0.1, patience=2), lambda o: T.ReduceLROnPlateau(o, patience=2), noisy_losses(0), 0.1),  # noqa: E501
    ("patience_0", lambda: Schedule_ReduceOnPlateau(0.1, patience=0, factor=0.7), lambda o: T.ReduceLROnPlateau(o, patience=0, factor=0.7), noisy_losses(1), 0.1),  # noqa: E501
    ("abs", lambda: Schedule_ReduceOnPlateau(0.1, patience=1, threshold=0.02, threshold_mode="abs", cooldown=2), lambda o: T.ReduceLROnPlateau(o, patience=1, threshold=0.02, threshold_mode="abs", cooldown=2), noisy_losses(2), 0.1),  # noqa: E501
    ("max_rel", lambda: Schedule_ReduceOnPlateau(0.1, mode="max", patience=1, threshold=0.01), lambda o: T.ReduceLROnPlateau(o, mode="max", patience=1, threshold=0.01), [-x for x in noisy_losses(3)], 0.1),  # noqa: E501
    ("max_abs", lambda: Schedule_ReduceOnPlateau(0.1, mode="max", patience=1, threshold=0.01, threshold_mode="abs"), lambda o: T.ReduceLROnPlateau(o, mode="max", patience=1, threshold=0.01, threshold_mode="abs"), [1 - x for x in noisy_losses(4)], 0.1),  # noqa: E501
    ("min_lr", lambda: Schedule_ReduceOnPlateau(0.1, patience=0, factor=0.5, min_lr=0.01), lambda o: T.ReduceLROnPlateau(o, patience=0, factor=0.5, min_lr=0.01), [1.0] * 35, 0.1),  # noqa: E501
    ("eps", lambda: Schedule_ReduceOnPlateau(1e-6, patience=0, factor=0.5, eps=1e-7), lambda o: T.ReduceLROnPlateau(o, patience=0, factor=0.5, eps=1e-7), [1.0] * 35, 1e-6),  # noqa: E501
    ("nan", lambda: Schedule_ReduceOnPlateau(0.1, patience=1), lambda o: T.ReduceLROnPlateau(o, patience=1), [1.0, math.nan] * 15, 0.1),  # noqa: E501
]
# fmt: on


@pytest.mark.parametrize(
    ("make_ours", "make_torch", "metrics", "lr"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_learning_rates_equal_torch(make_ours, make_torch, metrics, lr, torch_run, assert_match):
    assert len(metrics) >= 30
    schedule = make_ours()
    theirs, _ = torch_run(make_torch, len(metrics), lr=lr, metrics=metrics)
    assert_match(run(schedule, metrics), theirs, repr(schedule), tolerance=0.0)
    assert len(set(theirs)) > 1, "the case never cuts the rate: it tests nothing"


def test_a_tiny_rate_is_never_cut_below_eps():
    # The reference: "A 1e-9 lr is never reduced further, because the change is below eps"
    schedule = Schedule_ReduceOnPlateau(1e-9, patience=0)
    for _ in range(10):
        schedule.report(1.0)
    assert schedule(0) == 1e-9


def test_the_step_does_not_matter_between_reports():
    schedule = make_reference()
    assert schedule.values(5) == [1.0] * 5
    for loss in REFERENCE_LOSSES[:4]:
        schedule.report(loss)
    assert schedule.values(5) == [0.5] * 5
    assert schedule(1000) == 0.5


def test_resuming_from_a_state_dict_equals_never_stopping():
    metrics = noisy_losses(5)
    uninterrupted = run(Schedule_ReduceOnPlateau(0.1, patience=1, cooldown=1), metrics)
    first = Schedule_ReduceOnPlateau(0.1, patience=1, cooldown=1)
    rates = run(first, metrics[:17])
    resumed = Schedule_ReduceOnPlateau(0.1, patience=1, cooldown=1)
    resumed.load_state_dict(first.state_dict())
    for step, metric in enumerate(metrics[17:], start=17):
        rates.append(resumed(step))
        resumed.report(metric)
    assert rates == uninterrupted
    assert len(set(rates)) > 2  # the rate was cut before and after the checkpoint


def test_a_state_dict_with_other_keys_is_refused():
    with pytest.raises(ValueError, match="expected the keys"):
        Schedule_ReduceOnPlateau(0.1).load_state_dict({"best": 1.0})


def test_report_needs_a_number():
    with pytest.raises(TypeError, match="metric must be a number, got 'low'"):
        Schedule_ReduceOnPlateau(0.1).report("low")
