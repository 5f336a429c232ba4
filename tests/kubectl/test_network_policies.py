"""NetworkPolicies through the real kubectl (both versions): a default-deny policy makes
`kubectl exec client -- curl --connect-timeout 2 http://web` wait and fail with curl's own
timeout text, an allow rule on the client's label lets it through; `kubectl get networkpolicy`
columns, `kubectl describe networkpolicy`, and the apiserver's validation texts."""
from __future__ import annotations

import json
import re

from test_network_between_pods import _apply, _client, _deployment, _endpoints_ready, _ready, _service


def _policy(name, spec):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name}, "spec": spec}


def test_default_deny_times_curl_out_and_an_allow_rule_admits_the_client(kube_ns):
    _apply(kube_ns, _deployment("web", "nginx:1.27", 1, 80), _service("web", 80, 80))
    _client(kube_ns)
    kube_ns.wait_running("app=web", 1)
    _ready(kube_ns, "client")
    _endpoints_ready(kube_ns, "web", 1)
    ok = kube_ns("exec", "client", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://web")
    assert ok.stdout == "200"

    _apply(kube_ns, _policy("default-deny", {"podSelector": {}}))
    cp = kube_ns("exec", "client", "--", "curl", "--connect-timeout", "2", "http://web", check=False)
    assert cp.returncode == 28
    assert cp.stderr == ("curl: (28) Connection timed out after 2001 milliseconds\n"
                         "command terminated with exit code 28\n")

    _apply(kube_ns, _policy("web-from-client", {
        "podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"run": "client"}}}], "ports": [{"port": 80}]}]}))
    ok = kube_ns("exec", "client", "--", "curl", "-s", "--connect-timeout", "2", "-o", "/dev/null",
                 "-w", "%{http_code}", "http://web")
    assert ok.stdout == "200"

    head, rows = kube_ns.table("get", "networkpolicy")
    assert head == ["NAME", "POD-SELECTOR", "AGE"]
    assert [(r["NAME"], r["POD-SELECTOR"]) for r in rows] == [("default-deny", "<none>"), ("web-from-client", "app=web")]
    out = kube_ns("describe", "networkpolicy", "web-from-client").stdout
    assert "PodSelector:     app=web" in out
    assert "Allowing ingress traffic:" in out and "To Port: 80/TCP" in out and "PodSelector: run=client" in out
    assert "Policy Types: Ingress" in out
    stored = json.loads(kube_ns("get", "netpol", "default-deny", "-o", "json").stdout)
    assert stored["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}


def test_the_apiserver_refuses_a_bad_policy_with_its_texts(kube_ns):
    bad = _policy("bad", {"podSelector": {}, "policyTypes": ["Ingress", "Sideways"],
                          "ingress": [{"ports": [{"port": "web", "endPort": 90}]}]})
    cp = kube_ns("apply", "-f", "-", input=json.dumps(bad), check=False)
    assert cp.returncode == 1
    assert cp.stderr == (
        'The NetworkPolicy "bad" is invalid: \n'
        "* spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric\n"
        '* spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"\n')


def test_the_terminal_describes_and_lists_policies_as_kubectl_does(kube_ns):
    _apply(kube_ns, _policy("rich", {
        "podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "a"}}, "podSelector": {"matchLabels": {"x": "y"}}},
                              {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16", "10.2.0.0/16"]}}],
                     "ports": [{"port": "http"}, {"port": 8000, "endPort": 8100}, {"port": 53, "protocol": "UDP"}]},
                    {"from": [{"namespaceSelector": {}}]}],
        "egress": [{}]}),
        {**_policy("deny", {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["db", "cache"]}]},
                            "policyTypes": ["Ingress", "Egress"]}),
         "metadata": {"name": "deny", "labels": {"purpose": "lockdown"}}})
    for command in ("describe networkpolicy rich", "describe netpol deny", "get networkpolicies", "get netpol -o wide"):
        real = kube_ns(*command.split())
        mine = kube_ns.server.post_json("/kubeplay/v1/terminal", {"command": f"kubectl {command} -n {kube_ns.ns}"})
        # the shared server's clock runs: the terminal and kubectl may see it a second apart
        created = re.compile(r"^Created on:   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$", re.M)
        assert len(created.findall(mine["output"])) == len(created.findall(real.stdout))
        age = re.compile(r"\b\d+s$", re.M)        # and ages a second apart
        want, got = (age.sub("Ns", created.sub("Created on:", text)) for text in (real.stdout, mine["output"]))
        assert (got, mine["exitCode"]) == (want, 0), command
