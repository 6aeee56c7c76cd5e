"""The ``nnlite`` command: train, resume, compare, and one clear line for bad arguments."""

import json
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from nnlite import load_checkpoint
from nnlite.cli import main


def run(*arguments, cwd):
    return subprocess.run(
        [sys.executable, "-m", "nnlite", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_train_writes_a_curve_a_history_and_a_checkpoint(tmp_path, capsys):
    assert main(["train", "--epochs", "30", "--verbose", "0", "--output", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "final: loss " in printed
    image = matplotlib.image.imread(tmp_path / "loss_curve.png")
    assert image.shape[0] > 100 and image.std() > 0.05
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["epoch"] == list(range(1, 31))
    checkpoint = load_checkpoint(tmp_path / "checkpoint.npz")
    assert checkpoint.epoch == 30
    assert len(checkpoint.extra["history"]["loss"]) == 30


def test_resuming_equals_training_straight_through(tmp_path):
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    common = ["--verbose", "0", "--optimizer", "sgd", "--set", "momentum=0.5"]
    assert main(["train", "--epochs", "40", "--output", str(straight), *common]) == 0
    assert main(["train", "--epochs", "25", "--output", str(resumed), *common]) == 0
    checkpoint = str(resumed / "checkpoint.npz")
    arguments = ["train", "--epochs", "40", "--output", str(resumed), "--resume", checkpoint]
    assert main([*arguments, "--verbose", "0"]) == 0
    ours = load_checkpoint(resumed / "checkpoint.npz").model.get_parameters()
    theirs = load_checkpoint(straight / "checkpoint.npz").model.get_parameters()
    for (w1, b1), (w2, b2) in zip(ours, theirs, strict=True):
        assert np.array_equal(w1, w2) and np.array_equal(b1, b2)
    history = json.loads((resumed / "history.json").read_text())
    assert history["epoch"] == list(range(1, 41))


def test_compare_draws_one_figure_and_prints_a_table(tmp_path, capsys):
    arguments = ["compare", "--optimizers", "sgd", "adam", "--epochs", "20"]
    assert main([*arguments, "--output", str(tmp_path), "--set", "sgd.momentum=0.5"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("run ")
    assert {table[2].split()[0], table[3].split()[0]} == {"sgd", "adam"}
    assert (tmp_path / "loss_curves.png").stat().st_size > 5000


def test_schedules_and_batches(tmp_path):
    arguments = ["train", "--epochs", "5", "--batch-size", "64", "--schedule", "one-cycle"]
    assert main([*arguments, "--verbose", "0", "--output", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["train", "--optimizer", "adamm"], "unknown optimizer 'adamm'; choose one of"),
        (["train", "--set", "momentum"], "--set takes NAME=VALUE, got 'momentum'"),
        (["train", "--set", "betas=(0.9, 0.99)"], "Optimizer_Adam: "),
        (["train", "--learning-rate", "-1"], "Invalid learning rate: -1.0"),
        (["train", "--epochs", "0"], "--epochs must be above 0, got 0"),
        (["train", "--resume", "missing.npz"], "missing.npz"),
        (["compare", "--set", "adam.beta_1=2"], "Invalid beta parameter at index 0: 2"),
        (["compare", "--set", "lion.beta_1=0.5"], "write OPTIMIZER.NAME=VALUE for one of"),
    ],
)
def test_bad_arguments_get_one_clear_line(tmp_path, arguments, message):
    result = (
        run(*arguments, "--epochs", "2", cwd=tmp_path)
        if "--epochs" not in arguments
        else (run(*arguments, cwd=tmp_path))
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnlite: error: ")
    assert message in lines[0]


def test_an_unknown_choice_is_refused_by_the_parser(tmp_path):
    result = run("train", "--data", "mnist", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "invalid choice: 'mnist'" in result.stderr


@pytest.mark.slow  # a subprocess
def test_readme_line_one_runs_the_installed_command_with_its_defaults(tmp_path):
    # README line 1 is `python -m pip install -e . && nnlite train`: the console script that
    # pip installed beside this Python, with no arguments
    command = Path(sys.executable).parent / "nnlite"
    result = subprocess.run([str(command), "train"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "final: loss " in result.stdout
    for name in ("loss_curve.png", "history.json", "checkpoint.npz"):
        assert (tmp_path / "runs" / "spiral-adam" / name).is_file()
