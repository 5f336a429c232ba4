"""The bootstrap RBAC policy kube-apiserver creates at start (its `rbac/bootstrap-roles`
post-start hook) plus kubeadm's `kubeadm:cluster-admins` binding: cluster-admin, admin/edit/view
(aggregated from the system:aggregate-to-* roles by the aggregation controller), system:basic-user,
system:discovery, system:public-info-viewer, the system:controller:* roles, ... their bindings, and
the Roles/RoleBindings upstream makes in kube-system and kube-public.

The policy is upstream's data (engine/data/rbac_bootstrap.json, made by tools/gen_rbac_bootstrap.py
from bootstrappolicy's testdata YAML); this module only expands its compact entries into objects.
Like the apiserver, a missing object is created; one the learner changed is left as it is."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as package_files

from .rbac import CLUSTERROLE, CLUSTERROLEBINDING, GROUP, ROLE, ROLEBINDING
from .resources import ResourceType


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(package_files.files("engine").joinpath("data/rbac_bootstrap.json").read_text(encoding="utf-8"))


def _meta(entry: dict) -> dict:
    md: dict = {"name": entry["name"]}
    if entry.get("namespace"):
        md["namespace"] = entry["namespace"]
    if entry.get("labels"):
        md["labels"] = dict(entry["labels"])
    if entry.get("annotations"):
        md["annotations"] = dict(entry["annotations"])
    return md


def _roles(entries: list[dict], kind: str) -> list[dict]:
    out = []
    for e in entries:
        role = {"apiVersion": f"{GROUP}/v1", "kind": kind, "metadata": _meta(e),
                "rules": json.loads(json.dumps(e.get("rules") or []))}
        if e.get("aggregationRule"):
            role["aggregationRule"] = json.loads(json.dumps(e["aggregationRule"]))
        out.append(role)
    return out


def _bindings(entries: list[dict], kind: str) -> list[dict]:
    out = []
    for e in entries:
        subjects = []
        for s in e.get("subjects") or ():
            s = dict(s)
            if s.get("kind") in ("User", "Group"):
                s["apiGroup"] = GROUP
            subjects.append(s)
        out.append({"apiVersion": f"{GROUP}/v1", "kind": kind, "metadata": _meta(e),
                    "roleRef": {"apiGroup": GROUP, "kind": e.get("roleKind", "ClusterRole"), "name": e["role"]},
                    "subjects": subjects})
    return out


def cluster_roles() -> list[dict]:
    return _roles(_data()["clusterroles"], "ClusterRole")


def cluster_role_bindings() -> list[dict]:
    return _bindings(_data()["clusterrolebindings"], "ClusterRoleBinding")


def objects() -> list[tuple[ResourceType, dict]]:
    """Every bootstrap object with its resource type, roles first (a binding names its role); the
    namespaced ones live in kube-system and kube-public, which exist before this runs."""
    data = _data()
    return ([(CLUSTERROLE, r) for r in cluster_roles()] + [(CLUSTERROLEBINDING, b) for b in cluster_role_bindings()]
            + [(ROLE, r) for r in _roles(data.get("roles") or [], "Role")]
            + [(ROLEBINDING, b) for b in _bindings(data.get("rolebindings") or [], "RoleBinding")])
