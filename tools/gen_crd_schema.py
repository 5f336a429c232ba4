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
from gen_schemas import (K8S_VERSION, KUBERNETES_VALIDATE_VERSION, default_definitions_path,  # noqa: E402
                         dump_data, load_definitions, openapi_part)

ROOT_KINDS = [("apiextensions.k8s.io/v1", "CustomResourceDefinition")]
OWN_PREFIX = "io.k8s.apiextensions-apiserver."
DATA_OUT = "engine/crd/crd_schema.json.gz"


def build(definitions_path: str) -> dict:
    # Only apiextensions' own definitions: the rest (ObjectMeta, ...) is in the main schema file.
    roots, _, schemas = openapi_part(load_definitions(definitions_path), ROOT_KINDS,
                                     keep=lambda name: name.startswith(OWN_PREFIX))
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
