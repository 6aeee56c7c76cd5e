"""Model: the book's object that chains layers and trains, evaluates and predicts with them.

Book chapters 18, 19 and 22, with the same methods, attributes and printed lines, so that a
chapter script runs on nnlite and prints the book Model's numbers::

    model = Model()
    model.add(Layer_Dense(2, 64))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(64, 3))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=Optimizer_Adam(learning_rate=0.05, decay=5e-7),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    history = model.train(X, y, epochs=10000, print_every=100, validation_data=(X_test, y_test))
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from nnlite.activations.softmax import Activation_Softmax
from nnlite.files import model_files
from nnlite.layer_names import name_layers
from nnlite.layers.input import Layer_Input
from nnlite.losses.categorical_crossentropy import Loss_CategoricalCrossentropy
from nnlite.losses.softmax_categorical_crossentropy import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
)
from nnlite.parameters import Parameter, declared_parameters, is_trainable, named_parameters_of
from nnlite.training import arguments
from nnlite.training.callback import Callback
from nnlite.training.history import History
from nnlite.training.nonfinite import warn_nonfinite_loss
from nnlite.training.printed_lines import Callback_BookLines, StepFigures, validation_line
from nnlite.training.progress import Callback_ProgressBar
from nnlite.training.summary import summary_lines
from nnlite.validation import check_bool

_MISSING = {
    "loss": "call model.set(loss=Loss_CategoricalCrossentropy()) (or another loss), then "
    "model.finalize()",
    "optimizer": "call model.set(optimizer=Optimizer_Adam()) (or another optimizer)",
    "accuracy": "call model.set(accuracy=Accuracy_Categorical()) for classes, or "
    "Accuracy_Regression() for numbers",
}


class Evaluation(NamedTuple):
    """What :meth:`Model.evaluate` returns: the mean loss (without regularization) and the
    accuracy over all the samples. It unpacks: ``loss, accuracy = model.evaluate(X, y)``."""

    loss: float
    accuracy: float


class _Run(NamedTuple):
    """The settings of one call to ``Model.train``, as its epochs need them."""

    steps: int
    batch_size: int | None
    style: str
    shuffle: bool
    rng: np.random.Generator | None
    callbacks: list[Callback]
    #: Whether a non-finite loss has been reported in this run (reported once)
    nonfinite_reported: list[bool]


class Model:
    """A stack of layers trained as one network (book chapters 18-22).

    ``add`` the layers and activations in order, ``set`` the loss, optimizer and accuracy,
    ``finalize``, then ``train``, ``evaluate`` and ``predict``. ``finalize`` links each layer
    to its neighbours (``prev``/``next``) and, when the last layer is an
    :class:`~nnlite.Activation_Softmax` and the loss a
    :class:`~nnlite.Loss_CategoricalCrossentropy`, uses their combined, faster gradient
    (``softmax_classifier_output``). One training step is the book's::

        output = forward(batch_X, training=True)
        data_loss, reg_loss = loss.calculate(output, batch_y, include_regularization=True)
        accuracy = accuracy.calculate(output_layer_activation.predictions(output), batch_y)
        backward(output, batch_y)
        optimizer.pre_update_params(); optimizer.update_params(layer) for each trainable
        layer; optimizer.post_update_params()

    so the numbers are the book's to the last bit (under ``nnfs.init()`` as in the book).

    **What train prints.** The book's lines: chapter 18's (one line every ``print_every``
    epochs, validation once at the end) when ``batch_size`` is ``None``, chapter 19's
    (``epoch: N``, step lines, the epoch's ``training`` and ``validation`` lines) with a batch
    size, or as ``print_style`` says; ``printed_lines.py`` shows both.

    **What train returns.** A :class:`~nnlite.History` with, per epoch, the figures of the
    book's line for that epoch: ``loss``, ``data_loss``, ``regularization_loss``,
    ``accuracy``, ``learning_rate`` and, with validation data, ``val_loss`` and
    ``val_accuracy``. In chapter 18's style these are the figures of the epoch's one step
    (the regularization before its update); in chapter 19's style the epoch summary (data
    loss and accuracy over all the epoch's samples, the regularization of the end-of-epoch
    weights). The validation figures are computed every epoch, printed as the chapter does.

    **Beyond the book** (all off by default, so the book's numbers and random draws stay):
    ``verbose`` 0 (silent), 1 (the book's lines) or 2 (a progress bar); ``shuffle=True``
    reorders the samples each epoch with ``rng`` (the global ``np.random`` if ``None``);
    ``callbacks`` such as :class:`~nnlite.training.callbacks.Callback_EarlyStopping`; ``summary()``;
    a layer with ``trainable = False`` is frozen (its gradient still flows to the layers
    before it and its regularization still counts in the loss, but nothing updates it).
    ``evaluate`` prints the book's line and also returns the figures; ``initial_epoch``
    resumes a run from a checkpoint.

    **Files without pickle.** ``save_parameters``/``load_parameters``, ``save``/``Model.load``
    (the whole model) and ``save_checkpoint``/``load_checkpoint`` (in ``checkpoints.py``)
    (model, optimizer state, epoch and random streams) write NumPy ``.npz`` files that run no
    code when opened. A pickle, the book's format, is refused; ``nnlite.load_book_model``
    imports a trusted one. :meth:`named_layers` names the layers in these files.

    **The book's traps, fixed without changing its numbers:** a one-layer model works; a
    model with no loss finalizes and predicts (training says which ``set`` call is missing);
    ``backward`` after an inference ``forward`` uses the inference-time function (dropout is
    the identity there); a model changed after ``finalize`` asks to be finalized again.

    Attributes (the book's): ``layers``, ``input_layer``, ``trainable_layers`` (the layers
    with parameters, frozen or not), ``output_layer_activation`` (the last layer),
    ``softmax_classifier_output``, ``loss``, ``optimizer``, ``accuracy``; and
    ``stop_training``/``stop_reason``, set by :meth:`request_stop`.
    """

    def __init__(self) -> None:
        self.layers: list = []
        self.softmax_classifier_output: Activation_Softmax_Loss_CategoricalCrossentropy | None = (
            None
        )
        self.loss = None
        self.optimizer = None
        self.accuracy = None
        self.input_layer: Layer_Input | None = None
        self.trainable_layers: list = []
        self.output_layer_activation = None
        self.stop_training = False
        self.stop_reason: str | None = None
        self._finalized: tuple[tuple, object] | None = None

    def __repr__(self) -> str:
        return f"Model({', '.join(repr(layer) for layer in self.layers)})"

    # ------------------------------------------------------------------ building

    def add(self, layer: object) -> None:
        """Append a layer or an activation."""
        if isinstance(layer, type):
            raise TypeError(
                f"Model.add: got the class {layer.__name__}; add an object: "
                f"model.add({layer.__name__}(...))"
            )
        if not callable(getattr(layer, "forward", None)):
            raise TypeError(
                f"Model.add: {layer!r} has no forward method; add layers and activations such "
                f"as Layer_Dense(2, 64) or Activation_ReLU()"
            )
        if any(layer is existing for existing in self.layers):
            raise ValueError(
                f"Model.add: this {layer!r} object is already in the model; each position needs "
                f"its own object (a layer remembers its inputs for backward)"
            )
        self.layers.append(layer)

    def set(
        self, *, loss: object = None, optimizer: object = None, accuracy: object = None
    ) -> None:
        """Set the loss, the optimizer and the accuracy (those given; the others stay)."""
        if isinstance(loss, Activation_Softmax_Loss_CategoricalCrossentropy):
            raise TypeError(
                "Model.set: pass loss=Loss_CategoricalCrossentropy() and end the model with "
                "Activation_Softmax(); finalize() then uses the combined gradient by itself"
            )
        given = {"loss": loss, "optimizer": optimizer, "accuracy": accuracy}
        given = {role: value for role, value in given.items() if value is not None}
        for role, value in given.items():
            if isinstance(value, type):
                raise TypeError(
                    f"Model.set: {role} is the class {value.__name__}; pass an object: "
                    f"{role}={value.__name__}()"
                )
            method = "update_params" if role == "optimizer" else "calculate"
            if not callable(getattr(value, method, None)):
                raise TypeError(f"Model.set: {role} {value!r} has no {method} method")
        for role, value in given.items():
            setattr(self, role, value)

    def finalize(self) -> None:
        """Link the layers, find the trainable ones and choose the output gradient."""
        if not self.layers:
            raise ValueError(
                "Model.finalize: the model has no layers; add them first, for example "
                "model.add(Layer_Dense(2, 64))"
            )
        # The input layer hands the data to the first layer
        self.input_layer = Layer_Input()
        last = len(self.layers) - 1
        self.trainable_layers = []
        for index, layer in enumerate(self.layers):
            # Each layer reads the previous one's output; the last one's `next` is the loss
            layer.prev = self.layers[index - 1] if index > 0 else self.input_layer
            layer.next = self.layers[index + 1] if index < last else self.loss
            # Layers with parameters are trainable (the book: those with weights)
            if declared_parameters(layer):
                self.trainable_layers.append(layer)
        self.output_layer_activation = self.layers[-1]
        # Nothing reads the gradient with respect to the data: the first layer may skip it
        if hasattr(self.layers[0], "needs_dinputs"):
            self.layers[0].needs_dinputs = False
        if self.loss is not None:
            self.loss.remember_trainable_layers(self.trainable_layers)
        # Softmax followed by categorical cross-entropy: use the combined, faster gradient
        if isinstance(self.layers[-1], Activation_Softmax) and isinstance(
            self.loss, Loss_CategoricalCrossentropy
        ):
            self.softmax_classifier_output = Activation_Softmax_Loss_CategoricalCrossentropy()
        else:
            self.softmax_classifier_output = None
        self._finalized = (tuple(self.layers), self.loss)

    # ------------------------------------------------------------------ training

    def train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        epochs: int = 1,
        batch_size: int | None = None,
        print_every: int = 1,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        print_style: str = "auto",
        verbose: int = 1,
        shuffle: bool = False,
        rng: np.random.Generator | None = None,
        callbacks: Sequence[Callback] = (),
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` passes over ``X, y``; returns the :class:`~nnlite.History`.

        ``batch_size=None`` trains on all samples at once; otherwise on consecutive slices of
        ``batch_size`` (the last may be smaller), in order unless ``shuffle=True``.
        ``print_every`` counts epochs in chapter 18's style and steps in chapter 19's (see the
        class docstring for the styles, ``print_style`` and ``verbose``).

        ``initial_epoch`` resumes a run that stopped after that many epochs (as Keras's
        argument): training goes on from epoch ``initial_epoch + 1`` to epoch ``epochs``, and
        the lines, the History and the callbacks count from there. With a checkpoint::

            checkpoint = load_checkpoint("run.npz")
            checkpoint.model.train(X, y, epochs=100, initial_epoch=checkpoint.epoch)
        """
        self._require("train", "loss", "optimizer", "accuracy")
        X, y = arguments.check_data("Model.train", X, y)
        epochs = arguments.check_count("Model.train", "epochs", epochs)
        initial_epoch = arguments.check_initial_epoch(initial_epoch, epochs)
        print_every = arguments.check_count("Model.train", "print_every", print_every)
        steps = arguments.count_steps("Model.train", len(X), batch_size)
        style = arguments.resolve_style(print_style, batch_size)
        arguments.check_verbose("Model.train", verbose)
        shuffle = check_bool("Model.train", "shuffle", shuffle)
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"Model.train: rng must be a np.random.Generator, such as "
                f"np.random.default_rng({rng!r:.20}), or None; got {type(rng).__name__}"
            )
        if rng is not None and not shuffle:
            raise ValueError("Model.train: rng is only used to shuffle; pass shuffle=True too")
        if validation_data is not None:
            validation_data = arguments.check_validation_data(validation_data)
        callbacks = arguments.check_callbacks(callbacks)

        # What train prints, or the progress bar, is a callback run after the given ones
        loggers = []
        if verbose == 1:
            loggers.append(
                Callback_BookLines(
                    style,
                    steps=steps,
                    print_every=print_every,
                    validation_data=validation_data,
                    batch_size=batch_size,
                )  # fmt: skip
            )
        elif verbose == 2:
            loggers.append(Callback_ProgressBar((epochs - initial_epoch) * steps, epochs))
        callbacks = [*callbacks, *loggers]
        history = History()
        self.stop_training = False
        self.stop_reason = None
        run = _Run(steps, batch_size, style, shuffle, rng, callbacks, [False])
        try:
            self.accuracy.init(y)
            for callback in callbacks:
                callback.on_train_begin(self)
            for epoch in range(initial_epoch + 1, epochs + 1):
                for callback in callbacks:
                    callback.on_epoch_begin(self, epoch)
                logs = self._train_epoch(epoch, X, y, run)
                if validation_data is not None:
                    logs["val_loss"], logs["val_accuracy"] = self.evaluate(
                        *validation_data, batch_size=batch_size, verbose=0
                    )
                history.record(epoch, logs)
                for callback in callbacks:
                    callback.on_epoch_end(self, epoch, logs)
                if self.stop_training:
                    history.stop_reason = self.stop_reason
                    break
            for callback in callbacks:
                callback.on_train_end(self, history)
        finally:
            for logger in loggers:
                if isinstance(logger, Callback_ProgressBar):
                    logger.close()
        return history

    def _train_epoch(self, epoch: int, X: np.ndarray, y: np.ndarray, run: _Run) -> dict[str, float]:
        """One pass over the data; returns the epoch's figures (see the class docstring)."""
        if run.shuffle:
            order = (np.random if run.rng is None else run.rng).permutation(len(X))
            X, y = X[order], y[order]
        # Reset the accumulated loss and accuracy
        self.loss.new_pass()
        self.accuracy.new_pass()
        for step in range(run.steps):
            if run.batch_size is None:
                batch_X, batch_y = X, y
            else:
                batch_X = X[step * run.batch_size : (step + 1) * run.batch_size]
                batch_y = y[step * run.batch_size : (step + 1) * run.batch_size]
            figures = self._train_step(batch_X, batch_y)
            for callback in run.callbacks:
                callback.on_step_end(self, epoch, step, figures._asdict())
            if self.stop_training:
                break
            if not run.nonfinite_reported[0] and not math.isfinite(figures.loss):
                # Said once, unless a callback (Callback_TerminateOnNaN) stopped the run
                run.nonfinite_reported[0] = True
                warn_nonfinite_loss(figures.loss, epoch, step, self.layers, batch_X, batch_y)

        if run.style == "chapter18" and run.steps == 1:
            # Chapter 18: the figures of the epoch's one step
            return figures._asdict()
        # Chapter 19: the loss and accuracy over all samples of the epoch
        data_loss, regularization_loss = self.loss.calculate_accumulated(
            include_regularization=True
        )
        return StepFigures(
            accuracy=self.accuracy.calculate_accumulated(),
            loss=data_loss + regularization_loss,
            data_loss=data_loss,
            regularization_loss=regularization_loss,
            learning_rate=self.optimizer.current_learning_rate,
        )._asdict()

    def _train_step(self, batch_X: np.ndarray, batch_y: np.ndarray) -> StepFigures:
        """Forward, loss, accuracy, backward and one optimizer update, as the book does."""
        # Perform the forward pass
        output = self.forward(batch_X, training=True)
        # Calculate the loss
        data_loss, regularization_loss = self.loss.calculate(
            output, batch_y, include_regularization=True
        )
        loss = data_loss + regularization_loss
        # Get predictions and calculate an accuracy
        predictions = self._predictions(output)
        accuracy = self.accuracy.calculate(predictions, batch_y)
        # Perform the backward pass
        self.backward(output, batch_y)
        # Optimize (update the parameters)
        if getattr(self.optimizer, "global_clip_norm", None) is not None:
            # Clipping by the global norm needs every layer's gradient at once
            self.optimizer.step(self._unfrozen(self.trainable_layers))
        else:
            self.optimizer.pre_update_params()
            for layer in self._unfrozen(self.trainable_layers):
                self.optimizer.update_params(layer)
            self.optimizer.post_update_params()
        return StepFigures(
            accuracy=accuracy,
            loss=loss,
            data_loss=data_loss,
            regularization_loss=regularization_loss,
            learning_rate=self.optimizer.current_learning_rate,
        )

    def request_stop(self, reason: str) -> None:
        """Stop training after the current step (callbacks call this), saying why."""
        self.stop_training = True
        self.stop_reason = reason if not self.stop_reason else f"{self.stop_reason}\n{reason}"

    # ------------------------------------------------------------------ using the model

    def evaluate(
        self,
        X_val: np.ndarray,
        y_val: np.ndarray,
        *,
        batch_size: int | None = None,
        verbose: int = 1,
    ) -> Evaluation:
        """Loss and accuracy on ``X_val, y_val`` (no dropout, no regularization in the loss).

        Prints the book's ``validation, acc: ..., loss: ...`` line (unless ``verbose=0``) and
        returns the figures as an :class:`Evaluation` ``(loss, accuracy)``.
        """
        self._require("evaluate", "loss", "accuracy")
        X_val, y_val = arguments.check_data("Model.evaluate", X_val, y_val)
        steps = arguments.count_steps("Model.evaluate", len(X_val), batch_size)
        arguments.check_verbose("Model.evaluate", verbose)
        # Reset the accumulated loss and accuracy
        self.loss.new_pass()
        self.accuracy.new_pass()
        for step in range(steps):
            if batch_size is None:
                batch_X, batch_y = X_val, y_val
            else:
                batch_X = X_val[step * batch_size : (step + 1) * batch_size]
                batch_y = y_val[step * batch_size : (step + 1) * batch_size]
            output = self.forward(batch_X, training=False)
            self.loss.calculate(output, batch_y)
            self.accuracy.calculate(self._predictions(output), batch_y)
        validation_loss = self.loss.calculate_accumulated()
        validation_accuracy = self.accuracy.calculate_accumulated()
        if verbose:
            print(validation_line(validation_accuracy, validation_loss))
        return Evaluation(loss=float(validation_loss), accuracy=float(validation_accuracy))

    def predict(self, X: np.ndarray, *, batch_size: int | None = None) -> np.ndarray:
        """The last layer's outputs for ``X`` (probabilities for a softmax model).

        For classes, use ``model.output_layer_activation.predictions(outputs)``.
        """
        self._require("predict")
        X = X if isinstance(X, np.ndarray) else np.asarray(X)
        if X.ndim == 0:
            raise ValueError(f"Model.predict: X must be an array of samples, got {X!r}")
        steps = arguments.count_steps("Model.predict", len(X), batch_size)
        output = []
        for step in range(steps):
            batch_X = X if batch_size is None else X[step * batch_size : (step + 1) * batch_size]
            output.append(self.forward(batch_X, training=False))
        return np.vstack(output)

    def forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        """Run ``X`` through every layer; dropout drops only when ``training``."""
        if self.input_layer is None:
            raise RuntimeError("Model.forward: call model.finalize() first")
        # The input layer sets the output that the first layer reads as `prev.output`
        self.input_layer.forward(X, training)
        for layer in self.layers:
            layer.forward(layer.prev.output, training)
        # `layer` is now the last layer
        return layer.output

    def backward(self, output: np.ndarray, y: np.ndarray) -> None:
        """Gradients of the loss for every layer, from the last to the first."""
        if self.input_layer is None:
            raise RuntimeError("Model.backward: call model.finalize() first")
        if self.loss is None:
            raise RuntimeError(f"Model.backward: no loss is set; {_MISSING['loss']}")
        if self.softmax_classifier_output is not None:
            # The combined gradient replaces the softmax's and the loss's own backward
            self.softmax_classifier_output.backward(output, y)
            self.layers[-1].dinputs = self.softmax_classifier_output.dinputs
            for layer in reversed(self.layers[:-1]):
                layer.backward(layer.next.dinputs)
            return
        self.loss.backward(output, y)
        for layer in reversed(self.layers):
            layer.backward(layer.next.dinputs)

    def summary(
        self,
        *,
        print_fn: Callable[[str], object] = print,
        input_shape: tuple[int, ...] | None = None,
    ) -> None:
        """Print a table of the layers, their output shapes and parameter counts.

        ``input_shape``: one sample's shape, ``(1, 32, 32)`` for a grey 32×32 image (a first
        dense layer's inputs give it otherwise)."""
        summary_lines(self, print_fn, input_shape)

    # ------------------------------------------------------------------ parameters

    def parameter_layers(self) -> list:
        """The layers with parameters (frozen or not), in order."""
        return [layer for layer in self.layers if declared_parameters(layer)]

    def named_layers(self) -> dict[str, object]:
        """Every layer by a name: its own ``name`` if it has one, else one made from its class
        and position, ``{"dense_1": ..., "relu_1": ..., "dense_2": ..., "softmax_1": ...}``.

        The names key the optimizer's state in checkpoints
        (``model.optimizer.state_dict(model.named_layers())``); see ``nnlite/layer_names.py``.
        """
        return name_layers(self.layers)

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """``("dense_1.weights", Parameter), ...`` for every parameter, frozen or not, named
        by ``named_layers()`` as checkpoints name them (PyTorch's ``named_parameters()``)."""
        for layer_name, layer in self.named_layers().items():
            yield from named_parameters_of(layer, layer_name)

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter as a handle on the layer's array, for ``nnlite.optim``::

        optimizer = nnlite.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        """
        for _, parameter in self.named_parameters():
            yield parameter

    def get_parameters(self) -> list[tuple[np.ndarray, ...]]:
        """``[(weights, biases), ...]`` of the layers with parameters: the arrays themselves."""
        return [
            tuple(getattr(layer, spec.name) for spec in declared_parameters(layer))
            for layer in self.parameter_layers()
        ]

    def set_parameters(self, parameters: Sequence[Sequence[np.ndarray]]) -> None:
        """Give each layer with parameters its ``(weights, biases)``, checking the shapes.

        Nothing changes unless every layer's arrays fit.
        """
        layers = self.parameter_layers()
        parameters = [tuple(values) for values in parameters]
        if len(parameters) != len(layers):
            raise ValueError(
                f"Model.set_parameters: got parameters for {len(parameters)} layer(s) but the "
                f"model has {len(layers)} layer(s) with parameters: {_describe_layers(layers)}"
            )
        for index, (layer, values) in enumerate(zip(layers, parameters, strict=True)):
            specs = declared_parameters(layer)
            if len(values) != len(specs):
                raise ValueError(
                    f"Model.set_parameters: layer {index} ({layer!r}) takes "
                    f"{len(specs)} arrays ({', '.join(s.name for s in specs)}), got {len(values)}"
                )
            for spec, value in zip(specs, values, strict=True):
                expected = np.shape(getattr(layer, spec.name))
                if np.shape(value) != expected:
                    raise ValueError(
                        f"Model.set_parameters: {spec.name} of layer {index} ({layer!r}) must "
                        f"have shape {expected}, got {np.shape(value)}"
                    )
        for layer, values in zip(layers, parameters, strict=True):
            if callable(getattr(layer, "set_parameters", None)):
                layer.set_parameters(*values)
            else:
                for spec, value in zip(declared_parameters(layer), values, strict=True):
                    setattr(layer, spec.name, np.asarray(value))

    def save_parameters(self, path: str | os.PathLike) -> None:
        """Write the parameters to ``path`` (a NumPy ``.npz`` file, no pickle), atomically.

        See :mod:`nnlite.files.model_files` for the format.
        """
        model_files.save_parameters(path, self)

    def load_parameters(self, path: str | os.PathLike) -> None:
        """Read parameters saved by :meth:`save_parameters` into this model's layers.

        The file must match the model exactly: the number of layers with parameters, their
        parameter names, shapes and dtypes; any difference raises a ValueError saying what
        differs, and nothing is changed. A pickle (the book's format) is refused, never opened.
        """
        model_files.load_parameters(path, self)

    # ------------------------------------------------------------------ saving the model

    def save(self, path: str | os.PathLike) -> None:
        """Write the whole model to ``path``: layers, parameters, loss, accuracy, optimizer.

        As the book's ``save``, without pickle: a NumPy ``.npz`` file whose architecture is
        JSON (see :mod:`nnlite.files.model_files`), written atomically. Every layer, loss, accuracy
        and schedule must be one of nnlite's classes, so that the file can say how to build it.
        """
        model_files.save_model(path, self)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Model:
        """The model saved at ``path`` by :meth:`save` (or in a checkpoint), ready to use.

        ``model = Model.load("spiral.model")``, as in the book. A pickle, such as a model
        saved by the book's own code, is refused and never opened: import one you trust with
        ``nnlite.load_book_model(path, trust_this_file=True)``.
        """
        return model_files.load_model(path, cls())

    # ------------------------------------------------------------------ helpers

    def _require(self, where: str, *needs: str) -> None:
        """Raise unless the model is finalized, unchanged since, and has what ``where`` needs."""
        if self._finalized is None:
            raise RuntimeError(
                f"Model.{where}: call model.finalize() after adding the layers and calling "
                f"model.set(...)"
            )
        layers, loss = self._finalized
        unchanged = len(layers) == len(self.layers) and all(
            a is b for a, b in zip(layers, self.layers, strict=True)
        )
        if not unchanged or loss is not self.loss:
            raise RuntimeError(
                f"Model.{where}: the layers or the loss changed after finalize(); call "
                f"model.finalize() again"
            )
        for need in needs:
            if getattr(self, need) is None:
                raise RuntimeError(f"Model.{where}: no {need} is set; {_MISSING[need]}")

    def _predictions(self, output: np.ndarray) -> np.ndarray:
        # A model ending in a layer without `predictions` (no activation) predicts its outputs
        predictions = getattr(self.output_layer_activation, "predictions", None)
        return output if predictions is None else predictions(output)

    @staticmethod
    def _unfrozen(layers: list) -> list:
        return [layer for layer in layers if is_trainable(layer)]


def _describe_layers(layers: list) -> str:
    return ", ".join(repr(layer) for layer in layers) or "none"
