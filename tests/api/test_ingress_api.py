"""Ingress and IngressClass over the HTTP API: the apiserver's validation texts (422 with causes,
nothing stored), the DefaultIngressClass admission, the status subresource, and the
server-side Table columns kubectl get prints."""
import pytest

NS = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
CLASSES = "/apis/networking.k8s.io/v1/ingressclasses"
TABLE = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}


def ingress(name, spec, **md):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, **md}, "spec": spec}


def path(p="/", ptype="Prefix", service=None):
    out = {"path": p, "backend": service or {"service": {"name": "web", "port": {"number": 80}}}}
    if ptype is not None:
        out["pathType"] = ptype
    return out


def rules(*paths, host="web.example"):
    return [{"host": host, "http": {"paths": list(paths)}}]


def ingress_class(name, controller="example.com/ingress", default=False):
    md = {"name": name}
    if default:
        md["annotations"] = {"ingressclass.kubernetes.io/is-default-class": "true"}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": md,
            "spec": {"controller": controller} if controller else {}}


def refused(client, url, obj, message):
    r = client.post(url, json=obj)
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["reason"] == "Invalid" and body["message"] == message
    assert client.get(f"{url}/{obj['metadata']['name']}").status_code == 404
    return body


@pytest.mark.parametrize("spec, message", [
    ({"rules": rules(path(ptype=None))},
     "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"),
    ({}, "spec: Invalid value: null: either `defaultBackend` or `rules` must be specified"),
    ({"rules": rules(path("api", "Prefix"))},
     'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'),
    ({"rules": rules(path("/a//b", "Exact"))},
     "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"),
    ({"rules": rules(path("/", "Regex"))},
     'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: '
     '"Exact", "ImplementationSpecific", "Prefix"'),
    ({"rules": rules(path(), host="10.0.0.1")},
     'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'),
    ({"rules": rules(path(), host="*.*.example")},
     'spec.rules[0].host: Invalid value: "*.*.example": a wildcard DNS-1123 subdomain must start with \'*.\', '
     "followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' "
     "and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is "
     "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ({"rules": rules(path(service={"service": {"name": "web", "port": {"number": 80, "name": "http"}}}))},
     'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'),
    ({"rules": rules(path(service={"service": {"name": "web", "port": {}}}))},
     "spec.rules[0].http.paths[0].backend: Required value: port name or number is required"),
    ({"defaultBackend": {"service": {"name": "Web", "port": {"number": 80}}}},
     'spec.defaultBackend.service.name: Invalid value: "Web": a DNS-1035 label must consist of lower case '
     "alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character "
     "(e.g. 'my-name' or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"),
    ({"defaultBackend": {}}, 'spec.defaultBackend: Invalid value: "": resource or service backend is required'),
])
def test_invalid_ingresses_are_refused_with_the_apiservers_text(client, spec, message):
    body = refused(client, NS, ingress("bad", spec), f'Ingress.networking.k8s.io "bad" is invalid: {message}')
    assert body["details"]["group"] == "networking.k8s.io" and body["details"]["kind"] == "Ingress"


def test_several_errors_and_the_class_annotation_must_match(client):
    spec = {"ingressClassName": "nginx", "rules": rules(path("x", "Exact"), path("/ok", "Prefix"))}
    refused(client, NS, ingress("bad", spec, annotations={"kubernetes.io/ingress.class": "other"}),
            'Ingress.networking.k8s.io "bad" is invalid: [spec.rules[0].http.paths[0].path: Invalid value: "x": '
            'must be an absolute path, annotations.kubernetes.io/ingress.class: Invalid value: "other": '
            "must match `ingressClassName` when both are specified]")


def test_ingress_class_validation_and_immutable_controller(client):
    refused(client, CLASSES, ingress_class("c1", controller=""),
            'IngressClass.networking.k8s.io "c1" is invalid: spec.controller: Required value')
    refused(client, CLASSES, ingress_class("c1", controller="nginx"),
            'IngressClass.networking.k8s.io "c1" is invalid: spec.controller: Invalid value: "nginx": '
            'must be a domain-prefixed path (such as "acme.io/foo")')
    made = client.post(CLASSES, json=ingress_class("c1")).get_json()
    made["spec"]["controller"] = "example.com/other"
    r = client.put(f"{CLASSES}/c1", json=made)
    assert r.status_code == 422
    assert r.get_json()["message"] == ('IngressClass.networking.k8s.io "c1" is invalid: spec.controller: '
                                       'Invalid value: "example.com/other": field is immutable')


def test_default_class_admission_status_and_table(client):
    # no default class yet: the Ingress keeps no class
    r = client.post(NS, json=ingress("plain", {"rules": rules(path())}))
    assert r.status_code == 201 and "ingressClassName" not in r.get_json()["spec"]
    assert r.get_json()["status"] == {"loadBalancer": {}}
    assert client.post(CLASSES, json=ingress_class("older", default=True)).status_code == 201
    assert client.post(CLASSES, json=ingress_class("newer", controller="example.com/x/y", default=True)).status_code == 201
    made = client.post(NS, json=ingress("classy", {"rules": rules(path(), host="a.example"),
                                                   "tls": [{"hosts": ["a.example"], "secretName": "a-tls"}]})).get_json()
    assert made["spec"]["ingressClassName"] == "newer"     # the newest (created the same second: by name)
    explicit = client.post(NS, json=ingress("explicit", {"ingressClassName": "older", "defaultBackend": path()["backend"]}))
    assert explicit.get_json()["spec"]["ingressClassName"] == "older"
    # status is its own subresource: a spec write keeps it, a status write sets it
    made["status"] = {"loadBalancer": {"ingress": [{"hostname": "localhost"}]}}
    r = client.put(f"{NS}/classy/status", json=made)
    assert r.status_code == 200, r.get_json()
    bad = r.get_json()
    bad["status"] = {"loadBalancer": {"ingress": [{"hostname": "1.2.3.4"}]}}
    r = client.put(f"{NS}/classy/status", json=bad)
    assert r.status_code == 422 and r.get_json()["message"] == (
        'Ingress.networking.k8s.io "classy" is invalid: status.loadBalancer.ingress[0].hostname: '
        'Invalid value: "1.2.3.4": must be a DNS name, not an IP address')

    table = client.get(NS, headers=TABLE).get_json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Class", "Hosts", "Address", "Ports", "Age"]
    cells = {row["cells"][0]: row["cells"][1:5] for row in table["rows"]}
    assert cells["plain"] == ["<none>", "web.example", "", "80"]
    assert cells["classy"] == [made["spec"]["ingressClassName"], "a.example", "localhost", "80, 443"]
    assert cells["explicit"] == ["older", "*", "", "80"]
    table = client.get(CLASSES, headers=TABLE).get_json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Controller", "Parameters", "Age"]
    assert {row["cells"][0]: row["cells"][1:3] for row in table["rows"]} == {
        "older": ["example.com/ingress", "<none>"], "newer": ["example.com/x/y", "<none>"]}
