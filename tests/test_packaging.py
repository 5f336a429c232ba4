"""The wheel holds every Python package and the page's assets (a fresh `pip install .` must run)."""
import os
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_python_package_is_listed_in_pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    found = set()
    for top in ("engine", "webapp"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            if "__init__.py" in files:
                found.add(os.path.relpath(dirpath, ROOT).replace(os.sep, "."))
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_page_assets_are_mapped_into_the_package():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        cfg = tomllib.load(f)["tool"]["setuptools"]
    assert cfg["package-dir"] == {"webapp.static": "static", "webapp.templates": "templates",
                                  "webapp.examples": "examples"}
    assert os.path.exists(os.path.join(ROOT, "templates", "index.html"))
    assert os.path.exists(os.path.join(ROOT, "static", "vendor", "editor.js"))


def test_the_examples_are_package_data_so_an_installed_server_serves_them():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        cfg = tomllib.load(f)["tool"]["setuptools"]
    assert "webapp.examples" in cfg["packages"]
    assert cfg["package-dir"]["webapp.examples"] == "examples"
    assert cfg["package-data"]["webapp.examples"] == ["*.yaml", "menu.txt"]
    assert os.path.exists(os.path.join(ROOT, "examples", "login.yaml"))
