"""Fixtures of the security suite: real files, freshly saved, to tamper with."""

import pytest

from nnlite.training.checkpoints import save_checkpoint
from tests.security.saved_files import trained


@pytest.fixture
def checkpoint_path(tmp_path):
    """A real checkpoint of a trained model (after 2 epochs of Adam)."""
    path = tmp_path / "run.npz"
    save_checkpoint(path, trained(), epoch=2)
    return path


@pytest.fixture
def model_path(tmp_path):
    path = tmp_path / "model.npz"
    trained().save(path)
    return path
