"""What the apiserver's JSON decoder refuses in a CustomResourceDefinition: a field of the wrong
JSON type, worded as Go's encoding/json words it (`json: cannot unmarshal number into Go struct
field CustomResourceDefinitionSpec.spec.versions of type []v1.CustomResourceDefinitionVersion`).
The CRD's Go types are not in the generated decode tables (tools/gen_crd_schema.py), so the
check walks its upstream OpenAPI schema instead; below openAPIV3Schema (JSONSchemaProps, whose
fields take several JSON shapes) only objects are required where objects must be."""
from __future__ import annotations

import re

from ..admission import schema as api_schema

_ROOT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
_PROPS = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
_JSON = {bool: "bool", int: "number", float: "number", str: "string", list: "array", dict: "object"}


def _ref(node: dict) -> str | None:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        for part in node.get("allOf") or ():
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                ref = part["$ref"]
    return ref.rpartition("/")[2] if isinstance(ref, str) else None


def _go_type(node: dict) -> str:
    ref = _ref(node)
    if ref:
        return "v1." + ref.rpartition(".")[2]
    t = node.get("type")
    if t == "array":
        return "[]" + _go_type(node.get("items") or {})
    if t == "object":
        return "map[string]" + _go_type(node.get("additionalProperties") or {"type": "string"})
    return {"string": "string", "boolean": "bool", "integer": "int64" if node.get("format") == "int64" else "int32",
            "number": "float64"}.get(str(t), "interface {}")


def _wants(node: dict) -> type | tuple | None:
    ref = _ref(node)
    if ref:
        defn = api_schema.openapi_schemas().get(ref) or {}
        if defn.get("type") == "object" or "properties" in defn:
            return dict
        return None                 # Time, Quantity, IntOrString, FieldsV1: their own decoders
    wants: dict[str, type | tuple] = {"string": str, "boolean": bool, "integer": int, "number": (int, float),
                                      "array": list, "object": dict}
    return wants.get(str(node.get("type")))


def _walk(value, node: dict, struct: str, path: str) -> str | None:
    if value is None:
        return None
    want = _wants(node)
    ok = want is None or (isinstance(value, want) and not (want in (int, (int, float)) and isinstance(value, bool)))
    if not ok:
        return (f"json: cannot unmarshal {_JSON.get(type(value), 'value')} into Go struct field "
                f"{struct}.{path} of type {_go_type(node)}")
    ref = _ref(node)
    if ref == _PROPS:
        return None
    if ref:
        defn = api_schema.openapi_schemas().get(ref) or {}
        for key, sub in (defn.get("properties") or {}).items():
            if isinstance(value, dict) and key in value:
                err = _walk(value[key], sub, ref.rpartition(".")[2], f"{path}.{key}" if path else key)
                if err:
                    return err
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for item in value:
            err = _walk(item, node["items"], struct, path)
            if err:
                return err
    elif isinstance(value, dict) and isinstance(node.get("additionalProperties"), dict):
        for item in value.values():
            err = _walk(item, node["additionalProperties"], struct, path)
            if err:
                return err
    return None


def decode_error(crd: dict) -> str | None:
    """The decoder's error for this CRD body, or None."""
    defn = api_schema.openapi_schemas().get(_ROOT) or {}
    for key, sub in (defn.get("properties") or {}).items():
        if key in ("apiVersion", "kind") or key not in crd:
            continue
        err = _walk(crd[key], sub, "CustomResourceDefinition", key)
        if err:
            return err
    return None


def _unknown(value, node: dict, path: str, out: list[str]) -> None:
    ref = _ref(node)
    if ref == _PROPS:
        return
    if ref and isinstance(value, dict):
        props = (api_schema.openapi_schemas().get(ref) or {}).get("properties") or {}
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if key not in props:
                out.append(here)
            else:
                _unknown(item, props[key], here, out)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            _unknown(item, node["items"], f"{path}[{i}]", out)


def unknown_fields(crd: dict) -> list[str]:
    """The fields the CRD's types do not have, as the strict decoder names them
    (`spec.versions[0].servd`); JSONSchemaProps' insides are left to validation."""
    out: list[str] = []
    _unknown({k: v for k, v in crd.items() if k not in ("apiVersion", "kind")}, {"$ref": _ROOT}, "", out)
    return out


def drop(crd: dict, paths: list[str]) -> None:
    """Remove the unknown fields (fieldValidation Ignore/Warn), in place."""
    for path in paths:
        steps = [s for s in re.split(r"\.|\[(\d+)\]", path) if s]
        cur: object = crd
        for step in steps[:-1]:
            if isinstance(cur, list) and step.isdigit() and int(step) < len(cur):
                cur = cur[int(step)]
            elif isinstance(cur, dict):
                cur = cur.get(step)
            else:
                cur = None
        if isinstance(cur, dict) and steps:
            cur.pop(steps[-1], None)
