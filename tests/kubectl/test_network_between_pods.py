"""The network between pods through the real kubectl (both versions): `kubectl exec client --
curl` through a Service reaching every ready endpoint over repeated calls (agnhost's /hostname,
nginx's index.html changed per pod with exec), cluster DNS for a headless Service's StatefulSet
pods with busybox's nslookup, a Service without ready endpoints refusing, a NodePort on a node's
address, and the serving container's access log in `kubectl logs`."""
from __future__ import annotations

import json

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.53"


def _apply(kube, *docs):
    kube("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(docs)}))


def _deployment(name, image, replicas, port, args=None):
    c = {"name": name, "image": image, "ports": [{"containerPort": port}]}
    if args:
        c["args"] = args
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [c]}}}}


def _service(name, port, target, selector=None, **spec):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": selector or {"app": name}, "ports": [{"port": port, "targetPort": target}], **spec}}


def _client(kube, image="curlimages/curl:8.11.1", name="client"):
    kube("run", name, f"--image={image}", "--", "sleep", "infinity")


def _ready(kube, name):
    kube.server.wait_until(lambda: kube.is_running_ready(kube.pod(name)) or None, 40, message=f"{name} ready")


def _endpoints_ready(kube, service, n):
    def check():
        slices = kube.server.get_json(f"/apis/discovery.k8s.io/v1/namespaces/{kube.ns}/endpointslices"
                                      f"?labelSelector=kubernetes.io/service-name={service}")["items"]
        ready = [e for s in slices for e in s.get("endpoints") or () if (e.get("conditions") or {}).get("ready")]
        assert len(ready) == n, f"{len(ready)} ready endpoints for {service}"
        return True
    kube.server.wait_until(check, 40, message=f"{n} ready endpoints for {service}")


def test_curl_through_a_service_reaches_every_endpoint(kube_ns):
    _apply(kube_ns, _deployment("web", AGNHOST, 3, 8080, ["netexec", "--http-port=8080"]), _service("web", 80, 8080))
    _client(kube_ns)
    pods = kube_ns.wait_running("app=web", 3)
    _ready(kube_ns, "client")
    _endpoints_ready(kube_ns, "web", 3)
    seen = {kube_ns("exec", "client", "--", "curl", "-s", "web/hostname").stdout for _ in range(3)}
    out = kube_ns("exec", "client", "--", "sh", "-c",
                  "for i in $(seq 40); do curl -s web/hostname; echo; done").stdout
    seen |= set(out.split())
    assert seen == set(pods)
    fqdn = f"web.{kube_ns.ns}.svc.cluster.local"
    assert kube_ns("exec", "client", "--", "curl", "-s", f"http://{fqdn}/echo?msg=hello").stdout == "hello"


def test_nginx_pages_changed_with_exec_show_which_pod_served(kube_ns):
    _apply(kube_ns, _deployment("web", "nginx:1.27", 2, 80), _service("web", 80, 80))
    _client(kube_ns)
    pods = kube_ns.wait_running("app=web", 2)
    _ready(kube_ns, "client")
    _endpoints_ready(kube_ns, "web", 2)
    for name in pods:
        kube_ns("exec", name, "--", "sh", "-c", f"echo served by {name} > /usr/share/nginx/html/index.html")
    out = kube_ns("exec", "client", "--", "sh", "-c", "for i in $(seq 30); do curl -s web; done").stdout
    assert set(out.splitlines()) == {f"served by {n}" for n in pods}
    cp = kube_ns("exec", "client", "--", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "web/nope")
    assert cp.stdout == "404"
    logs = "".join(kube_ns("logs", n).stdout for n in pods)
    assert '"GET /nope HTTP/1.1" 404 153 "-" "curl/8.11.1" "-"' in logs


