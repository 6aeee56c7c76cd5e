"""load_book_model: an nnlite Model from a model saved by the book's own ``Model.save``.

The book saves with pickle; ``nnlite/files/book_pickle.py`` reads such a file without running
what it contains, and this builds the model it describes.
"""

from __future__ import annotations

import os

from nnlite.files.book_pickle import read_book_model
from nnlite.training.model import Model


def load_book_model(path: str | os.PathLike, *, trust_this_file: bool = False) -> Model:
    """An nnlite Model from a model saved by the book's ``Model.save`` (a pickle).

    Only with ``trust_this_file=True``: opening a pickle is only as safe as its source, even
    with the restrictions described in ``nnlite/files/book_pickle.py``. The model comes back
    finalized, with its loss, accuracy and optimizer (state included) when the book's model
    had them.
    """
    return read_book_model(path, Model(), trust_this_file=trust_this_file)
