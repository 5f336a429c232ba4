"""NetworkPolicies in the simulated network (engine/network_policy.py, engine/kubelet/network.py):
which connections a CNI that implements them (Calico, Cilium) lets through, and what a dropped
connection looks like from inside the client (curl/wget/nslookup waiting, then their timeout
texts). The evaluation is pure, so most cases call it on the store directly."""
import pytest

from engine import errors, network_policy, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from pod_helpers import running
from test_network import client, deployment, service, settle, sh


def policy(name, spec, namespace="default"):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def pod(cluster, name, labels, namespace="default", ports=()):
    c = {"name": "c", "image": "nginx", "ports": [dict(p) for p in ports]}
    cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": name, "namespace": namespace, "labels": labels},
                          "spec": {"containers": [c]}})
    return running(cluster, name, namespace=namespace)


def namespace(cluster, name, labels=None):
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}})


def verdict(cluster, src, dst, port, protocol="TCP", dst_ip=None):
    s = cluster.store.get(kinds.POD, *src.split("/"))
    d = cluster.store.get(kinds.POD, *dst.split("/")) if dst else None
    return network_policy.evaluate(cluster.store, s, s["status"]["podIP"], d,
                                   dst_ip or d["status"]["podIP"], port, protocol)


@pytest.fixture
def pods(cluster):
    namespace(cluster, "other", {"team": "blue"})
    pod(cluster, "web", {"app": "web"}, ports=[{"name": "http", "containerPort": 80}])
    pod(cluster, "front", {"app": "frontend"})
    pod(cluster, "stranger", {"app": "stranger"})
    pod(cluster, "visitor", {"app": "frontend"}, namespace="other")
    return cluster


def test_without_policies_everything_is_allowed_and_a_default_deny_isolates_every_pod(pods):
    assert verdict(pods, "default/front", "default/web", 80).allowed
    pods.store.create(policy("default-deny", {"podSelector": {}}))
    v = verdict(pods, "default/front", "default/web", 80)
    assert not v.allowed and v.direction == "ingress" and v.policies == ("default/default-deny",)
    assert v.words() == "dropped by NetworkPolicy default-deny (ingress)"
    # ingress only: the pods' own egress is not isolated, so a pod in another namespace is reached
    assert verdict(pods, "default/web", "other/visitor", 80).allowed


def test_pod_selector_namespace_selector_and_both_in_one_peer(pods):
    pods.store.create(policy("default-deny", {"podSelector": {}}))
    pods.store.create(policy("from-frontend", {"podSelector": {"matchLabels": {"app": "web"}},
                                               "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}]}]}))
    assert verdict(pods, "default/front", "default/web", 80).allowed
    assert not verdict(pods, "default/stranger", "default/web", 80).allowed
    # a podSelector alone means this namespace only
    assert not verdict(pods, "other/visitor", "default/web", 80).allowed
    pods.store.create(policy("from-blue", {"podSelector": {"matchLabels": {"app": "web"}},
                                           "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "blue"}},
                                                                  "podSelector": {"matchLabels": {"app": "backend"}}}]}]}))
    assert not verdict(pods, "other/visitor", "default/web", 80).allowed      # both must match: not a backend
    pods.store.create(policy("from-blue-frontends", {
        "podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "other"}},
                               "podSelector": {"matchLabels": {"app": "frontend"}}}]}]}))
    assert verdict(pods, "other/visitor", "default/web", 80).allowed


def test_ports_numbers_ranges_names_and_protocols(pods):
    pods.store.create(policy("web-ports", {"podSelector": {"matchLabels": {"app": "web"}},
                                           "ingress": [{"ports": [{"port": "http"}, {"port": 8000, "endPort": 8100},
                                                                  {"port": 53, "protocol": "UDP"}]}]}))
    assert verdict(pods, "default/front", "default/web", 80).allowed            # the named port, resolved on web
    assert verdict(pods, "default/front", "default/web", 8080).allowed          # in the range
    assert not verdict(pods, "default/front", "default/web", 8101).allowed
    assert not verdict(pods, "default/front", "default/web", 53).allowed        # TCP 53 is not UDP 53
    assert verdict(pods, "default/front", "default/web", 53, "UDP").allowed


