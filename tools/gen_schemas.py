#!/usr/bin/env python3
"""Generate kubeplay's API schema data from upstream Kubernetes v1.32, in one run:

* engine/admission/api_schema.json.gz: the OpenAPI v3 schemas (components.schemas, with upstream's
  field descriptions, x-kubernetes-group-version-kind, patch strategies, list types) of every kind
  in ROOT_KINDS and everything they reference, plus the strict-decoding table
  (engine/admission/schema.py) derived from them;
* webapp/api/protobuf_schema.py: the field tables of the Protobuf request decoder.

Usage (from the repository root):
    pip install 'kubernetes-validate==1.37.0'          # ships upstream's definitions per version
    git -C <kubernetes/api.git> archive v0.32.0 | tar -x -C /tmp/k8s-src/api
    git -C <kubernetes/apimachinery.git> archive v0.32.0 pkg | tar -x -C /tmp/k8s-src/apimachinery
    python tools/gen_schemas.py --api /tmp/k8s-src/api --apimachinery /tmp/k8s-src/apimachinery

A new kind costs one line in ROOT_KINDS and a re-run. To check that the committed files are what
the inputs give, re-run it and `git diff --exit-code` (the suite re-checks the OpenAPI half on
every run, tests/engine/test_schema_generation.py; the Go sources are not a test dependency).

Why two upstream inputs, and which fact comes from which:
  * The OpenAPI definitions (kubernetes-validate's copy of v1.32.0's published schema) are the
    source of every field name, field type, description and x-kubernetes-* extension. They are what
    `kubectl explain` shows and what the decoder accepts.
  * What the OpenAPI document does not carry comes from k8s.io/api's Go sources at the matching
    tag (v0.32.0): Protobuf field numbers (generated.proto) and Go type names. The apiserver's JSON
    decoder words type errors with the Go type (`... of type v1.RestartPolicy`, where OpenAPI only
    says `string`), and the Protobuf decoder must know which Go fields are pointers (go-to-protobuf
    always encodes non-pointer fields, even zero values). The generator checks that both inputs
    agree: every OpenAPI property must have a Go field of that JSON name, or it stops.
  * kubernetes-validate's copy lacks three things kube-apiserver serves, so they are rebuilt from
    the same Go sources the way kube-openapi builds them, and kept apart in the data file (the
    schemas part stays exactly kubernetes-validate's, which a test re-checks): the `enum` of
    fields of +enum types with their "Possible enum values:" paragraph, and the descriptions of
    IntOrString and Quantity.
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import re
import sys
from pprint import pformat

# (apiVersion, kind): the roots of everything emitted. One line per kind.
ROOT_KINDS = [
    ("v1", "Pod"), ("v1", "Service"), ("v1", "Namespace"), ("v1", "ConfigMap"), ("v1", "Secret"),
    ("v1", "Node"), ("v1", "Event"), ("v1", "Endpoints"), ("v1", "Binding"),
    ("v1", "ServiceAccount"), ("v1", "PersistentVolumeClaim"), ("v1", "ResourceQuota"),
    ("v1", "PodTemplate"), ("v1", "ReplicationController"), ("v1", "LimitRange"),
    ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"), ("apps/v1", "ControllerRevision"),
    ("batch/v1", "Job"), ("batch/v1", "CronJob"),
    ("discovery.k8s.io/v1", "EndpointSlice"), ("coordination.k8s.io/v1", "Lease"),
    ("policy/v1", "PodDisruptionBudget"), ("policy/v1", "Eviction"),
    ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("networking.k8s.io/v1", "Ingress"), ("scheduling.k8s.io/v1", "PriorityClass"),
    ("authentication.k8s.io/v1", "TokenRequest"), ("authentication.k8s.io/v1", "SelfSubjectReview"),
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview"),
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview"),
    ("authorization.k8s.io/v1", "SubjectAccessReview"), ("authorization.k8s.io/v1", "LocalSubjectAccessReview"),
    # kinds the next issues serve (volumes, NetworkPolicy, HPA): their schemas ready when they are
    ("v1", "PersistentVolume"), ("storage.k8s.io/v1", "StorageClass"),
    ("networking.k8s.io/v1", "NetworkPolicy"), ("networking.k8s.io/v1", "IngressClass"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("autoscaling/v1", "HorizontalPodAutoscaler"),     # served from v2 by conversion (kubectl 1.32 autoscale posts it)
]

K8S_VERSION = "v1.32.0"                    # kubernetes-validate's directory for the definitions
KUBERNETES_VALIDATE_VERSION = "1.37.0"     # the package release the committed data was made from
API_TAG = "v0.32.0"                        # k8s.io/api and k8s.io/apimachinery tag of K8S_VERSION

# packages of versions served by conversion from another, stored, version
CONVERTED_PACKAGES = ("io.k8s.api.autoscaling.v1.",)

DATA_OUT = "engine/admission/api_schema.json.gz"
PROTO_OUT = "webapp/api/protobuf_schema.py"

# Definitions whose JSON is not a plain object; their Go type prints as given here.
SPECIAL_DEFS = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "v1.Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "v1.MicroTime",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "v1.FieldsV1",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "resource.Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "intstr.IntOrString",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "runtime.RawExtension",
}
# Their OpenAPI v3 form as kube-apiserver serves it (kubernetes-validate turned them into JSON
# Schema `oneOf`s, which kubectl explain cannot name).
SPECIAL_V3 = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
}

# ---------------------------------------------------------------------------------------------
# Go sources


def go_package_dir(defname: str, api_dir: str, apimachinery_dir: str) -> str:
    """io.k8s.api.apps.v1.Deployment -> <api>/apps/v1; io.k8s.apimachinery.pkg.apis.meta.v1.X ->
    <apimachinery>/pkg/apis/meta/v1."""
    pkg = defname.rpartition(".")[0]
    if pkg.startswith("io.k8s.api."):
        return os.path.join(api_dir, *pkg[len("io.k8s.api."):].split("."))
    if pkg.startswith("io.k8s.apimachinery."):
        return os.path.join(apimachinery_dir, *pkg[len("io.k8s.apimachinery."):].split("."))
    raise SystemExit(f"no Go package known for {defname}")


_GO_NAMED = re.compile(r"^\s*(\w+)\s+([^\s`]+)\s+`([^`]*)`")
_GO_EMBEDDED = re.compile(r"^\s*([\w.*]+)\s+`([^`]*)`")
_TAG = re.compile(r'(\w+):"([^"]*)"')
_CONST = re.compile(r'^\s*(\w+)\s+(\w+)\s*=\s*"([^"]*)"')
_IMPORT = re.compile(r'^\s*(?:(\w+)\s+)?"([^"]+)"\s*$')
_GO_BUILTIN = {"string", "bool", "byte", "rune", "int", "int8", "int16", "int32", "int64", "uint",
               "uint8", "uint16", "uint32", "uint64", "float32", "float64"}


class GoField:
    __slots__ = ("embedded", "gotype", "imports", "json", "pointer", "proto", "raw")

    def __init__(self, json_name, gotype, raw, imports, pointer, proto, embedded):
        self.json, self.gotype, self.raw, self.imports = json_name, gotype, raw, imports
        self.pointer, self.proto, self.embedded = pointer, proto, embedded


def _qualify(expr: str, aliases: dict[str, str], own: str) -> str:
    """A Go type expression as reflect prints it: package *names* (not import aliases), own-package
    names qualified, pointers dropped (encoding/json reports the pointed-to type)."""
    expr = expr.lstrip("*")
    if expr.startswith("[]"):
        return "[]" + _qualify(expr[2:], aliases, own)
    if expr.startswith("map["):
        depth, i = 0, 3
        for i in range(3, len(expr)):
            depth += expr[i] == "["
            depth -= expr[i] == "]"
            if depth == 0:
                break
        return f"map[{_qualify(expr[4:i], aliases, own)}]{_qualify(expr[i + 1:], aliases, own)}"
    if "." in expr:
        alias, _, name = expr.partition(".")
        return f"{aliases.get(alias, alias)}.{name}"
    return expr if expr in _GO_BUILTIN else f"{own}.{expr}"


class GoPackage:
    """The structs of one Go package directory: per struct, its fields in order."""

    def __init__(self, directory: str):
        self.directory = directory
        self.structs: dict[str, list[GoField]] = {}
        self.enum_types: set[str] = set()          # string types marked +enum
        self.type_docs: dict[str, list[str]] = {}  # struct type -> its doc comment lines
        self.consts: dict[str, list[tuple[str, str, str]]] = {}   # type -> (name, value, doc comment)
        self.name = ""
        for fn in sorted(os.listdir(directory)):
            if not fn.endswith(".go") or fn.endswith("_test.go") or fn.startswith(("zz_", "generated")):
                continue
            self._parse(os.path.join(directory, fn))

    def _parse(self, path: str) -> None:
        aliases: dict[str, str] = {}
        imports: dict[str, str] = {}
        in_import = in_const = False
        current = None
        comments: list[str] = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.lstrip().startswith("//"):
                    comments.append(line)
                    continue
                block, comments = comments, []
                m = re.match(r"^type\s+(\w+)\s+string\s*$", line)
                if m and any("+enum" in c for c in block):
                    self.enum_types.add(m.group(1))
                    continue
                if line.startswith("const ("):
                    in_const = True
                    continue
                if in_const or line.startswith("const "):
                    m = _CONST.match(line[len("const "):] if line.startswith("const ") else line)
                    if m:
                        doc = " ".join(c.strip().removeprefix("//") for c in block)
                        self.consts.setdefault(m.group(2), []).append((m.group(1), m.group(3), doc))
                    if line.startswith(")"):
                        in_const = False
                    continue
                m = re.match(r"^package\s+(\w+)", line)
                if m:
                    self.name = m.group(1)
                    continue
                if line.startswith("import ("):
                    in_import = True
                    continue
                if in_import or line.startswith("import "):
                    m = _IMPORT.match(line.removeprefix("import "))
                    if m:
                        pkgname = m.group(2).rstrip("/").rpartition("/")[2]
                        aliases[m.group(1) or pkgname] = pkgname
                        imports[m.group(1) or pkgname] = m.group(2)
                    if line.startswith(")"):
                        in_import = False
                    continue
                m = re.match(r"^type\s+(\w+)\s+struct\s*\{", line)
                if m:
                    current = self.structs.setdefault(m.group(1), [])
                    self.type_docs[m.group(1)] = _comment_text(block)
                    continue
                if current is None:
                    continue
                if line.startswith("}"):
                    current = None
                    continue
                m = _GO_NAMED.match(line)
                embedded = False
                if m:
                    gotype, tag = m.group(2), m.group(3)
                else:
                    m = _GO_EMBEDDED.match(line)
                    if not m:
                        continue
                    gotype, tag, embedded = m.group(1), m.group(2), True
                tags = dict(_TAG.findall(tag))
                json_name = tags.get("json", "").split(",")[0]
                if json_name == "-":
                    continue
                parts = tags.get("protobuf", "").split(",")
                proto = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
                current.append(GoField(json_name, _qualify(gotype, aliases, self.name or "v1"), gotype,
                                       imports, gotype.startswith("*"), proto, embedded and json_name == ""))


def _comment_text(block: list[str]) -> list[str]:
    """go/ast CommentGroup.Text() split in lines: markers and the first space gone, runs of empty
    lines one, leading and trailing empty lines dropped."""
    lines = []
    for c in block:
        t = c.strip().removeprefix("//")
        t = (t[1:] if t.startswith(" ") else t).rstrip()
        if t or (lines and lines[-1]):
            lines.append(t)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def fmt_description(lines: list[str]) -> str:
    """kube-openapi's generateDescription: a Go doc comment as an OpenAPI description (markers,
    TODOs and everything after `---` dropped, indented lines kept on their own lines)."""
    buf = ""
    for line in lines:
        if line == "---":
            break
        line = line.rstrip(" ")
        leading = line.lstrip(" ")
        if not line:
            buf = buf[:-1] + "\n\n"
        elif leading.startswith(("TODO", "+")):
            continue
        elif line.startswith((" ", "\t")):
            buf = buf[:-1] + "\n" + line + "\n"
        else:
            buf += line + " "
    return buf.strip("\n").replace('\\"', '"').strip(" ")


def _enum_line(name: str, value: str, doc: str) -> str:
    """One line of the "Possible enum values:" list kube-openapi appends to a field's description:
    the constant's doc comment, its leading constant name trimmed, whitespace collapsed."""
    comment = re.sub(r"\s+", " ", doc.strip().removeprefix(name).strip())
    return f" - `{json.dumps(value)}` {comment}".rstrip()


