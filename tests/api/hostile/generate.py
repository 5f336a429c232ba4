"""Write corpus.jsonl: hostile requests every one of which the server must refuse with a 4xx.

    python tests/api/hostile/generate.py        # rewrites tests/api/hostile/corpus.jsonl

One JSON object per line:
  {"id": "json/create-configmap/truncated", "method": "POST", "path": "/api/...",
   "headers": {"Content-Type": "..."}, "body": BODY}          or   {"id": ..., "raw": BODY}
BODY is {"text": str} | {"b64": str} | {"repeat": {"head", "unit", "count", "tail"}} (a large body
kept small on disk). "{host}" in a path, header or raw text is the server's own host:port; the
runner (test_hostile_corpus.py) adds Host (unless given), Content-Length and Connection: close.

The seeded objects the corpus aims at (configmap "keep", deployment "keep", pod "victim", all in
"default") are created by the runner first; nothing else may appear or change.
"""
from __future__ import annotations

import base64
import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("corpus.jsonl")
PAGE = {"X-Kubeplay-Request": "page", "Content-Type": "application/json"}
JSON = {"Content-Type": "application/json"}

entries: list[dict] = []


def add(id_: str, method: str, path: str, body=None, headers=None, raw=None):
    e = {"id": id_, "method": method, "path": path, "headers": dict(headers or {})}
    if raw is not None:
        e = {"id": id_, "raw": raw}
    elif body is not None:
        e["body"] = body
    entries.append(e)


def text(s: str) -> dict:
    return {"text": s}


def b64(b: bytes) -> dict:
    return {"b64": base64.b64encode(b).decode()}


def repeat(unit: str, count: int, head: str = "", tail: str = "") -> dict:
    return {"repeat": {"head": head, "unit": unit, "count": count, "tail": tail}}


CM = "/api/v1/namespaces/default/configmaps"
POD = "/api/v1/namespaces/default/pods"
DEP = "/apis/apps/v1/namespaces/default/deployments"
CM_KEEP = CM + "/keep"
DEP_KEEP = DEP + "/keep"
SCALE = DEP_KEEP + "/scale"

# ---- 1. malformed JSON bodies, to every kind of write ------------------------------------------
BAD_JSON = {
    "empty": text(""), "spaces": text("   \n"), "open-brace": text("{"), "close-brace": text("}"),
    "open-bracket": text("["), "missing-value": text('{"a":}'), "bare-word": text("nul"),
    "truncated-object": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"'),
    "string": text('"a string"'), "number": text("123"), "null": text("null"), "true": text("true"),
    "list": text("[]"), "list-of-objects": text('[{"kind":"ConfigMap"}]'),
    "trailing-garbage": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"tg"}} x'),
    "bom": text('\ufeff{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bom"}}'),
    "latin1": b64(b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\xe9"}}'),
    "invalid-utf8": b64(b"\xff\xfe\xfd{}"),
    "nul-bytes": b64(b'{"apiVersion":"v1",\x00"kind":"ConfigMap"}'),
    "nan": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"nan"},"data":{"a":NaN}}'),
    "infinity": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inf"},"x":-Infinity}'),
    "float-overflow": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fo","generation":1e999}}'),
    "int-5000-digits": repeat("9", 5000, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big","generation":', "}}"),
    "int-50-digits": repeat("9", 50, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big50","generation":', "}}"),
    "deep-lists": repeat("[", 200000),
    "deep-objects": repeat('{"a":', 100000),
    "deep-balanced": repeat("[", 5000, "", "]" * 5000),
    "metadata-list": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":[]}'),
    "metadata-string": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}'),
    "metadata-number": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":5}'),
    "name-number": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":5}}'),
    "name-lone-surrogate": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a\\ud800"}}'),
    "name-empty": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":""}}'),
    "name-slash": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a/b"}}'),
    "name-huge": repeat("a", 100000, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"', '"}}'),
    "labels-list": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"l","labels":[1]}}'),
    "labels-bad-key": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"l2","labels":{"a b":"c"}}}'),
    "kind-number": text('{"apiVersion":"v1","kind":5,"metadata":{"name":"k"}}'),
    "kind-other": text('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k2"}}'),
    "apiversion-other": text('{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"k3"}}'),
    "apiversion-list": text('{"apiVersion":["v1"],"kind":"ConfigMap","metadata":{"name":"k4"}}'),
    "namespace-mismatch": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"k5","namespace":"kube-system"}}'),
    "duplicate-keys-strict": text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d","name":"d"}}'),
}
TARGETS = {  # a write per resource shape; the Strict flag makes duplicates an error everywhere
    "create-configmap": ("POST", CM + "?fieldValidation=Strict"),
    "create-pod": ("POST", POD + "?fieldValidation=Strict"),
    "create-deployment": ("POST", DEP + "?fieldValidation=Strict"),
    "update-configmap": ("PUT", CM_KEEP + "?fieldValidation=Strict"),
    "put-scale": ("PUT", SCALE),
    "put-pod-status": ("PUT", POD + "/victim/status"),
    "namespace-finalize": ("PUT", "/api/v1/namespaces/default/finalize"),
}
SKIP = {  # bodies that are a valid request for that target (the corpus wants only refusals)
    ("put-scale", "metadata-number"), ("put-scale", "name-number"),
    ("update-configmap", "name-empty"),          # an update takes its name from the URL
}
for tname, (method, path) in TARGETS.items():
    for bname, body in BAD_JSON.items():
        if (tname, bname) in SKIP:
            continue
        add(f"json/{tname}/{bname}", method, path, body, JSON)

