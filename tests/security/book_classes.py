"""Stand-ins for the book's classes, to write book pickles with chosen attributes.

The book-pickle loader looks classes up by name only, so these plain classes pickle as the
book's own would: a class name and a dict of attributes.
"""

import numpy as np


class Record:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Model(Record):
    pass


class Layer_Dense(Record):
    pass


class Activation_Softmax(Record):
    pass


class Loss_CategoricalCrossentropy(Record):
    pass


class Accuracy_Categorical(Record):
    pass


class Optimizer_Adam(Record):
    pass


def book_model(**optimizer_attributes):
    """A book Model: Dense(2, 3) + softmax, trained one step by Adam (its state included)."""
    rng = np.random.default_rng(0)
    dense = Layer_Dense(
        weights=0.01 * rng.normal(size=(2, 3)),
        biases=np.zeros((1, 3)),
        weight_regularizer_l1=0,
        weight_regularizer_l2=0,
        bias_regularizer_l1=0,
        bias_regularizer_l2=0,
        weight_momentums=np.zeros((2, 3)),
        weight_cache=np.zeros((2, 3)),
        bias_momentums=np.zeros((1, 3)),
        bias_cache=np.zeros((1, 3)),
    )
    optimizer = {
        "learning_rate": 0.01,
        "decay": 0.0,
        "epsilon": 1e-7,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "iterations": 1,
        "current_learning_rate": 0.01,
        **optimizer_attributes,
    }
    return Model(
        layers=[dense, Activation_Softmax()],
        loss=Loss_CategoricalCrossentropy(),
        accuracy=Accuracy_Categorical(binary=False),
        optimizer=Optimizer_Adam(**optimizer),
    )
