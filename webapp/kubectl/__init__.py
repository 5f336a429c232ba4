"""An in-process kubectl for the page's terminal: the command line is parsed and run directly
against the engine store (no subprocess, no HTTP), printing what the real kubectl prints.

    from webapp.kubectl import run
    result = run(cluster, "kubectl get pods -o wide")     # Result(output: str, exit_code: int)

Modules: cli (parsing, dispatch, error printing), resolve (resource names), get, describe +
describers + describe_node, workloads (run/create/expose/scale/set image), delete, nodes
(cordon/uncordon/drain/logs/events), podexec (exec), rollout, metadata (label/annotate); output, tabwriter and
errors are kubectl's printers, manifests reads YAML as `kubectl -f` does. The editor's apply and
delete (webapp/page/editor.py) run yamlapply (`kubectl apply -f` / `delete -f` over many
documents) and applypatch (client-side apply's last-applied annotation and three-way patch).

Texts follow current upstream kubectl (k/kubectl at HEAD, mid-2026: the baseline of
k8s-semantics.md). Where kubectl v1.32 — the version the server reports — printed differently,
the newer text wins: `deleted from <ns> namespace`, describe's event messages prefixed with the
container's fieldPath, projected volumes' `Optional:`, no `Kube-Proxy Version`, drain's single
`cannot delete`, scale's plain NotFound.
"""
from __future__ import annotations

# Importing the command modules registers their commands.
from . import autoscale, create_batch, delete, describers, get, metadata, nodes, podexec, rollout, secrets, top  # noqa: F401
from . import workloads  # noqa: F401
from . import policy  # noqa: F401  (after describers and workloads: it extends both)
from . import scheduling  # noqa: F401  (the same, for PriorityClasses)
from . import network_policy  # noqa: F401  (the same: describe networkpolicy)
from . import ingress  # noqa: F401  (the same, for Ingresses)
from . import auth  # noqa: F401  (auth whoami, auth can-i)
from .cli import COMMANDS, Result, run

__all__ = ["run", "Result", "COMMANDS"]