# ---- 2. type confusion in delete options, evictions, bindings ------------------------------------
for i, opts in enumerate(['{"preconditions":"x"}', '{"preconditions":{"uid":5}}', '{"preconditions":[]}',
                          '{"gracePeriodSeconds":"x"}', '{"gracePeriodSeconds":1.5}', '{"gracePeriodSeconds":true}',
                          '{"gracePeriodSeconds":99999999999999999999}', '{"propagationPolicy":"Sideways"}',
                          '[1,2]', '"x"', '{"preconditions":{"uid":"not-the-uid"}}',
                          '{"preconditions":{"resourceVersion":"1"}}']):
    add(f"delete-options/{i}", "DELETE", CM_KEEP, text(opts), JSON)
for i, q in enumerate(["gracePeriodSeconds=x", "gracePeriodSeconds=1e3", "gracePeriodSeconds=99999999999999999999",
                       "propagationPolicy=Bogus", "gracePeriodSeconds="]):
    add(f"delete-query/{i}", "DELETE", f"{CM_KEEP}?{q}")
for i, ev in enumerate(['{"deleteOptions":"now"}', '{"deleteOptions":[1]}', "[1]", '"x"', '{"kind":"Pod"}',
                        '{"deleteOptions":{"gracePeriodSeconds":-99999999999999999999}}']):
    add(f"eviction/{i}", "POST", POD + "/victim/eviction", text(ev), JSON)
for i, b in enumerate(['[1]', '{"target":"node-1"}', '{"target":{"name":5}}', '{"target":{}}', '{}', "null",
                       '{"target":{"name":"no-such-node"}}']):
    add(f"binding/{i}", "POST", POD + "/victim/binding", text(b), JSON)
for i, b in enumerate(['{"spec":"x"}', '{"spec":{"replicas":-1}}', '{"spec":{"replicas":"3"}}', '{"spec":{"replicas":1.5}}',
                       '{"spec":{"replicas":true}}', '{"spec":{"replicas":null}}', '{"spec":[]}',
                       '{"metadata":[],"spec":{"replicas":1}}', '{"metadata":{"resourceVersion":"1"},"spec":{"replicas":1}}']):
    add(f"scale-put/{i}", "PUT", SCALE, text(b), JSON)

