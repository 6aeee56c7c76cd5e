"""The plots never touch pyplot or the backend, so they work where no display exists."""

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    import matplotlib
    import matplotlib.figure
    import numpy as np
    from nnlite import History, Optimizer_Adam, Optimizer_SGD, Schedule_StepDecay
    from nnlite.plots import (
        plot_decision_boundary, plot_ewa_weights, plot_history, plot_loss_curves,
        plot_schedule, plot_trajectories,
    )

    history = History()
    for epoch in (1, 2, 3):
        history.record(epoch, {"loss": 1.0 / epoch, "accuracy": 0.3 * epoch})
    X = np.random.default_rng(0).uniform(-1, 1, (20, 2))
    figures = [
        plot_history(history),
        plot_loss_curves({"run": history}),
        plot_decision_boundary(lambda p: (p[:, 0] > 0) * 1, X, (X[:, 0] > 0) * 1, resolution=20),
        plot_schedule(Schedule_StepDecay(0.1, step_size=2), steps=10),
        plot_trajectories({"SGD": Optimizer_SGD(0.001), "Adam": Optimizer_Adam(0.1)}, steps=5),
        plot_ewa_weights(steps=10),
    ]
    for index, figure in enumerate(figures):
        assert isinstance(figure, matplotlib.figure.Figure)
        figure.savefig(f"{sys.argv[1]}/{index}.png")
        # What a notebook shows when the figure is a cell's value, even without pyplot
        assert figure._repr_png_().startswith(b"\\x89PNG")
    assert "matplotlib.pyplot" not in sys.modules, "a plot imported pyplot"
    backend = dict.__getitem__(matplotlib.rcParams, "backend")
    assert not isinstance(backend, str), f"a plot chose the backend {backend!r}"
    print("ok")
    """
)


@pytest.mark.slow  # a subprocess
def test_drawing_and_saving_needs_no_pyplot_and_no_display(tmp_path):
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")
    }
    script = tmp_path / "draw.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert sorted(path.name for path in tmp_path.glob("*.png")) == [f"{i}.png" for i in range(6)]