class GoSources:
    def __init__(self, api_dir: str, apimachinery_dir: str):
        self.api_dir, self.apimachinery_dir = api_dir, apimachinery_dir
        self.packages: dict[str, GoPackage] = {}

    def package(self, directory: str) -> GoPackage:
        if directory not in self.packages:
            self.packages[directory] = GoPackage(directory)
        return self.packages[directory]

    def json_fields(self, defname: str) -> dict[str, str]:
        """JSON name -> Go type of a definition's struct, embedded structs flattened."""
        directory = go_package_dir(defname, self.api_dir, self.apimachinery_dir)
        return self._flatten(directory, defname.rpartition(".")[2])

    def enums(self, defname: str) -> dict[str, list[str]]:
        """JSON name -> the values of the field's +enum string type (upstream's OpenAPI `enum`,
        which kube-openapi sets from all the type's constants), for a definition's fields."""
        directory = go_package_dir(defname, self.api_dir, self.apimachinery_dir)
        out = {}
        for json_name, (raw, imports, home) in self._flatten_raw(directory, defname.rpartition(".")[2]).items():
            elem = raw.lstrip("*")
            if not re.fullmatch(r"(\w+\.)?\w+", elem):
                continue                        # lists and maps of enum types get no enum upstream
            alias, _, name = elem.rpartition(".")
            target = self._import_dir(imports[alias], raw) if alias else home
            pkg = self.package(target)
            if name in pkg.enum_types and pkg.consts.get(name):
                out[json_name] = {"values": sorted(v for _, v, _ in pkg.consts[name]),
                                  "lines": sorted(_enum_line(*c) for c in pkg.consts[name])}
        return out

    def _import_dir(self, path: str, what: str) -> str:
        if path.startswith("k8s.io/apimachinery/"):
            return os.path.join(self.apimachinery_dir, path[len("k8s.io/apimachinery/"):])
        if path.startswith("k8s.io/api/"):
            return os.path.join(self.api_dir, path[len("k8s.io/api/"):])
        raise SystemExit(f"{what} from {path}: not in k8s.io/api or k8s.io/apimachinery")

    def _flatten_raw(self, directory: str, struct: str) -> dict[str, tuple[str, dict, str]]:
        """JSON name -> (Go type as written, its file's imports, package directory)."""
        pkg = self.package(directory)
        out: dict[str, tuple[str, dict, str]] = {}
        for f in pkg.structs[struct]:
            if f.embedded:
                alias, _, name = f.raw.lstrip("*").rpartition(".")
                out.update(self._flatten_raw(self._import_dir(f.imports[alias], f.raw) if alias else directory, name))
            elif f.json:
                out[f.json] = (f.raw, f.imports, directory)
        return out

    def _flatten(self, directory: str, struct: str) -> dict[str, str]:
        pkg = self.package(directory)
        if struct not in pkg.structs:
            raise SystemExit(f"no Go struct {struct} in {directory}")
        out: dict[str, str] = {}
        for f in pkg.structs[struct]:
            if f.embedded:
                alias, _, name = f.raw.lstrip("*").rpartition(".")
                target = directory
                if alias:
                    path = f.imports[alias]
                    if path.startswith("k8s.io/apimachinery/"):
                        target = os.path.join(self.apimachinery_dir, path[len("k8s.io/apimachinery/"):])
                    elif path.startswith("k8s.io/api/"):
                        target = os.path.join(self.api_dir, path[len("k8s.io/api/"):])
                    else:
                        raise SystemExit(f"{struct}: embedded {f.raw} from {path}")
                out.update(self._flatten(target, name))
            elif f.json:
                out[f.json] = f.gotype
        return out