# ---- 3. quantities -------------------------------------------------------------------------------
for i, q in enumerate(["1e1000000", "1e-1000000", "1" * 5000, "abc", "-5Gi", "1.2.3", "1Zi", "1e", "--1", "",
                       "1e99999999999999999999999", "0x10", "1_000", " 1", "1 ", "+-1"]):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"q{i}"},
           "spec": {"containers": [{"name": "c", "image": "nginx",
                                    "resources": {"requests": {"cpu": q}, "limits": {"memory": q}}}]}}
    add(f"quantity/pod/{i}", "POST", POD, text(json.dumps(pod)), JSON)
    add(f"quantity/node/cpu/{i}", "POST", "/kubeplay/v1/nodes", text(json.dumps({"name": f"qn{i}", "cpu": q})), PAGE)

# ---- 4. YAML ---------------------------------------------------------------------------------------
LAUGHS = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
BAD_YAML = {
    "billion-laughs": LAUGHS,
    "unclosed-flow": "kind: [oops\n",
    "tab-indent": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: t\n",
    "python-tag": "!!python/object/apply:os.system ['true']\n",
    "unknown-tag": "apiVersion: v1\nkind: ConfigMap\nmetadata: !foo {name: x}\n",
    "complex-key": "? [a, b]\n: c\n",
    "mapping-key": "? {a: 1}\n: c\n",
    "cyclic-alias": "a: &a [*a]\n",
    "nan": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ynan}\ndata: {a: .nan}\n",
    "inf": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yinf, generation: .inf}\n",
    "huge-int": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yint, generation: " + "9" * 60 + "}\n",
    "list": "- a\n- b\n",
    "scalar": "just a string\n",
    "bool-value": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yb}\ndata: {a: yes}\n",
    "binary-name": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: !!binary aGk=}\n",
    "deep": "a: " + "[" * 20000 + "]" * 20000 + "\n",
    "deep-maps": "a: " + "{a: " * 20000 + "}" * 20000 + "\n",
    "deep-unclosed": "a: " + "[" * 200000 + "\n",
    "two-docs-bad": "apiVersion: v1\nkind: ConfigMap\n---\n: :\n",
    "directive-junk": "%YAML 9.9\n---\na: b\n",
    "null-doc": "~\n",
    "invalid-utf8": None,
}
for name, y in BAD_YAML.items():
    body = b64(b"kind: \xff\xfe\n") if y is None else text(y)
    add(f"yaml/create/{name}", "POST", CM, body, {"Content-Type": "application/yaml"})
    add(f"yaml/update/{name}", "PUT", CM_KEEP, body, {"Content-Type": "application/yaml"})

# ---- 5. patches ---------------------------------------------------------------------------------
JSON_PATCHES = ['{"op":"add"}', '[{"op":"explode","path":"/x"}]', '[{"op":"add","path":"data/x","value":1}]',
                '[{"op":"remove","path":"/data/nope"}]', '[{"op":"test","path":"/data","value":5}]',
                '[{"op":"move","from":"/nope","path":"/x"}]', '[{"op":"copy","from":"/nope","path":"/x"}]',
                '[{"op":"replace","path":"/spec/template/spec/containers/999999999999/image","value":"x"}]',
                '[{"op":"add","path":"/metadata/name","value":"other"}]', '[{"path":"/x"}]', '[1]', '[null]',
                '[{"op":"add","path":"/spec/replicas","value":"many"}]', '[{"op":"add","path":"/~2","value":1}]',
                '[{"op":"replace","path":"/kind","value":"Secret"}]']
MERGE_PATCHES = ['[]', '"x"', '5', '{"metadata":{"name":"other"}}', '{"kind":"Secret"}', '{"apiVersion":"v9"}',
                 '{"metadata":[]}', '{"spec":{"replicas":"three"}}', '{"spec":{"template":{"spec":{"containers":"x"}}}}',
                 '{', repeat('{"a":', 50000)]
SMP = ['{"spec":{"template":{"spec":{"containers":[{"$patch":"explode","name":"c"}]}}}}',
       '{"$patch":"replace","kind":"Secret"}', '{"spec":{"$retainKeys":"x"}}',
       '{"spec":{"template":{"spec":{"$setElementOrder/containers":"x"}}}}',
       '{"spec":{"template":{"spec":{"containers":[{"image":"no-name-key"}]}}}}']
