"""Layer_Embedding: a lookup table of learned vectors, with a row-sparse gradient.

An embedding turns integer ids (words, users, items) into vectors: ``weights`` is a table of
shape ``(num_embeddings, embedding_dim)`` and the forward pass simply picks rows::

    output = weights[inputs]          # inputs (n,) → output (n, dim); (n, k) → (n, k, dim)

Only the looked-up rows take part, so only they receive a gradient. With 50,000 words and a
batch that mentions 300 of them, a dense ``dweights`` would be 99% zeros. nnlite therefore
stores the gradient as :class:`SparseRows`: the ``indices`` of the rows that were looked up
(each once, sorted) and their ``values`` (the summed ``dvalues`` of every lookup of that row).
This is what ``torch.nn.Embedding(sparse=True)`` produces.

How the optimizers treat it (the design, as in PyTorch):

* :class:`~nnlite.optimizers.sparse_adam.Optimizer_SparseAdam` updates only those rows: their
  weights and their moments; the other rows, and their moments, stay exactly as they were.
* The dense optimizers (Adam, RMSprop, ...) need a gradient for every element, because even a
  zero gradient moves their moments. They refuse a :class:`SparseRows` gradient with an error
  instead of silently treating it as dense. To train an embedding with them, build it with
  ``sparse=False``: ``dweights`` is then an ordinary dense array (zeros for the rows not looked
  up), as ``torch.nn.Embedding(sparse=False)``.

``np.asarray(layer.dweights)`` (or ``layer.dweights.to_dense()``) gives the dense gradient of
either kind, for inspection and gradient checks.
"""

from __future__ import annotations

import numpy as np

from nnlite.layers.base import Layer
from nnlite.parameters import WEIGHTS
from nnlite.validation import (
    check_bool,
    check_positive_int,
    check_same_shape,
    given_parameter,
    require_forward,
)


