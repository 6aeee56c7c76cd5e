"""The test suite's one switch: slow tests (notebooks, the book's chapter scripts, other
subprocesses) run only with ``--run-slow``.

``python -m pytest`` is the quick local loop (under a minute); README's test line, which CI
runs, adds ``--run-slow`` and runs every test.
"""

from __future__ import annotations

import pytest


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