for target, path in (("configmap", CM_KEEP), ("deployment", DEP_KEEP)):
    for i, p in enumerate(JSON_PATCHES):
        add(f"patch/json/{target}/{i}", "PATCH", path, text(p), {"Content-Type": "application/json-patch+json"})
    for i, p in enumerate(MERGE_PATCHES):
        if target == "configmap" and "spec" in str(p):
            continue            # a ConfigMap has no spec: without Strict, unknown fields are dropped
        add(f"patch/merge/{target}/{i}", "PATCH", path, p if isinstance(p, dict) else text(p),
            {"Content-Type": "application/merge-patch+json"})
    for i, p in enumerate(SMP if target == "deployment" else SMP[1:3]):
        add(f"patch/strategic/{target}/{i}", "PATCH", path, text(p),
            {"Content-Type": "application/strategic-merge-patch+json"})
for i, p in enumerate(['{"spec":"x"}', '{"spec":{"replicas":-3}}', '[{"op":"replace","path":"/spec/replicas","value":"x"}]', '"x"']):
    add(f"patch/scale/{i}", "PATCH", SCALE, text(p),
        {"Content-Type": "application/json-patch+json" if p.startswith("[") else "application/merge-patch+json"})

# ---- 6. protobuf ----------------------------------------------------------------------------------
rng = random.Random(7)


def _varint(n: int) -> bytes:
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def _field(num: int, payload: bytes) -> bytes:
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


TYPEMETA = _field(1, _field(1, b"v1") + _field(2, b"ConfigMap"))
PROTOS = {
    "magic-only": b"k8s\x00",
    "wrong-magic": b"k9s\x00" + TYPEMETA,
    "no-magic": TYPEMETA,
    "truncated-length": b"k8s\x00" + _varint(1 << 3 | 2) + _varint(1000) + b"ab",
    "endless-varint": b"k8s\x00" + b"\xff" * 64,
    "huge-length": b"k8s\x00" + _varint(1 << 3 | 2) + _varint(2 ** 62),
    "no-kind": b"k8s\x00" + _field(1, _field(1, b"v1")),
    "unknown-kind": b"k8s\x00" + _field(1, _field(1, b"v1") + _field(2, b"Gizmo")) + _field(2, b""),
    "raw-garbage": b"k8s\x00" + TYPEMETA + _field(2, b"\xff" * 40),
    "bad-wire-type": b"k8s\x00" + TYPEMETA + _field(2, bytes([1 << 3 | 7]) + b"x"),
    "content-encoding": b"k8s\x00" + TYPEMETA + _field(2, b"") + _field(3, b"gzip"),
    "kind-mismatch": b"k8s\x00" + _field(1, _field(1, b"apps/v1") + _field(2, b"Deployment")) + _field(2, b""),
    "fixed64-truncated": b"k8s\x00" + TYPEMETA + _field(2, bytes([1 << 3 | 1]) + b"\x01\x02"),
}
for seed in range(8):
    PROTOS[f"random-{seed}"] = b"k8s\x00" + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
nested = b""
for _ in range(300):
    nested = _field(1, nested)
PROTOS["deep-nesting"] = b"k8s\x00" + TYPEMETA + _field(2, _field(1, nested))
for name, blob in PROTOS.items():
    add(f"protobuf/create-configmap/{name}", "POST", CM, b64(blob), {"Content-Type": "application/vnd.kubernetes.protobuf"})
for name in ("magic-only", "endless-varint", "random-0", "raw-garbage", "huge-length"):
    add(f"protobuf/create-deployment/{name}", "POST", DEP, b64(PROTOS[name]),
        {"Content-Type": "application/vnd.kubernetes.protobuf"})

