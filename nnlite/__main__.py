"""``python -m nnlite`` is the ``nnlite`` command."""

from nnlite.cli import main

raise SystemExit(main())
