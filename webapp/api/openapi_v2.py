"""OpenAPI v2 (Swagger 2.0) at /openapi/v2, in JSON and in gnostic's protobuf.

kube-apiserver still serves the v2 document beside v3, and kubectl still reads it: its
client-side schema validator checks the items of a `kind: List` file against the v2 models
(k8s.io/kubectl/pkg/validation, kube-openapi's util/proto), so without /openapi/v2 every
`kubectl apply -f` of a List (`kubectl get ... -o yaml` output) fails with "error validating
data: the server could not find the requested resource". client-go's discovery OpenAPISchema()
asks for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and proto-unmarshals the
body into gnostic's openapi_v2.Document, so the protobuf form is the one that matters.

The document is built from the same generated upstream schemas as the v3 documents
(engine.schema): `definitions` keyed by the same names, `#/components/schemas/X` references
rewritten to `#/definitions/X`, and v3's `allOf: [{$ref}]` wrapper (how v3 puts a description
next to a reference) turned back into v2's `$ref` with sibling keys, which is what kube-openapi's
v2 builder emits and what util/proto understands (it treats a schema with neither type nor
properties as "arbitrary", which would switch validation off below it). Enums are dropped: the
v2 builder strips them since v1.24 (kubernetes#109178); v3 keeps them.

The protobuf writer below follows gnostic-models openapiv2/OpenAPIv2.proto (proto3: zero scalars
are not written; repeated strings one field each; maps as repeated Named* pairs in document
order; every extension, default, enum and example value as Any{yaml: <YAML text>}, which
util/proto reads back with yaml.Unmarshal). Only the messages this document uses are written."""
from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
import struct
from collections.abc import Callable, Iterable

import yaml

from engine import resources as kinds
from engine import schema

from . import openapi_custom, reviews

JSON_TYPE = "application/json"
# What client-go's OpenAPISchema() asks for, and the name kube-openapi answers with.
PROTO_SUBTYPES = ("com.github.proto-openapi.spec.v2@v1.0+protobuf", "com.github.proto-openapi.spec.v2.v1.0+protobuf")
PROTO_TYPE = "application/" + PROTO_SUBTYPES[1]

_V3_PREFIX = "#/components/schemas/"
_V2_PREFIX = "#/definitions/"


# ---- the document -----------------------------------------------------------------------------

def convert_schema(node):
    """A v3 component schema (or any part of one) as the v2 definition kube-openapi emits."""
    if isinstance(node, list):
        return [convert_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and set(all_of[0]) == {"$ref"}:
        out["$ref"] = all_of[0]["$ref"].replace(_V3_PREFIX, _V2_PREFIX, 1)
    for key, value in node.items():
        if (key == "allOf" and "$ref" in out) or key == "enum":
            continue
        if key == "$ref" and isinstance(value, str):
            out[key] = value.replace(_V3_PREFIX, _V2_PREFIX, 1)
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: convert_schema(sub) for name, sub in value.items()}
        elif key.startswith("x-"):
            out[key] = value                 # extension values are data, not schemas
        else:
            out[key] = convert_schema(value)
    return out


def document(schemas: dict[str, dict], paths: dict) -> dict:
    """The Swagger 2.0 document: every definition (all of them, so every $ref resolves — the
    util/proto parser rejects a document with a dangling one) and the given paths."""
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths,
            "definitions": {name: convert_schema(s) for name, s in sorted(schemas.items())},
            "securityDefinitions": {"BearerToken": {"type": "apiKey", "name": "authorization", "in": "header",
                                                    "description": "Bearer Token authentication"}},
            "security": [{"BearerToken": []}]}


def _query(name: str, description: str) -> dict:
    return {"uniqueItems": True, "type": "string", "description": description, "name": name, "in": "query"}


