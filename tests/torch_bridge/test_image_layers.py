"""The PyTorch bridge for image layers: convolution, pooling, flatten, batch normalization."""

import numpy as np
import pytest
import torch
from torch import nn

from nnlite import (
    Accuracy_Regression,
    Activation_ReLU,
    Layer_AvgPool2D,
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Flatten,
    Layer_MaxPool2D,
    Loss_MeanSquaredError,
    Model,
    Optimizer_SGD,
    from_torch,
    to_torch,
)

TOLERANCE = 1e-12


def image_network(rng):
    """Every image layer, with batch normalization over channels and over features."""
    model = Model()
    for layer in [
        Layer_Conv2D(1, 6, 5, stride=(1, 2), padding=1, rng=rng),
        Layer_BatchNormalization(6),
        Activation_ReLU(),
        Layer_MaxPool2D(3, stride=2, padding=1),
        Layer_Conv2D(6, 4, 3, padding="same", dilation=2, bias=False, rng=rng),
        Activation_ReLU(),
        Layer_AvgPool2D(2),
        Layer_Flatten(),
        Layer_Dense(4 * 2 * 1, 12, rng=rng),
        Layer_BatchNormalization(12, momentum=0.2, epsilon=1e-3),
        Activation_ReLU(),
        Layer_Dense(12, 3, bias=False, rng=rng),
    ]:
        model.add(layer)
    model.set(
        loss=Loss_MeanSquaredError(),
        optimizer=Optimizer_SGD(0.01, momentum=0.9),
        accuracy=Accuracy_Regression(),
    )
    model.finalize()
    return model


@pytest.fixture
def trained():
    """A network trained a few steps (so the running statistics are not their start) and
    its data."""
    rng = np.random.default_rng(0)
    model = image_network(rng)
    X = rng.standard_normal((6, 1, 12, 14))
    y = rng.standard_normal((6, 3))
    model.train(X, y, epochs=3, verbose=0)
    return model, X


def test_to_torch_computes_what_the_model_computes_in_both_modes(trained):
    model, X = trained
    sequential = to_torch(model)
    assert [type(module) for module in sequential][:2] == [nn.Conv2d, nn.BatchNorm2d]
    assert type(sequential[9]) is nn.BatchNorm1d  # after Flatten and a dense layer
    assert sequential[11].bias is None
    sequential.eval()
    expected = model.predict(X)
    np.testing.assert_allclose(
        sequential(torch.tensor(X)).detach().numpy(), expected, rtol=0, atol=TOLERANCE
    )
    # Training mode: batch statistics on both sides
    sequential.train()
    ours = model.forward(X, training=True)
    np.testing.assert_allclose(
        sequential(torch.tensor(X)).detach().numpy(), ours, rtol=0, atol=TOLERANCE
    )


def test_from_torch_gives_back_the_same_network(trained):
    model, X = trained
    back = from_torch(to_torch(model))
    assert [type(layer) for layer in back.layers] == [type(layer) for layer in model.layers]
    assert not back.layers[4].has_biases and not back.layers[11].has_biases
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    np.testing.assert_array_equal(back.layers[1].running_var, model.layers[1].running_var)


def test_the_articles_lenet_converts_both_ways():
    torch.manual_seed(0)
    lenet = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    ).double()  # fmt: skip
    image = torch.randn(1, 1, 32, 32, dtype=torch.float64)
    model = from_torch(lenet)
    np.testing.assert_allclose(
        model.predict(image.numpy()), lenet(image).detach().numpy(), rtol=0, atol=TOLERANCE
    )
    again = to_torch(model)
    np.testing.assert_allclose(
        again(image).detach().numpy(), lenet(image).detach().numpy(), rtol=0, atol=TOLERANCE
    )


@pytest.mark.parametrize(
    ("module", "setting"),
    [
        (nn.Conv2d(4, 4, 3, groups=2), "groups"),
        (nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"), "padding_mode"),
        (nn.MaxPool2d(2, ceil_mode=True), "ceil_mode"),
        (nn.MaxPool2d(2, dilation=2), "dilation"),
        (nn.AvgPool2d(2, count_include_pad=False), "count_include_pad"),
        (nn.Flatten(start_dim=2), "start_dim"),
        (nn.BatchNorm2d(3, track_running_stats=False), "track_running_stats"),
    ],
)
def test_a_setting_nnlite_does_not_have_is_named(module, setting):
    with pytest.raises(ValueError, match=f"no counterpart of its {setting} setting"):
        from_torch(nn.Sequential(module))
