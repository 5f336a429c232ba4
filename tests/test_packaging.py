"""The wheel holds every Python package and the page's assets (a fresh `pip install .` must run).

Asks setuptools itself, offline, which files its build step puts into the wheel for this
pyproject.toml, and compares them with the tree: a package without an `__init__.py` match, or
a static file or template left out, fails here instead of on a user's laptop."""
import os
import shutil
import warnings

import pytest

from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> set[str]:
    """Paths (relative to site-packages) that `pip install .` installs from this tree."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), src)
    for top in ("engine", "webapp"):
        shutil.copytree(os.path.join(ROOT, top), src / top, ignore=shutil.ignore_patterns("__pycache__"))
    cwd = os.getcwd()
    os.chdir(src)                   # setuptools resolves pyproject paths from the working dir
    try:
        dist = Distribution()
        dist.script_name = "setup.py"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # "[tool.setuptools] is beta" on older setuptools
            apply_configuration(dist, "pyproject.toml")
        build = dist.get_command_obj("build_py")
        build.ensure_finalized()
        return {os.path.relpath(p, build.build_lib).replace(os.sep, "/")
                for p in build.get_outputs(include_bytecode=False)}
    finally:
        os.chdir(cwd)


def _tree(top: str, keep) -> set[str]:
    found = set()
    for dirpath, dirnames, files in os.walk(os.path.join(ROOT, top)):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        found |= {os.path.relpath(os.path.join(dirpath, f), ROOT).replace(os.sep, "/")
                  for f in files if keep(f)}
    return found


def test_every_module_is_in_the_wheel(wheel_files):
    modules = _tree("engine", lambda f: f.endswith(".py")) | _tree("webapp", lambda f: f.endswith(".py"))
    missing = modules - wheel_files
    assert not missing, f"not installed by `pip install .` (a package without __init__.py?): {sorted(missing)}"


def test_page_assets_are_in_the_wheel(wheel_files):
    assets = (_tree("webapp/static", lambda f: True) | _tree("webapp/templates", lambda f: True)
              | _tree("webapp/examples", lambda f: True))
    assert "webapp/templates/index.html" in assets and "webapp/static/vendor/editor.js" in assets
    assert "webapp/examples/login.yaml" in assets and "webapp/examples/menu.txt" in assets
    missing = assets - wheel_files
    assert not missing, f"not installed by `pip install .`: {sorted(missing)}"


def test_the_engine_s_data_files_are_in_the_wheel(wheel_files):
    """The schema and the simulated runtime's data (engine/kubelet/data: what known commands print,
    such as the pi Job's digits) ship with the engine."""
    data = _tree("engine", lambda f: not f.endswith((".py", ".pyc")))
    assert "engine/kubelet/data/commands.json" in data and "engine/kubelet/data/pi-2000.txt" in data
    missing = data - wheel_files
    assert not missing, f"not installed by `pip install .`: {sorted(missing)}"
