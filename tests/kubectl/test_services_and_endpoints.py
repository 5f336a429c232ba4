"""Issue 4, Services through the real kubectl: `kubectl expose`, EndpointSlices and legacy
Endpoints holding the ready pod IPs, pods that are not (or stop being) ready dropping out, and
NodePort allocation in 30000-32767 (k8s-semantics.md §3.5)."""
from __future__ import annotations

import json
import re


def web_with_service(kube, replicas=3) -> dict[str, str]:
    """Deployment web (nginx, port 80) exposed as Service web; returns {pod name: pod IP}."""
    kube("create", "deployment", "web", "--image=nginx", f"--replicas={replicas}", "--port=80")
    kube.wait_running("app=web", replicas)
    assert kube("expose", "deployment", "web", "--port=80").stdout == "service/web exposed\n"
    return pod_ips(kube)


def pod_ips(kube, selector="app=web") -> dict[str, str]:
    return {p["metadata"]["name"]: p["status"].get("podIP") for p in kube.pods(selector)
            if kube.is_running_ready(p)}


def endpoints_column(kube, name="web") -> str:
    header, rows = kube.table("get", "endpoints", name)
    assert header == ["NAME", "ENDPOINTS", "AGE"], header
    return rows[0]["ENDPOINTS"]


def endpoint_ips(kube, name="web") -> set[str]:
    col = endpoints_column(kube, name)
    if col == "<none>":
        return set()
    assert "more..." not in col, col
    return {hp.rsplit(":", 1)[0] for hp in col.split(",")}


def slices(kube, service="web") -> list[dict]:
    out = kube("get", "endpointslices", "-l", f"kubernetes.io/service-name={service}", "-o", "json").stdout
    return json.loads(out)["items"]


def slice_endpoints(kube, service="web") -> dict[str, dict]:
    """{pod IP: endpoint} across the Service's EndpointSlices."""
    return {ep["addresses"][0]: ep for s in slices(kube, service) for ep in s.get("endpoints") or []}


