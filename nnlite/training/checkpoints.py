"""Checkpoints of a training run: the model, its optimizer's state, the epoch and the random
streams, saved so that training goes on as if it had never stopped.

Stop after epoch k, :func:`save_checkpoint`, :func:`load_checkpoint` into fresh objects
(restoring the global ``np.random`` stream), ``model.train(..., epochs=n, initial_epoch=k,
rng=rng)``: the weights are those of an uninterrupted n-epoch run, to the bit. The file format
is in ``nnlite/files/model_files.py``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from nnlite.files import model_files, random_state
from nnlite.training.model import Model
from nnlite.validation import check_bool


class Checkpoint(NamedTuple):
    """What :func:`load_checkpoint` returns."""

    model: Model
    #: The number of epochs trained: pass it to ``model.train(..., initial_epoch=epoch)``.
    epoch: int
    #: The generator given to ``save_checkpoint(rng=...)`` (for ``train(shuffle=True,
    #: rng=...)``), standing where it stood; ``None`` if none was given.
    rng: np.random.Generator | None
    #: The ``extra`` given to ``save_checkpoint``.
    extra: Any


def save_checkpoint(
    path: str | os.PathLike,
    model: Model,
    *,
    epoch: int,
    rng: np.random.Generator | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write everything needed to resume training ``model`` after ``epoch`` epochs.

    The file holds the model and its optimizer's state, ``epoch``, the global ``np.random``
    stream's state, the state of ``rng`` (the generator passed to ``train(shuffle=True,
    rng=...)``, if any) and of every dropout layer's generator, and ``extra``: anything else
    you want back (numbers, strings, lists, dicts, arrays). Layers of classes nnlite does not
    know are allowed: their parameters are saved, and the file is loaded into a model built
    in code with ``load_checkpoint(path, model)``.
    """
    if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer) or epoch < 0:
        raise ValueError(f"save_checkpoint: epoch must be a whole number >= 0, got {epoch!r}")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"save_checkpoint: rng must be a np.random.Generator (the one given to "
            f"model.train(shuffle=True, rng=...)) or None, got {type(rng).__name__}"
        )
    if extra is not None and not isinstance(extra, Mapping):
        raise TypeError(
            f"save_checkpoint: extra must be a dict (names to numbers, strings, lists, dicts or "
            f"arrays) or None, got {type(extra).__name__}: {extra!r:.60}"
        )
    training = {
        "epoch": int(epoch),
        "rng": rng,
        "global_rng": random_state.global_state(),
        "extra": None if extra is None else dict(extra),
    }
    tree = {"model": model_files.describe_model(model, "save_checkpoint"), "training": training}
    model_files.write(path, model_files.CHECKPOINT, tree, "save_checkpoint")


def load_checkpoint(
    path: str | os.PathLike, model: Model | None = None, *, restore_global_rng: bool = True
) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Without ``model``, the model is built anew from the file (its classes must be nnlite's).
    With one, the file is loaded into it: its layers, names, loss, accuracy and optimizer
    class must match the file's (each difference is named), and its parameters, optimizer
    state, dropout generators and frozen flags are replaced. ``restore_global_rng`` moves the
    global ``np.random`` stream to where it was when the checkpoint was saved, as resuming a
    run that draws from it (the book's dropout, shuffling without an ``rng``) requires.
    """
    path = os.fspath(path)
    restore_global_rng = check_bool("load_checkpoint", "restore_global_rng", restore_global_rng)
    tree = model_files.read(path, {model_files.CHECKPOINT: model_files.VERSION}, "load_checkpoint")
    training = model_files.field(tree, "training", dict, path, model_files.DESCRIPTION)
    epoch = model_files.field(training, "epoch", int, path, "training")
    if epoch < 0:
        raise ValueError(f"{path!r}: training.epoch should be a whole number >= 0, found {epoch}")
    rng = training.get("rng")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ValueError(f"{path!r}: training.rng should refer to a generator, found {rng!r}")
    global_rng = model_files.field(training, "global_rng", dict, path, "training")
    # Checked before anything changes, so that a bad state cannot leave a half-loaded model
    random_state.check_global_state(global_rng, path, "training.global_rng")
    if model is None:
        model = model_files.build_model(tree["model"], path, Model())
    else:
        model_files.load_into(model, tree["model"], path)
    if restore_global_rng:
        random_state.restore_global_state(global_rng, path, "training.global_rng")
    return Checkpoint(model=model, epoch=epoch, rng=rng, extra=training.get("extra"))
