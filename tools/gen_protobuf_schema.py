#!/usr/bin/env python3
"""Generate webapp/api/protobuf_schema.py: the field tables the Protobuf request decoder needs.

Usage:
    python tools/gen_protobuf_schema.py API_DIR APIMACHINERY_DIR [-o webapp/api/protobuf_schema.py]

API_DIR is a checkout of github.com/kubernetes/api (holds core/v1/generated.proto, core/v1/types.go,
...), APIMACHINERY_DIR one of github.com/kubernetes/apimachinery (holds pkg/apis/meta/v1/...).
Only the root kinds listed in ROOT_KINDS and the messages they reach are emitted.

Recipe used for the committed table (bare mirrors of the two repositories):
    git -C <kubernetes/api.git> archive HEAD | tar -x -C /tmp/k8s-src/api
    git -C <kubernetes/apimachinery.git> archive HEAD pkg | tar -x -C /tmp/k8s-src/apimachinery
    python tools/gen_protobuf_schema.py /tmp/k8s-src/api /tmp/k8s-src/apimachinery \
        -o webapp/api/protobuf_schema.py --source-note "kubernetes/api@<sha>, ..."

Two sources are combined, because neither alone is enough:
  * `<group>/<version>/generated.proto` gives message names, field numbers, wire types and
    repeated/map-ness. proto2 marks *every* field `optional`, so it cannot say which Go fields are
    pointers.
  * the Go structs (`types.go` and friends) give, per protobuf field number, the JSON name (which
    differs from the proto name for embedded fields such as Probe.handler / Volume.volumeSource,
    whose JSON is inlined into the parent) and whether the Go field is a pointer. go-to-protobuf
    always encodes non-pointer fields (even "", 0, false, empty messages) but pointer fields only
    when set, so the decoder drops zero values of non-pointer fields and keeps pointer ones.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pprint import pformat

# (apiVersion, kind) -> proto message, the roots of the emitted tables.
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
]

# Messages the decoder converts by hand (their JSON form is not a plain object).
SPECIAL = {
    "meta.v1.Time", "meta.v1.MicroTime", "meta.v1.Duration", "meta.v1.FieldsV1",
    "resource.Quantity", "intstr.IntOrString", "runtime.RawExtension",
}

# proto package -> (short prefix, directory relative to its repository root, which repository)
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


def group_to_dir(api_version: str) -> str:
    """apiVersion -> directory in kubernetes/api: "v1" -> core/v1, "rbac.authorization.k8s.io/v1"
    -> rbac/v1, "apps/v1" -> apps/v1."""
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


# ---------------------------------------------------------------------------------------------
# .proto parsing (the subset go-to-protobuf emits: proto2, flat messages, map<> fields)

_FIELD = re.compile(r"^\s*(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;")
_MAP = re.compile(r"^\s*map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;")


def parse_proto(path: str) -> tuple[str, dict[str, dict]]:
    """Returns (package, {message name: {"fields": {num: (proto name, type, label)}, "nullable": bool}})."""
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
            if not s.startswith("//"):
                comments = []
    if package is None:
        raise SystemExit(f"{path}: no package statement")
    return package, messages


# ---------------------------------------------------------------------------------------------
# Go struct parsing: per struct, per protobuf field number -> (json name, pointer?, inline?)

_GO_NAMED = re.compile(r"^\s*(\w+)\s+([^\s`]+)\s+`([^`]*)`")
_GO_EMBEDDED = re.compile(r"^\s*([\w.*]+)\s+`([^`]*)`")
_TAG = re.compile(r'(\w+):"([^"]*)"')


def parse_go_structs(directory: str) -> dict[str, dict[int, tuple[str, bool, bool]]]:
    structs: dict[str, dict[int, tuple[str, bool, bool]]] = {}
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".go") or fn.endswith("_test.go") or fn.startswith("zz_") or fn.startswith("generated"):
            continue
        current = None
        with open(os.path.join(directory, fn), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^type\s+(\w+)\s+struct\s*\{", line)
                if m:
                    current = structs.setdefault(m.group(1), {})
                    continue
                if current is None:
                    continue
                if line.startswith("}"):
                    current = None
                    continue
                m = _GO_NAMED.match(line)
                if m:
                    gotype, tag = m.group(2), m.group(3)
                else:
                    m = _GO_EMBEDDED.match(line)
                    if not m:
                        continue
                    gotype, tag = m.group(1), m.group(2)
                tags = dict(_TAG.findall(tag))
                parts = tags.get("protobuf", "").split(",")
                if len(parts) < 2 or not parts[1].isdigit():
                    continue
                num = int(parts[1])
                json_name = tags.get("json", "").split(",")[0]
                current[num] = (json_name, gotype.startswith("*"), json_name == "")
    return structs


# ---------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("api_dir")
    ap.add_argument("apimachinery_dir")
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--source-note", default="", help="text for the header, e.g. the source commits")
    args = ap.parse_args()

    # Load every package the roots can reach (imports followed lazily by type reference).
    protos: dict[str, dict] = {}      # short message name -> proto message
    structs: dict[str, dict] = {}     # short message name -> go struct fields
    loaded: set[str] = set()

    def load(pkg: str) -> None:
        if pkg in loaded:
            return
        loaded.add(pkg)
        if pkg in APIMACHINERY_PACKAGES:
            rel = APIMACHINERY_PACKAGES[pkg][1]
            directory = os.path.join(args.apimachinery_dir, rel)
        else:
            directory = os.path.join(args.api_dir, pkg[len("k8s.io.api."):].replace(".", "/"))
        package, messages = parse_proto(os.path.join(directory, "generated.proto"))
        if package != pkg:
            raise SystemExit(f"{directory}: package {package}, expected {pkg}")
        go = parse_go_structs(directory)
        prefix = short_package(pkg)
        for name, msg in messages.items():
            msg["package"] = pkg
            protos[f"{prefix}.{name}"] = msg
            if name in go:
                structs[f"{prefix}.{name}"] = go[name]

    def resolve(typ: str, pkg: str) -> str:
        """proto type reference -> short name ("string", "meta.v1.ObjectMeta", ...)."""
        if typ in SCALARS:
            return typ
        if typ.startswith("."):
            full = typ[1:]
            owner, _, name = full.rpartition(".")
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
    mismatches: list[str] = []
    while queue:
        name = queue.pop()
        if name in out or name in SPECIAL or name in wrappers:
            continue
        msg = protos[name]
        pkg = msg["package"]
        go = structs.get(name)
        if msg["nullable"] and set(f[0] for f in msg["fields"].values()) == {"items"}:
            # `type X []T` wrapped for protobuf: its JSON is the bare list.
            (_, typ, _), = msg["fields"].values()
            wrappers[name] = resolve(typ, pkg)
            if wrappers[name] not in SCALARS:
                queue.append(wrappers[name])
            continue
        if go is None:
            raise SystemExit(f"no Go struct found for message {name}")
        table: dict[int, tuple[str, str, int]] = {}
        for num, (pname, typ, label) in sorted(msg["fields"].items()):
            flags = 0
            if label == "map":
                k, v = resolve(typ[1], pkg), resolve(typ[2], pkg)
                if k != "string":
                    raise SystemExit(f"{name}.{pname}: map key {k} not supported")
                rtype = f"map:{v}"
                deps = [v]
            else:
                rtype = resolve(typ, pkg)
                deps = [rtype]
                if label == "repeated":
                    flags |= REPEATED
            if num not in go:
                raise SystemExit(f"{name}: proto field {num} ({pname}) has no Go field")
            json_name, pointer, inline = go[num]
            if pointer:
                flags |= POINTER
            if inline:
                flags |= INLINE
                json_name = pname   # unused by the decoder except in error messages
            elif json_name != pname:
                mismatches.append(f"{name}.{pname} -> json {json_name}")
            table[num] = (json_name, rtype, flags)
            for d in deps:
                if d not in SCALARS:
                    queue.append(d)
        out[name] = table

    for m in mismatches:
        print("note: json name differs:", m, file=sys.stderr)

    lines = [
        '"""Protobuf field tables for the Kubernetes kinds kubeplay decodes (webapp/api/protobuf.py).',
        "",
        "GENERATED by tools/gen_protobuf_schema.py from k8s.io/api and k8s.io/apimachinery",
        "generated.proto + Go struct tags" + (f" ({args.source_note})" if args.source_note else "") + ".",
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
        f"SPECIAL = {sorted(SPECIAL)!r}",
        "",
        "KINDS = {",
    ]
    for (av, kind), msg in kinds.items():
        lines.append(f"    ({av!r}, {kind!r}): {msg!r},")
    lines.append("}")
    lines.append("")
    lines.append(f"LIST_WRAPPERS = {pformat(dict(sorted(wrappers.items())))}")
    lines.append("")
    lines.append("MESSAGES = {")
    for name in sorted(out):
        lines.append(f"    {name!r}: {{")
        for num, (jn, typ, flags) in sorted(out[name].items()):
            lines.append(f"        {num}: ({jn!r}, {typ!r}, {flags}),")
        lines.append("    },")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"{len(kinds)} kinds, {len(out)} messages", file=sys.stderr)


if __name__ == "__main__":
    main()
