"""Generate engine/crd/crd_schema.json.gz: the OpenAPI v3 schemas of apiextensions.k8s.io/v1
CustomResourceDefinition and the apiextensions definitions it reaches, from the same upstream
input as tools/gen_schemas.py (kubernetes-validate's copy of v1.32.0's published definitions),
converted the same way (its to_openapi_v3). The definitions it shares with the core kinds
(ObjectMeta, ...) are already in engine/admission/api_schema.json.gz and are not repeated.

Kept apart from gen_schemas.py because the CRD's Go types live in k8s.io/apiextensions-apiserver,
outside the two Go source trees that generator reads: the CRD kind gets its OpenAPI schema
(`kubectl explain crd`, the /openapi documents) but no strict-decoding or protobuf table.

Usage (from the repository root):
    pip install 'kubernetes-validate==1.37.0'
    python tools/gen_crd_schema.py
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_schemas import (K8S_VERSION, KUBERNETES_VALIDATE_VERSION, SPECIAL_V3,  # noqa: E402
                         default_definitions_path, dump_data, load_definitions, to_openapi_v3)

ROOT_KINDS = [("apiextensions.k8s.io", "v1", "CustomResourceDefinition")]
OWN_PREFIX = "io.k8s.apiextensions-apiserver."
DATA_OUT = "engine/crd/crd_schema.json.gz"


def _refs(node) -> set[str]:
    """The definitions a node refers to. (JSONSchemaProps has a *property* named `$ref`, whose
    value is a schema, so only string values are references.)"""
    out: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            out.add(node["$ref"].rpartition("/")[2])
        for v in node.values():
            out |= _refs(v)
    elif isinstance(node, list):
        for v in node:
            out |= _refs(v)
    return out


def build(definitions_path: str) -> dict:
    defs = load_definitions(definitions_path)
    by_gvk = {(g["group"], g["version"], g["kind"]): name
              for name, d in defs.items() for g in d.get("x-kubernetes-group-version-kind", [])}
    roots = []
    for group, version, kind in ROOT_KINDS:
        name = by_gvk.get((group, version, kind))
        if name is None:
            raise SystemExit(f"no definition for {group}/{version} {kind}")
        roots.append([group, version, kind, name])
    reach: list[str] = []
    todo = [r[3] for r in roots]
    while todo:
        d = todo.pop()
        if d in reach or not d.startswith(OWN_PREFIX):
            continue
        reach.append(d)
        todo.extend(sorted(_refs(defs[d])))
    schemas = {}
    for d in sorted(reach):
        v3 = to_openapi_v3(defs[d], gvk="x-kubernetes-group-version-kind" in defs[d])
        if d in SPECIAL_V3:
            v3 = {k: v for k, v in v3.items() if k == "description"} | SPECIAL_V3[d]
        schemas[d] = v3
    return {"source": {"definitions": f"kubernetes-validate {KUBERNETES_VALIDATE_VERSION}, "
                                      f"kubernetes-json-schema/{K8S_VERSION}-local/_definitions.json",
                       "generator": "tools/gen_crd_schema.py"},
            "kinds": roots, "schemas": schemas}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--definitions", help="upstream _definitions.json (default: kubernetes-validate's copy)")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args = ap.parse_args()
    data = build(args.definitions or default_definitions_path())
    with open(os.path.join(args.root, DATA_OUT), "wb") as f:
        f.write(dump_data(data))
    print(f"{len(data['kinds'])} kinds, {len(data['schemas'])} schemas", file=sys.stderr)


if __name__ == "__main__":
    main()