# ---------------------------------------------------------------------------------------------
# OpenAPI definitions


def default_definitions_path() -> str:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("kubernetes-validate is not installed: pip install "
                         f"'kubernetes-validate=={KUBERNETES_VALIDATE_VERSION}', or pass --definitions")
    base = next(iter(spec.submodule_search_locations))
    return os.path.join(base, "kubernetes-json-schema", f"{K8S_VERSION}-local", "_definitions.json")


def _ref_name(ref: str) -> str:
    return ref.rpartition("/")[2]


def _refs(node) -> set[str]:
    """The definitions a node refers to. (apiextensions' JSONSchemaProps has a *property* named
    `$ref`, whose value is a schema, so only string values are references.)"""
    out = set()
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            out.add(_ref_name(node["$ref"]))
        for v in node.values():
            out |= _refs(v)
    elif isinstance(node, list):
        for v in node:
            out |= _refs(v)
    return out


def _plain_type(t):
    """["integer", "null"] -> "integer" (kubernetes-validate marks every field nullable)."""
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        return rest[0] if len(rest) == 1 else rest
    return t


def to_openapi_v3(node, *, gvk: bool = False):
    """kubernetes-validate's JSON Schema form -> the OpenAPI v3 form kube-apiserver serves:
    plain types, refs into #/components/schemas, and a described ref wrapped in allOf (as upstream
    does, since a $ref's siblings are ignored in OpenAPI 3.0)."""
    if isinstance(node, list):
        return [to_openapi_v3(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "type":
            out[k] = _plain_type(v)
        elif k == "$ref":
            out[k] = "#/components/schemas/" + _ref_name(v)
        elif k == "properties":
            props = {}
            for name, p in v.items():
                p = to_openapi_v3(p)
                if gvk and name in ("apiVersion", "kind"):
                    p.pop("enum", None)     # added by kubernetes-validate, not served upstream
                props[name] = p
            out[k] = props
        else:
            out[k] = to_openapi_v3(v)
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


# ---------------------------------------------------------------------------------------------
# The strict-decoding table


def short_names(defnames: list[str]) -> dict[str, str]:
    """Go struct name per definition; a name taken twice gets its group as prefix
    (discovery.EndpointPort beside core's EndpointPort). Core and meta types keep bare names, and
    a stored version's types theirs beside a version served by conversion (autoscaling.X is v1's)."""
    def rank(d):
        converted = any(d.startswith(p) for p in CONVERTED_PACKAGES)
        return (0 if ".core." in d or ".apimachinery." in d else 2 if converted else 1, d)
    out, taken = {}, set()
    for d in sorted(defnames, key=rank):
        name = d.rpartition(".")[2]
        if name in taken:
            group = d.split(".")[3]
            name = f"{group}.{name}"
        taken.add(name)
        out[d] = name
    return out


def decode_table(defs: dict, reach: list[str], go: GoSources) -> dict[str, list]:
    names = short_names([d for d in reach if d not in SPECIAL_DEFS])
    table = {}
    for d in reach:
        if d in SPECIAL_DEFS:
            continue
        go_fields = go.json_fields(d)
        leaves, kids = {}, {}
        for prop, schema in defs[d].get("properties", {}).items():
            if prop not in go_fields:
                raise SystemExit(f"{d}.{prop}: in the OpenAPI definitions but no Go field has this JSON name")
            child = _child(schema, names)
            if child is not None:
                kids[prop] = child
            else:
                leaves[prop] = go_fields[prop]
        table[names[d]] = [leaves, kids]
    return table


def _child(schema: dict, names: dict[str, str]) -> str | None:
    """"X", "[]X" or "{}X" when the field holds (lists or maps of) objects of another definition."""
    ref = schema.get("$ref")
    if ref:
        name = _ref_name(ref)
        return None if name in SPECIAL_DEFS else names[name]
    t = _plain_type(schema.get("type"))
    if t == "array":
        inner = _child(schema.get("items", {}), names)
        return "[]" + inner if inner else None
    if t == "object" and isinstance(schema.get("additionalProperties"), dict):
        inner = _child(schema["additionalProperties"], names)
        return "{}" + inner if inner else None
    return None


# ---------------------------------------------------------------------------------------------
# Protobuf tables (generated.proto + Go structs)

PROTO_SPECIAL = {
    "meta.v1.Time", "meta.v1.MicroTime", "meta.v1.Duration", "meta.v1.FieldsV1",
    "resource.Quantity", "intstr.IntOrString", "runtime.RawExtension",
}
APIMACHINERY_PACKAGES = {
    "k8s.io.apimachinery.pkg.apis.meta.v1": ("meta.v1", "pkg/apis/meta/v1"),
    "k8s.io.apimachinery.pkg.api.resource": ("resource", "pkg/api/resource"),
    "k8s.io.apimachinery.pkg.util.intstr": ("intstr", "pkg/util/intstr"),
    "k8s.io.apimachinery.pkg.runtime": ("runtime", "pkg/runtime"),
    "k8s.io.apimachinery.pkg.runtime.schema": ("schema", "pkg/runtime/schema"),
}
SCALARS = {"string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
           "fixed32", "fixed64", "sfixed32", "sfixed64", "double", "float"}
REPEATED, POINTER, INLINE = 1, 2, 4

_FIELD = re.compile(r"^\s*(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;")
_MAP = re.compile(r"^\s*map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;")


def group_to_dir(api_version: str) -> str:
    """apiVersion -> directory in k8s.io/api: v1 -> core/v1, rbac.authorization.k8s.io/v1 -> rbac/v1."""
    if "/" not in api_version:
        return "core/" + api_version
    group, version = api_version.split("/")
    return group.split(".")[0] + "/" + version


def short_package(pkg: str) -> str:
    if pkg in APIMACHINERY_PACKAGES:
        return APIMACHINERY_PACKAGES[pkg][0]
    prefix = "k8s.io.api."
    if not pkg.startswith(prefix):
        raise SystemExit(f"unknown proto package {pkg}")
    return pkg[len(prefix):]


def parse_proto(path: str) -> tuple[str, dict[str, dict]]:
    """(package, {message: {"fields": {num: (proto name, type, label)}, "nullable": bool}}) for the
    subset go-to-protobuf emits (proto2, flat messages, map<> fields)."""
    package = None
    messages: dict[str, dict] = {}
    current = None
    comments: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s.startswith("//"):
                comments.append(s)
                continue
            m = re.match(r"^package\s+([\w.]+)\s*;", s)
            if m:
                package = m.group(1)
            m = re.match(r"^message\s+(\w+)\s*\{", s)
            if m:
                if current is not None:
                    raise SystemExit(f"{path}: nested messages are not supported ({m.group(1)})")
                current = {"fields": {}, "nullable": any("+protobuf.nullable=true" in c for c in comments)}
                messages[m.group(1)] = current
            elif s == "}":
                current = None
            elif current is not None:
                m = _MAP.match(line)
                if m:
                    k, v, name, num = m.groups()
                    current["fields"][int(num)] = (name, ("map", k, v), "map")
                else:
                    m = _FIELD.match(line)
                    if m:
                        label, typ, name, num, _opts = m.groups()
                        current["fields"][int(num)] = (name, typ, label)
            comments = []
    if package is None:
        raise SystemExit(f"{path}: no package statement")
    return package, messages


def protobuf_tables(go: GoSources):
    protos: dict[str, dict] = {}
    structs: dict[str, dict[int, tuple[str, bool, bool]]] = {}
    loaded: set[str] = set()

    def load(pkg: str) -> None:
        if pkg in loaded:
            return
        loaded.add(pkg)
        if pkg in APIMACHINERY_PACKAGES:
            directory = os.path.join(go.apimachinery_dir, APIMACHINERY_PACKAGES[pkg][1])
        else:
            directory = os.path.join(go.api_dir, pkg[len("k8s.io.api."):].replace(".", "/"))
        package, messages = parse_proto(os.path.join(directory, "generated.proto"))
        if package != pkg:
            raise SystemExit(f"{directory}: package {package}, expected {pkg}")
        gopkg = go.package(directory)
        prefix = short_package(pkg)
        for name, msg in messages.items():
            msg["package"] = pkg
            protos[f"{prefix}.{name}"] = msg
            if name in gopkg.structs:
                structs[f"{prefix}.{name}"] = {f.proto: (f.json, f.pointer, f.json == "")
                                               for f in gopkg.structs[name] if f.proto is not None}

    def resolve(typ: str, pkg: str) -> str:
        if typ in SCALARS:
            return typ
        if typ.startswith("."):
            owner, _, name = typ[1:].rpartition(".")
            load(owner)
            return f"{short_package(owner)}.{name}"
        load(pkg)
        return f"{short_package(pkg)}.{typ}"

    kinds: dict[tuple[str, str], str] = {}
    queue: list[str] = []
    for api_version, kind in ROOT_KINDS:
        pkg = "k8s.io.api." + group_to_dir(api_version).replace("/", ".")
        load(pkg)
        short = f"{short_package(pkg)}.{kind}"
        if short not in protos:
            raise SystemExit(f"no message {short} for {api_version} {kind}")
        kinds[(api_version, kind)] = short
        queue.append(short)

    out: dict[str, dict[int, tuple[str, str, int]]] = {}
    wrappers: dict[str, str] = {}
    while queue:
        name = queue.pop()
        if name in out or name in PROTO_SPECIAL or name in wrappers:
            continue
        msg = protos[name]
        pkg = msg["package"]
        gofields = structs.get(name)
        if msg["nullable"] and {f[0] for f in msg["fields"].values()} == {"items"}:
            # `type X []T` wrapped for protobuf: its JSON is the bare list.
            (_, typ, _), = msg["fields"].values()
            wrappers[name] = resolve(typ, pkg)
            if wrappers[name] not in SCALARS:
                queue.append(wrappers[name])
            continue
        if gofields is None:
            raise SystemExit(f"no Go struct found for message {name}")
        table: dict[int, tuple[str, str, int]] = {}
        for num, (pname, typ, label) in sorted(msg["fields"].items()):
            flags = 0
            if label == "map":
                k, v = resolve(typ[1], pkg), resolve(typ[2], pkg)
                if k != "string":
                    raise SystemExit(f"{name}.{pname}: map key {k} not supported")
                rtype, deps = f"map:{v}", [v]
            else:
                rtype = resolve(typ, pkg)
                deps = [rtype]
                if label == "repeated":
                    flags |= REPEATED
            if num not in gofields:
                raise SystemExit(f"{name}: proto field {num} ({pname}) has no Go field")
            json_name, pointer, inline = gofields[num]
            if pointer:
                flags |= POINTER
            if inline:
                flags |= INLINE
                json_name = pname   # unused by the decoder except in error messages
            table[num] = (json_name, rtype, flags)
            queue.extend(d for d in deps if d not in SCALARS)
        out[name] = table
    return kinds, wrappers, out


def render_protobuf(kinds, wrappers, messages, note: str) -> str:
    lines = [
        '"""Protobuf field tables for the Kubernetes kinds kubeplay decodes (webapp/api/protobuf.py).',
        "",
        "GENERATED by tools/gen_schemas.py from k8s.io/api and k8s.io/apimachinery",
        f"generated.proto + Go struct tags ({note}).",
        "Do not edit by hand; re-run the generator.",
        "",
        "KINDS: (apiVersion, kind) -> message name.",
        "MESSAGES: message name -> {field number: (json name, type, flags)}.",
        "  type: a scalar (string, bytes, bool, int32, int64, ...), another message name,",
        "        or \"map:<value type>\" (string keys); special messages are decoded by hand.",
        "  flags: 1 repeated, 2 Go pointer (keep zero values), 4 embedded (JSON inlined into parent).",
        "LIST_WRAPPERS: messages whose JSON is a bare list of the given item type.",
        '"""',
        "",
        "REPEATED, POINTER, INLINE = 1, 2, 4",
        "",
        f"SPECIAL = {sorted(PROTO_SPECIAL)!r}",
        "",
        "KINDS = {",
    ]
    for (av, kind), msg in kinds.items():
        lines.append(f"    ({av!r}, {kind!r}): {msg!r},")
    lines += ["}", "", f"LIST_WRAPPERS = {pformat(dict(sorted(wrappers.items())))}", "", "MESSAGES = {"]
    for name in sorted(messages):
        lines.append(f"    {name!r}: {{")
        for num, (jn, typ, flags) in sorted(messages[name].items()):
            lines.append(f"        {num}: ({jn!r}, {typ!r}, {flags}),")
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------


def load_definitions(definitions_path: str) -> dict:
    with open(definitions_path, encoding="utf-8") as f:
        raw = json.load(f)
    return raw.get("$defs") or raw.get("definitions")


def openapi_part(defs: dict, root_kinds=None, keep=None) -> tuple[list[list], list[str], dict]:
    """From the OpenAPI definitions alone: the root rows [group, version, kind, definition] of
    `root_kinds` ((apiVersion, kind) pairs; ROOT_KINDS by default), every definition they reach
    (those `keep(name)` accepts, when given), and those definitions in OpenAPI v3 form."""
    by_gvk = {}
    for name, d in defs.items():
        for g in d.get("x-kubernetes-group-version-kind", []):
            by_gvk[(g["group"], g["version"], g["kind"])] = name

    roots = []
    for api_version, kind in root_kinds or ROOT_KINDS:
        group, _, version = api_version.rpartition("/")
        name = by_gvk.get((group, version, kind))
        if name is None:
            raise SystemExit(f"no definition for {api_version} {kind}")
        roots.append([group, version, kind, name])

    reach: list[str] = []
    todo = [r[3] for r in roots]
    while todo:
        d = todo.pop()
        if d in reach or (keep is not None and not keep(d)):
            continue
        reach.append(d)
        todo.extend(sorted(_refs(defs[d])))
    reach.sort()

    schemas = {}
    for d in reach:
        v3 = to_openapi_v3(defs[d], gvk="x-kubernetes-group-version-kind" in defs[d])
        if d in SPECIAL_V3:
            v3 = {k: v for k, v in v3.items() if k == "description"} | SPECIAL_V3[d]
        schemas[d] = v3
    return roots, reach, schemas


def build(definitions_path: str, api_dir: str, apimachinery_dir: str) -> tuple[dict, str]:
    defs = load_definitions(definitions_path)
    roots, reach, schemas = openapi_part(defs)
    go = GoSources(api_dir, apimachinery_dir)
    names = short_names([d for d in reach if d not in SPECIAL_DEFS])
    for row in roots:
        row.append(names[row[3]])
    data = {
        "source": {"definitions": f"kubernetes-validate {KUBERNETES_VALIDATE_VERSION}, "
                                  f"kubernetes-json-schema/{K8S_VERSION}-local/_definitions.json",
                   "go": f"k8s.io/api and k8s.io/apimachinery {API_TAG}",
                   "generator": "tools/gen_schemas.py"},
        "kinds": roots,        # [group, version, kind, definition, decode-table name]
        "schemas": schemas,
        "decode": decode_table(defs, reach, go),
        # definition -> {property: {values, lines}}: the `enum` and the "Possible enum values:"
        # description lines upstream's OpenAPI has for +enum Go types (kubernetes-validate's copy
        # lost both); schema.py puts them back into `schemas`
        "enums": {d: e for d in reach if d not in SPECIAL_DEFS for e in [go.enums(d)] if e},
        # descriptions of the special types kubernetes-validate reduced to a bare `oneOf`
        "type_docs": {d: fmt_description(go.package(go_package_dir(d, api_dir, apimachinery_dir))
                                         .type_docs[d.rpartition(".")[2]]) for d in SPECIAL_V3 if d in reach},
    }
    kinds, wrappers, messages = protobuf_tables(go)
    proto = render_protobuf(kinds, wrappers, messages, f"k8s.io/api and k8s.io/apimachinery {API_TAG}")
    return data, proto


def dump_data(data: dict) -> bytes:
    """Deterministic bytes: sorted keys, compact separators, gzip without a timestamp."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--definitions", help="upstream _definitions.json (default: kubernetes-validate's "
                                           f"{K8S_VERSION}-local copy)")
    ap.add_argument("--api", required=True, help="k8s.io/api source tree at " + API_TAG)
    ap.add_argument("--apimachinery", required=True, help="k8s.io/apimachinery source tree at " + API_TAG)
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."),
                    help="repository root to write into")
    args = ap.parse_args()
    data, proto = build(args.definitions or default_definitions_path(), args.api, args.apimachinery)
    with open(os.path.join(args.root, DATA_OUT), "wb") as f:
        f.write(dump_data(data))
    with open(os.path.join(args.root, PROTO_OUT), "w", encoding="utf-8") as f:
        f.write(proto)
    print(f"{len(data['kinds'])} kinds, {len(data['schemas'])} schemas, {len(data['decode'])} decoded types",
          file=sys.stderr)


if __name__ == "__main__":
    main()
