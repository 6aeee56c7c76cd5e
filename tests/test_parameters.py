"""nnlite.parameters: which arrays of a layer an optimizer and a checkpoint find."""

import numpy as np

from nnlite.parameters import BIASES, WEIGHTS, declared_parameters, trainable_parameters


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
