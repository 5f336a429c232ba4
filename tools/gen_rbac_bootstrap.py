"""Turn upstream's published bootstrap RBAC policy into kubeplay's compact data file.

Input: tools/upstream/rbac/*.yaml, verbatim copies of kubernetes/kubernetes
plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/ (the ClusterRoles, ClusterRoleBindings,
controller roles/bindings and kube-system/kube-public Roles/RoleBindings kube-apiserver's
`rbac/bootstrap-roles` post-start hook creates; the README there names each file's commit).
Output: engine/data/rbac_bootstrap.json, one compact entry per object (name, namespace, labels,
annotations, rules / aggregationRule; roleRef kind+name, subjects), which engine/rbac_bootstrap.py
expands into objects at cluster start.

    python tools/gen_rbac_bootstrap.py [UPSTREAM_DIR [OUT]]

kubeadm's own binding (`kubeadm:cluster-admins` → cluster-admin, which `kubeadm init` creates, not the
apiserver) is appended here. A binding whose role is not in the inputs is left out: the stored
controller-role-bindings.yaml is newer than controller-roles.yaml, and the apiserver never creates a
binding without its role."""
from __future__ import annotations

import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
UPSTREAM = ROOT / "tools" / "upstream" / "rbac"
OUT = ROOT / "engine" / "data" / "rbac_bootstrap.json"
KUBEADM_BINDINGS = [{"name": "kubeadm:cluster-admins", "roleKind": "ClusterRole", "role": "cluster-admin",
                     "subjects": [{"kind": "Group", "name": "kubeadm:cluster-admins"}]}]


def _items(base: pathlib.Path, name: str) -> list[dict]:
    return yaml.safe_load((base / name).read_text(encoding="utf-8"))["items"]


def _meta(item: dict) -> dict:
    md = item.get("metadata") or {}
    out = {"name": md["name"]}
    if md.get("namespace"):
        out["namespace"] = md["namespace"]
    for key in ("labels", "annotations"):
        if md.get(key):
            out[key] = md[key]
    return out


def _role(item: dict) -> dict:
    out = {**_meta(item), "rules": item.get("rules") or []}
    if item.get("aggregationRule"):
        out["aggregationRule"] = item["aggregationRule"]
    return out


def _binding(item: dict) -> dict:
    # User/Group subjects carry apiGroup rbac.authorization.k8s.io (added back on expansion).
    subjects = [{k: v for k, v in s.items() if k != "apiGroup"} for s in item.get("subjects") or []]
    return {**_meta(item), "roleKind": item["roleRef"]["kind"], "role": item["roleRef"]["name"], "subjects": subjects}


def build(base: pathlib.Path = UPSTREAM) -> dict:
    cluster_roles = [_role(r) for r in _items(base, "cluster-roles.yaml") + _items(base, "controller-roles.yaml")]
    roles = [_role(r) for r in _items(base, "namespace-roles.yaml")]
    have_cluster = {r["name"] for r in cluster_roles}
    have_ns = {(r["namespace"], r["name"]) for r in roles}
    crbs = [_binding(b) for b in _items(base, "cluster-role-bindings.yaml") + _items(base, "controller-role-bindings.yaml")]
    rbs = [_binding(b) for b in _items(base, "namespace-role-bindings.yaml")]
    crbs = [b for b in crbs if b["role"] in have_cluster] + KUBEADM_BINDINGS
    rbs = [b for b in rbs if (b["roleKind"] == "ClusterRole" and b["role"] in have_cluster)
           or (b["roleKind"] == "Role" and (b["namespace"], b["role"]) in have_ns)]
    return {"source": "kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/*.yaml, "
                      "copied verbatim into tools/upstream/rbac/ (README.md there names each file's commit: "
                      "cluster-roles and controller-roles at 025f2834, ~v1.28, not v1.32.0) via "
                      "tools/gen_rbac_bootstrap.py; plus kubeadm's kubeadm:cluster-admins binding",
            "clusterroles": cluster_roles, "clusterrolebindings": crbs, "roles": roles, "rolebindings": rbs}


def main(upstream: str = str(UPSTREAM), out: str = str(OUT)) -> None:
    data = build(pathlib.Path(upstream))
    pathlib.Path(out).write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