_QUERY = [
    _query("dryRun", "When present, indicates that modifications should not be persisted. An invalid or "
           "unrecognized dryRun directive will result in an error response and no further processing of the "
           "request. Valid values are: - All: all dry run stages will be processed"),
    _query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these "
           "changes. The value must be less than or 128 characters long, and only contain printable characters, "
           "as defined by https://golang.org/pkg/unicode/#IsPrint."),
    _query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request "
           "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore "
           "any unknown fields that are silently dropped from the object, and will ignore all but the last "
           "duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: "
           "This will send a warning via the standard warning response header for each unknown field that is "
           "dropped from the object, and for each duplicate field that is encountered. The request will still "
           "succeed if there are no other errors, and will only persist the last of any duplicate fields. This "
           "is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown "
           "fields would be dropped from the object, or if any duplicate fields are present. The error returned "
           "from the server will contain all unknown and duplicate fields encountered."),
]
_PRODUCES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
_PATCH_CONSUMES = ["application/json-patch+json", "application/merge-patch+json",
                   "application/strategic-merge-patch+json", "application/apply-patch+yaml"]


def operation(action: str, verb: str, group: str, version: str, kind: str, defname: str | None,
              code: str = "200") -> dict:
    """One write operation as kube-openapi lists it: body parameter, the write query parameters
    (fieldValidation among them: kubectl's v2 query-param verifier looks for it), the kind."""
    ref = {"$ref": _V2_PREFIX + defname} if defname else {"type": "object"}
    params = [{"name": "body", "in": "body", "required": True, "schema": ref}] + _QUERY
    op = {"consumes": _PATCH_CONSUMES if action == "patch" else ["*/*"], "produces": _PRODUCES,
          "schemes": ["https"], "operationId": f"{verb}{kind}", "parameters": params,
          "responses": {code: {"description": "OK", "schema": ref}},
          "x-kubernetes-action": action,
          "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": kind}}
    return op


def path_parameter(name: str, description: str) -> dict:
    return {"uniqueItems": True, "type": "string", "description": description, "name": name, "in": "path",
            "required": True}


def encode_json(doc: dict) -> bytes:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def etag(raw: bytes) -> str:
    """kube-openapi's computeETag: the SHA-512 of the served bytes in upper-case hex."""
    return hashlib.sha512(raw).hexdigest().upper()


# ---- protobuf writer --------------------------------------------------------------------------
# Wire format: a field is key = (number << 3 | wire type) as a varint, then the value; strings
# and nested messages are length-delimited (wire type 2), bools and integers varints (0),
# doubles fixed 64-bit little-endian (1).

def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64                         # int64: two's complement, always ten bytes
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _len(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _string(field: int, value) -> bytes:
    if not value:
        return b""                           # proto3 does not write an empty string
    return _len(field, str(value).encode())


def _strings(field: int, values) -> bytes:
    return b"".join(_len(field, str(v).encode()) for v in values or ())


def _bool(field: int, value) -> bytes:
    return _varint(field << 3) + b"\x01" if value else b""


def _int(field: int, value) -> bytes:
    return _varint(field << 3) + _varint(int(value)) if value else b""


def _double(field: int, value) -> bytes:
    return _varint(field << 3 | 1) + struct.pack("<d", float(value)) if value else b""


def _yaml(value) -> str:
    """A value as gnostic keeps it in Any.yaml: YAML text, as go-yaml's Marshal writes it."""
    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, width=1 << 30)
    return text[:-len("...\n")] if text.endswith("\n...\n") else text


def _any(field: int, value) -> bytes:
    return _len(field, _string(2, _yaml(value)))          # Any{2 yaml}


def _extensions(field: int, node: dict) -> bytes:
    """repeated NamedAny{1 name, 2 Any} for every x- key, in document order."""
    return b"".join(_len(field, _string(1, k) + _any(2, v)) for k, v in node.items() if k.startswith("x-"))


def _named(field: int, items: Iterable[tuple[str, object]], encode: Callable[[object], bytes]) -> bytes:
    """A map as gnostic writes it: repeated Named*{1 name, 2 value}."""
    return b"".join(_len(field, _string(1, k) + _len(2, encode(v))) for k, v in items)