def test_egress_ip_block_with_except_and_both_sides_must_agree(pods):
    web_ip = pods.store.get(kinds.POD, "default", "web")["status"]["podIP"]
    pods.store.create(policy("egress-only-web", {
        "podSelector": {"matchLabels": {"app": "frontend"}}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.244.0.0/16", "except": [f"{web_ip}/32"]}}]}]}))
    v = verdict(pods, "default/front", "default/web", 80)
    assert not v.allowed and v.direction == "egress" and v.policies == ("default/egress-only-web",)
    assert verdict(pods, "default/front", "default/stranger", 80).allowed
    assert not verdict(pods, "default/front", None, 80, dst_ip="203.0.113.7").allowed   # outside the block
    # the destination's ingress is judged too
    pods.store.create(policy("deny-stranger", {"podSelector": {"matchLabels": {"app": "stranger"}}, "ingress": []}))
    v = verdict(pods, "default/front", "default/stranger", 80)
    assert not v.allowed and v.direction == "ingress" and v.policies == ("default/deny-stranger",)


def test_the_policy_in_words_for_the_page(pods):
    pods.store.create(policy("from-frontend", {"podSelector": {"matchLabels": {"app": "web"}},
                                               "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}],
                                                            "ports": [{"port": 80}]}]}))
    view = network_policy.pod_view(pods.store, pods.store.get(kinds.POD, "default", "web"))
    assert view["ingress"] == {"isolated": True, "policies": [
        {"name": "from-frontend", "rules": ["from pods app=frontend in this namespace on TCP 80"]}]}
    assert view["egress"] == {"isolated": False, "policies": []}


def test_validation_and_defaulting_as_the_apiserver(cluster):
    np = cluster.store.create(policy("egress", {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}))
    assert np["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert np["spec"]["egress"] == [{"ports": [{"port": 53, "protocol": "TCP"}]}]
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(policy("bad", {"podSelector": {}, "ingress": [{"from": [{}], "ports": [{"endPort": 9}]}],
                                            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]},
                                                                "podSelector": {}}]}]}))
    assert e.value.status()["message"] == (
        'NetworkPolicy.networking.k8s.io "bad" is invalid: [spec.ingress[0].ports[0].endPort: Invalid value: 9: '
        "may not be specified when `port` is not specified, spec.ingress[0].from[0]: Required value: must specify "
        'a peer, spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of '
        "`cidr`, spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer]")


@pytest.fixture
def addons():
    """A cluster with kubeadm's addons: lookups go to CoreDNS pods, which policies can cut off."""
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2, control_plane=True)
    c.run_until_idle()
    c.store.create(deployment("web", "nginx", 2))
    c.store.create(service("web", 80, 80))
    client(c)
    settle(c, 30)
    yield c
    c.stop()