class SparseRows:
    """A gradient that is zero except on some rows: ``dense[indices] = values``.

    Attributes
    ----------
    indices:
        The rows that have a gradient: a 1-D integer array, sorted, each row once.
    values:
        Their gradients, shape ``(len(indices), row_width)``.
    shape:
        The shape of the dense array this stands for, ``(num_rows, row_width)``.
    """

    #: Lets code that cannot import this class recognise a sparse gradient.
    is_sparse = True

    def __init__(self, indices: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> None:
        if indices.ndim != 1 or values.shape != (len(indices), shape[1]):
            raise ValueError(
                f"SparseRows: indices must be 1-D and values of shape (len(indices), {shape[1]}), "
                f"got indices of shape {indices.shape} and values of shape {values.shape}"
            )
        self.indices = indices
        self.values = values
        self.shape = tuple(shape)

    @classmethod
    def from_lookups(cls, rows: np.ndarray, row_values: np.ndarray, shape: tuple) -> SparseRows:
        """Sum the values of repeated rows: ``rows`` (m,) may repeat, ``row_values`` is (m, w)."""
        indices, position = np.unique(rows, return_inverse=True)
        values = np.zeros((len(indices), shape[1]), dtype=row_values.dtype)
        # Unbuffered addition, so that a row looked up twice gets both gradients
        np.add.at(values, position, row_values)
        return cls(indices, values, shape)

    @classmethod
    def from_dense(cls, dense: np.ndarray) -> SparseRows:
        """The rows of ``dense`` that hold any non-zero value."""
        indices = np.flatnonzero(np.any(dense != 0, axis=1))
        return cls(indices, dense[indices], dense.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    def to_dense(self) -> np.ndarray:
        """The full gradient, with zeros on the rows that are not listed."""
        dense = np.zeros(self.shape, dtype=self.values.dtype)
        dense[self.indices] = self.values
        return dense

    def __array__(self, dtype: np.dtype | None = None, copy: bool | None = None) -> np.ndarray:
        # np.asarray(gradient): the dense gradient, always a new array
        if copy is False:
            raise ValueError("SparseRows has no dense array to share: np.asarray must copy")
        dense = self.to_dense()
        return dense if dtype is None else dense.astype(dtype, copy=False)

    def __imul__(self, factor: float) -> SparseRows:
        # Scaling a gradient (clipping by norm) scales the stored rows only
        self.values *= factor
        return self

    def __repr__(self) -> str:
        return f"SparseRows(rows={self.indices.tolist()}, shape={self.shape})"


class Layer_Embedding(Layer):
    """A lookup table: ``output = weights[inputs]``, for integer inputs.

    Forward: ``inputs`` holds integer ids in ``[0, num_embeddings)``, of shape ``(n,)`` (one id
    per sample) or ``(n, k)`` (k ids per sample, e.g. the words of a sentence); ``output`` is
    ``weights[inputs]``, of shape ``(n, embedding_dim)`` or ``(n, k, embedding_dim)``.

    Backward, given ``dvalues`` shaped like ``output``: row ``r`` of ``dweights`` is the sum of
    the ``dvalues`` of every position where ``r`` was looked up (a row used twice gets two
    contributions; a row not used gets none). With ``sparse=True`` (the default) ``dweights`` is
    a :class:`SparseRows` holding only those rows; with ``sparse=False`` it is a dense array.
    Ids are not differentiable, so ``dinputs`` is ``None``.

    The weights start as standard normal draws, as in ``torch.nn.Embedding``. The layer has no
    biases: its only trainable parameter is ``weights``.

    Parameters
    ----------
    num_embeddings:
        The number of rows: how many different ids there are (the vocabulary size).
    embedding_dim:
        The length of each vector.
    sparse:
        ``True``: ``dweights`` is a :class:`SparseRows` (use
        :class:`~nnlite.optimizers.sparse_adam.Optimizer_SparseAdam`); ``False``: a dense array,
        which every other optimizer accepts.
    rng:
        A ``np.random.Generator`` to draw the weights from; ``None`` draws from the global
        ``np.random`` stream, as the book's layers do.
    name:
        A name for messages, summaries and checkpoints.
    weights:
        An array of shape ``(num_embeddings, embedding_dim)`` to start from (copied) instead
        of drawing: what loading a file does, so that nothing is drawn.
    """

    parameter_specs = (WEIGHTS,)

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        *,
        sparse: bool = True,
        rng: np.random.Generator | None = None,
        name: str | None = None,
        weights: np.ndarray | None = None,
    ) -> None:
        where = f"Layer_Embedding({num_embeddings!r}, {embedding_dim!r})"
        num_embeddings = check_positive_int(where, "num_embeddings", num_embeddings)
        embedding_dim = check_positive_int(where, "embedding_dim", embedding_dim)
        shape = (num_embeddings, embedding_dim)
        sparse = check_bool(where, "sparse", sparse)
        if weights is not None:
            # Given (loading a file): nothing is drawn
            self.weights = given_parameter(where, "weights", weights, shape)
        else:
            # Standard normal rows, as torch.nn.Embedding
            self.weights = np.random.randn(*shape) if rng is None else rng.standard_normal(shape)
        self.sparse = sparse
        self.name = name
        self.trainable = True
        self.inputs = None

    @property
    def num_embeddings(self) -> int:
        return self.weights.shape[0]

    @property
    def embedding_dim(self) -> int:
        return self.weights.shape[1]

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"Layer_Embedding({self.num_embeddings}, {self.embedding_dim}{name})"

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = self._checked_ids(inputs)
        # Remember which rows were looked up
        self.inputs = inputs
        # Pick one row of the table per id
        self.output = self.weights[inputs]
        return self.output

    def backward(self, dvalues: np.ndarray) -> None:
        require_forward(self, self)
        expected = (*self.inputs.shape, self.embedding_dim)
        dvalues = check_same_shape(self, "dvalues", dvalues, expected)
        # One gradient row per lookup, then summed per row of the table
        rows = self.inputs.reshape(-1)
        row_values = dvalues.reshape(-1, self.embedding_dim)
        if self.sparse:
            dweights = SparseRows.from_lookups(rows, row_values, self.weights.shape)
        else:
            dweights = np.zeros_like(self.weights, dtype=np.result_type(self.weights, dvalues))
            np.add.at(dweights, rows, row_values)

        previous = getattr(self, "dweights", None)
        accumulating = getattr(self, "accumulate_gradients", False)
        if accumulating and getattr(previous, "shape", None) == self.weights.shape:
            # Inside accumulate_gradients(): add to the gradient of earlier passes
            dweights = _add_gradients(previous, dweights)
        self.dweights = dweights
        # Ids have no gradient
        self.dinputs = None
        return self.dinputs

    def _checked_ids(self, inputs: object) -> np.ndarray:
        where = repr(self)
        ids = inputs if isinstance(inputs, np.ndarray) else np.asarray(inputs)
        if ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(
                f"{where}: inputs must be integer ids, got dtype {ids.dtype}; an embedding "
                f"looks rows up by index (convert with inputs.astype(int))"
            )
        if ids.ndim not in (1, 2):
            raise ValueError(
                f"{where}: inputs must have shape (n,) or (n, k), got a {ids.ndim}-D array of "
                f"shape {ids.shape}"
            )
        if ids.size:
            low, high = ids.min(), ids.max()
            if low < 0 or high >= self.num_embeddings:
                bad = low if low < 0 else high
                raise IndexError(
                    f"{where}: id {bad} is out of range; ids must be in [0, "
                    f"{self.num_embeddings}) for a table of {self.num_embeddings} rows"
                )
        return ids


def _add_gradients(
    previous: SparseRows | np.ndarray, new: SparseRows | np.ndarray
) -> SparseRows | np.ndarray:
    """The sum of two gradients of the table, sparse if the new one is sparse."""
    if isinstance(new, np.ndarray):
        return np.add(np.asarray(previous), new)
    if isinstance(previous, np.ndarray):
        # A dense gradient left by zero_grad(): keep its non-zero rows, if any
        previous = SparseRows.from_dense(previous)
    rows = np.concatenate([previous.indices, new.indices])
    values = np.concatenate([previous.values, new.values])
    return SparseRows.from_lookups(rows, values, new.shape)
