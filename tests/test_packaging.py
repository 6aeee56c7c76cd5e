"""What a non-editable install gets: every folder of the package, and its data files."""

from pathlib import Path

import nnlite

PACKAGE = Path(nnlite.__file__).parent


def test_every_folder_with_code_is_a_package_that_an_install_includes():
    # setup.cfg's packages = find: finds only folders with an __init__.py
    folders = {path.parent for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}
    missing = sorted(str(folder) for folder in folders if not (folder / "__init__.py").exists())
    assert not missing, f"folders without __init__.py, left out of an install: {missing}"
