"""nnlite.parameters: which arrays of a layer an optimizer and a file find, and the Parameter
handle of layer.parameters() / model.parameters(): views, never copies."""

import numpy as np
import pytest

from nnlite import Activation_ReLU, Layer_Dense, Layer_Embedding, Model
from nnlite.parameters import (
    BIASES,
    WEIGHTS,
    Parameter,
    declared_parameters,
    named_parameters_of,
    parameters_of,
    trainable_parameters,
)


class DeclaresOnTheClass:
    parameter_specs = (WEIGHTS, BIASES)

    def __init__(self) -> None:
        self.weights = np.zeros((2, 3))
        self.biases = np.zeros((1, 3))


class BookStyle:
    def __init__(self, *, biases: bool) -> None:
        self.weights = np.zeros((2, 3))
        if biases:
            self.biases = np.zeros((1, 3))


class WithAParametersMethod(BookStyle):
    def parameters(self) -> list:  # as a torch module has: not a declaration
        return [self.weights]


def test_the_class_declaration_is_used():
    assert declared_parameters(DeclaresOnTheClass()) == (WEIGHTS, BIASES)


def test_an_instance_can_declare_its_own_parameters_over_the_class():
    layer = DeclaresOnTheClass()
    layer.parameter_specs = (WEIGHTS,)
    assert declared_parameters(layer) == (WEIGHTS,)
    assert trainable_parameters(layer) == (WEIGHTS,)
    assert declared_parameters(DeclaresOnTheClass()) == (WEIGHTS, BIASES)


def test_the_books_convention_applies_without_a_declaration():
    assert declared_parameters(BookStyle(biases=True)) == (WEIGHTS, BIASES)
    assert declared_parameters(BookStyle(biases=False)) == (WEIGHTS,)


def test_a_method_called_parameters_is_not_a_declaration():
    assert declared_parameters(WithAParametersMethod(biases=False)) == (WEIGHTS,)


def test_a_frozen_layer_has_no_trainable_parameters():
    layer = DeclaresOnTheClass()
    layer.trainable = False
    assert trainable_parameters(layer) == ()
    assert declared_parameters(layer) == (WEIGHTS, BIASES)


def dense(name=None):
    return Layer_Dense(3, 2, rng=np.random.default_rng(0), name=name)


def test_data_and_grad_are_the_layers_arrays_read_at_each_access():
    layer = dense()
    weights, _ = layer.parameters()
    assert weights.data is layer.weights
    assert weights.grad is None
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    first = layer.dweights
    assert weights.grad is first
    layer.backward(2 * np.ones((4, 2)))  # backward rebinds dweights
    assert weights.grad is layer.dweights and weights.grad is not first
    layer.weights = np.zeros((3, 2))
    assert weights.data is layer.weights


def test_setting_grad_sets_the_layers_gradient():
    layer = dense()
    weights, biases = layer.parameters()
    biases.grad = np.full((1, 2), 3.0)
    assert np.array_equal(layer.dbiases, np.full((1, 2), 3.0))
    biases.grad = None
    assert layer.dbiases is None
    weights.data = np.ones((3, 2))
    assert np.array_equal(layer.weights, np.ones((3, 2)))


def test_name_shape_dtype_and_requires_grad():
    layer = dense()
    weights, biases = layer.parameters()
    assert (weights.name, weights.shape, weights.dtype) == ("weights", (3, 2), np.float64)
    assert (biases.name, biases.shape) == ("biases", (1, 2))
    assert weights.requires_grad
    layer.trainable = False
    assert not weights.requires_grad and not biases.requires_grad
    biases.requires_grad = True
    assert layer.trainable is True


def test_equality_and_hash_by_layer_and_attribute():
    layer, other = dense(), dense()
    assert list(layer.parameters())[0] == list(layer.parameters())[0]
    assert hash(list(layer.parameters())[0]) == hash(list(layer.parameters())[0])
    assert list(layer.parameters())[0] != list(layer.parameters())[1]
    assert list(layer.parameters())[0] != list(other.parameters())[0]
    assert len(set(layer.parameters()) | set(layer.parameters())) == 2


def test_named_parameters_of_a_layer_and_of_a_model():
    layer = dense()
    assert [name for name, _ in layer.named_parameters()] == ["weights", "biases"]
    model = Model()
    model.add(dense("dense1"))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(2, 4, rng=np.random.default_rng(1)))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["dense1.weights", "dense1.biases", "dense_1.weights", "dense_1.biases"]
    # The names are those of the checkpoints (model.named_layers())
    named_layers = model.named_layers()
    for name, parameter in model.named_parameters():
        layer_name, attribute = name.split(".")
        assert parameter.data is getattr(named_layers[layer_name], attribute)
        assert parameter.name == name
    assert [p.name for p in model.parameters()] == names


def test_layers_without_parameters_and_embeddings():
    assert list(Activation_ReLU().parameters()) == []
    embedding = Layer_Embedding(5, 2, rng=np.random.default_rng(0))
    assert [name for name, _ in embedding.named_parameters()] == ["weights"]


def test_a_hand_written_book_layer_is_reached_through_the_functions():
    class BookDense:  # the course notes' singular names, no base class
        def __init__(self):
            self.weight = np.zeros((2, 2))
            self.bias = np.zeros((1, 2))

    layer = BookDense()
    parameters = list(parameters_of(layer))
    assert [p.name for p in parameters] == ["weight", "bias"]
    assert parameters[0].data is layer.weight
    assert [name for name, _ in named_parameters_of(layer, "first")] == [
        "first.weight",
        "first.bias",
    ]


def test_parameters_is_an_iterator_as_in_pytorch():
    parameters = dense().parameters()
    assert isinstance(next(parameters), Parameter)
    with pytest.raises(TypeError):
        len(parameters)
