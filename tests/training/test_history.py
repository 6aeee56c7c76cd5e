"""History: per-epoch figures by name, as Model.train returns them."""

import pytest

from nnlite.training.history import History


def test_records_figures_by_name_and_epoch():
    history = History()
    history.record(1, {"loss": 1.5, "accuracy": 0.25})
    history.record(2, {"loss": 1.25, "accuracy": 0.5})
    assert history.epoch == [1, 2]
    assert history.history == {"loss": [1.5, 1.25], "accuracy": [0.25, 0.5]}
    assert history["loss"] == [1.5, 1.25]
    assert history.last() == {"loss": 1.25, "accuracy": 0.5}
    assert len(history) == 2
    assert list(history) == ["loss", "accuracy"]
    assert "loss" in history and "val_loss" not in history
    assert repr(history) == "History(epochs=2, figures=['loss', 'accuracy'])"


def test_values_are_python_floats():
    import numpy as np

    history = History()
    history.record(1, {"loss": np.float32(0.5)})
    assert type(history["loss"][0]) is float


def test_every_epoch_has_the_same_names():
    history = History()
    history.record(1, {"loss": 1.0})
    with pytest.raises(ValueError, match=r"epoch 2 has the figures \['accuracy', 'loss'\]"):
        history.record(2, {"loss": 1.0, "accuracy": 0.5})


def test_a_missing_figure_names_what_there_is():
    history = History()
    history.record(1, {"loss": 1.0})
    with pytest.raises(
        KeyError, match=r"no figure 'val_loss'; it has \['loss'\] .*validation_data"
    ):
        history["val_loss"]
    with pytest.raises(ValueError, match="no epoch was recorded"):
        History().last()


def test_repr_shows_why_training_stopped():
    history = History()
    history.record(1, {"loss": 1.0})
    history.stop_reason = "stopped"
    assert repr(history) == "History(epochs=1, figures=['loss'], stop_reason='stopped')"