def test_expose_fills_the_endpointslice_and_endpoints_with_the_ready_pod_ips(kube_shared):
    kube = kube_shared
    ips = web_with_service(kube)
    want = set(ips.values())
    assert len(want) == 3

    def filled():
        assert endpoint_ips(kube) == want, endpoints_column(kube)
        return True
    kube.server.wait_until(filled, 10, message="Endpoints holding the three pod IPs")
    assert all(hp.endswith(":80") for hp in endpoints_column(kube).split(","))

    header, rows = kube.table("get", "endpointslices")
    assert header == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], header
    rows = [r for r in rows if r["NAME"] != "kubernetes"]           # the apiserver's own slice
    assert len(rows) == 1, rows
    row = rows[0]
    assert re.fullmatch(rf"web-{kube.SUFFIX}", row["NAME"]), row
    assert (row["ADDRESSTYPE"], row["PORTS"]) == ("IPv4", "80"), row
    assert set(row["ENDPOINTS"].split(",")) == want, row

    (s,) = slices(kube)
    labels = s["metadata"]["labels"]
    assert labels["kubernetes.io/service-name"] == "web"
    assert labels["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert s["metadata"]["generateName"] == "web-"
    owner = s["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("Service", "web", True)
    assert s["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}], s["ports"]
    by_ip = slice_endpoints(kube)
    pods = {p["status"]["podIP"]: p for p in kube.pods("app=web")}
    for ip, ep in by_ip.items():
        assert ep["conditions"] == {"ready": True, "serving": True, "terminating": False}, ep
        assert ep["targetRef"]["kind"] == "Pod" and ep["targetRef"]["name"] == pods[ip]["metadata"]["name"]
        assert ep["nodeName"] == pods[ip]["spec"]["nodeName"]

    # describe service prints the same endpoints.
    text = kube("describe", "service", "web").stdout
    m = re.search(r"^Endpoints:\s+(\S+)$", text, re.M)
    assert m and {hp.rsplit(":", 1)[0] for hp in m.group(1).split(",")} == want, text


def test_the_kubernetes_service_routes_to_the_apiserver(kube_default):
    """Its endpoints are the apiserver's own address on 6443 — written by the apiserver, not by
    the endpoint controllers (the Service has no selector), as on a real cluster. Read only, in
    `default` (where it lives) on the module's server: the other tests here keep to their own
    namespaces, or to servers of their own."""
    kube = kube_default
    assert endpoints_column(kube, "kubernetes") == "172.18.0.1:6443"
    header, rows = kube.table("get", "endpointslices", "kubernetes")
    assert [(r["NAME"], r["ADDRESSTYPE"], r["PORTS"], r["ENDPOINTS"]) for r in rows] == [
        ("kubernetes", "IPv4", "6443", "172.18.0.1")], rows
    (s,) = slices(kube, "kubernetes")
    assert "endpointslice.kubernetes.io/managed-by" not in s["metadata"]["labels"]
    text = kube("describe", "service", "kubernetes").stdout
    assert re.search(r"^Endpoints:\s+172\.18\.0\.1:6443$", text, re.M), text
    assert re.search(r"^TargetPort:\s+6443/TCP$", text, re.M), text


def test_a_service_selecting_nothing_has_no_endpoints(kube_shared):
    kube = kube_shared
    assert kube("create", "service", "clusterip", "nothing", "--tcp=80:8080").stdout == "service/nothing created\n"

    def empty():
        assert endpoints_column(kube, "nothing") == "<none>"
        _, rows = kube.table("get", "endpointslices", "-l", "kubernetes.io/service-name=nothing")
        assert [r["ENDPOINTS"] for r in rows] == ["<unset>"], rows
        return True
    kube.server.wait_until(empty, 10, message="empty Endpoints and EndpointSlice")


def test_a_pod_that_never_becomes_ready_gets_no_traffic_while_the_old_pods_keep_serving(kube_shared):
    kube = kube_shared
    ips = web_with_service(kube)
    old = set(ips.values())
    kube.server.wait_until(lambda: endpoint_ips(kube) == old, 10, message="three endpoints")
    # A typo'd tag: the surge pod never pulls, and with maxUnavailable 0 the old pods all stay.
    kube("set", "image", "deployment/web", "nginx=nginx:1.25-typo")

    def stuck():
        new = [p for p in kube.pods("app=web") if p["spec"]["containers"][0]["image"] == "nginx:1.25-typo"]
        assert len(new) == 1 and new[0]["status"].get("podIP"), [p["status"] for p in new]
        return new[0]
    new = kube.server.wait_until(stuck, 20, message="the surge pod with an IP")
    new_ip = new["status"]["podIP"]

    def routed():
        eps = slice_endpoints(kube)
        assert new_ip in eps, eps
        return eps
    eps = kube.server.wait_until(routed, 10, message="the not-ready pod listed in the EndpointSlice")
    assert eps[new_ip]["conditions"] == {"ready": False, "serving": False, "terminating": False}, eps[new_ip]
    for ip in old:
        assert eps[ip]["conditions"]["ready"] is True
    assert endpoint_ips(kube) == old, "only the ready pods are in the Endpoints addresses"
    ep = json.loads(kube("get", "endpoints", "web", "-o", "json").stdout)
    (subset,) = ep["subsets"]
    assert {a["ip"] for a in subset["addresses"]} == old
    assert [a["ip"] for a in subset["notReadyAddresses"]] == [new_ip]
    # The EndpointSlice printer lists every address (ready or not), three at most.
    _, rows = kube.table("get", "endpointslices", "-l", "kubernetes.io/service-name=web")
    assert rows[0]["ENDPOINTS"].endswith(" + 1 more..."), rows
    assert set(pod_ips(kube).values()) == old


def test_pods_on_a_failed_node_drop_out_of_the_endpoints_and_replacements_join(kube):
    ips = web_with_service(kube)
    kube.server.wait_until(lambda: endpoint_ips(kube) == set(ips.values()), 10, message="three endpoints")
    nodes = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in kube.pods("app=web")}
    victim_pod = sorted(nodes)[0]
    victim_node, victim_ip = nodes[victim_pod], ips[victim_pod]
    kube.server.post_json(f"/kubeplay/v1/nodes/{victim_node}/fail")

    def dropped():
        assert victim_ip not in endpoint_ips(kube), endpoints_column(kube)
        ep = slice_endpoints(kube).get(victim_ip)
        assert ep is None or ep["conditions"]["ready"] is False, ep
        return True
    kube.server.wait_until(dropped, 30, message=f"{victim_ip} ({victim_pod} on failed {victim_node}) out of the endpoints")

    def replaced():
        now = pod_ips(kube)
        on_healthy = {n: ip for n, ip in now.items() if nodes.get(n, "") != victim_node}
        assert len(on_healthy) == 3 and victim_pod not in on_healthy, now
        assert endpoint_ips(kube) == set(on_healthy.values()), (endpoints_column(kube), on_healthy)
        return on_healthy
    healthy = kube.server.wait_until(replaced, 40, message="a replacement pod in the endpoints")
    assert victim_ip not in healthy.values()


def test_a_crashing_pod_drops_out_of_the_endpoints_while_it_is_down(kube_shared):
    kube = kube_shared
    web_with_service(kube, replicas=2)
    out = kube("run", "flaky", "--image=busybox", "--labels=app=web", "--", "sh", "-c", "sleep 30; exit 1")
    assert out.stdout == "pod/flaky created\n"

    def serving():
        p = kube.pod("flaky")
        ip = p["status"].get("podIP")
        assert ip and ip in endpoint_ips(kube), (ip, endpoints_column(kube))
        return ip
    ip = kube.server.wait_until(serving, 20, interval=0.05, message="flaky serving")

    def down_and_dropped():
        p = kube.pod("flaky")
        (cs,) = p["status"]["containerStatuses"]
        assert cs["ready"] is False and cs["restartCount"] >= 1, cs
        assert ip not in endpoint_ips(kube), endpoints_column(kube)
        ep = json.loads(kube("get", "endpoints", "web", "-o", "json").stdout)
        assert ip in {a["ip"] for s in ep["subsets"] for a in s.get("notReadyAddresses") or []}, ep["subsets"]
        return cs
    kube.server.wait_until(down_and_dropped, 30, interval=0.05, message="flaky crashed and out of the endpoints")


def test_a_nodeport_service_gets_a_port_in_30000_32767(kube_shared):
    # The only test here that allocates node ports (a cluster-wide range), so 30080 is free.
    kube = kube_shared
    web_with_service(kube, replicas=1)
    out = kube("expose", "deployment", "web", "--name=web-np", "--type=NodePort", "--port=80")
    assert out.stdout == "service/web-np exposed\n"
    header, rows = kube.table("get", "svc", "web-np")
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    row = rows[0]
    m = re.fullmatch(r"80:(\d+)/TCP", row["PORT(S)"])
    assert m and 30000 <= int(m.group(1)) <= 32767, row
    assert (row["TYPE"], row["EXTERNAL-IP"]) == ("NodePort", "<none>"), row
    svc = json.loads(kube("get", "svc", "web-np", "-o", "json").stdout)
    assert svc["spec"]["ports"][0]["nodePort"] == int(m.group(1))
    assert svc["spec"]["externalTrafficPolicy"] == "Cluster"
    text = kube("describe", "svc", "web-np").stdout
    assert re.search(rf"^NodePort:\s+<unset>\s+{m.group(1)}/TCP$", text, re.M), text

    # An explicit port is kept; taking it twice or leaving the range is refused as the apiserver does.
    out = kube("create", "service", "nodeport", "fixed", "--tcp=8080:80", "--node-port=30080")
    assert out.stdout == "service/fixed created\n"
    _, rows = kube.table("get", "svc", "fixed")
    assert rows[0]["PORT(S)"] == "8080:30080/TCP", rows

    def nodeport_svc(name, port):
        return json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                           "spec": {"type": "NodePort", "selector": {"app": "web"},
                                    "ports": [{"port": 80, "nodePort": port}]}})
    out = kube("apply", "-f", "-", input=nodeport_svc("taken", 30080), check=False)
    assert out.returncode == 1
    assert ('The Service "taken" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
            'provided port is already allocated') in out.stderr, out.stderr
    out = kube("apply", "-f", "-", input=nodeport_svc("low", 80), check=False)
    assert out.returncode == 1
    assert ('The Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in '
            'the valid range. The range of valid ports is 30000-32767') in out.stderr, out.stderr


def test_cluster_ips_are_distinct_and_headless_has_none(kube_shared):
    kube = kube_shared
    for name in ("a", "b", "c"):
        kube("create", "service", "clusterip", name, "--tcp=80:80")
    kube("create", "service", "clusterip", "headless", "--clusterip=None", "--tcp=80:80")
    _, rows = kube.table("get", "svc")
    ips = {r["NAME"]: r["CLUSTER-IP"] for r in rows}
    assert "kubernetes" not in ips, ips              # it lives in `default`; the test's namespace is its own
    _, rows = kube.table("get", "svc", "kubernetes", "-n", "default")
    ips["kubernetes"] = rows[0]["CLUSTER-IP"]
    assert ips["headless"] == "None"
    allocated = [ips[n] for n in ("kubernetes", "a", "b", "c")]
    assert len(set(allocated)) == 4, ips
    assert all(re.fullmatch(r"10\.(9[6-9]|10\d|11[01])\.\d+\.\d+", ip) for ip in allocated), ips
