"""Singular spellings from popular course notes: ``layer.weight`` is ``layer.weights``.

Course notes written in the book's style say ``weight``, ``bias``, ``dweight``, ``dbias`` and
``dinput``. An :class:`Alias` is a descriptor that forwards reading *and* assigning to the book's
attribute, so ``layer.weight += step`` updates ``layer.weights`` itself.
"""

from __future__ import annotations


class Alias:
    """Class attribute that reads and writes another attribute of the same object."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, objtype: type | None = None) -> object:
        if obj is None:
            return self
        try:
            return getattr(obj, self.target)
        except AttributeError:
            raise AttributeError(
                f"{type(obj).__name__} has no {self.name!r} yet (it is another name for "
                f"{self.target!r}, which is set by forward/backward)"
            ) from None

    def __set__(self, obj: object, value: object) -> None:
        setattr(obj, self.target, value)
