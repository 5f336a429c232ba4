"""The dependency rules of docs/architecture.md, checked on the source (ast, nothing imported):

- the engine never imports the web layer;
- the web layer reaches the engine only through its facade: `from engine import <name>` for a
  name in engine/__init__.py's `__all__`, never `engine.<module>`;
- the controllers, the scheduler and the kubelets (engine/controllers, engine/scheduler,
  engine/kubelet) do not import each other; what they share lives in a neutral module
  (engine/loop.py, engine/objects.py, ...);
- inside webapp the folders depend one way, page -> kubectl -> api: the Kubernetes API imports
  neither the page nor the in-page kubectl, and the in-page kubectl neither the page nor Flask
  (it is plain functions on a cluster).

Every import statement counts, including those inside functions."""
from __future__ import annotations

import ast
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOPS = ("engine.controllers", "engine.scheduler", "engine.kubelet")


def _module_name(path: str) -> str:
    rel = os.path.relpath(path, ROOT)[:-len(".py")].replace(os.sep, ".")
    return rel[:-len(".__init__")] if rel.endswith(".__init__") else rel


def _sources(top: str) -> list[str]:
    out = []
    for dirpath, dirnames, files in os.walk(os.path.join(ROOT, top)):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        out += [os.path.join(dirpath, f) for f in files if f.endswith(".py")]
    return sorted(out)


def imports(path: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) for every import in the file, relative imports resolved: `import a.b`
    gives ("a.b", ()), `from a import b, c` gives ("a", ("b", "c"))."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    me = _module_name(path)
    package = me if path.endswith("__init__.py") else me.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([module] if module else []))
            found.append((node.lineno, module, tuple(a.name for a in node.names)))
    return found


def targets(module: str, names: tuple[str, ...]) -> list[str]:
    """The modules an import may load: `from engine import errors` may be engine.errors."""
    return [module] + [f"{module}.{n}" for n in names]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def facade_names() -> set[str]:
    with open(os.path.join(ROOT, "engine", "__init__.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("engine/__init__.py defines no __all__: the facade is what it lists")


def _where(path: str, line: int) -> str:
    return f"{os.path.relpath(path, ROOT)}:{line}"


def engine_imports_of_webapp() -> list[str]:
    return [f"{_where(p, line)} imports {module}"
            for p in _sources("engine") for line, module, names in imports(p)
            if any(_within(t, "webapp") for t in targets(module, names))]


def webapp_imports_around_the_facade() -> list[str]:
    allowed = facade_names()
    bad = []
    for p in _sources("webapp"):
        for line, module, names in imports(p):
            if module == "engine" and names:
                bad += [f"{_where(p, line)} imports engine.{n}, which the facade does not export"
                        for n in names if n not in allowed]
            elif _within(module, "engine") and module != "engine":
                bad.append(f"{_where(p, line)} imports {module}: use `from engine import ...`")
    return bad


def loops_importing_each_other() -> list[str]:
    bad = []
    for home in LOOPS:
        for p in _sources(home.replace(".", os.sep)):
            for line, module, names in imports(p):
                for other in LOOPS:
                    if other != home and any(_within(t, other) for t in targets(module, names)):
                        bad.append(f"{_where(p, line)} ({home}) imports {module} ({other})")
                        break
    return bad


def webapp_folders_against_the_grain() -> list[str]:
    forbidden = {"webapp.api": ("webapp.page", "webapp.kubectl"), "webapp.kubectl": ("webapp.page", "flask")}
    bad = []
    for home, others in forbidden.items():
        for p in _sources(home.replace(".", os.sep)):
            for line, module, names in imports(p):
                hit = [o for o in others if any(_within(t, o) for t in targets(module, names))]
                if hit:
                    bad.append(f"{_where(p, line)} ({home}) imports {module} ({hit[0]})")
    return bad


def test_the_engine_does_not_import_the_web_layer():
    assert engine_imports_of_webapp() == []


def test_the_web_layer_uses_only_the_engine_facade():
    assert webapp_imports_around_the_facade() == []


def test_controllers_scheduler_and_kubelets_do_not_import_each_other():
    assert loops_importing_each_other() == []


def test_webapp_folders_depend_one_way():
    assert webapp_folders_against_the_grain() == []


def test_every_facade_name_exists():
    import engine
    missing = [n for n in engine.__all__ if not hasattr(engine, n)]
    assert missing == []


# The checks themselves, on files written for the purpose: each must see the import it exists for.

@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A throwaway source tree with an engine facade; files added with write(path, text)."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", str(tmp_path))
    for pkg in ("engine", "engine/controllers", "engine/scheduler", "engine/kubelet", "webapp", "webapp/api",
                "webapp/kubectl"):
        (tmp_path / pkg).mkdir(parents=True, exist_ok=True)
    (tmp_path / "engine" / "__init__.py").write_text('__all__ = ["Cluster", "errors"]\n')

    def write(path: str, text: str) -> None:
        (tmp_path / path).write_text(text)
    return write


def test_the_check_sees_the_engine_importing_webapp(tree):
    tree("engine/store.py", "def f():\n    from webapp import create_app\n")
    assert engine_imports_of_webapp() == ["engine/store.py:2 imports webapp"]


def test_the_check_sees_webapp_going_around_the_facade(tree):
    tree("webapp/a.py", "from engine import errors, Cluster\nfrom engine.controllers import deployment_util\n"
                        "import engine.store\nfrom engine import objects\n")
    assert webapp_imports_around_the_facade() == [
        "webapp/a.py:2 imports engine.controllers: use `from engine import ...`",
        "webapp/a.py:3 imports engine.store: use `from engine import ...`",
        "webapp/a.py:4 imports engine.objects, which the facade does not export"]


def test_the_check_sees_loops_importing_each_other(tree):
    tree("engine/scheduler/scheduler.py", "from ..controllers.base import Controller\nfrom ..loop import Controller\n")
    tree("engine/kubelet/pods.py", "from .. import scheduler\n")
    tree("engine/controllers/daemonset.py", "from ..node_predicates import tolerates\n")
    assert sorted(loops_importing_each_other()) == [
        "engine/kubelet/pods.py:1 (engine.kubelet) imports engine (engine.scheduler)",
        "engine/scheduler/scheduler.py:1 (engine.scheduler) imports engine.controllers.base (engine.controllers)"]


def test_the_check_sees_webapp_folders_against_the_grain(tree):
    tree("webapp/api/resources.py", "from webapp.page import stream\n")
    tree("webapp/kubectl/get.py", "import flask\nfrom . import output\nfrom webapp.api import tables\n")
    assert sorted(webapp_folders_against_the_grain()) == [
        "webapp/api/resources.py:1 (webapp.api) imports webapp.page (webapp.page)",
        "webapp/kubectl/get.py:1 (webapp.kubectl) imports flask (flask)"]
