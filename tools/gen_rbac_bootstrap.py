"""Turn upstream's published bootstrap RBAC policy into kubeplay's compact data file.

Input: kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/
cluster-roles.yaml and cluster-role-bindings.yaml (v1.32: the ClusterRoles and ClusterRoleBindings
kube-apiserver's `rbac/bootstrap-roles` post-start hook creates). Output: engine/data/rbac_bootstrap.json,
one compact entry per object (name, labels, annotations, rules / aggregationRule; roleRef name,
subjects), which engine/rbac_bootstrap.py expands into objects at cluster start.

    python tools/gen_rbac_bootstrap.py K8S_CHECKOUT/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata [REF [OUT]]

kubeadm's own binding (`kubeadm:cluster-admins` → cluster-admin) is not upstream policy; it is
appended here, as kubeadm creates it at init."""
from __future__ import annotations

import json
import pathlib
import sys

import yaml

OUT = pathlib.Path(__file__).resolve().parent.parent / "engine" / "data" / "rbac_bootstrap.json"
KUBEADM_BINDINGS = [{"name": "kubeadm:cluster-admins", "role": "cluster-admin",
                     "subjects": [{"kind": "Group", "name": "kubeadm:cluster-admins"}], "labels": {},
                     "annotations": {}}]


def _role(item: dict) -> dict:
    md = item.get("metadata") or {}
    out = {"name": md["name"], "labels": md.get("labels") or {}, "annotations": md.get("annotations") or {},
           "rules": item.get("rules") or []}
    if item.get("aggregationRule"):
        out["aggregationRule"] = item["aggregationRule"]
    return out


def _binding(item: dict) -> dict:
    md = item.get("metadata") or {}
    subjects = [{k: v for k, v in s.items() if k != "apiGroup"} for s in item.get("subjects") or []]
    return {"name": md["name"], "role": item["roleRef"]["name"], "subjects": subjects,
            "labels": md.get("labels") or {}, "annotations": md.get("annotations") or {}}


def main(testdata: str, ref: str = "v1.32.0", out: str = str(OUT)) -> None:
    base = pathlib.Path(testdata)
    roles = yaml.safe_load((base / "cluster-roles.yaml").read_text())["items"]
    bindings = yaml.safe_load((base / "cluster-role-bindings.yaml").read_text())["items"]
    data = {"source": f"kubernetes/kubernetes {ref} plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata "
                      "(cluster-roles.yaml, cluster-role-bindings.yaml) via tools/gen_rbac_bootstrap.py",
            "clusterroles": [_role(r) for r in roles],
            "clusterrolebindings": [_binding(b) for b in bindings] + KUBEADM_BINDINGS}
    pathlib.Path(out).write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
