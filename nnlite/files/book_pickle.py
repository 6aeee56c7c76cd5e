"""Book pickles: open a model or parameters saved by the book's own code, if you trust it.

The book saves with pickle (chapter 22): ``model.save(path)`` pickles the whole ``Model``
and ``model.save_parameters(path)`` a list of ``(weights, biases)`` tuples. A pickle names the
functions to call to rebuild its objects, and opening one calls them: a pickle from someone
else can run any code on your machine. So nnlite's ``Model.load`` and ``load_parameters``
refuse pickles, and the two functions here open one only when told that the file is trusted::

    model = load_book_model("fashion_mnist.model", trust_this_file=True)
    parameters = load_book_parameters("fashion_mnist.parms", trust_this_file=True)

Even then they do not let the pickle call what it likes. Pickle stores a class by its module
path, and a book script's classes live in ``__main__`` (``__main__.Model``,
``__main__.Layer_Dense``, ...). The restricted unpickler here (``find_class``) answers

* a class name of the book's (:data:`BOOK_CLASSES`), from any module, with an inert record
  that only stores the attributes the pickle gives it; nothing is imported;
* NumPy's array and scalar rebuilders (``numpy.ndarray``, ``numpy.dtype``,
  ``numpy.core.multiarray._reconstruct`` and ``scalar``, under NumPy 1 or 2 module names);
* anything else, such as ``os.system`` or ``builtins.eval``, with an error, before it is
  called.

The records are then translated into new nnlite objects:

===============================================  ===============================================
the book's object                                nnlite's
===============================================  ===============================================
``Layer_Dense`` (weights, biases, regularizers)  ``Layer_Dense``, the same arrays and dtypes
``Layer_Dropout`` (``rate`` = keep probability)  ``Layer_Dropout(rate=1 - keep)``, same keep
``Activation_ReLU/Softmax/Sigmoid/Linear``       the same classes
``Loss_*``, ``Accuracy_Categorical(binary)``,    the same classes and settings
``Accuracy_Regression(precision)``
``Optimizer_SGD/Adagrad/RMSprop/Adam``           the same class, hyperparameters, ``iterations``
(state ``weight_momentums``, ``weight_cache``    and ``current_learning_rate``; the state arrays
... on the layers)                               through ``optimizer.load_state_dict``
===============================================  ===============================================

so training continues where the book's model stopped. ``Model`` attributes that ``finalize``
derives (``input_layer``, ``trainable_layers``, ``prev``/``next``, the combined softmax) are
made again by ``finalize``.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

import numpy as np

from nnlite.files import architecture
from nnlite.files.array_files import MAX_EXPANSION, SLACK, looks_like_pickle
from nnlite.layers import Layer_Dense, Layer_Dropout
from nnlite.validation import check_bool

BOOK_LAYERS = (
    "Layer_Dense",
    "Layer_Dropout",
    "Activation_ReLU",
    "Activation_Softmax",
    "Activation_Sigmoid",
    "Activation_Linear",
)
BOOK_LOSSES = (
    "Loss_CategoricalCrossentropy",
    "Loss_BinaryCrossentropy",
    "Loss_MeanSquaredError",
    "Loss_MeanAbsoluteError",
)
BOOK_ACCURACIES = ("Accuracy_Categorical", "Accuracy_Regression")
#: The book's optimizers and their hyperparameters (besides learning_rate and decay).
BOOK_OPTIMIZERS = {
    "Optimizer_SGD": ("momentum",),
    "Optimizer_Adagrad": ("epsilon",),
    "Optimizer_RMSprop": ("epsilon", "rho"),
    "Optimizer_Adam": ("epsilon", "beta_1", "beta_2"),
}
#: Every class a book pickle may name; the others are found in a saved Model but rebuilt by
#: ``finalize`` (or, for the base classes, never instantiated).
BOOK_CLASSES = (
    "Model",
    *BOOK_LAYERS,
    *BOOK_LOSSES,
    *BOOK_ACCURACIES,
    *BOOK_OPTIMIZERS,
    "Layer_Input",
    "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Loss",
    "Accuracy",
)
_NUMPY_MODULES = ("numpy.core.multiarray", "numpy._core.multiarray")
_NUMPY_GLOBALS = {
    **{(module, "_reconstruct"): np.zeros(1).__reduce__()[0] for module in _NUMPY_MODULES},
    **{(module, "scalar"): np.float64(0).__reduce__()[0] for module in _NUMPY_MODULES},
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _Refused(pickle.UnpicklingError):
    """Raised by the unpickler for anything it does not build; its message says what."""


class BookRecord:
    """An object of the book's, as the pickle describes it: a class name and attributes.

    It has no behaviour: the unpickler makes one in place of each book object, and the
    translation below reads ``attributes`` to build nnlite's objects.
    """

    book_class = ""

    def __new__(cls, *arguments: object) -> BookRecord:
        if arguments:
            raise _Refused(
                f"the pickle calls {cls.book_class} with arguments {arguments!r:.80}; the "
                f"book's objects are not built that way"
            )
        record = super().__new__(cls)
        record.attributes = {}
        return record

    def __setstate__(self, state: object) -> None:
        if not isinstance(state, dict):
            raise _Refused(
                f"the pickle gives a {self.book_class} the state {state!r:.80}, not a dict of "
                f"attributes"
            )
        self.attributes = state

    def __repr__(self) -> str:
        return f"<book {self.book_class}>"


_RECORDS = {name: type(name, (BookRecord,), {"book_class": name}) for name in BOOK_CLASSES}


class _BookUnpickler(pickle.Unpickler):
    """Builds only the book's classes (as records) and NumPy arrays; refuses the rest.

    Arrays are made through checked stand-ins for NumPy's rebuilders: none may be larger than
    ``limit`` bytes (the file's size times ``MAX_EXPANSION``, as for nnlite's own files), so a
    small pickle calling ``ndarray((10**13,))`` is refused instead of exhausting memory.
    """

    def __init__(self, file: Any, limit: int) -> None:
        super().__init__(file)
        self.limit = limit

    def find_class(self, module: str, name: str) -> Any:
        if name in _RECORDS:
            return _RECORDS[name]
        if (module, name) in _NUMPY_GLOBALS:
            found = _NUMPY_GLOBALS[(module, name)]
            if found is np.ndarray:
                return self._new_array
            if name == "_reconstruct":
                return self._reconstruct
            return found
        raise _Refused(
            f"it asks to call {module}.{name}, which is neither one of the book's "
            f"classes nor NumPy's array types; refusing to go on, since it could run any code"
        )

    def _check_size(self, shape: object, dtype: object) -> tuple[tuple[int, ...], np.dtype]:
        if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
            shape = (shape,)
        if not isinstance(shape, tuple) or not all(
            isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 0 for n in shape
        ):
            raise _Refused(f"it asks for an array of shape {shape!r:.80}")
        try:
            dtype = np.dtype(dtype)
        except (TypeError, ValueError) as error:
            raise _Refused(f"it asks for an array of dtype {dtype!r:.60} ({error})") from None
        size = dtype.itemsize
        for length in shape:
            size *= int(length)
        if size > self.limit:
            raise _Refused(
                f"it asks for an array of shape {shape!r:.80} and dtype {dtype} ({size} bytes), "
                f"more than a file of its size can hold; refusing to allocate it"
            )
        return shape, dtype

    def _new_array(self, shape: object = (), dtype: object = float, *rest: object) -> np.ndarray:
        """``numpy.ndarray(shape, dtype, ...)``, refused above the size limit."""
        shape, dtype = self._check_size(shape, dtype)
        return np.ndarray(shape, dtype, *rest)

    def _reconstruct(self, subtype: object, shape: object, dtype: object) -> np.ndarray:
        """``numpy.core.multiarray._reconstruct``, for plain ndarrays only; the data comes
        next, through ``ndarray.__setstate__``, which checks its length against the shape."""
        if subtype != self._new_array and subtype is not np.ndarray:
            raise _Refused(f"it rebuilds an array of the class {subtype!r:.60}")
        shape, dtype = self._check_size(shape, dtype)
        return _NUMPY_GLOBALS[("numpy._core.multiarray", "_reconstruct")](np.ndarray, shape, dtype)


def read_book_model(path: str | os.PathLike, model: Any, *, trust_this_file: bool = False) -> Any:
    """Build a model saved by the book's ``Model.save`` (a pickle) into ``model``, a new, empty
    ``nnlite.Model`` (``nnlite.load_book_model(path)`` passes one).

    Only with ``trust_this_file=True``: opening a pickle is only as safe as its source, even
    with the restrictions described in the module docstring. The model comes back finalized,
    with its loss, accuracy and optimizer (state included) when the book's model had them.
    """
    path = os.fspath(path)
    record = _unpickle(path, trust_this_file, "load_book_model")
    if not isinstance(record, _RECORDS["Model"]):
        raise ValueError(
            f"{path!r} holds {_shown(record)}, not the book's Model; for parameters saved by "
            f"the book's save_parameters, use load_book_parameters"
        )
    return _translate_model(record.attributes, path, model)


def load_book_parameters(
    path: str | os.PathLike, *, trust_this_file: bool = False
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``[(weights, biases), ...]`` saved by the book's ``save_parameters`` (a pickle).

    Only with ``trust_this_file=True`` (see :func:`load_book_model`). Give them to a model
    with ``model.set_parameters(parameters)``.
    """
    path = os.fspath(path)
    loaded = _unpickle(path, trust_this_file, "load_book_parameters")
    if not isinstance(loaded, list):
        raise ValueError(
            f"{path!r} holds {_shown(loaded)}, not the list of (weights, biases) that the "
            f"book's save_parameters writes"
        )
    parameters = []
    for index, pair in enumerate(loaded):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValueError(
                f"{path!r}: item {index} is {_shown(pair)}, not a (weights, biases) pair"
            )
        weights = _array(pair[0], path, f"item {index}: weights", ndim=2)
        biases = _array(pair[1], path, f"item {index}: biases", ndim=2)
        parameters.append((weights, biases))
    return parameters