# openapi_v2.Schema's fields, in field-number order (Go's proto.Marshal writes them so): the
# JSON key, the field number, and how the value is written. Only keys present cost anything.
_SCHEMA_FIELDS: list[tuple[str, int, str]] = [
    ("$ref", 1, "string"), ("format", 2, "string"), ("title", 3, "string"), ("description", 4, "string"),
    ("default", 5, "any"), ("multipleOf", 6, "double"), ("maximum", 7, "double"),
    ("exclusiveMaximum", 8, "bool"), ("minimum", 9, "double"), ("exclusiveMinimum", 10, "bool"),
    ("maxLength", 11, "int"), ("minLength", 12, "int"), ("pattern", 13, "string"), ("maxItems", 14, "int"),
    ("minItems", 15, "int"), ("uniqueItems", 16, "bool"), ("maxProperties", 17, "int"),
    ("minProperties", 18, "int"), ("required", 19, "strings"), ("enum", 20, "anys"),
    ("additionalProperties", 21, "additional"), ("type", 22, "type"), ("items", 23, "items"),
    ("allOf", 24, "schemas"), ("properties", 25, "properties"), ("discriminator", 26, "string"),
    ("readOnly", 27, "bool"), ("example", 30, "any")]


def _schema(s: dict) -> bytes:
    """openapi_v2.Schema (xml and externalDocs, fields 28-29, never occur in Kubernetes' schemas)."""
    out = []
    for key, field, how in _SCHEMA_FIELDS:
        if key not in s:
            continue
        value = s[key]
        if how == "string":
            out.append(_string(field, value))
        elif how == "any":
            out.append(_any(field, value))
        elif how == "double":
            out.append(_double(field, value))
        elif how == "bool":
            out.append(_bool(field, value))
        elif how == "int":
            out.append(_int(field, value))
        elif how == "strings":
            out.append(_strings(field, value))
        elif how == "anys":
            out += [_any(field, v) for v in value]
        elif how == "additional":
            if isinstance(value, dict):
                out.append(_len(field, _len(1, _schema(value))))       # AdditionalPropertiesItem{1 schema}
            else:
                out.append(_len(field, _varint(2 << 3) + _varint(int(bool(value)))))   # {2 boolean}
        elif how == "type":                                             # TypeItem{1 value}
            out.append(_len(field, _strings(1, value if isinstance(value, list) else [value])))
        elif how == "items":                                            # ItemsItem{1 schema}
            items = value if isinstance(value, list) else [value]
            out.append(_len(field, b"".join(_len(1, _schema(i)) for i in items)))
        elif how == "schemas":
            out += [_len(field, _schema(sub)) for sub in value]
        elif how == "properties":                                       # Properties{1 NamedSchema}
            out.append(_len(field, _named(1, value.items(), _schema)))
    out.append(_extensions(31, s))
    return b"".join(out)


def _parameter(p: dict) -> bytes:
    """ParametersItem{1 Parameter{1 BodyParameter | 2 NonBodyParameter{3 query | 4 path}}}."""
    if p["in"] == "body":
        body = (_string(1, p.get("description")) + _string(2, p["name"]) + _string(3, "body")
                + _bool(4, p.get("required")) + _len(5, _schema(p["schema"])) + _extensions(6, p))
        return _len(1, _len(1, body))
    if p["in"] == "query":      # QueryParameterSubSchema: 1 required 2 in 3 description 4 name 6 type 20 uniqueItems
        sub = (_bool(1, p.get("required")) + _string(2, "query") + _string(3, p.get("description"))
               + _string(4, p["name"]) + _string(6, p.get("type")) + _bool(20, p.get("uniqueItems"))
               + _extensions(23, p))
        return _len(1, _len(2, _len(3, sub)))
    if p["in"] == "path":       # PathParameterSubSchema: 1 required 2 in 3 description 4 name 5 type 19 uniqueItems
        sub = (_bool(1, p.get("required")) + _string(2, "path") + _string(3, p.get("description"))
               + _string(4, p["name"]) + _string(5, p.get("type")) + _bool(19, p.get("uniqueItems"))
               + _extensions(22, p))
        return _len(1, _len(2, _len(4, sub)))
    raise ValueError(f"parameter location {p['in']!r} is not written")


