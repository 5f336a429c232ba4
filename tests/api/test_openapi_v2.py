"""/openapi/v2 over the Flask app: the Swagger 2.0 document in JSON, the same document in
gnostic's protobuf (read back here by a decoder written in this file from OpenAPIv2.proto's field
numbers, independent of webapp/api/openapi_v2.py's writer), and kube-openapi's negotiation:
ETag, 304, gzip, 406."""
from __future__ import annotations

import gzip
import hashlib

import pytest
import yaml

from engine import schema
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from webapp import create_app
from webapp.extension import kubeplay_of

PROTO = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"   # what client-go sends
PROTO_ANSWER = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"


@pytest.fixture(scope="module")
def client():
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    app = create_app(cluster=cluster)
    yield app.test_client()
    kubeplay_of(app).close()


# ---- an independent protobuf reader ------------------------------------------------------------

def fields(buf: bytes) -> list[tuple[int, int, object]]:
    """(field number, wire type, value) of one message; length-delimited values as bytes."""
    out, pos = [], 0

    def varint():
        nonlocal pos
        shift = value = 0
        while True:
            b = buf[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value
    while pos < len(buf):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            out.append((number, wire, varint()))
        elif wire == 2:
            n = varint()
            assert pos + n <= len(buf), "length runs past the message"
            out.append((number, wire, buf[pos:pos + n]))
            pos += n
        elif wire == 1:
            out.append((number, wire, buf[pos:pos + 8]))
            pos += 8
        else:
            raise AssertionError(f"unexpected wire type {wire}")
    return out


def get(buf: bytes, number: int) -> list:
    found = [v for n, _, v in fields(buf) if n == number]
    for n, w, _ in fields(buf):
        if n == number:
            assert w == 2, f"field {number} is not length-delimited"
    return found


def one(buf: bytes, number: int) -> bytes:
    found = get(buf, number)
    assert len(found) == 1, f"field {number}: {len(found)} values"
    return found[0]


def named(buf: bytes, number: int) -> dict[str, bytes]:
    """A gnostic map: repeated Named*{1 name, 2 value}."""
    return {one(entry, 1).decode(): one(entry, 2) for entry in get(buf, number)}


def extensions(schema_buf: bytes, number: int = 31) -> dict:
    """Vendor extensions: NamedAny{1 name, 2 Any{2 yaml}}, parsed as util/proto parses them."""
    return {name: yaml.safe_load(one(any_, 2).decode()) for name, any_ in named(schema_buf, number).items()}


@pytest.fixture(scope="module")
def proto_doc(client) -> bytes:
    r = client.get("/openapi/v2", headers={"Accept": PROTO})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == PROTO_ANSWER
    return r.data


# ---- protobuf ------------------------------------------------------------------------------------

def test_protobuf_document_holds_every_definition_with_its_group_version_kind(proto_doc):
    assert one(proto_doc, 1) == b"2.0"                                  # swagger
    info = one(proto_doc, 2)
    assert (one(info, 1), one(info, 2)) == (b"Kubernetes", b"v1.32.0")
    definitions = named(one(proto_doc, 9), 1)                          # Definitions{1 NamedSchema}
    assert len(definitions) == len(schema.openapi_schemas()) > 300
    pod = definitions["io.k8s.api.core.v1.Pod"]
    assert extensions(pod)["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    assert get(one(pod, 22), 1) == [b"object"]                         # TypeItem
    deploy = definitions["io.k8s.api.apps.v1.Deployment"]
    assert extensions(deploy)["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}]


def test_protobuf_references_are_v2_definitions_with_descriptions_beside_them(proto_doc):
    definitions = named(one(proto_doc, 9), 1)
    pod_props = named(one(definitions["io.k8s.api.core.v1.Pod"], 25), 1)    # Properties{1 NamedSchema}
    spec = pod_props["spec"]
    assert one(spec, 1) == b"#/definitions/io.k8s.api.core.v1.PodSpec"   # $ref, not allOf
    assert one(spec, 4).startswith(b"Specification of the desired behavior of the pod.")
    assert get(spec, 24) == []                                          # no allOf left
    containers = named(one(definitions["io.k8s.api.core.v1.PodSpec"], 25), 1)["containers"]
    assert extensions(containers) == {"x-kubernetes-list-map-keys": ["name"], "x-kubernetes-list-type": "map",
                                      "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}
    item = one(one(containers, 23), 1)                                  # ItemsItem{1 Schema}
    assert one(item, 1) == b"#/definitions/io.k8s.api.core.v1.Container"
    # every reference resolves: kube-openapi's util/proto refuses the whole document otherwise
    refs: list[bytes] = []

    def walk(schema_buf: bytes):               # Schema -> the schemas inside it, by field number
        refs.extend(get(schema_buf, 1))
        for extra in get(schema_buf, 21):      # AdditionalPropertiesItem{1 schema}
            for sub in get(extra, 1):
                walk(sub)
        for items in get(schema_buf, 23):      # ItemsItem{1 schema}
            for sub in get(items, 1):
                walk(sub)
        for sub in get(schema_buf, 24):        # allOf
            walk(sub)
        for props in get(schema_buf, 25):      # Properties{1 NamedSchema{2 schema}}
            for sub in named(props, 1).values():
                walk(sub)
    for body in definitions.values():
        walk(body)
    assert len(refs) > 500
    assert {r.decode().removeprefix("#/definitions/") for r in refs} <= set(definitions)


# ---- JSON and negotiation ---------------------------------------------------------------------------

def test_json_document_is_swagger_2_with_the_same_definitions(client):
    r = client.get("/openapi/v2", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    doc = r.get_json()
    assert doc["swagger"] == "2.0" and doc["info"] == {"title": "Kubernetes", "version": "v1.32.0"}
    assert "#/components/" not in r.get_data(as_text=True)
    assert set(doc["definitions"]) == set(schema.openapi_schemas())
    pod = doc["definitions"]["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    assert pod["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    # v2 carries no enums (kube-openapi strips them since v1.24); v3 keeps them
    assert "enum" not in doc["definitions"]["io.k8s.api.core.v1.PodSpec"]["properties"]["restartPolicy"]
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    assert doc["securityDefinitions"]["BearerToken"]["type"] == "apiKey"


def test_no_accept_header_is_json_and_an_unservable_one_406(client):
    assert client.get("/openapi/v2").headers["Content-Type"] == "application/json"
    assert client.get("/openapi/v2", headers={"Accept": "*/*"}).headers["Content-Type"] == "application/json"
    r = client.get("/openapi/v2", headers={"Accept": "text/html"})
    assert r.status_code == 406 and r.data == b""
    r = client.get("/openapi/v2", headers={"Accept": "application/json;q=0.5, " + PROTO})
    assert r.headers["Content-Type"] == PROTO_ANSWER


def test_etag_is_the_json_sha512_for_both_forms_and_answers_304(client):
    js = client.get("/openapi/v2", headers={"Accept": "application/json"})
    pb = client.get("/openapi/v2", headers={"Accept": PROTO})
    assert js.headers["Etag"] == pb.headers["Etag"] == '"' + hashlib.sha512(js.data).hexdigest().upper() + '"'
    assert sorted(pb.headers.getlist("Vary")) == ["Accept", "Accept-Encoding"]
    again = client.get("/openapi/v2", headers={"Accept": PROTO, "If-None-Match": pb.headers["Etag"]})
    assert again.status_code == 304 and again.data == b""


def test_gzip_when_asked(client, proto_doc):
    r = client.get("/openapi/v2", headers={"Accept": PROTO, "Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and r.headers["Etag"].endswith('-gzip"')
    assert gzip.decompress(r.data) == proto_doc
    r = client.get("/openapi/v2", headers={"Accept": PROTO, "Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in r.headers and r.data == proto_doc


def test_foreign_host_is_refused(client):
    r = client.get("/openapi/v2", headers={"Accept": PROTO, "Host": "evil.example:8001"})
    assert r.status_code == 403