# ---------------------------------------------------------------------- unpickling


def _unpickle(path: str, trust_this_file: bool, where: str) -> object:
    if trust_this_file is not True:
        raise ValueError(
            f"{where}: opening a pickle can run any code it contains, so {where} only opens "
            f"one you trust; if you made {path!r} with the book's code (or trust who did), "
            f"call {where}(path, trust_this_file=True)"
        )
    if not looks_like_pickle(path):
        raise ValueError(
            f"{path!r} is not a pickle; files written by nnlite open with Model.load(path) or "
            f"model.load_parameters(path)"
        )
    limit = MAX_EXPANSION * os.path.getsize(path) + SLACK
    with open(path, "rb") as file:
        try:
            return _BookUnpickler(file, limit).load()
        except _Refused as error:
            raise ValueError(f"{path!r}: {error}") from None
        except (
            pickle.UnpicklingError,
            EOFError,
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            KeyError,
            OverflowError,
            MemoryError,
            RecursionError,
        ) as error:
            raise ValueError(
                f"{path!r} is damaged or not one of the book's pickles "
                f"({type(error).__name__}: {error})"
            ) from None


def _shown(value: object) -> str:
    return f"a {type(value).__name__}" if not isinstance(value, BookRecord) else repr(value)


def _array(value: object, path: str, where: str, *, ndim: int) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f" or value.ndim != ndim:
        found = (
            f"an array of dtype {value.dtype} and shape {value.shape}"
            if isinstance(value, np.ndarray)
            else _shown(value)
        )
        raise ValueError(f"{path!r}: {where} should be a {ndim}-D float array, found {found}")
    return value