def _response(r: dict) -> bytes:
    """ResponseValue{1 Response{1 description, 2 SchemaItem{1 schema}}}."""
    resp = _string(1, r.get("description"))
    if "schema" in r:
        resp += _len(2, _len(1, _schema(r["schema"])))
    return _len(1, resp + _extensions(5, r))


def _operation(op: dict) -> bytes:
    """openapi_v2.Operation."""
    return b"".join([
        _strings(1, op.get("tags")), _string(2, op.get("summary")), _string(3, op.get("description")),
        _string(5, op.get("operationId")), _strings(6, op.get("produces")), _strings(7, op.get("consumes")),
        b"".join(_len(8, _parameter(p)) for p in op.get("parameters") or ()),
        _len(9, _named(1, op.get("responses", {}).items(), _response)),
        _strings(10, op.get("schemes")), _bool(11, op.get("deprecated")), _extensions(13, op)])


_METHODS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


def _path_item(item: dict) -> bytes:
    out = [_len(_METHODS[m], _operation(item[m])) for m in _METHODS if m in item]
    out += [_len(9, _parameter(p)) for p in item.get("parameters") or ()]
    return b"".join(out) + _extensions(10, item)


def _security_definition(d: dict) -> bytes:
    # SecurityDefinitionsItem{2 ApiKeySecurity{1 type 2 name 3 in 4 description}}: all kube-apiserver has
    if d.get("type") != "apiKey":
        raise ValueError(f"security definition type {d.get('type')!r} is not written")
    return _len(2, _string(1, "apiKey") + _string(2, d.get("name")) + _string(3, d.get("in"))
                + _string(4, d.get("description")) + _extensions(5, d))


def encode_protobuf(doc: dict) -> bytes:
    """The document as gnostic's openapi_v2.Document in protobuf wire format."""
    info = doc.get("info", {})
    out = [_string(1, doc.get("swagger")),
           _len(2, _string(1, info.get("title")) + _string(2, info.get("version"))
                + _string(3, info.get("description")) + _extensions(7, info)),
           _string(3, doc.get("host")), _string(4, doc.get("basePath")), _strings(5, doc.get("schemes")),
           _strings(6, doc.get("consumes")), _strings(7, doc.get("produces"))]
    if "paths" in doc:            # Paths{1 vendor_extension, 2 NamedPathItem}
        out.append(_len(8, _extensions(1, doc["paths"])
                        + _named(2, ((k, v) for k, v in doc["paths"].items() if not k.startswith("x-")),
                                 _path_item)))
    if "definitions" in doc:      # Definitions{1 NamedSchema}
        out.append(_len(9, _named(1, doc["definitions"].items(), _schema)))
    for requirement in doc.get("security") or ():   # SecurityRequirement{1 NamedStringArray{1, 2 StringArray{1}}}
        out.append(_len(12, _named(1, requirement.items(), lambda scopes: _strings(1, scopes))))
    if "securityDefinitions" in doc:
        out.append(_len(13, _named(1, doc["securityDefinitions"].items(), _security_definition)))
    out.append(_extensions(16, doc))
    return b"".join(out)



# ---- what /openapi/v2 serves --------------------------------------------------------------------

