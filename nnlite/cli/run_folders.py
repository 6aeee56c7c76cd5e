"""Where an ``nnlite`` run is written: its folder, and the files in it.

**Runs are never overwritten unless asked.** :func:`choose_output` picks
``runs/DATA-OPTIMIZER/``, or ``runs/DATA-OPTIMIZER-2/`` (-3, ...) if that exists; an
``--output`` folder that holds a run needs ``--overwrite``. :func:`output_folder` creates the
folder and checks that it can be written before training, and removes what it created if the
run fails.

**Files.** :func:`save_run` writes ``checkpoint.npz`` first, then ``history.json`` (one row
per epoch, :func:`history_json`) and ``loss_curve.png``, each to a temporary file renamed
into place (:func:`~nnlite.array_files.replace_atomically`), so an interrupt never leaves a
half-written file or a history ahead of the checkpoint.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nnlite.cli.runs import CommandError
from nnlite.files.array_files import replace_atomically
from nnlite.plots import plot_history
from nnlite.training import checkpoints
from nnlite.training.history import History
from nnlite.training.model import Model

#: What ``nnlite train`` writes into its folder; ``nnlite compare`` writes ``loss_curves.png``.
OUTPUT_FILES = ("checkpoint.npz", "history.json", "loss_curve.png")
RUN_FILES = (*OUTPUT_FILES, "loss_curves.png")


def history_json(history: History) -> str:
    """``history`` as JSON with one row per epoch, figures to 6 significant digits::

        {"columns": ["epoch", "loss", "accuracy", ...],
         "rows": [
          [1, 1.09861, 0.33, ...],
          [2, 1.0975, 0.41, ...]
         ]}

    (The checkpoint keeps the figures exactly.) :func:`read_history_json` reads it back.
    """
    names = list(history)
    rows = [
        json.dumps([epoch, *(float(f"{history[name][index]:.6g}") for name in names)])
        for index, epoch in enumerate(history.epoch)
    ]
    return (
        f'{{"columns": {json.dumps(["epoch", *names])},\n "rows": [\n  '
        + ",\n  ".join(rows)
        + "\n ]}\n"
    )


def read_history_json(text: str) -> History:
    """The History that :func:`history_json` wrote (to its 6 digits)."""
    table = json.loads(text)
    columns = table["columns"]
    data = {name: [row[index] for row in table["rows"]] for index, name in enumerate(columns)}
    return History.from_dict(data)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8, atomically (a temporary file renamed into place)."""
    replace_atomically(path, lambda file: file.write(text.encode("utf-8")))


def holds_a_run(folder: Path) -> list[str]:
    """The nnlite output files in ``folder`` (none if it does not exist)."""
    return [name for name in RUN_FILES if (folder / name).exists()]


def choose_output(requested: Path | None, default: Path, *, overwrite: bool) -> Path:
    """The folder to write into: never one holding a run, unless ``overwrite``.

    Without ``requested``, ``default`` or the first free ``default-2``, ``default-3``, ...
    """
    if requested is not None:
        if requested.exists() and not requested.is_dir():
            raise CommandError(f"--output {requested} is a file, not a folder")
        found = holds_a_run(requested)
        if found and not overwrite:
            raise CommandError(
                f"--output {requested} already holds a run ({', '.join(found)}); pass "
                f"--overwrite to replace it, or choose another folder"
            )
        return requested
    if overwrite or not default.exists():
        return default
    number = 2
    while Path(f"{default}-{number}").exists():
        number += 1
    return Path(f"{default}-{number}")


@contextlib.contextmanager
def output_folder(folder: Path) -> Iterator[Path]:
    """Create ``folder`` (and its parents) and check it can be written, before training.

    If the body fails, the folders created here are removed again, with any nnlite output
    files in them (nothing else is deleted: a folder that is not empty then is left).
    """
    created = []
    for parent in reversed([folder, *folder.parents]):
        if not parent.exists():
            created.append(parent)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, probe = tempfile.mkstemp(dir=folder, prefix=".nnlite-", suffix=".probe")
        os.close(descriptor)
        os.unlink(probe)
    except OSError as error:
        _remove(created)
        raise CommandError(f"cannot write to the output folder {folder}: {error}") from None
    try:
        yield folder
    except BaseException:
        _remove(created)
        raise


def _remove(created: list[Path]) -> None:
    for folder in reversed(created):
        for name in RUN_FILES:
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        with contextlib.suppress(OSError):
            folder.rmdir()


def save_run(
    output: Path,
    model: Model,
    history: History,
    epoch: int,
    run: Mapping[str, Any],
    rng: np.random.Generator | None,
) -> None:
    """Checkpoint first, then the history and the curve, so the history is never ahead."""
    checkpoints.save_checkpoint(
        output / "checkpoint.npz",
        model,
        epoch=epoch,
        rng=rng,
        # The figures as arrays: exact, and 8 bytes each (JSON text in an .npz takes 4 a digit)
        extra={"run": dict(run), "history": {k: np.array(v) for k, v in history.to_dict().items()}},
    )
    write_text(output / "history.json", history_json(history))
    figure = plot_history(history)
    figure.suptitle(f"{run['data']} data, {run['optimizer']}, {epoch} epochs")
    replace_atomically(output / "loss_curve.png", lambda file: figure.savefig(file, dpi=100))