# ---------------------------------------------------------------------- translating


def _translate_model(attributes: dict[str, Any], path: str, model: Any) -> Any:
    records = attributes.get("layers")
    if not isinstance(records, list) or not records:
        raise ValueError(f"{path!r}: the book's Model has no list of layers")
    for index, record in enumerate(records):
        model.add(_translate_layer(record, path, f"Model.layers[{index}]"))
    roles = {}
    if attributes.get("loss") is not None:
        kind = _record_class(attributes["loss"], BOOK_LOSSES, path, "Model.loss")
        roles["loss"] = architecture.LOSSES[kind].cls()
    if attributes.get("accuracy") is not None:
        roles["accuracy"] = _translate_accuracy(attributes["accuracy"], path)
    optimizer = attributes.get("optimizer")
    if optimizer is not None:
        roles["optimizer"] = _translate_optimizer(optimizer, records, model, path)
    model.set(**roles)
    model.finalize()
    return model


def _translate_layer(record: object, path: str, where: str) -> object:
    kind = _record_class(record, BOOK_LAYERS, path, where)
    attributes = record.attributes
    if kind == "Layer_Dense":
        weights = _array(attributes.get("weights"), path, f"{where}.weights", ndim=2)
        biases = _array(attributes.get("biases"), path, f"{where}.biases", ndim=2)
        if biases.shape != (1, weights.shape[1]):
            raise ValueError(
                f"{path!r}: {where}.biases has shape {biases.shape}, but weights of shape "
                f"{weights.shape} need biases of shape (1, {weights.shape[1]})"
            )
        regularizers = {name: attributes.get(name, 0) for name in architecture.DENSE_REGULARIZERS}
        try:
            # The pickle's arrays are given, so nothing is drawn
            return Layer_Dense(*weights.shape, **regularizers, weights=weights, biases=biases)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path!r}: {where} cannot be built: {error}") from None
    if kind == "Layer_Dropout":
        # The book's `rate` is the probability to keep
        keep = attributes.get("rate")
        if isinstance(keep, bool) or not isinstance(keep, float | int) or not 0 < keep <= 1:
            raise ValueError(
                f"{path!r}: {where}.rate (the book's keep probability) should be in (0, 1], "
                f"found {keep!r}"
            )
        layer = Layer_Dropout(_drop_rate(keep))
        layer.keep_probability = keep
        return layer
    return architecture.LAYERS[kind].cls()