def test_a_dropped_connection_times_out_with_curls_and_wgets_texts_and_is_recorded(addons):
    assert sh(addons, "client", "curl -s -o /dev/null -w '%{http_code}' web") == (0, "200", "")
    addons.store.create(policy("default-deny", {"podSelector": {}, "policyTypes": ["Ingress"]}))
    assert sh(addons, "client", "curl --connect-timeout 1 http://web") == (
        28, "", "curl: (28) Connection timed out after 1001 milliseconds\n")
    item = addons.traffic.since(0)[0][-1]
    assert item["error"] == "timeout" and item["service"] == "default/web"
    assert item["endpoint"].startswith("default/web-")       # the backend chosen, not the ClusterIP, was judged
    assert item["policy"] == "dropped by NetworkPolicy default-deny (ingress)"
    said = [d for d in addons.decisions.since(0)[0] if d["controller"] == "network"]
    assert said[-1]["refs"] == ["default/default-deny"] and "no Event" in said[-1]["message"]
    # an allow rule on the client's label lets it in; replies pass
    addons.store.create(policy("allow-client", {"podSelector": {"matchLabels": {"app": "web"}},
                                                "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "client"}}}]}]}))
    assert sh(addons, "client", "wget -T 1 -qO- web")[2] == "wget: download timed out\n"
    addons.store.patch(kinds.POD, "default", "client", "merge", {"metadata": {"labels": {"role": "client"}}})
    assert sh(addons, "client", "curl -s -o /dev/null -w '%{http_code}' --connect-timeout 1 web") == (0, "200", "")
    # port-forward goes through the kubelet, not the pod network: never judged
    web = sorted(p["metadata"]["name"] for p in addons.store.iter(kinds.POD, "default") if p["metadata"]["name"].startswith("web-"))[0]
    net = addons.controller("kubelet").network
    from engine.kubelet import servers
    resp, error = net.answer(addons.store.get(kinds.POD, "default", web), 80, servers.Request("GET", "/", "localhost", [], b""))
    assert error == "" and resp.status == 200


def test_a_default_deny_egress_also_cuts_off_dns_unless_allowed(addons):
    addons.store.create(policy("deny-egress", {"podSelector": {}, "policyTypes": ["Egress"]}))
    assert sh(addons, "client", "curl --connect-timeout 1 http://web") == (
        28, "", "curl: (28) Resolving timed out after 1001 milliseconds\n")
    # by address the lookup is skipped and the connection itself is dropped
    ip = addons.store.get(kinds.SERVICE, "default", "web")["spec"]["clusterIP"]
    assert sh(addons, "client", f"curl -m 1 http://{ip}")[2] == "curl: (28) Connection timed out after 1001 milliseconds\n"
    addons.store.create(policy("allow-dns", {
        "podSelector": {}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}))
    # names resolve again, the connection to web is still dropped by the egress policy
    assert sh(addons, "client", "curl --connect-timeout 1 http://web")[2] == (
        "curl: (28) Connection timed out after 1001 milliseconds\n")
    addons.store.create(policy("allow-web", {"podSelector": {}, "policyTypes": ["Egress"],
                                             "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]}))
    assert sh(addons, "client", "curl -s -o /dev/null -w '%{http_code}' web") == (0, "200", "")


def test_busybox_nc_sees_the_port_open_then_waits_out_its_w_when_dropped(addons):
    client(addons, "bb", "busybox:1.36")
    ip = addons.store.get(kinds.SERVICE, "default", "web")["spec"]["clusterIP"]
    assert sh(addons, "bb", "nc -zv -w 1 web 80") == (0, "", f"web ({ip}:80) open\n")
    out = sh(addons, "bb", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 web 80")[1]
    assert out.startswith("HTTP/1.1 200 OK\r\nServer: nginx/")
    addons.store.create(policy("default-deny", {"podSelector": {}}))
    assert sh(addons, "bb", "nc -zv -w 1 web 80") == (1, "", f"nc: web ({ip}:80): Connection timed out\n")
    assert sh(addons, "bb", "nc -z -w 1 web 80") == (1, "", "")          # quiet without -v, as nc_bloaty
    assert addons.traffic.since(0)[0][-1]["policy"] == "dropped by NetworkPolicy default-deny (ingress)"


def test_match_expressions_and_ping_only_through_rules_without_ports(pods):
    pods.store.create(policy("web-tiers", {
        "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]},
        "ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn",
                                                                      "values": ["stranger"]}]}}],
                     "ports": [{"port": 80}]}]}))
    assert verdict(pods, "default/front", "default/web", 80).allowed
    assert not verdict(pods, "default/stranger", "default/web", 80).allowed
    # ICMP is not TCP 80: ping is dropped until a rule without ports allows the peer
    assert not verdict(pods, "default/front", "default/web", 0, "ICMP").allowed
    pods.store.create(policy("web-any-port", {"podSelector": {"matchLabels": {"app": "web"}},
                                              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}]}]}))
    assert verdict(pods, "default/front", "default/web", 0, "ICMP").allowed


def test_host_network_pods_are_neither_selected_nor_matched_by_pod_selectors(pods):
    pods.store.create({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": "hostie", "namespace": "default", "labels": {"app": "frontend"}},
                       "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "nginx"}]}})
    running(pods, "hostie")
    pods.store.create(policy("from-frontend", {"podSelector": {"matchLabels": {"app": "web"}},
                                               "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}]}]}))
    assert verdict(pods, "default/front", "default/web", 80).allowed
    # the node's address is not a pod's: only an ipBlock could name it
    assert not verdict(pods, "default/hostie", "default/web", 80).allowed
    pods.store.create(policy("deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}))
    host = pods.store.get(kinds.POD, "default", "hostie")
    assert network_policy.policies_selecting(pods.store, host, "Egress") == []
