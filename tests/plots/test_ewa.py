"""ewa_weights are the weights the recursion v = β·v + (1 - β)·θ gives to past values."""

import numpy as np
import pytest

from nnlite.plots import ewa_weights, plot_ewa_weights


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.8, 0.9, 0.95, 0.98])
def test_weights_are_what_the_recursion_gives_each_past_value(beta):
    steps = 60
    # Run the average over a unit impulse placed i steps before the end: what comes out
    # is exactly the weight the average gives a value i steps back
    from_recursion = []
    for back in range(steps):
        values = np.zeros(steps)
        values[steps - 1 - back] = 1.0
        average = 0.0
        for value in values:
            average = beta * average + (1 - beta) * value
        from_recursion.append(average)
    np.testing.assert_allclose(ewa_weights(beta, steps), from_recursion, rtol=1e-12, atol=0)
    # ... and they sum to 1 - β^steps, the correction Adam divides by
    assert ewa_weights(beta, steps).sum() == pytest.approx(1 - beta**steps, rel=1e-12)


def test_the_articles_figure(rendered):
    figure = plot_ewa_weights()
    rendered(figure)
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == [
        "β = 0.98 (memory ≈ 50 steps)",
        "β = 0.95 (memory ≈ 20 steps)",
        "β = 0.9 (memory ≈ 10 steps)",
        "β = 0.8 (memory ≈ 5 steps)",
    ]
    for line, beta in zip(lines, (0.98, 0.95, 0.9, 0.8), strict=True):
        assert list(line.get_xdata()) == list(range(100))
        np.testing.assert_array_equal(line.get_ydata(), ewa_weights(beta, 100))


def test_one_beta(rendered):
    rendered(plot_ewa_weights(0.9, steps=30))


@pytest.mark.parametrize(
    "betas, steps, error, message",
    [
        ((1.0,), 10, ValueError, r"beta must be in \[0, 1\), got 1.0"),
        ((-0.1,), 10, ValueError, r"beta must be in \[0, 1\)"),
        (("0.9",), 10, TypeError, "each beta must be a number"),
        ((), 10, ValueError, "betas is empty"),
        ((0.9,), 0, ValueError, "steps must be a positive"),
    ],
)
def test_bad_arguments_are_named(betas, steps, error, message):
    with pytest.raises(error, match=message):
        plot_ewa_weights(betas, steps)