def _drop_rate(keep: float) -> float:
    """``1 - keep``, written as the user wrote it (0.1, not 0.09999999999999998) when that
    gives back the same keep probability."""
    rate = 1 - keep
    short = float(f"{rate:.12g}")
    return short if 1 - short == keep else rate


def _translate_accuracy(record: object, path: str) -> object:
    kind = _record_class(record, BOOK_ACCURACIES, path, "Model.accuracy")
    try:
        if kind == "Accuracy_Categorical":
            binary = record.attributes.get("binary", False)
            return architecture.ACCURACIES[kind].cls(binary=check_bool(kind, "binary", binary))
        return architecture.ACCURACIES[kind].cls(precision=record.attributes.get("precision"))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path!r}: the book's Model.accuracy: {error}") from None


def _translate_optimizer(record: object, layer_records: list, model: Any, path: str) -> object:
    kind = _record_class(record, tuple(BOOK_OPTIMIZERS), path, "Model.optimizer")
    attributes = record.attributes
    names = ("learning_rate", "decay", *BOOK_OPTIMIZERS[kind])
    missing = [
        name for name in (*names, "iterations", "current_learning_rate") if name not in attributes
    ]
    if missing:
        raise ValueError(f"{path!r}: the book's {kind} has no {', '.join(missing)}")
    try:
        optimizer = architecture.OPTIMIZERS[kind](**{name: attributes[name] for name in names})
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{path!r}: the book's {kind} has settings nnlite refuses: {error}"
        ) from None

    # The book keeps the state on the layers; nnlite's state_dict says which layer by name
    named = model.named_layers()
    state = optimizer.state_dict(named)
    iterations = attributes["iterations"]
    if (
        isinstance(iterations, bool)
        or not isinstance(iterations, int | np.integer)
        or iterations < 0
    ):
        raise ValueError(
            f"{path!r}: the book's {kind}.iterations should be a whole number >= 0, found "
            f"{_shown(iterations) if isinstance(iterations, np.ndarray) else repr(iterations)}"
        )
    iterations = int(iterations)
    state["iterations"] = iterations
    state["current_learning_rate"] = attributes["current_learning_rate"]
    for (name, layer), layer_record in zip(named.items(), layer_records, strict=True):
        if not isinstance(layer, Layer_Dense):
            continue
        expected = [
            f"{prefix}_{suffix}"
            for prefix in ("weight", "bias")
            for suffix in optimizer.state_names
        ]
        found = [key for key in expected if key in layer_record.attributes]
        if not found:
            continue  # never updated
        if found != expected:
            raise ValueError(
                f"{path!r}: {name} has the {kind} state {found}, but {kind} keeps {expected}"
            )
        state["layers"][name] = {
            "kind": kind,
            # The book updates every layer at every step
            "steps": {"weights": iterations, "biases": iterations},
            "scalars": {},
            "arrays": {key: layer_record.attributes[key] for key in expected},
        }
    try:
        optimizer.load_state_dict(state, named)
    except ValueError as error:
        raise ValueError(f"{path!r}: the book's {kind} state does not fit: {error}") from None
    return optimizer


def _record_class(record: object, names: tuple[str, ...], path: str, where: str) -> str:
    if not isinstance(record, BookRecord) or record.book_class not in names:
        raise ValueError(
            f"{path!r}: {where} is {_shown(record)}; nnlite can import the book's {list(names)}"
        )
    return record.book_class