# ---- 7. query parameters ----------------------------------------------------------------------------
QUERIES = [("GET", "/api/v1/pods?labelSelector=a%20in%20("), ("GET", "/api/v1/pods?labelSelector=!!"),
           ("GET", "/api/v1/pods?labelSelector=%3D"), ("GET", "/api/v1/pods?labelSelector=a%3D%3D%3Db"),
           ("GET", "/api/v1/pods?labelSelector=" + "a%2C" * 5000 + "b%20in%20("),
           ("GET", "/api/v1/pods?fieldSelector=metadata.foo%3Dx"), ("GET", "/api/v1/pods?fieldSelector=%3D%3D"),
           ("GET", "/api/v1/pods?watch=1&resourceVersion=abc"), ("GET", "/api/v1/pods?watch=1&resourceVersion=-5"),
           ("GET", "/api/v1/pods?watch=1&timeoutSeconds=x"), ("GET", "/api/v1/pods?watch=1&timeoutSeconds=-1"),
           ("GET", "/api/v1/pods?watch=1&timeoutSeconds=nan"), ("GET", "/api/v1/pods?watch=1&timeoutSeconds=1e400"),
           ("GET", "/api/v1/pods?watch=1&labelSelector=a%20in%20("),
           ("GET", POD + "/victim?watch=1"), ("GET", POD + "/victim/log?tailLines=x"),
           ("GET", POD + "/victim/log?container=nope"), ("GET", POD + "/nope/log"),
           ("GET", POD + "/victim/log?previous=true")]
for i, (m, p) in enumerate(QUERIES):
    add(f"query/{i}", m, p)

# ---- 8. paths and verbs --------------------------------------------------------------------------
PATHS = ["/api/v1/namespaces/default/gizmos", "/api/v2/pods", "/apis/apps/v9/deployments", "/apis/nope/v1/things",
         "/api/v1/namespaces/default/pods/victim/exec", "/api/v1/namespaces/default/pods/victim/attach",
         "/api/v1/namespaces/default/pods/victim/portforward", "/api/v1/namespaces/default/pods/a/b/c/d",
         "/api/v1/namespaces/default/pods/%ff", "/api/v1/namespaces/..%2F..%2Fetc/pods", "/api/v1/nodes/node-1/proxy/x",
         "/api/v1/namespaces/nope-ns/pods/x", "/api/v1/namespaces/default/configmaps/nope", "/api/v1/nodes/nope",
         "/" + "a" * 20000, "/api/v1/" + "x/" * 3000, "/kubeplay/v1/nope", "/kubeplay/v2/clock", "/static/../webapp/cli.py",
         "/static/%2e%2e/webapp/cli.py", "/api/v1/namespaces/default/pods/victim/status/extra",
         "/apis/apps/v1/namespaces/default/deployments/nope/scale", "/api/v1/namespaces/default/services/nope/proxy"]
for i, p in enumerate(PATHS):
    add(f"path/get/{i}", "GET", p)
    add(f"path/post/{i}", "POST", p, text("{}"), JSON)
VERBS = [("DELETE", POD + "/victim/log"), ("PUT", "/api/v1/namespaces"), ("PATCH", CM),
         ("POST", CM_KEEP), ("PUT", CM), ("POST", POD + "/victim/status"), ("DELETE", SCALE),
         ("POST", SCALE), ("GET", POD + "/victim/eviction"), ("GET", POD + "/victim/binding"),
         ("TRACE", "/api/v1/pods"), ("PROPFIND", "/"), ("BREW", "/api/v1/pods"), ("CONNECT", "/api/v1/pods"),
         ("GET", "/kubeplay/v1/terminal"), ("PUT", "/kubeplay/v1/clock"), ("DELETE", "/kubeplay/v1/nodes"),
         ("GET", "/kubeplay/v1/apply"), ("PATCH", "/kubeplay/v1/timings"), ("POST", "/api/v1/pods"),
         ("POST", "/apis/apps/v1/deployments"), ("DELETE", "/api/v1/configmaps"), ("DELETE", "/api/v1/namespaces"),
         ("DELETE", "/api/v1/namespaces/default"), ("DELETE", "/api/v1/namespaces/kube-system"),
         ("DELETE", "/api/v1/namespaces/kube-public")]
