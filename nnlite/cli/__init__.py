"""The ``nnlite`` command (also ``python -m nnlite``): ``nnlite train`` and ``nnlite compare``.

``commands.py`` reads the command line and runs the command; ``runs.py`` says what a run
trains on (data, network, optimizer, their defaults) and checks a resumed run against its
checkpoint; ``run_folders.py`` chooses where a run is written and writes it.
"""

from nnlite.cli.commands import main

__all__ = ["main"]
