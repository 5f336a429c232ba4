"""NetworkPolicies over HTTP: the apiserver's validation texts (422 Status with its causes, nothing
stored), defaulting on the way in, the server-side Table (NAME POD-SELECTOR AGE), and the page's
GET /kubeplay/v1/networkpolicies/<ns>/<pod> (who may reach a pod, whom it may reach, in words)
behind the same guard as every route."""
from __future__ import annotations

POLICIES = "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def _policy(name, spec):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name}, "spec": spec}


def test_a_bad_policy_is_a_422_with_the_apiservers_texts_and_nothing_is_stored(client):
    bad = _policy("bad", {"podSelector": {"matchLabels": {"app": "-web"}},
                          "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.1"}, "namespaceSelector": {}}],
                                       "ports": [{"port": 0, "protocol": "icmp"}, {"port": 100, "endPort": 99}]}],
                          "egress": [{"to": [{"ipBlock": {"cidr": ""}}]}],
                          "policyTypes": ["Ingress", "Egress", "Both"]})
    r = client.post(POLICIES, json=bad)
    assert r.status_code == 422
    body = r.get_json()
    assert body["reason"] == "Invalid" and body["details"] == {
        "name": "bad", "group": "networking.k8s.io", "kind": "NetworkPolicy", "causes": body["details"]["causes"]}
    assert body["message"] == (
        'NetworkPolicy.networking.k8s.io "bad" is invalid: ['
        'spec.podSelector.matchLabels: Invalid value: "-web": a valid label must be an empty string or consist of '
        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
        "'MyValue' or 'my_value' or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'), "
        'spec.ingress[0].ports[0].protocol: Unsupported value: "icmp": supported values: "TCP", "UDP", "SCTP", '
        "spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, "
        "spec.ingress[0].ports[1].endPort: Invalid value: 99: must be greater than or equal to `port`, "
        'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.1": must be a valid CIDR value, '
        "(e.g. 10.9.8.0/24 or 2001:db8::/64), "
        "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer, "
        "spec.egress[0].to[0].ipBlock.cidr: Required value, "
        'spec.policyTypes: Invalid value: ["Ingress","Egress","Both"]: may not specify more than two policyTypes]')
    assert client.get(f"{POLICIES}/bad").status_code == 404


def test_defaults_and_the_table(client):
    r = client.post(POLICIES, json=_policy("egress-dns", {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}))
    assert r.status_code == 201
    assert r.get_json()["spec"] == {"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "TCP"}]}],
                                    "policyTypes": ["Ingress", "Egress"]}
    client.post(POLICIES, json=_policy("web", {"podSelector": {"matchLabels": {"app": "web"}}}))
    t = client.get(POLICIES, headers={"Accept": TABLE}).get_json()
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Pod-Selector", "Age"]
    assert [row["cells"][:2] for row in t["rows"]] == [["egress-dns", "<none>"], ["web", "app=web"]]


def test_the_pages_view_of_a_pods_policies(client, cluster):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
           "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"name": "http", "containerPort": 80}]}]}}
    assert client.post("/api/v1/namespaces/default/pods", json=pod).status_code == 201
    view = client.get("/kubeplay/v1/networkpolicies/default/web").get_json()
    assert view == {"ingress": {"isolated": False, "policies": []}, "egress": {"isolated": False, "policies": []}}
    client.post(POLICIES, json=_policy("web", {
        "podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "blue"}},
                               "podSelector": {"matchLabels": {"app": "frontend"}}},
                              {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                     "ports": [{"port": "http"}, {"port": 8000, "endPort": 8100, "protocol": "UDP"}]}]}))
    view = client.get("/kubeplay/v1/networkpolicies/default/web").get_json()
    assert view == {
        "ingress": {"isolated": True, "policies": [{"name": "web", "rules": [
            "from pods app=frontend in namespaces team=blue or addresses in 10.0.0.0/8 except 10.1.0.0/16 "
            "on TCP http, UDP 8000-8100"]}]},
        "egress": {"isolated": True, "policies": [{"name": "web", "rules": []}]}}
    r = client.get("/kubeplay/v1/networkpolicies/default/nope")
    assert r.status_code == 404 and r.get_json()["message"] == 'pods "nope" not found'
    # the guard's Host allow-list, as for every route
    r = client.get("/kubeplay/v1/networkpolicies/default/web", headers={"Host": "evil.example"})
    assert r.status_code == 403 and "--allow-host" in r.get_json()["message"]
