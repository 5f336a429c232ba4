"""An in-process kubectl for the page's terminal: the command line is parsed and run directly
against the engine store (no subprocess, no HTTP), printing what the real kubectl v1.32 prints.

    from webapp.kubectl import run
    result = run(cluster, "kubectl get pods -o wide")     # Result(output: str, exit_code: int)

Modules: cli (parsing, dispatch, error printing), resolve (resource names), get, describe,
workloads (run/create/expose/scale/set image/delete), nodes (cordon/uncordon/drain/logs/events),
rollout, metadata (label/annotate); output, tabwriter and errors hold the printers shared with the editor's apply.
"""
from __future__ import annotations

from . import get as _get                    # noqa: F401  (registers commands)
from .cli import COMMANDS, Result, run

for _mod in ("describers", "workloads", "nodes", "rollout", "metadata"):
    try:
        __import__(f"{__name__}.{_mod}")
    except ModuleNotFoundError as _e:          # while the package is being written
        if _e.name != f"{__name__}.{_mod}":
            raise

__all__ = ["run", "Result", "COMMANDS"]
