"""Decoding like the apiserver's JSON decoder: field types, and unknown fields in strict mode;
and the upstream API schema data everything else reads (OpenAPI for `kubectl explain`).

The data is generated, not kept by hand: tools/gen_schemas.py reads upstream v1.32's published
OpenAPI definitions (and, for Go type names, k8s.io/api's sources at v0.32.0) and writes
api_schema.json.gz beside this file. It holds:

* `schemas`: OpenAPI v3 components.schemas of every kind the generator lists and all they reach;
* `kinds`: [group, version, kind, definition name, decode-table name] per generated kind;
* `enums`: the `enum` values and "Possible enum values:" lines of fields whose Go type is an
  +enum string type (merged into `schemas` on load);
* `type_docs`: descriptions of IntOrString and Quantity, whose schemas kubernetes-validate
  reduced to a bare type (merged on load);
* `decode`: per Go struct, [{leaf field: Go type}, {field: child type}], children written "X"
  (a nested struct), "[]X" (a list of X) or "{}X" (a map of X); inline embeddings (TypeMeta,
  VolumeSource, ProbeHandler, ...) flattened. Every package of the served types is named `v1`, so
  Go prints named types as `v1.<Name>`.

`scan(obj)` walks an object in document order like sigs.k8s.io/json and returns
`(decode_error, unknown_fields)`:

* decode_error: the first type mismatch, worded as Go does
  (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type
  int32`), or a bad quantity (`quantities must match the regular expression ...`); None if fine;
* unknown_fields: paths as the strict decoder reports them (`spec.replica`,
  `spec.template.spec.containers[0].imagee`); upstream reports these only if decoding succeeded.
"""
from __future__ import annotations

import gzip
import json
import os

from .. import quantity as quantities

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "api_schema.json.gz")

with open(DATA_FILE, "rb") as _f:
    _DATA = json.loads(gzip.decompress(_f.read()))

# The CustomResourceDefinition kind's schemas (tools/gen_crd_schema.py, from the same upstream
# input): OpenAPI only — its Go types are not in the trees the decode tables come from.
with open(os.path.join(os.path.dirname(DATA_FILE), os.pardir, "crd", "crd_schema.json.gz"), "rb") as _f:
    _CRD_DATA = json.loads(gzip.decompress(_f.read()))
_DATA["schemas"].update(_CRD_DATA["schemas"])
_DATA["kinds"] = _DATA["kinds"] + [row + [None] for row in _CRD_DATA["kinds"]]
# Kinds served with an OpenAPI schema but no Go decode (nor protobuf) table: decoded leniently.
OPENAPI_ONLY_KINDS = frozenset(row[2] for row in _CRD_DATA["kinds"])

for _defname, _doc in _DATA.get("type_docs", {}).items():
    _DATA["schemas"][_defname] = {"description": _doc, **_DATA["schemas"][_defname]}
# +enum-typed fields' `enum` and "Possible enum values:" list, kept apart in the data because they
# come from the Go sources; kube-openapi appends the list to the field's description as a paragraph
for _defname, _fields in _DATA.get("enums", {}).items():
    for _prop, _enum in _fields.items():
        _p = _DATA["schemas"][_defname]["properties"][_prop]
        _p["enum"] = _enum["values"]
        _p["description"] = "\n\n".join(x for x in (_p.get("description", ""),
                                                       "Possible enum values:\n" + "\n".join(_enum["lines"])) if x)

# type name -> ({leaf field: Go type}, {field: child type})
TYPES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    name: (leaves, kids) for name, (leaves, kids) in _DATA["decode"].items()}

# (apiVersion, kind) -> decode-table name, for every generated kind
_TYPE_OF_KIND: dict[tuple[str, str], str] = {
    (f"{g}/{v}" if g else v, k): short for g, v, k, _, short in _DATA["kinds"]}


def _served() -> dict[str, str]:
    """Served kind -> its decode-table name, for every served kind the generated data has (one
    line in the generator's ROOT_KINDS makes a newly served kind decode strictly). The decoder
    goes by `kind` alone: the store has already matched the apiVersion to the URL."""
    from .. import resources
    out: dict[str, str] = {}
    for rt in resources.all_types():
        type_name = _TYPE_OF_KIND.get((rt.api_version, rt.kind))
        if type_name is not None:
            out.setdefault(rt.kind, type_name)
    return out


_SCANNED: dict[str, str] = _served()

# Served kinds; each one's Go type has the kind's name.
KINDS = tuple(_SCANNED)

_LEAVES: dict[str, dict[str, str]] = {n: leaves for n, (leaves, _) in TYPES.items()}
_KIDS: dict[str, dict[str, str]] = {n: kids for n, (_, kids) in TYPES.items()}
_TIME_FIELDS = frozenset(name for fields in (*_LEAVES.values(), *_KIDS.values()) for name, go_type in fields.items()
                         if go_type.endswith(("v1.Time", "v1.MicroTime")))


