"""The PyTorch bridge: an nnlite Model (and its optimizer's state) as a torch module, and back.

``networks.py`` converts the layers (``to_torch``, ``from_torch``), ``image_layers.py`` the
convolution, pooling, flatten and batch-normalization layers, and ``optimizer_state.py`` an
optimizer's hyperparameters and state. torch is imported inside the functions: nnlite itself
does not need it.
"""

from nnlite.torch_bridge.networks import from_torch, to_torch

__all__ = ["from_torch", "to_torch"]
