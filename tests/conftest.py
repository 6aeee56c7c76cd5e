"""The test suite's settings.

Slow tests (notebooks, the book's chapter scripts, other subprocesses, end-to-end training
runs) run only with ``--run-slow``: ``python -m pytest`` is the quick local loop, and
README's test line, which CI runs, adds ``--run-slow`` and runs every test.

Hypothesis draws the same examples on every run (``derandomize``): a failing example is then
the code's, found again by anyone, never a draw that CI alone made. (A finite-difference
check of a batch norm over two samples, a nearly degenerate case, once drew an error of
1.3e-6 where the bound is 1e-6; it was one draw in about a thousand.)
"""

from __future__ import annotations

import pytest
from hypothesis import settings

settings.register_profile("nnlite", derandomize=True)
settings.load_profile("nnlite")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="also run the tests marked slow (notebooks, chapter scripts, subprocesses)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (README's test line does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