def openapi_schemas() -> dict[str, dict]:
    """OpenAPI v3 components.schemas (definition name -> schema), as kube-apiserver v1.32 serves
    them. Shared: callers must not change what they get."""
    return _DATA["schemas"]


def openapi_kinds() -> list[tuple[str, str, str, str]]:
    """(group, version, kind, definition name) of every kind the data holds."""
    return [(g, v, k, d) for g, v, k, d, _ in _DATA["kinds"]]


def patch_strategies(group: str, version: str, kind: str) -> dict[str, tuple[str, str | None]]:
    """Strategic-merge list strategies of a kind from upstream's x-kubernetes-patch-strategy /
    x-kubernetes-patch-merge-key: dotted path (list items add no segment) -> (strategy, merge
    key or None). Empty for kinds the data lacks."""
    schemas = _DATA["schemas"]
    root = next((d for g, v, k, d, _ in _DATA["kinds"] if (g, v, k) == (group, version, kind)), None)
    out: dict[str, tuple[str, str | None]] = {}

    def ref_of(node: dict) -> str | None:
        ref = node.get("$ref") or next((a["$ref"] for a in node.get("allOf", ()) if "$ref" in a), None)
        return ref.rpartition("/")[2] if ref else None

    def walk(defname: str, prefix: str, seen: tuple) -> None:
        if defname in seen:
            return
        for name, prop in schemas[defname].get("properties", {}).items():
            path = f"{prefix}.{name}" if prefix else name
            if "x-kubernetes-patch-strategy" in prop:
                out[path] = (prop["x-kubernetes-patch-strategy"], prop.get("x-kubernetes-patch-merge-key"))
            node = prop.get("items", prop) if prop.get("type") == "array" else prop
            child = ref_of(node)
            if child and schemas[child].get("properties"):
                walk(child, path, seen + (defname,))

    if root is not None:
        walk(root, "", ())
    return out


def time_fields() -> frozenset[str]:
    """Names of the fields whose Go type is metav1.Time or MicroTime (creationTimestamp,
    lastTransitionTime, renewTime, ...), or a map of them (PDB status.disruptedPods): the
    timestamps of the served types, from the generated data rather than a hand-kept list."""
    return _TIME_FIELDS


def known_fields(type_name: str) -> frozenset[str]:
    """All JSON field names of a type (leaves and children)."""
    return frozenset(_LEAVES[type_name]) | frozenset(_KIDS[type_name])


def unknown_fields(obj: dict) -> list[str]:
    """Paths of the fields the strict decoder would reject, in document order."""
    return scan(obj)[1]


def decode_error(obj: dict) -> str | None:
    return scan(obj)[0]


def scan(obj: dict, *, skip: tuple[str, ...] = ()) -> tuple[str | None, list[str]]:
    """`skip`: top-level fields not to look at (e.g. a status the store copied from storage)."""
    kind = obj.get("kind") if isinstance(obj, dict) else None
    type_name = _SCANNED.get(kind) if isinstance(kind, str) else None
    if type_name is None:
        return None, []
    s = _Scan()
    s.struct({k: v for k, v in obj.items() if k not in skip} if skip else obj, type_name, "", ())
    return s.error, s.unknown


def scan_as(obj: dict, api_version: str, kind: str) -> tuple[str | None, list[str]]:
    """`scan` for any kind the generated data holds, served or not (e.g. the create-only
    SelfSubjectAccessReview, which is never stored)."""
    type_name = _TYPE_OF_KIND.get((api_version, kind))
    if type_name is None or not isinstance(obj, dict):
        return None, []
    s = _Scan()
    s.struct(obj, type_name, "", ())
    return s.error, s.unknown


_JSON_KIND = {str: "string", bool: "bool", int: "number", float: "number", list: "array",
              dict: "object"}
