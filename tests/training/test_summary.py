"""Model.summary: output shapes of images through convolution, pooling and flatten."""

import numpy as np
import pytest
import torch
from torch import nn

from nnlite import (
    Activation_ReLU,
    Layer_AvgPool2D,
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Flatten,
    Layer_MaxPool2D,
    Model,
)


# PyTorch warns that its own "same" padding with an even kernel may copy the input
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_each_layers_output_shape_is_the_one_pytorch_computes():
    rng = np.random.default_rng(0)
    ours = [
        Layer_Conv2D(3, 6, 5, stride=2, padding=1, dilation=(1, 2), rng=rng),
        Layer_BatchNormalization(6),
        Activation_ReLU(),
        Layer_MaxPool2D(3, stride=2, padding=1),
        Layer_Conv2D(6, 4, (2, 3), padding="same", rng=rng),
        Layer_AvgPool2D(2),
        Layer_Flatten(),
        Layer_Dense(4 * 3 * 3, 5, rng=rng),
    ]
    theirs = [
        nn.Conv2d(3, 6, 5, stride=2, padding=1, dilation=(1, 2)),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.Conv2d(6, 4, (2, 3), padding="same"),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(36, 5),
    ]
    x = torch.zeros(1, 3, 29, 31)
    expected = []
    for module in theirs:
        x = module.eval()(x)
        expected.append(", ".join(str(size) for size in x.shape[1:]))

    model = Model()
    for layer in ours:
        model.add(layer)
    model.finalize()
    lines = []
    model.summary(print_fn=lines.append, input_shape=(3, 29, 31))
    for line, shape in zip(lines[2 : 2 + len(ours)], expected, strict=True):
        assert f"(n_samples, {shape})" in line


def test_without_a_known_input_shape_the_image_shapes_are_unknown():
    model = Model()
    model.add(Layer_Conv2D(1, 2, 3, rng=np.random.default_rng(0)))
    model.add(Layer_Flatten())
    model.finalize()
    lines = []
    model.summary(print_fn=lines.append)
    assert "(n_samples, ?)" in lines[2] and "(n_samples, ?)" in lines[3]