def test_dns_for_a_headless_service_and_statefulset_pods(kube_ns):
    _apply(kube_ns, _service("nginx", 80, 80, selector={"app": "nginx"}, clusterIP="None"),
           {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"serviceName": "nginx", "replicas": 2, "selector": {"matchLabels": {"app": "nginx"}},
                     "template": {"metadata": {"labels": {"app": "nginx"}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}})
    _client(kube_ns, "busybox:1.36", "bb")
    kube_ns.wait_running("app=nginx", 2)
    _ready(kube_ns, "bb")
    _endpoints_ready(kube_ns, "nginx", 2)
    ips = {p["metadata"]["name"]: p["status"]["podIP"] for p in kube_ns.pods("app=nginx")}
    name = f"web-0.nginx.{kube_ns.ns}.svc.cluster.local"
    out = kube_ns("exec", "bb", "--", "nslookup", name).stdout
    assert out == f"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\t{name}\nAddress: {ips['web-0']}\n\n"
    out = kube_ns("exec", "bb", "--", "nslookup", "nginx").stdout
    for ip in ips.values():
        assert f"Name:\tnginx.{kube_ns.ns}.svc.cluster.local\nAddress: {ip}\n" in out
    assert "** server can't find nginx.svc.cluster.local: NXDOMAIN" in out
    cp = kube_ns("exec", "bb", "--", "nslookup", "nosuch", check=False)
    assert cp.returncode == 1 and "Name:" not in cp.stdout
    assert kube_ns("exec", "bb", "--", "wget", "-qO-", "web-1.nginx").stdout.count("Welcome to nginx!") == 2


def test_a_service_without_ready_endpoints_refuses(kube_ns):
    _apply(kube_ns, _service("empty", 80, 80, selector={"app": "nothing"}))
    _client(kube_ns)
    _client(kube_ns, "busybox:1.36", "bb")
    _ready(kube_ns, "client")
    _ready(kube_ns, "bb")
    cp = kube_ns("exec", "client", "--", "curl", "-sS", "empty", check=False)
    assert cp.returncode == 7
    assert cp.stderr == ("curl: (7) Failed to connect to empty port 80 after 1 ms: Couldn't connect to server\n"
                         "command terminated with exit code 7\n")
    ip = kube_ns.server.get_json(f"/api/v1/namespaces/{kube_ns.ns}/services/empty")["spec"]["clusterIP"]
    cp = kube_ns("exec", "bb", "--", "wget", "-qO-", "empty", check=False)
    assert cp.stderr == (f"wget: can't connect to remote host ({ip}): Connection refused\n"
                         "command terminated with exit code 1\n")


def test_nodeport_on_a_node_address(kube_ns):
    _apply(kube_ns, _deployment("hello", "gcr.io/google-samples/hello-app:2.0", 1, 8080),
           _service("hello", 80, 8080, type="NodePort"))
    _client(kube_ns)
    (pod,) = kube_ns.wait_running("app=hello", 1)
    _ready(kube_ns, "client")
    _endpoints_ready(kube_ns, "hello", 1)
    node_port = kube_ns("get", "svc", "hello", "-o", "jsonpath={.spec.ports[0].nodePort}").stdout
    node_ip = kube_ns("get", "nodes", "-o", "jsonpath={.items[0].status.addresses[?(@.type==\"InternalIP\")].address}").stdout
    out = kube_ns("exec", "client", "--", "curl", "-s", f"{node_ip}:{node_port}").stdout
    assert out == f"Hello, world!\nVersion: 2.0.0\nHostname: {pod}\n"
    assert "Serving request: /" in kube_ns("logs", pod).stdout


def test_kubectl_run_rm_i_with_wget_prints_the_page(kube_ns):
    _apply(kube_ns, _deployment("hello", "gcr.io/google-samples/hello-app:1.0", 1, 8080), _service("hello", 80, 8080))
    (pod,) = kube_ns.wait_running("app=hello", 1)
    _endpoints_ready(kube_ns, "hello", 1)
    cp = kube_ns("run", "tmp", "--rm", "-i", "--restart=Never", "--image=busybox:1.36", "--", "wget", "-qO-", "hello",
                 timeout=60)
    assert cp.stdout.startswith(f"Hello, world!\nVersion: 1.0.0\nHostname: {pod}\n")
    assert kube_ns.deleted('pod "tmp"') in cp.stdout


def test_a_pod_reaches_the_api_through_the_kubernetes_service(kube_ns):
    _client(kube_ns)
    _ready(kube_ns, "client")
    sa = "/var/run/secrets/kubernetes.io/serviceaccount"
    script = (f'curl -s --cacert {sa}/ca.crt -H "Authorization: Bearer $(cat {sa}/token)" '
              "https://kubernetes.default.svc/api")
    body = json.loads(kube_ns("exec", "client", "--", "sh", "-c", script).stdout)
    assert body["kind"] == "APIVersions" and body["versions"] == ["v1"]
    script = (f'curl -s --cacert {sa}/ca.crt -H "Authorization: Bearer $(cat {sa}/token)" '
              f"https://kubernetes.default.svc/api/v1/namespaces/{kube_ns.ns}/pods")
    body = json.loads(kube_ns("exec", "client", "--", "sh", "-c", script).stdout)
    assert (body["code"], body["reason"]) == (403, "Forbidden")
    assert body["message"] == (f'pods is forbidden: User "system:serviceaccount:{kube_ns.ns}:default" cannot list '
                               f'resource "pods" in API group "" in the namespace "{kube_ns.ns}"')
    version = json.loads(kube_ns("exec", "client", "--", "curl", "-sk", "https://kubernetes.default.svc/version").stdout)
    assert version["major"] == "1"
