"""Whatever a course notebook imports is installed by `pip install -e ".[notebooks]"`:
nnlite's own requirements or its `notebooks` extra (setup.cfg)."""

import ast
import configparser
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).parents[2]
#: Import names whose package has another name on PyPI.
DISTRIBUTIONS = {"sklearn": "scikit-learn", "PIL": "pillow"}


def requirement_names(lines: str) -> set[str]:
    return {re.match(r"[A-Za-z0-9_.-]+", line).group().lower() for line in lines.split()}


def notebook_imports() -> dict[str, set[str]]:
    """Top-level module name → the notebooks that import it."""
    imports: dict[str, set[str]] = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    imports.setdefault(name.split(".")[0], set()).add(path.name[:2])
    return imports


def test_the_notebooks_extra_installs_what_the_notebooks_import():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    installed = requirement_names(setup["options"]["install_requires"])
    installed |= requirement_names(setup["options.extras_require"]["notebooks"])
    installed.add("nnlite")
    imports = notebook_imports()
    assert {"numpy", "nnlite", "torch"} <= imports.keys()  # the parsing found them
    missing = {
        name: sorted(notebooks)
        for name, notebooks in imports.items()
        if name not in sys.stdlib_module_names
        and DISTRIBUTIONS.get(name, name).lower() not in installed
    }
    assert not missing, f"imported by the notebooks but not in the notebooks extra: {missing}"