for i, (m, p) in enumerate(VERBS):
    add(f"verb/{i}", m, p, text("{}") if m in ("POST", "PUT", "PATCH") else None,
        {"Content-Type": "application/merge-patch+json"} if m == "PATCH" else JSON)

# ---- 9. the page's own endpoints with garbage -----------------------------------------------------
PAGE_BODIES = [("/kubeplay/v1/clock", b) for b in ['{"speed":"x"}', '{"speed":-1}', '{"speed":1e308}', '{"speed":0}',
                                                  '{"step":0}', '{"step":-1}', '{"step":"x"}', '[]', '"x"', "null", "{",
                                                  '{"speed":NaN}', '{"speed":true}']]
PAGE_BODIES += [("/kubeplay/v1/timings", b) for b in ['{"realistic":"yes"}', '{"realistic":1}', "{}", "[]", "{"]]
PAGE_BODIES += [("/kubeplay/v1/nodes", b) for b in ['{"name":5}', '{"name":"A_B"}', '{"name":""}', '{"pods":0}',
                                                   '{"pods":"x"}', '{"pods":1e9}', '{"cpu":"abc"}', '{"memory":"-5Gi"}',
                                                   '{"cpu":4}', '{"name":"node-1"}', "[]", '{"name":"' + "a" * 300 + '"}']]
PAGE_BODIES += [("/kubeplay/v1/apply", b) for b in ['{"yaml":5}', '{"yaml":"kind: [oops"}', "{}", "[]",
                                                   json.dumps({"yaml": LAUGHS}), json.dumps({"yaml": "a: " + "[" * 50000}),
                                                   json.dumps({"yaml": "a: " + "[" * 20000 + "]" * 20000}), json.dumps({"yaml": "kind: Gizmo\napiVersion: v1\nmetadata: {name: g}\n"}),
                                                   json.dumps({"yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok1}\n---\nkind: [bad\n"}),
                                                   json.dumps({"yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n  containers:\n  - {name: c, image: x, resources: {requests: {cpu: 1e1000000}}}\n"})]]
PAGE_BODIES += [("/kubeplay/v1/delete", b) for b in ['{"yaml":5}', '{"yaml":"kind: [oops"}', "[]"]]
PAGE_BODIES += [("/kubeplay/v1/terminal", b) for b in ['{"command":5}', "{}", "[]", json.dumps({"command": "x" * 20000})]]
PAGE_BODIES += [(f"/kubeplay/v1/nodes/{n}/{a}", "{}") for n in ("nope", "%00", "a" * 300) for a in ("fail", "recover", "drain")]
for i, (p, b) in enumerate(PAGE_BODIES):
    add(f"page/{i}", "POST", p, text(b), PAGE)
    if i % 3 == 0:
        add(f"page/not-json/{i}", "POST", p, text(b), {"X-Kubeplay-Request": "page", "Content-Type": "text/plain"})