def _paths() -> dict:
    """The write paths of every served kind (and the create-only reviews), as v3's documents
    list them: enough for a valid document and for kubectl's v2 fieldValidation lookup."""
    defs = {(g, v, k): d for g, v, k, d in schema.openapi_kinds()}
    paths: dict[str, dict] = {}
    for rt in kinds.all_types():
        g, v, kind = rt.group, rt.version, rt.kind
        defname = defs.get((g, v, kind))
        prefix = f"/apis/{g}/{v}" if g else f"/api/{v}"
        coll = f"{prefix}/namespaces/{{namespace}}/{rt.name}" if rt.namespaced else f"{prefix}/{rt.name}"
        scope = [path_parameter("namespace", "object name and auth scope, such as for teams and projects")] \
            if rt.namespaced else []
        paths[coll] = {"post": operation("post", "create", g, v, kind, defname, "201")}
        if scope:
            paths[coll]["parameters"] = scope
        paths[coll + "/{name}"] = {
            "put": operation("put", "replace", g, v, kind, defname),
            "patch": operation("patch", "patch", g, v, kind, defname),
            "parameters": [path_parameter("name", f"name of the {kind}")] + scope}
    for g, v, plural, kind in reviews.RESOURCES:
        prefix = f"/apis/{g}/{v}" if g else f"/api/{v}"
        paths[reviews.collection_path(prefix, plural)] = {"post": operation("post", "create", g, v, kind, defs.get((g, v, kind)), "201")}
    for rt, v, defname in openapi_custom.served():      # custom resources, at each served version
        g, kind = rt.group, rt.kind
        coll = f"/apis/{g}/{v}/namespaces/{{namespace}}/{rt.name}" if rt.namespaced else f"/apis/{g}/{v}/{rt.name}"
        paths[coll] = {"post": operation("post", "create", g, v, kind, defname, "201")}
        paths[coll + "/{name}"] = {"put": operation("put", "replace", g, v, kind, defname),
                                   "patch": operation("patch", "patch", g, v, kind, defname),
                                   "parameters": [path_parameter("name", f"name of the {kind}")]}
    return dict(sorted(paths.items()))


@dataclasses.dataclass(frozen=True)
class Served:
    """One encoding of the document: its bytes, gzipped too (kube-openapi gzips when asked)."""
    content_type: str
    body: bytes
    gzipped: bytes


def served() -> tuple[dict[str, Served], str]:
    """What to answer, for the CustomResourceDefinitions served now (openapi_custom.stamp)."""
    return _served(openapi_custom.stamp())


@functools.lru_cache(maxsize=4)
def _served(_custom: tuple) -> tuple[dict[str, Served], str]:
    """Accepted subtype -> what to answer, and the ETag, built once (the schemas never change
    while serving). As kube-openapi's handler: the protobuf form keeps the JSON form's ETag (the
    responses Vary on Accept), and both protobuf subtypes are answered with the dotted one —
    the '@' in the older name is not a token character, and client-go's Go mime parser rejects
    it in a response Content-Type."""
    doc = document(dict(schema.openapi_schemas(), **openapi_custom.schemas()), _paths())
    raw, pb = encode_json(doc), encode_protobuf(doc)
    # compresslevel 6: Go's gzip default, and a third of level 9's time for a few % more bytes
    as_json = Served(JSON_TYPE, raw, gzip.compress(raw, compresslevel=6, mtime=0))
    as_proto = Served(PROTO_TYPE, pb, gzip.compress(pb, compresslevel=6, mtime=0))
    subtypes = {"json": as_json, PROTO_SUBTYPES[0]: as_proto, PROTO_SUBTYPES[1]: as_proto}
    return subtypes, etag(raw)


def negotiate(accept: str | None) -> Served | None:
    """What to answer an Accept header with, as kube-openapi's handler picks it (goautoneg's
    order: higher q first, then more specific; the first offered type a clause matches, so JSON
    for */*), or None for 406."""
    clauses = []
    for n, part in enumerate((accept or "*/*").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            key, _, val = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0
        typ, _, sub = media.partition("/")
        if q > 0 and typ:
            clauses.append((-q, (typ == "*") + (sub == "*"), n, typ, sub or "*"))
    offered, _ = served()
    for _, _, _, typ, sub in sorted(clauses):
        if typ not in ("application", "*"):
            continue
        for subtype, answer in offered.items():
            if sub in (subtype, "*"):
                return answer
    return None


def accepts_gzip(header: str | None) -> bool:
    """kube-openapi's acceptsGzip: a `gzip` coding whose q is absent or positive."""
    for coding in (header or "").split(","):
        name, *params = [p.strip() for p in coding.split(";")]
        if name.lower() != "gzip":
            continue
        for param in params:
            key, _, val = param.partition("=")
            if key.strip() == "q":
                try:
                    return float(val) > 0
                except ValueError:
                    return False
        return True
    return False
