"""The one place that names layers: in a Model, in its files and in optimizer state.

A layer's name is its own ``name`` if it has one, else one made from its class and its
position among the layers of that class: ``dense_1``, ``relu_1``, ``dense_2``, ``softmax_1``.
The names depend only on the classes and their order, so the same network built again gets
the same names, and a checkpoint's state finds its layers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence


def name_layers(layers: Sequence[object]) -> dict[str, object]:
    """Every layer by its name (see the module docstring); the names given must differ."""
    given = [getattr(layer, "name", None) for layer in layers]
    taken = set()
    for index, name in enumerate(given):
        if name is None:
            continue
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"Model: layer {index} ({layers[index]!r}) has the name {name!r}; a name must "
                f"be a non-empty string"
            )
        if name in taken:
            raise ValueError(f"Model: two layers are named {name!r}; names must differ")
        taken.add(name)
    counts: Counter[str] = Counter()
    named = {}
    for layer, name in zip(layers, given, strict=True):
        # Number the layers of each kind, skipping numbers that a given name already uses
        while name is None:
            kind = kind_of(layer)
            counts[kind] += 1
            name = f"{kind}_{counts[kind]}"
            if name in taken:
                name = None
        named[name] = layer
    return named


def kind_of(layer: object) -> str:
    """``Layer_Dense`` → ``dense``, ``Activation_LeakyReLU`` → ``leaky_relu``: for names."""
    kind = type(layer).__name__.removeprefix("Layer_").removeprefix("Activation_")
    names = {"LeakyReLU": "leaky_relu", "BatchNormalization": "batch_normalization"}
    return names.get(kind, kind.lower())


def named_layers(layers: Mapping[str, object] | Iterable[object], where: str) -> dict[str, object]:
    """``layers`` as given to ``optimizer.state_dict(layers)``: a dict name → layer, or a list
    of layers with their own names; checked that every name is given once."""
    if isinstance(layers, Mapping):
        named = dict(layers)
    else:
        named = {}
        for position, layer in enumerate(layers):
            name = getattr(layer, "name", None)
            if not name:
                raise ValueError(
                    f"{where}: layer {position} ({layer!r}) has no name; give each layer a name "
                    f"(Layer_Dense(2, 64, name='dense1')) or pass a dict {{'dense1': dense1}}"
                )
            if name in named:
                raise ValueError(f"{where}: two layers are named {name!r}; names must differ")
            named[name] = layer
    for name in named:
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: layer names must be non-empty strings, got {name!r}")
    return named