# ---- 10. cross-site and rebinding ------------------------------------------------------------------
GOOD_CM = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "xsite"}})
for i, (hdrs, path, body) in enumerate([
    ({"Origin": "http://evil.example"}, CM, GOOD_CM),
    ({"Origin": "null"}, CM, GOOD_CM),
    ({"Origin": "http://127.0.0.1.evil.example"}, CM, GOOD_CM),
    ({"Origin": "http://localhost:1"}, CM, GOOD_CM),
    ({"Origin": "file://"}, CM, GOOD_CM),
    ({"Sec-Fetch-Site": "cross-site"}, CM, GOOD_CM),
    ({"Sec-Fetch-Site": "same-site"}, CM, GOOD_CM),
    ({"Host": "evil.example"}, CM, GOOD_CM),
    ({"Host": "evil.example:{port}"}, CM, GOOD_CM),
    ({"Host": "localhost.:{port}"}, CM, GOOD_CM),
    ({"Host": "127.0.0.2:{port}"}, CM, GOOD_CM),
    ({"Host": "[::1]:1"}, CM, GOOD_CM),
    ({"Host": "{host}@evil.example"}, CM, GOOD_CM),
    ({"Host": "evil.example:{port}"}, "/kubeplay/v1/clock", '{"paused":true}'),
    ({"Origin": "http://evil.example"}, "/kubeplay/v1/clock", '{"paused":true}'),
    ({"Origin": "http://evil.example"}, "/kubeplay/v1/nodes/node-1/fail", "{}"),
    ({"Host": "evil.example:{port}"}, "/kubeplay/v1/nodes/node-1/drain", "{}"),
    ({"Origin": "http://evil.example", "Content-Type": "text/plain"}, POD + "/victim/eviction", '{"kind":"Eviction"}'),
    ({"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, CM, GOOD_CM),
    ({"Content-Type": "text/plain"}, CM, GOOD_CM),
    ({"Content-Type": "multipart/form-data; boundary=x"}, CM, GOOD_CM),
    ({"Content-Type": "application/x-www-form-urlencoded"}, "/kubeplay/v1/terminal", '{"command":"kubectl get pods"}'),
    ({"Content-Type": "application/json"}, "/kubeplay/v1/terminal", '{"command":"kubectl delete cm keep"}'),
]):
    h = dict(JSON if path.startswith("/api") else PAGE)
    h.update(hdrs)
    if i in (21, 22):
        h.pop("X-Kubeplay-Request", None)
    add(f"cross-site/{i}", "POST", path, text(body), h)
for i, host in enumerate(["evil.example", "evil.example:{port}", "", "a b", "{host}:1", "[::1"]):
    add(f"rebind/get/{i}", "GET", "/api/v1/namespaces/default/configmaps/keep", headers={"Host": host})
    add(f"rebind/delete/{i}", "DELETE", "/api/v1/nodes/node-3", headers={"Host": host})

# ---- 11. framing -------------------------------------------------------------------------------------
RAW = {
    "bad-version": "GET /api/v1/pods HTTP/9.9\r\nHost: {host}\r\nConnection: close\r\n\r\n",
    "no-version": "GET /api/v1/pods\r\n\r\n",
    "junk-line": "\x00\x01\x02 garbage\r\n\r\n",
    "negative-length": "POST " + CM + " HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: -5\r\nConnection: close\r\n\r\n{}",
    "nonnumeric-length": "POST " + CM + " HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: x\r\nConnection: close\r\n\r\n{}",
    "bad-chunk": "POST " + CM + " HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "short-chunk": "POST " + CM + " HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n100\r\n{}\r\n0\r\n\r\n",
    "two-hosts": "POST " + CM + " HTTP/1.1\r\nHost: evil.example\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    "absolute-uri": "GET http://evil.example/api/v1/pods HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    "huge-header": "GET /api/v1/pods HTTP/1.1\r\nHost: {host}\r\nX-Big: " + "a" * 70000 + "\r\nConnection: close\r\n\r\n",
    "many-headers": "GET /api/v1/pods HTTP/1.1\r\nHost: {host}\r\n" + "X-H: 1\r\n" * 200 + "Connection: close\r\n\r\n",
    "space-in-path": "GET /api/v1/pods x HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
}
for name, raw in RAW.items():
    add(f"framing/{name}", "", "", raw=text(raw))
# A body over the apiserver's 3 MiB limit, declared and sent.
add("size/json-4mib", "POST", CM, repeat("a", 4 * 1024 * 1024, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"', '"}}'), JSON)
add("size/yaml-4mib", "POST", CM, repeat("a", 4 * 1024 * 1024, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bigy}\ndata: {a: ", "}\n"),
    {"Content-Type": "application/yaml"})
add("size/page-4mib", "POST", "/kubeplay/v1/apply", repeat("a", 4 * 1024 * 1024, '{"yaml":"', '"}'), PAGE)


def main() -> None:
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), "duplicate ids"
    with open(OUT, "w") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=True, separators=(",", ":")) + "\n")
    print(f"wrote {len(entries)} requests to {OUT}")


if __name__ == "__main__":
    main()
