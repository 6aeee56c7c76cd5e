"""Progress bars for training: tqdm when it is installed, else a plain text bar.

``Model.train(..., verbose=2)`` shows one bar over all the training steps::

    training 120/300 [===========>.................]  40% epoch: 4/10, loss: 0.512, acc: 0.801

tqdm is optional (nnlite needs only NumPy). When it is installed and the output is a terminal
or a notebook, ``tqdm.auto`` draws the bar (as a widget in Jupyter). Otherwise
:class:`ProgressBar_Text` draws it: redrawn in place with ``\\r`` on a terminal or in a
notebook, and as a new line every 10% when the output goes to a file, so logs stay readable.

Every bar offers the same four methods: ``update(count)``, ``set_postfix(figures)``,
``write(message)`` and ``close()``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from nnlite.training.callback import Callback

BACKENDS = ("auto", "text", "tqdm")


def progress_bar(
    total: int,
    *,
    description: str = "",
    backend: str = "auto",
    stream: TextIO | None = None,
    min_interval: float = 0.1,
) -> ProgressBar_Text | ProgressBar_Tqdm:
    """A progress bar over ``total`` steps.

    ``backend``: ``"auto"`` uses tqdm if it is installed and the output is interactive (a
    terminal or a notebook), else the text bar; ``"text"`` always the text bar; ``"tqdm"``
    always tqdm (an ImportError says how to install it). ``stream`` defaults to ``sys.stdout``
    at call time. ``min_interval`` is the least time in seconds between two redraws.
    """
    if backend not in BACKENDS:
        raise ValueError(f"progress_bar: backend must be one of {BACKENDS}, got {backend!r}")
    stream = sys.stdout if stream is None else stream
    if backend == "tqdm" or (backend == "auto" and is_interactive(stream)):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if backend == "tqdm":
                raise ImportError(
                    "progress_bar(backend='tqdm') needs tqdm: pip install tqdm "
                    "(or use backend='text')"
                ) from None
        else:
            return ProgressBar_Tqdm(
                tqdm(total=total, desc=description, file=stream, mininterval=min_interval)
            )
    return ProgressBar_Text(
        total, description=description, stream=stream, min_interval=min_interval
    )


def is_interactive(stream: TextIO) -> bool:
    """True on a terminal and in a Jupyter kernel, where ``\\r`` redraws a line in place."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or _in_jupyter_kernel()


