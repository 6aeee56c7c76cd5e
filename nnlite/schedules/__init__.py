"""Learning-rate schedules, each giving the same sequence as PyTorch's scheduler."""

from nnlite.schedules.base import Schedule

__all__ = ["Schedule"]
