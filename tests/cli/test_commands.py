"""The ``nnlite`` command: train, resume, compare, and one clear line for bad arguments."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from nnlite import (
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Model,
    Optimizer_SGD,
    load_checkpoint,
    save_checkpoint,
)
from nnlite.cli import commands, main
from nnlite.cli.run_folders import read_history_json
from nnlite.experiments import optimizer_classes
from nnlite.training import checkpoints as checkpoint_module
from nnlite.training.callbacks import Callback


def run(*arguments, cwd):
    return subprocess.run(
        [sys.executable, "-m", "nnlite", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(Path(commands.__file__).parents[2])},
    )


def train(*arguments, output):
    return main(["train", "--verbose", "0", "--output", str(output), *arguments])


def history_of(folder):
    return read_history_json((folder / "history.json").read_text())


def test_train_writes_a_checkpoint_a_history_and_a_curve(tmp_path, capsys):
    assert train("--epochs", "30", output=tmp_path) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith("final, epoch 30: loss ")
    image = matplotlib.image.imread(tmp_path / "loss_curve.png")
    assert image.shape[0] > 100 and image.std() > 0.05
    checkpoint = load_checkpoint(tmp_path / "checkpoint.npz")
    assert checkpoint.epoch == 30
    exact = checkpoint.extra["history"]
    assert len(exact["loss"]) == 30
    # history.json: one row per epoch, the checkpoint's figures to 6 significant digits
    text = (tmp_path / "history.json").read_text()
    assert len(text.splitlines()) == 30 + 3
    history = read_history_json(text)
    assert history.epoch == list(range(1, 31))
    np.testing.assert_allclose(history["val_loss"], exact["val_loss"], rtol=1e-5)
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]


def test_the_run_says_what_it_trains_and_counts_epochs_in_its_lines(tmp_path, capsys):
    arguments = ["train", "--epochs", "50", "--batch-size", "100", "--output", str(tmp_path)]
    assert main(arguments) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "nnlite train: spiral data, 3 classes of 300 points (900 to train on, 900 more to validate)"
    )
    assert lines[1].startswith("network: 2-64-3 (ReLU, softmax, cross-entropy), L2 0.0005")
    assert lines[2] == (
        "optimizer: Optimizer_Adam(learning_rate=0.0167, decay=5e-07); batches of 100 (9 steps "
        "per epoch), shuffled each epoch"
    )
    assert lines[3] == f"epochs: 1 to 50; output: {tmp_path}{os.sep}"
    progress = lines[4:-1]
    counts = [line.split(":")[0].split() for line in progress]
    assert counts == [["epoch", f"{n}/50"] for n in range(5, 50, 5)]
    assert lines[-1].startswith("final, epoch 50: ")
    history = history_of(tmp_path)
    assert f"loss {history['loss'][44]:.4f}," in progress[-1]


def test_resume_trains_on_what_the_checkpoint_was_trained_on(tmp_path):
    # Vertical data, SGD, shuffled batches: resuming without those flags must restore them
    # (the data, the optimizer and the shuffling generator) and end on the straight run's bits
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    common = ["--data", "vertical", "--optimizer", "sgd", "--set", "momentum=0.5"]
    common += ["--batch-size", "128", "--samples", "100"]
    assert train("--epochs", "12", *common, output=straight) == 0
    assert train("--epochs", "5", *common, output=resumed) == 0
    checkpoint = resumed / "checkpoint.npz"
    # --output naming the checkpoint's own folder continues the run there, as leaving it out
    arguments = ["--epochs", "12", "--resume", str(checkpoint)]
    assert train(*arguments, output=resumed) == 0
    ours = load_checkpoint(checkpoint)
    theirs = load_checkpoint(straight / "checkpoint.npz")
    for (w1, b1), (w2, b2) in zip(
        ours.model.get_parameters(), theirs.model.get_parameters(), strict=True
    ):
        assert np.array_equal(w1, w2) and np.array_equal(b1, b2)
    assert ours.extra["run"] == theirs.extra["run"]
    assert ours.extra["run"]["data"] == "vertical"
    for name, values in theirs.extra["history"].items():
        assert np.array_equal(ours.extra["history"][name], values), name
    assert history_of(resumed).epoch == list(range(1, 13))


@pytest.mark.slow  # trains networks end to end: seconds
def test_a_scheduled_run_on_batches_resumes_with_its_schedule(tmp_path, capsys):
    arguments = ["--batch-size", "64", "--schedule", "cosine", "--epochs", "4"]
    assert train(*arguments, output=tmp_path) == 0
    first = load_checkpoint(tmp_path / "checkpoint.npz").model.optimizer.current_learning_rate
    resume = ["train", "--resume", str(tmp_path / "checkpoint.npz"), "--verbose", "0"]
    assert main([*resume, "--epochs", "6"]) == 0
    assert "the cosine schedule was planned for 4 epochs" in capsys.readouterr().out
    checkpoint = load_checkpoint(tmp_path / "checkpoint.npz")
    assert checkpoint.epoch == 6 and checkpoint.extra["run"]["schedule"] == "cosine"
    assert checkpoint.model.optimizer.current_learning_rate != first


@pytest.mark.slow  # trains networks end to end: seconds
def test_a_one_cycle_run_cannot_resume_past_its_cycle(tmp_path, capsys):
    arguments = ["--batch-size", "64", "--schedule", "one-cycle", "--epochs", "4"]
    assert train(*arguments, output=tmp_path) == 0
    resume = ["train", "--resume", str(tmp_path / "checkpoint.npz"), "--epochs", "6"]
    assert main(resume) == 2
    error = capsys.readouterr().err
    assert "one-cycle schedule planned for 4 epochs, which cannot go on after them" in error
    assert load_checkpoint(tmp_path / "checkpoint.npz").epoch == 4


@pytest.fixture(scope="module")
def vertical_sgd_checkpoint(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vertical-sgd")
    arguments = ["--data", "vertical", "--optimizer", "sgd", "--set", "momentum=0.5"]
    assert (
        train("--epochs", "3", "--samples", "20", "--batch-size", "16", *arguments, output=folder)
        == 0
    )
    return folder / "checkpoint.npz"


#: A flag given on --resume, and what the checkpoint was trained with
CONTRADICTIONS = [
    (["--data", "spiral"], "--data spiral", "--data vertical"),
    (["--optimizer", "adam"], "--optimizer adam", "--optimizer sgd"),
    (["--learning-rate", "0.3"], "--learning-rate 0.3", "--learning-rate 0.516"),
    (["--set", "momentum=0.9"], "--set momentum=0.9", "--set momentum=0.5"),
    (["--set", "nesterov=yes"], "--set nesterov=True", "--set nesterov=False"),
    (["--hidden", "32"], "--hidden 32", "--hidden 64"),
    (["--samples", "50"], "--samples 50", "--samples 20"),
    (["--batch-size", "8"], "--batch-size 8", "--batch-size 16"),
    (["--seed", "1"], "--seed 1", "--seed 0"),
    (["--schedule", "cosine"], "--schedule cosine", "--schedule none"),
    (["--classes", "4"], "--classes 4", "--classes 3"),
]


@pytest.mark.parametrize(("flags", "given", "theirs"), CONTRADICTIONS)
def test_resume_refuses_flags_that_contradict_the_checkpoint(
    vertical_sgd_checkpoint, capsys, flags, given, theirs
):
    message = f"{given} contradicts {{}}, which was trained with {theirs}; leave"
    before = vertical_sgd_checkpoint.read_bytes()
    arguments = ["train", "--epochs", "5", "--resume", str(vertical_sgd_checkpoint), *flags]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("nnlite: error: " + message.format(vertical_sgd_checkpoint))
    assert vertical_sgd_checkpoint.read_bytes() == before


def test_resume_refuses_to_change_the_shuffling(vertical_sgd_checkpoint, capsys):
    arguments = ["train", "--epochs", "5", "--resume", str(vertical_sgd_checkpoint)]
    assert main([*arguments, "--no-shuffle"]) == 2
    error = capsys.readouterr().err
    assert f"--no-shuffle contradicts {vertical_sgd_checkpoint}, which was trained with " in error
    assert "shuffling; leave it out to resume" in error


@pytest.mark.slow  # trains networks end to end: seconds
def test_resume_accepts_flags_that_agree_with_the_checkpoint(vertical_sgd_checkpoint, tmp_path):
    output = tmp_path / "continued"
    flags = ["--data", "vertical", "--optimizer", "SGD", "--set", "momentum=0.5", "--shuffle"]
    arguments = ["--epochs", "4", "--resume", str(vertical_sgd_checkpoint), *flags]
    assert train(*arguments, output=output) == 0
    assert load_checkpoint(output / "checkpoint.npz").epoch == 4


def _bare_model(with_accuracy):
    model = Model()
    model.add(Layer_Dense(2, 3, rng=np.random.default_rng(0)))
    model.add(Activation_Softmax())
    model.set(loss=Loss_CategoricalCrossentropy(), optimizer=Optimizer_SGD())
    if with_accuracy:
        from nnlite import Accuracy_Categorical

        model.set(accuracy=Accuracy_Categorical())
    model.finalize()
    return model


@pytest.mark.parametrize(
    ("accuracy", "extra", "message"),
    [
        (True, None, "does not record what it was trained on"),
        (True, "partial run", "does not record what it was trained on"),
        (False, "run", "holds a model without accuracy; it cannot be trained on"),
        (True, {"epoch": [1, 2]}, "cannot be resumed: its history's epochs are not 1 to 3"),
        (True, {"epoch": [1, 2, 3], "loss": [1.0], "accuracy": [0.1] * 3}, "'loss' does not"),
        (True, "nonsense", "cannot be resumed: it has no history of its epochs"),
    ],
)
def test_resume_explains_a_checkpoint_it_cannot_continue(
    vertical_sgd_checkpoint, tmp_path, capsys, accuracy, extra, message
):
    record = load_checkpoint(vertical_sgd_checkpoint).extra["run"]
    path = tmp_path / "odd.npz"
    if extra == "run":
        extra = {"run": record, "history": {"epoch": [1, 2, 3], "loss": [1.0] * 3}}
    elif extra == "partial run":
        extra = {"run": {"data": record["data"]}, "history": {"epoch": [1, 2, 3]}}
    elif extra is not None:
        extra = {"run": record, "history": extra}
    save_checkpoint(path, _bare_model(accuracy), epoch=3, extra=extra)
    assert main(["train", "--resume", str(path), "--epochs", "5"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("nnlite: error: ") and message in error and "\n" not in error


@pytest.mark.slow  # trains networks end to end: seconds
def test_a_new_run_never_replaces_an_earlier_one_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arguments = ["train", "--epochs", "3", "--verbose", "0"]
    assert main(arguments) == 0
    first = (tmp_path / "runs/spiral-adam/checkpoint.npz").read_bytes()
    assert main([*arguments, "--seed", "1"]) == 0
    assert main([*arguments, "--seed", "2"]) == 0
    assert sorted(os.listdir("runs")) == ["spiral-adam", "spiral-adam-2", "spiral-adam-3"]
    assert (tmp_path / "runs/spiral-adam/checkpoint.npz").read_bytes() == first
    assert main([*arguments, "--seed", "1", "--overwrite"]) == 0
    again = load_checkpoint(tmp_path / "runs/spiral-adam/checkpoint.npz")
    assert again.extra["run"]["seed"] == 1
    assert sorted(os.listdir("runs")) == ["spiral-adam", "spiral-adam-2", "spiral-adam-3"]


@pytest.mark.slow  # trains networks end to end: seconds
def test_output_into_a_folder_holding_a_run_needs_overwrite(tmp_path, capsys):
    assert train("--epochs", "2", output=tmp_path) == 0
    before = (tmp_path / "checkpoint.npz").read_bytes()
    assert train("--epochs", "2", "--seed", "3", output=tmp_path) == 2
    error = capsys.readouterr().err
    assert f"--output {tmp_path} already holds a run (checkpoint.npz, history.json" in error
    assert "pass --overwrite to replace it" in error
    assert (tmp_path / "checkpoint.npz").read_bytes() == before
    assert train("--epochs", "2", "--seed", "3", "--overwrite", output=tmp_path) == 0
    assert (tmp_path / "checkpoint.npz").read_bytes() != before


def test_an_unwritable_output_fails_before_training(tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    assert train("--epochs", "2000", output=tmp_path / "a-file" / "run") == 2
    error = capsys.readouterr().err
    assert error.startswith(f"nnlite: error: cannot write to the output folder {tmp_path}")


def test_a_failed_fresh_run_leaves_no_folder(tmp_path, capsys):
    output = tmp_path / "runs" / "diverged"
    assert train("--epochs", "20", "--learning-rate", "1e300", output=output) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnlite: error: training diverged")
    assert not (tmp_path / "runs").exists()


def test_a_fresh_run_stopped_at_once_leaves_no_folder(tmp_path, monkeypatch, capsys):
    # A second Ctrl-C raises KeyboardInterrupt in the middle of training
    class Callback_Interrupt(Callback):
        def on_epoch_end(self, model, epoch, logs):
            if epoch == 3:
                raise KeyboardInterrupt

    monkeypatch.setattr(commands, "Callback_TerminateOnNaN", Callback_Interrupt)
    assert train("--epochs", "10", output=tmp_path / "runs" / "stopped") == 130
    assert "interrupted; this run saved nothing" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_an_interrupted_save_never_leaves_the_history_ahead(tmp_path, monkeypatch):
    assert train("--epochs", "4", output=tmp_path) == 0

    def interrupted(*arguments, **keywords):
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint_module, "save_checkpoint", interrupted)
    arguments = ["train", "--verbose", "0", "--epochs", "8"]
    assert main([*arguments, "--resume", str(tmp_path / "checkpoint.npz")]) == 130
    assert load_checkpoint(tmp_path / "checkpoint.npz").epoch == 4
    assert history_of(tmp_path).epoch == [1, 2, 3, 4]


@pytest.mark.slow
def test_ctrl_c_saves_the_epochs_done_and_says_how_to_resume(tmp_path):
    command = [sys.executable, "-m", "nnlite", "train", "--epochs", "1000000", "--output", "run"]
    environment = {**os.environ, "PYTHONPATH": str(Path(commands.__file__).parents[2])}
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment,
    )  # fmt: skip
    while not process.stdout.readline().startswith("epochs: 1 to 1000000"):
        assert process.poll() is None, process.stderr.read()
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    checkpoint = load_checkpoint(tmp_path / "run" / "checkpoint.npz")
    assert checkpoint.epoch > 0
    assert history_of(tmp_path / "run").epoch == list(range(1, checkpoint.epoch + 1))
    assert f"interrupted after epoch {checkpoint.epoch} of 1000000" in out
    assert f"continue with: nnlite train --resume run{os.sep}checkpoint.npz" in out


@pytest.mark.slow  # trains networks end to end: seconds
def test_batches_are_shuffled_unless_asked_not_to(tmp_path):
    # Spiral data comes sorted by class: batches in that order never see a mixed batch
    shuffled, ordered = tmp_path / "shuffled", tmp_path / "ordered"
    arguments = ["--batch-size", "32", "--epochs", "200"]
    assert train(*arguments, output=shuffled) == 0
    assert train(*arguments, "--no-shuffle", output=ordered) == 0
    assert history_of(shuffled)["val_accuracy"][-1] > 0.7
    assert history_of(ordered)["val_accuracy"][-1] < 0.45


@pytest.mark.slow  # trains networks end to end: seconds
def test_the_default_run_does_not_overfit(tmp_path):
    # Chapter 14's L2 on spiral data: the validation loss does not rise late in training
    # (without it, 0.576 at epoch 306 rose to 0.793 at epoch 1000)
    assert train(output=tmp_path) == 0
    validation_loss = history_of(tmp_path)["val_loss"]
    assert validation_loss[-1] <= 1.02 * min(validation_loss)
    assert validation_loss[-1] < validation_loss[299]
    assert history_of(tmp_path)["val_accuracy"][-1] > 0.8


@pytest.mark.parametrize(
    ("command", "threshold"),
    [
        # README's commands, and each --data with its defaults: validation accuracy above
        ("train --optimizer sgd --set momentum=0.9 --schedule cosine --epochs 2000", 0.6),
        ("train --data digits --batch-size 64 --epochs 30", 0.95),
        ("train --data vertical", 0.9),
        pytest.param("train --data sine", 0.8, marks=pytest.mark.slow),
        ("train --data digits", 0.95),
    ],
)
def test_readme_commands_and_data_defaults_train_well(tmp_path, command, threshold):
    assert main([*command.split(), "--verbose", "0", "--output", str(tmp_path)]) == 0
    assert history_of(tmp_path)["val_accuracy"][-1] > threshold


@pytest.mark.slow
def test_readme_resume_and_compare_commands(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--verbose", "0"]) == 0
    resume = ["train", "--resume", "runs/spiral-adam/checkpoint.npz", "--epochs", "2000"]
    assert main([*resume, "--verbose", "0"]) == 0
    history = history_of(tmp_path / "runs" / "spiral-adam")
    assert history.epoch[-1] == 2000 and history["val_accuracy"][-1] > 0.85
    capsys.readouterr()
    compare = ["compare", "--optimizers", "sgd", "adagrad", "rmsprop", "adam", "--epochs", "1000"]
    assert main([*compare, "--verbose", "0"]) == 0
    rows = capsys.readouterr().out.splitlines()[2:6]
    # measured: adam 0.852, sgd 0.760, rmsprop 0.633, adagrad 0.581 validation accuracy
    assert [row.split()[0] for row in rows] == ["adam", "sgd", "rmsprop", "adagrad"]
    assert all(float(row.split()[-1]) > 0.55 for row in rows)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(optimizer_classes()))
def test_every_optimizer_learns_spiral_data_with_its_defaults(tmp_path, name):
    assert train("--optimizer", name, output=tmp_path) == 0
    # The slow learners of 1000 epochs (measured: adadelta 0.541, adafactor 0.548, adagrad
    # 0.581, asgd 0.422 (chance is 0.333), rmsprop with the book's rho=0.999 0.633); the
    # others reach 0.73 (nadam) to 0.85 (adam)
    slow = {"adadelta": 0.5, "adafactor": 0.5, "adagrad": 0.55, "asgd": 0.4, "rmsprop": 0.6}
    assert history_of(tmp_path)["val_accuracy"][-1] > slow.get(name, 0.7)


def test_compare_draws_one_titled_figure_and_prints_a_table(tmp_path, capsys, monkeypatch):
    figures = []
    draw = commands.comparison_figure
    monkeypatch.setattr(
        commands, "comparison_figure", lambda *a: figures.append(draw(*a)) or figures[-1]
    )
    arguments = ["compare", "--optimizers", "SGD", "adam", "--epochs", "20", "--verbose", "0"]
    assert main([*arguments, "--output", str(tmp_path), "--set", "sgd.momentum=0.5"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("run ")
    assert {table[2].split()[0], table[3].split()[0]} == {"sgd", "adam"}
    assert (tmp_path / "loss_curves.png").stat().st_size > 5000
    assert figures[0].axes[0].get_title() == "sgd, adam on spiral data (2-64-3, 20 epochs)"


def test_help_lists_the_optimizers_with_their_default_rates(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    assert "  adam       learning_rate 0.05, decay 5e-07" in text
    assert "  muon       learning_rate 0.02" in text
    assert "update_threads" not in text
    assert "lbfgs, because L-BFGS needs a closure" in text
    assert "sparseadam, because SparseAdam" in text


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == "nnlite 0.1.0"


def test_settings_are_parsed_strictly(tmp_path):
    assert train("--epochs", "1", "--set", "amsgrad=false", output=tmp_path / "a") == 0
    assert load_checkpoint(tmp_path / "a" / "checkpoint.npz").model.optimizer.amsgrad is False
    assert train("--epochs", "1", "--set", "amsgrad=Yes", output=tmp_path / "b") == 0
    assert load_checkpoint(tmp_path / "b" / "checkpoint.npz").model.optimizer.amsgrad is True


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--optimizer", "adamm"], "unknown optimizer 'adamm'; choose one of"),
        (["--optimizer", "LBFGS"], "optimizer 'lbfgs' cannot train a Model here: L-BFGS needs"),
        (["--set", "momentum"], "--set takes NAME=VALUE, got 'momentum'"),
        (["--set", "amsgrad=maybe"], "--set amsgrad=maybe: expected true/false/yes/no/1/0"),
        (["--set", "betas=0.9,0.99"], "Optimizer_Adam has no setting 'betas'; it has learning_"),
        (["--set", "beta_2=2"], "Invalid beta parameter at index 1: 2"),
        (["--set", "epsilon=inf"], "--set epsilon=inf: expected a finite number, got 'inf'"),
        (["--set", "epsilon=" + "-" * 50000 + "1"], "--set epsilon=------"),
        (["--learning-rate", "-1"], "Invalid learning rate: -1.0"),
        (["--optimizer", "muon", "--set", "adjust_lr_fn=" + "-" * 50000], "characters ...]"),
        (["--hidden", "100000", "100000"], "Unable to allocate"),
        (["--data", "sine", "--classes", "4"], "--classes applies to spiral, vertical data only"),
        (["--data", "digits", "--samples", "4"], "--samples applies to spiral, vertical, sine "),
        (["--resume", "missing.npz"], "missing.npz"),
    ],
)
def test_bad_settings_get_one_clear_line(tmp_path, capsys, arguments, message):
    assert main(["train", "--epochs", "2", "--output", str(tmp_path / "x"), *arguments]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnlite: error: ")
    assert message in lines[0] and len(lines[0]) < 400
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epochs", "0"], "argument --epochs: must be above 0, got 0"),
        (["--learning-rate", "inf"], "argument --learning-rate: expected a finite number"),
        (["--decay", "nan"], "argument --decay: expected a finite number, got 'nan'"),
        (["--data", "mnist"], "argument --data: invalid choice: 'mnist'"),
    ],
)
def test_bad_flags_are_refused_by_the_parser(capsys, arguments, message):
    with pytest.raises(SystemExit) as stop:
        main(["train", *arguments])
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_compare_names_a_bad_setting(capsys, tmp_path):
    arguments = ["compare", "--output", str(tmp_path / "x"), "--epochs", "2"]
    assert main([*arguments, "--set", "adam.beta_1=2"]) == 2
    assert "Invalid beta parameter at index 0: 2" in capsys.readouterr().err
    assert main([*arguments, "--set", "lion.beta_1=0.5"]) == 2
    assert "write OPTIMIZER.NAME=VALUE for one of sgd, adagrad" in capsys.readouterr().err


@pytest.mark.slow  # a subprocess
def test_readme_line_one_runs_the_installed_command_with_its_defaults(tmp_path):
    # README line 1 is `python -m pip install -e . && nnlite train`: the console script that
    # pip installed beside this Python, with no arguments (run with this tree's nnlite)
    command = Path(sys.executable).parent / "nnlite"
    environment = {**os.environ, "PYTHONPATH": str(Path(commands.__file__).parents[2])}
    started = time.perf_counter()
    result = subprocess.run(
        [str(command), "train"], capture_output=True, text=True, cwd=tmp_path, env=environment
    )
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - started < 15
    assert result.stdout.splitlines()[-1].startswith("final, epoch 1000: loss ")
    assert "Traceback" not in result.stderr
    for name in ("loss_curve.png", "history.json", "checkpoint.npz"):
        assert (tmp_path / "runs" / "spiral-adam" / name).is_file()