def _in_jupyter_kernel() -> bool:
    """True when this code runs in a Jupyter kernel (not merely with ipykernel imported)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


class ProgressBar_Text:
    """A text progress bar needing nothing but a stream.

    ``dynamic`` (default: :func:`is_interactive`) redraws one line in place; otherwise a new
    line is written each time another 10% of the steps is done, and at the end.
    """

    def __init__(
        self,
        total: int,
        *,
        description: str = "",
        stream: TextIO | None = None,
        width: int = 30,
        dynamic: bool | None = None,
        min_interval: float = 0.1,
    ) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 1:
            raise ValueError(f"ProgressBar_Text: total must be a whole number >= 1, got {total!r}")
        self.total = total
        self.description = description
        self.stream = sys.stdout if stream is None else stream
        self.width = width
        self.dynamic = is_interactive(self.stream) if dynamic is None else dynamic
        self.min_interval = min_interval
        self.count = 0
        self.postfix = ""
        self.closed = False
        self._last_draw = -float("inf")
        self._drawn_width = 0
        self._last_tenth = 0
        self._last_line = ""

    def update(self, count: int = 1) -> None:
        """Advance by ``count`` steps and redraw if it is time to."""
        self.count = min(self.count + count, self.total)
        if self.dynamic:
            now = time.monotonic()
            if now - self._last_draw >= self.min_interval or self.count == self.total:
                self._last_draw = now
                self._redraw()
        else:
            tenth = self.count * 10 // self.total
            if tenth > self._last_tenth:
                self._last_tenth = tenth
                self._last_line = self.line()
                self._write_line(self._last_line)

    def set_postfix(self, figures: Mapping[str, object]) -> None:
        """Show ``name: value`` pairs after the bar (drawn with the next update)."""
        self.postfix = ", ".join(f"{name}: {value}" for name, value in figures.items())

    def write(self, message: str) -> None:
        """Print a message on its own line without breaking the bar."""
        if self.dynamic and self._drawn_width:
            self.stream.write("\r" + " " * self._drawn_width + "\r")
            self._drawn_width = 0
        self._write_line(message)
        if self.dynamic and not self.closed:
            self._redraw()

    def close(self) -> None:
        """Draw the final state and end the line (calling it again does nothing)."""
        if self.closed:
            return
        self.closed = True
        if self.dynamic:
            self._redraw()
            self.stream.write("\n")
            self.stream.flush()
        elif self.line() != self._last_line:
            # Stopped before the end, or new figures since the last line: show them
            self._write_line(self.line())

    def line(self) -> str:
        """The bar as text: ``description count/total [====>....]  40% postfix``."""
        done = self.count * self.width // self.total
        arrow = ">" if done < self.width and self.count else ""
        bar = "=" * done + arrow + "." * (self.width - done - len(arrow))
        percent = self.count * 100 // self.total
        digits = len(str(self.total))
        text = f"{self.count:>{digits}}/{self.total} [{bar}] {percent:3d}%"
        if self.description:
            text = f"{self.description} {text}"
        return f"{text} {self.postfix}" if self.postfix else text

    def _redraw(self) -> None:
        text = self.line()
        padding = " " * max(self._drawn_width - len(text), 0)
        self.stream.write("\r" + text + padding)
        self.stream.flush()
        self._drawn_width = len(text)

    def _write_line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def __repr__(self) -> str:
        return f"ProgressBar_Text({self.count}/{self.total})"


class ProgressBar_Tqdm:
    """The same four methods on a tqdm bar (a widget in notebooks, via ``tqdm.auto``)."""

    def __init__(self, bar: object) -> None:
        self.bar = bar

    def update(self, count: int = 1) -> None:
        self.bar.update(count)

    def set_postfix(self, figures: Mapping[str, object]) -> None:
        self.bar.set_postfix_str(", ".join(f"{name}: {value}" for name, value in figures.items()))

    def write(self, message: str) -> None:
        self.bar.write(message)

    def close(self) -> None:
        self.bar.close()

    def __repr__(self) -> str:
        return f"ProgressBar_Tqdm({self.bar!r})"


def progress_postfix(epoch: int, epochs: int, logs: dict[str, float]) -> dict[str, str]:
    postfix = {
        "epoch": f"{epoch}/{epochs}",
        "loss": f"{logs['loss']:.3f}",
        "acc": f"{logs['accuracy']:.3f}",
    }
    if "val_loss" in logs:
        postfix["val_loss"] = f"{logs['val_loss']:.3f}"
        postfix["val_acc"] = f"{logs['val_accuracy']:.3f}"
    return postfix


class Callback_ProgressBar(Callback):
    """A progress bar over the training steps, with the epoch's figures beside it;
    ``Model.train(verbose=2)`` adds one, last, after the callbacks it is given."""

    def __init__(self, steps: int, epochs: int) -> None:
        self.steps = steps
        self.epochs = epochs
        self.bar: ProgressBar_Text | ProgressBar_Tqdm | None = None

    def on_train_begin(self, model: Any) -> None:
        self.bar = progress_bar(self.steps, description="training")

    def on_step_end(self, model: Any, epoch: int, step: int, logs: Mapping[str, float]) -> None:
        self.bar.update()

    def on_epoch_end(self, model: Any, epoch: int, logs: Mapping[str, float]) -> None:
        self.bar.set_postfix(progress_postfix(epoch, self.epochs, logs))
        if model.stop_training and model.stop_reason:
            self.bar.write(model.stop_reason)

    def close(self) -> None:
        """Close the bar: ``Model.train`` calls this when training ends, even by an error."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
