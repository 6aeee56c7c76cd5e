"""History: the figures of every epoch of a training run, which ``Model.train`` returns.

A small, observable object in the manner of Keras's ``History``: ``history.history`` maps a
figure's name to a list with one value per epoch, and ``history.epoch`` lists the epochs::

    history = model.train(X, y, epochs=100, validation_data=(X_test, y_test))
    history["loss"]           # [1.0986, 1.0971, ...], one value per epoch
    history["val_accuracy"]   # present because validation data was given
    history.epoch             # [1, 2, ..., 100], counted from 1 as the book prints them
    history.last()            # {"loss": ..., "accuracy": ..., ...} of the final epoch

The names ``Model.train`` records are ``loss``, ``data_loss``, ``regularization_loss``,
``accuracy``, ``learning_rate`` and, with validation data, ``val_loss`` and ``val_accuracy``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class History:
    """Per-epoch figures by name: ``history["loss"][i]`` belongs to epoch ``history.epoch[i]``.

    ``stop_reason`` is ``None`` when training ran all its epochs, else the message of the
    callback that stopped it (early stopping, a NaN loss).
    """

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}
        self.stop_reason: str | None = None

    def record(self, epoch: int, figures: Mapping[str, float]) -> None:
        """Add one epoch's figures; every epoch must report the same names."""
        if self.epoch and set(figures) != set(self.history):
            raise ValueError(
                f"History.record: epoch {epoch} has the figures {sorted(figures)} but the "
                f"earlier epochs have {sorted(self.history)}"
            )
        self.epoch.append(epoch)
        for name, value in figures.items():
            self.history.setdefault(name, []).append(float(value))

    def extend(self, other: History) -> None:
        """Append the epochs of ``other`` (a training resumed from a checkpoint)."""
        for index, epoch in enumerate(other.epoch):
            self.record(epoch, {name: values[index] for name, values in other.history.items()})
        self.stop_reason = other.stop_reason

    def to_dict(self) -> dict[str, list]:
        """``{"epoch": [...], "loss": [...], ...}``: plain lists, ready for JSON."""
        return {"epoch": list(self.epoch), **{name: list(v) for name, v in self.history.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, list]) -> History:
        """The History that ``to_dict`` described."""
        history = cls()
        figures = {name: values for name, values in data.items() if name != "epoch"}
        for index, epoch in enumerate(data.get("epoch", [])):
            history.record(int(epoch), {name: values[index] for name, values in figures.items()})
        return history

    def last(self) -> dict[str, float]:
        """The figures of the last recorded epoch."""
        if not self.epoch:
            raise ValueError("History.last: no epoch was recorded")
        return {name: values[-1] for name, values in self.history.items()}

    def __getitem__(self, name: str) -> list[float]:
        try:
            return self.history[name]
        except KeyError:
            raise KeyError(
                f"History has no figure {name!r}; it has {sorted(self.history)}"
                + (" (val_* figures need validation_data)" if name.startswith("val_") else "")
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.history

    def __iter__(self) -> Iterator[str]:
        return iter(self.history)

    def __len__(self) -> int:
        """The number of epochs recorded."""
        return len(self.epoch)

    def __repr__(self) -> str:
        stopped = f", stop_reason={self.stop_reason!r}" if self.stop_reason else ""
        return f"History(epochs={len(self.epoch)}, figures={list(self.history)}{stopped})"