_INT_RANGE = {"int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}


def _go_name(type_name: str) -> str:
    return "v1." + type_name.rpartition(".")[2]


def _go_child_type(child: str) -> str:
    if child[:2] == "[]":
        return "[]" + _go_child_type(child[2:])
    if child[:2] == "{}":
        return "map[string]" + _go_child_type(child[2:])
    return _go_name(child)


class _Scan:
    __slots__ = ("error", "unknown")

    def __init__(self):
        self.error: str | None = None
        self.unknown: list[str] = []

    def fail(self, value, struct: str, stack: tuple, gotype: str, desc: str | None = None) -> None:
        if self.error is None:
            what = desc or _JSON_KIND.get(type(value), "value")
            self.error = (f"json: cannot unmarshal {what} into Go struct field "
                          f"{struct.rpartition('.')[2]}.{'.'.join(stack)} of type {gotype}")

    def struct(self, value: dict, type_name: str, path: str, stack: tuple) -> None:
        leaves, kids = _LEAVES[type_name], _KIDS[type_name]
        for k, item in value.items():
            gotype = leaves.get(k)
            if gotype is not None:
                # plain strings are the common case: checked inline
                if item is not None and not (gotype == "string" and item.__class__ is str):
                    self.leaf(item, gotype, type_name, stack + (k,))
                continue
            child = kids.get(k)
            if child is not None:
                if item is not None:
                    self.child(item, child, f"{path}.{k}" if path else k, stack + (k,), type_name)
            else:
                self.unknown.append(f"{path}.{k}" if path else k)

    def child(self, value, child: str, path: str, stack: tuple, struct: str) -> None:
        if child[:2] == "[]":
            if not isinstance(value, list):
                self.fail(value, struct, stack, _go_child_type(child))
                return
            inner = child[2:]
            for i, item in enumerate(value):
                if item is not None:
                    self.child(item, inner, f"{path}[{i}]", stack, struct)
            return
        if child[:2] == "{}":
            if not isinstance(value, dict):
                self.fail(value, struct, stack, _go_child_type(child))
                return
            inner = child[2:]
            for k, item in value.items():
                if item is not None:
                    self.child(item, inner, f"{path}.{k}", stack, struct)
            return
        if not isinstance(value, dict):
            self.fail(value, struct, stack, _go_name(child))
            return
        self.struct(value, child, path, stack)

    def leaf(self, value, gotype: str, struct: str, stack: tuple) -> None:
        if gotype in _INT_RANGE:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(value, struct, stack, gotype)
            elif isinstance(value, float) and not value.is_integer():
                self.fail(value, struct, stack, gotype, f"number {value!r}")
            else:
                lo, hi = _INT_RANGE[gotype]
                if not lo <= value <= hi:
                    self.fail(value, struct, stack, gotype, f"number {value}")
        elif gotype == "bool":
            if not isinstance(value, bool):
                self.fail(value, struct, stack, gotype)
        elif gotype == "resource.Quantity":
            self.quantity(value)
        elif gotype == "v1.ResourceList":
            if not isinstance(value, dict):
                self.fail(value, struct, stack, "v1.ResourceList")
            else:
                for q in value.values():
                    if q is not None:
                        self.quantity(q)
        elif gotype == "intstr.IntOrString":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                if isinstance(value, float) and value.is_integer():
                    return
                if self.error is None:
                    what = f"number {value!r}" if isinstance(value, float) else _JSON_KIND.get(type(value), "value")
                    self.error = f"json: cannot unmarshal {what} into Go value of type int32"
        elif gotype in ("runtime.RawExtension", "v1.FieldsV1"):
            return
        elif gotype[:2] == "[]":
            if not isinstance(value, list):
                self.fail(value, struct, stack, gotype)
            else:
                for item in value:
                    if item is not None:
                        self.leaf(item, gotype[2:], struct, stack)
        elif gotype[:4] == "map[":
            if not isinstance(value, dict):
                self.fail(value, struct, stack, gotype)
            else:
                elem = gotype[gotype.index("]") + 1:]
                elem = "string" if elem == "[]byte" else elem
                for item in value.values():
                    if item is not None:
                        self.leaf(item, elem, struct, stack)
        elif not isinstance(value, str):     # string and named string types
            self.fail(value, struct, stack, gotype)

    def quantity(self, value) -> None:
        if self.error is not None:
            return
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error = quantities.FORMAT_ERROR
            return
        try:
            quantities.parse_quantity(value)
        except quantities.QuantityError as e:
            self.error = str(e)


def drop_unknown(obj: dict, *, skip: tuple[str, ...] = ()) -> None:
    """Remove the fields no type declares, in place: what a non-strict decode keeps."""
    kind = obj.get("kind") if isinstance(obj, dict) else None
    type_name = _SCANNED.get(kind) if isinstance(kind, str) else None
    if type_name is not None:
        kids = _KIDS[type_name]
        for k in [k for k in obj if k not in _LEAVES[type_name] and k not in kids and k not in skip]:
            del obj[k]
        for k, child in kids.items():
            if k not in skip and obj.get(k) is not None:
                _drop(obj[k], child)


def _drop(value, type_name: str) -> None:
    if type_name[:2] in ("[]", "{}"):
        inner = type_name[2:]
        items = value if isinstance(value, list) else value.values() if isinstance(value, dict) else ()
        for item in items:
            _drop(item, inner)
        return
    if not isinstance(value, dict):
        return
    leaves, kids = _LEAVES[type_name], _KIDS[type_name]
    for k in [k for k in value if k not in leaves and k not in kids]:
        del value[k]
    for k, child in kids.items():
        if value.get(k) is not None:
            _drop(value[k], child)
