"""The Model prints the book Model's numbers, checked against the book's own training loops.

Each case runs two scripts from ``model_scripts/`` in subprocesses (``nnfs.init()`` patches
numpy for the whole process) on the same set-up (``model_scripts/configs.py``):

* chapter 18 style (no batches): the reference's section 4.2 relation between the Model and
  the manual loop of chapters 10-15: the Model's ``epoch: e`` line shows the accuracy and
  losses the manual loop prints at epoch e-1 (both before the e-th update) and the learning
  rate the manual loop prints at epoch e (the rate of the e-th update). The validation line
  after training is the same in both. The reference records one Model line of the chapter 10
  set-up, ``epoch: 100, acc: 0.723, loss: 0.684``, measured with the book's classes.
* chapter 19 style (batches): the Model's output equals, line for line, the book's chapter 19
  ``Model.train`` written out as a loop (``chapter19_loop.py``).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the book's scripts in subprocesses

SCRIPTS = Path(__file__).parent / "model_scripts"

LINE = re.compile(
    r"epoch: (?P<epoch>\d+), acc: (?P<acc>\S+), loss: (?P<loss>\S+) "
    r"\(data_loss: (?P<data_loss>\S+), reg_loss: (?P<reg_loss>\S+)\), lr: (?P<lr>\S+)"
)


def run(script, *arguments):
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / script), *map(str, arguments)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def expected_model_lines(manual_lines, epochs):
    """The Model's lines for epochs 1..epochs, built from the manual loop's (section 4.2)."""
    manual = [LINE.fullmatch(line) for line in manual_lines[: epochs + 1]]
    assert all(manual), "the manual loop printed an unexpected line"
    return [
        f"epoch: {e}, acc: {manual[e - 1]['acc']}, loss: {manual[e - 1]['loss']} "
        f"(data_loss: {manual[e - 1]['data_loss']}, reg_loss: {manual[e - 1]['reg_loss']}), "
        f"lr: {manual[e]['lr']}"
        for e in range(1, epochs + 1)
    ]


CHAPTER18_CASES = [
    # (configuration, epochs)
    ("chapter10", 200),
    ("regularized", 150),
]


@pytest.mark.parametrize(("configuration", "epochs"), CHAPTER18_CASES)
def test_chapter18_model_lines_follow_the_manual_loop(configuration, epochs):
    manual = run("manual_loop.py", configuration, epochs)
    model = run("model_train.py", configuration, epochs, "none", 1)
    assert len(model) == epochs + 1
    expected = expected_model_lines(manual, epochs)
    for e, (ours, theirs) in enumerate(zip(model[:-1], expected, strict=True), start=1):
        assert ours == theirs, f"epoch {e}:\n  Model:       {ours}\n  manual loop: {theirs}"
    assert model[-1] == manual[-1], f"Model: {model[-1]}\nmanual loop: {manual[-1]}"
    assert model[-1].startswith("validation, acc: ")


def test_chapter10_model_line_matches_the_book_model():
    model = run("model_train.py", "chapter10", 100, "none", 100)
    assert model[0].startswith("epoch: 100, acc: 0.723, loss: 0.684 ("), model[0]
    assert len(model) == 2  # print_every=100: one epoch line, then validation


CHAPTER19_CASES = [
    # (configuration, epochs, batch_size, print_every, print_style)
    ("regularized", 3, 128, 2, "auto"),  # 3 steps a epoch, the last of 44 samples
    ("chapter10", 2, 50, 1, "auto"),  # 6 full steps, every one printed
    ("regularized", 3, "none", 1, "chapter19"),  # chapter 22's code without batches
]


@pytest.mark.parametrize(
    ("configuration", "epochs", "batch_size", "print_every", "print_style"), CHAPTER19_CASES
)
def test_chapter19_model_prints_the_book_loop(
    configuration, epochs, batch_size, print_every, print_style
):
    book = run("chapter19_loop.py", configuration, epochs, batch_size, print_every)
    model = run("model_train.py", configuration, epochs, batch_size, print_every, print_style)
    for index, (ours, theirs) in enumerate(zip(model, book, strict=False)):
        assert ours == theirs, f"line {index}:\n  Model:     {ours}\n  book loop: {theirs}"
    assert len(model) == len(book)
    assert book[0] == "epoch: 1" and book[-1].startswith("validation, acc: ")
