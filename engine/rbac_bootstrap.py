"""The bootstrap RBAC policy kube-apiserver creates at start (its `rbac/bootstrap-roles`
post-start hook) plus kubeadm's `kubeadm:cluster-admins` binding: cluster-admin, admin/edit/view
(aggregated from the system:aggregate-to-* roles by the aggregation controller), system:basic-user,
system:discovery, system:public-info-viewer, ... and their ClusterRoleBindings.

The policy is upstream's data (engine/data/rbac_bootstrap.json, made by tools/gen_rbac_bootstrap.py
from bootstrappolicy's testdata YAML); this module only expands its compact entries into objects.
Like the apiserver, a missing object is created; one the learner changed is left as it is."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as package_files

from .rbac import CLUSTERROLE, CLUSTERROLEBINDING, GROUP
from .resources import ResourceType


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(package_files.files("engine").joinpath("data/rbac_bootstrap.json").read_text(encoding="utf-8"))


def _meta(entry: dict) -> dict:
    md: dict = {"name": entry["name"]}
    if entry.get("labels"):
        md["labels"] = dict(entry["labels"])
    if entry.get("annotations"):
        md["annotations"] = dict(entry["annotations"])
    return md


def cluster_roles() -> list[dict]:
    out = []
    for e in _data()["clusterroles"]:
        role = {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRole", "metadata": _meta(e),
                "rules": json.loads(json.dumps(e.get("rules") or []))}
        if e.get("aggregationRule"):
            role["aggregationRule"] = json.loads(json.dumps(e["aggregationRule"]))
        out.append(role)
    return out


def cluster_role_bindings() -> list[dict]:
    out = []
    for e in _data()["clusterrolebindings"]:
        subjects = []
        for s in e.get("subjects") or ():
            s = dict(s)
            if s.get("kind") in ("User", "Group"):
                s["apiGroup"] = GROUP
            subjects.append(s)
        out.append({"apiVersion": f"{GROUP}/v1", "kind": "ClusterRoleBinding", "metadata": _meta(e),
                    "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": e["role"]},
                    "subjects": subjects})
    return out


def objects() -> list[tuple[ResourceType, dict]]:
    """Every bootstrap object with its resource type, roles first (a binding names its role)."""
    return ([(CLUSTERROLE, r) for r in cluster_roles()] + [(CLUSTERROLEBINDING, b) for b in cluster_role_bindings()])
