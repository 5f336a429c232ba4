"""The network between pods (engine/cluster_dns.py, engine/kubelet/network.py, servers.py and the
shell's netcommands.py): cluster DNS as CoreDNS answers it, kube-proxy's choice of a ready
endpoint, the serving image's answer, the access log and the recorded request path."""
import copy

import pytest

from engine import cluster_dns, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from pod_helpers import running



def sh(cluster, pod_name, script):
    """(exit code, stdout, stderr) of `sh -c script` exec'd in the pod, as the web layer drives it."""
    proc = cluster.controller("kubelet").exec("default", pod_name, None, ["sh", "-c", script], tty=False, stdin=False)
    assert proc.failure is None, proc.failure
    out, err = bytearray(), bytearray()
    code = proc.run(out.extend, err.extend)
    return code, out.decode(), err.decode()


def deployment(name, image, replicas, labels=None, ports=(80,), args=None, **pod_spec):
    labels = labels or {"app": name}
    c = {"name": name, "image": image, "ports": [{"containerPort": p} for p in ports]}
    if args:
        c["args"] = args
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [c], **pod_spec}}}}


def service(name, port, target, selector=None, **spec):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": selector or {"app": name}, "ports": [{"port": port, "targetPort": target}], **spec}}


def client(cluster, name="client", image="curlimages/curl:8.11.1"):
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                          "spec": {"containers": [{"name": "c", "image": image, "command": ["sleep", "infinity"]}]}})
    running(cluster, name)


def pods_of(cluster, app):
    return sorted(p["metadata"]["name"] for p in cluster.store.iter(kinds.POD, "default")
                  if (p["metadata"].get("labels") or {}).get("app") == app)


def settle(cluster, seconds=30):
    for _ in range(seconds):
        cluster.advance(1)


@pytest.fixture
def net(cluster):
    cluster.store.create(deployment("web", "registry.k8s.io/e2e-test-images/agnhost:2.53", 3, ports=(8080,),
                                    args=["netexec", "--http-port=8080"]))
    cluster.store.create(service("web", 80, 8080))
    client(cluster)
    settle(cluster)
    cluster.controller("kubelet").network.rng.seed(7)
    return cluster


def test_service_name_reaches_every_ready_endpoint_over_repeated_calls(net):
    seen = set()
    for _ in range(40):
        code, out, err = sh(net, "client", "curl -s web/hostname")
        assert code == 0, err
        seen.add(out)
    assert seen == set(pods_of(net, "web"))
    # the request path is recorded: client pod → Service → the endpoint chosen
    items, _ = net.traffic.since(0)
    assert items[-1]["client"] == "default/client" and items[-1]["service"] == "default/web"
    assert items[-1]["endpoint"] in {f"default/{p}" for p in pods_of(net, "web")} and items[-1]["status"] == 200


def test_cluster_dns_names(net):
    svc = net.store.get(kinds.SERVICE, "default", "web")
    ip = svc["spec"]["clusterIP"]
    for name in ("web", "web.default", "web.default.svc", "web.default.svc.cluster.local", "web.default.svc.cluster.local."):
        code, out, _ = sh(net, "client", f"getent hosts {name}")
        assert code == 0 and out.split()[:2] == [ip, "web.default.svc.cluster.local"], (name, out)
    code, out, _ = sh(net, "client", "getent hosts kubernetes.default")
    assert code == 0 and out.startswith("10.96.0.1 ")
    code, out, _ = sh(net, "client", "getent hosts 10-244-1-5.default.pod.cluster.local")
    assert code == 0 and out.startswith("10.244.1.5 ")
    code, out, _ = sh(net, "client", "getent hosts nosuch")
    assert code == 2 and out == ""
    assert cluster_dns.query(net.store, "nosuch.default.svc.cluster.local").rcode == "NXDOMAIN"


def test_busybox_nslookup_and_headless_statefulset_names(cluster):
    cluster.store.create(service("nginx", 80, 80, clusterIP="None"))
    cluster.store.create({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web", "namespace": "default"},
                          "spec": {"serviceName": "nginx", "replicas": 2, "selector": {"matchLabels": {"app": "nginx"}},
                                   "template": {"metadata": {"labels": {"app": "nginx"}},
                                                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}})
    client(cluster, "bb", "busybox:1.36")
    settle(cluster, 40)
    ips = {p["metadata"]["name"]: p["status"]["podIP"] for p in cluster.store.iter(kinds.POD, "default")}
    code, out, _ = sh(cluster, "bb", "nslookup web-0.nginx.default.svc.cluster.local")
    assert code == 0
    assert out == ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                   f"Name:\tweb-0.nginx.default.svc.cluster.local\nAddress: {ips['web-0']}\n\n")
    code, out, _ = sh(cluster, "bb", "nslookup nginx")
    assert code == 0 and f"Name:\tnginx.default.svc.cluster.local\nAddress: {ips['web-0']}\n" in out
    assert f"Address: {ips['web-1']}\n" in out and "** server can't find nginx.svc.cluster.local: NXDOMAIN" in out
    # busybox ≥ 1.29 does not search for a dotted name (why the docs use busybox:1.28)
    code, out, _ = sh(cluster, "bb", "nslookup kubernetes.default")
    assert code == 1 and "** server can't find kubernetes.default: NXDOMAIN" in out
    code, _, err = sh(cluster, "bb", "ping -c 1 nosuch")
    assert code == 1 and err == "ping: bad address 'nosuch'\n"
    code, out, _ = sh(cluster, "bb", "ping -c 1 web-1.nginx")
    assert code == 0 and f"64 bytes from {ips['web-1']}: seq=0" in out


def test_nginx_serves_its_own_files_and_logs_the_request(cluster):
    cluster.store.create(deployment("web", "nginx:1.27", 2))
    cluster.store.create(service("web", 80, 80))
    client(cluster)
    settle(cluster)
    for name in pods_of(cluster, "web"):
        assert sh(cluster, name, f"echo served-by-{name} > /usr/share/nginx/html/index.html")[0] == 0
    seen = set()
    for _ in range(30):
        code, out, _ = sh(cluster, "client", "curl -s http://web/")
        seen.add(out.strip())
    assert seen == {f"served-by-{n}" for n in pods_of(cluster, "web")}
    code, out, err = sh(cluster, "client", "curl -s -o /dev/null -w '%{http_code}' web/missing")
    assert (code, out) == (0, "404")
    code, out, err = sh(cluster, "client", "curl -sSf web/missing")
    assert code == 22 and err == "curl: (22) The requested URL returned error: 404\n"
    logs = "".join(cluster.controller("kubelet").logs("default", n) for n in pods_of(cluster, "web"))
    assert '"GET /missing HTTP/1.1" 404 153 "-" "curl/8.11.1" "-"' in logs


def test_no_ready_endpoint_refuses_and_nodeport_and_wget_texts(cluster):
    cluster.store.create(deployment("web", "nginx:1.27", 1))
    cluster.store.create(service("web", 80, 80, type="NodePort"))
    cluster.store.create(service("empty", 80, 80, selector={"app": "nothing"}))
    client(cluster)
    client(cluster, "bb", "busybox:1.36")
    settle(cluster)
    code, _, err = sh(cluster, "client", "curl -sS empty")
    assert code == 7 and err == "curl: (7) Failed to connect to empty port 80 after 1 ms: Couldn't connect to server\n"
    empty_ip = cluster.store.get(kinds.SERVICE, "default", "empty")["spec"]["clusterIP"]
    code, _, err = sh(cluster, "bb", "wget -q -O- empty")
    assert code == 1 and err == f"wget: can't connect to remote host ({empty_ip}): Connection refused\n"
    code, _, err = sh(cluster, "bb", "wget -qO- web/nope")
    assert code == 1 and err == "wget: server returned error: HTTP/1.1 404 Not Found\n"
    node_port = cluster.store.get(kinds.SERVICE, "default", "web")["spec"]["ports"][0]["nodePort"]
    node = next(iter(cluster.store.iter(kinds.NODE)))
    node_ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    code, out, _ = sh(cluster, "client", f"curl -s {node_ip}:{node_port}")
    assert code == 0 and "Welcome to nginx!" in out
    code, _, err = sh(cluster, "client", "curl -sS nosuch")
    assert code == 6 and err == "curl: (6) Could not resolve host: nosuch\n"


def test_a_pod_that_is_not_ready_is_not_an_endpoint(cluster):
    dep = deployment("web", "nginx:1.27", 1)
    dep["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {"exec": {"command": ["cat", "/nope"]}}
    cluster.store.create(dep)
    cluster.store.create(service("web", 80, 80))
    client(cluster)
    settle(cluster)
    code, _, err = sh(cluster, "client", "curl -sS web")
    assert code == 7
    # its pod IP answers all the same: readiness only takes it out of the Service
    ip = cluster.store.get(kinds.POD, "default", pods_of(cluster, "web")[0])["status"]["podIP"]
    code, out, _ = sh(cluster, "client", f"curl -s {ip}")
    assert code == 0 and "nginx" in out
    code, _, err = sh(cluster, "client", f"curl -sS {ip}:8080")
    assert code == 7


def test_dns_with_the_control_plane_addons():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2, control_plane=True)
    try:
        c.run_until_idle()
        client(c, "bb", "busybox:1.28")
        settle(c, 30)
        code, out, _ = sh(c, "bb", "nslookup kubernetes.default")
        assert code == 0
        assert out == ("Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n"
                       "Name:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n")
    finally:
        c.stop()


def test_what_images_serve_is_data(cluster):
    cluster.store.create(deployment("echo", "hashicorp/http-echo:1.0", 1, ports=(5678,), args=["-text=hello from echo"]))
    cluster.store.create(deployment("hello", "gcr.io/google-samples/hello-app:1.0", 1, ports=(8080,)))
    cluster.store.create(deployment("mystery", "registry.example/team/mystery:3", 1, ports=(9000,)))
    cluster.store.create(deployment("box", "busybox:1.36", 1, ports=(80,)))
    cluster.store.create(deployment("login", "registry.example/pizza/login:1.2.3", 1, ports=(8080,)))
    for name in ("echo", "hello", "mystery", "box", "login"):
        spec = cluster.store.get(kinds.DEPLOYMENT, "default", name)["spec"]["template"]["spec"]["containers"][0]
        cluster.store.create(service(name, 80, spec["ports"][0]["containerPort"]))
    dep = copy.deepcopy(cluster.store.get(kinds.DEPLOYMENT, "default", "box"))   # busybox: a command that runs
    dep["spec"]["template"]["spec"]["containers"][0]["command"] = ["sleep", "infinity"]
    cluster.store.update(dep)
    client(cluster)
    settle(cluster, 40)
    assert sh(cluster, "client", "curl -s echo")[1] == "hello from echo\n"
    (hello,) = pods_of(cluster, "hello")
    assert sh(cluster, "client", "curl -s hello")[1] == f"Hello, world!\nVersion: 1.0.0\nHostname: {hello}\n"
    (mystery,) = pods_of(cluster, "mystery")
    code, out, _ = sh(cluster, "client", "curl -s mystery")
    assert code == 0 and f"Served by {mystery}" in out
    code, out, _ = sh(cluster, "client", "curl -s login")
    assert code == 0 and '"service": "login"' in out and '"version": "1.2.3"' in out
    # busybox listens on nothing, whatever its pod declares
    assert sh(cluster, "client", "curl -s box")[0] == 7
    (hello_pod,) = pods_of(cluster, "hello")
    assert "Serving request: /" in cluster.controller("kubelet").logs("default", hello_pod)


def test_session_affinity_sticks_and_an_unknown_port_times_out(cluster):
    cluster.store.create(deployment("web", "registry.k8s.io/e2e-test-images/agnhost:2.53", 3, ports=(8080,),
                                    args=["netexec"]))
    cluster.store.create(service("web", 80, 8080, sessionAffinity="ClientIP"))
    client(cluster)
    settle(cluster)
    answers = {sh(cluster, "client", "curl -s web/hostname")[1] for _ in range(15)}
    assert len(answers) == 1 and answers <= set(pods_of(cluster, "web"))
    code, _, err = sh(cluster, "client", "curl -sS -m 1 web:81")
    assert code == 28 and err == "curl: (28) Connection timed out after 1001 milliseconds\n"


def test_without_coredns_lookups_time_out():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2, control_plane=True)
    try:
        c.run_until_idle()
        client(c, "bb", "busybox:1.36")
        settle(c, 10)
        assert sh(c, "bb", "nslookup kubernetes.default.svc.cluster.local")[0] == 0
        dns = copy.deepcopy(c.store.get(kinds.DEPLOYMENT, "kube-system", "coredns"))
        dns["spec"]["replicas"] = 0
        c.store.update(dns)
        settle(c, 60)
        code, out, _ = sh(c, "bb", "nslookup kubernetes.default.svc.cluster.local")
        assert code == 1 and out == ";; connection timed out; no servers could be reached\n\n"
        code, _, err = sh(c, "bb", "wget -qO- kubernetes")
        assert code == 1 and err == "wget: bad address 'kubernetes'\n"
    finally:
        c.stop()


def test_an_image_without_the_tool_says_so(cluster):
    client(cluster, "deb", "debian:12")
    code, _, err = sh(cluster, "deb", "curl -s web")
    assert code == 127 and "curl: not found" in err
    code, out, _ = sh(cluster, "deb", "getent hosts kubernetes")
    assert code == 0 and out.startswith("10.96.0.1 ")


def test_a_container_whose_command_fetches_a_page_runs_it_when_it_starts(cluster):
    cluster.store.create(deployment("web", "nginx:1.27", 1))
    cluster.store.create(service("web", 80, 80))
    settle(cluster)
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "fetch", "namespace": "default"},
                          "spec": {"restartPolicy": "Never",
                                   "containers": [{"name": "c", "image": "busybox:1.36",
                                                   "command": ["wget", "-qO-", "web"]}]}})
    # an init container waiting for a Service that has no endpoint yet keeps failing, then passes
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "waits", "namespace": "default"},
                          "spec": {"initContainers": [{"name": "wait", "image": "busybox:1.36",
                                                       "command": ["sh", "-c", "nslookup db && wget -qO- db"]}],
                                   "containers": [{"name": "c", "image": "nginx:1.27"}]}})
    settle(cluster, 20)
    pod = cluster.store.get(kinds.POD, "default", "fetch")
    assert pod["status"]["phase"] == "Succeeded"
    assert "Welcome to nginx!" in cluster.controller("kubelet").logs("default", "fetch")
    st = cluster.store.get(kinds.POD, "default", "waits")["status"]
    assert st["phase"] == "Pending" and st["initContainerStatuses"][0]["restartCount"] >= 1
    cluster.store.create(deployment("db", "nginx:1.27", 1))
    cluster.store.create(service("db", 80, 80))
    for _ in range(120):
        cluster.advance(1)
        if cluster.store.get(kinds.POD, "default", "waits")["status"].get("phase") == "Running":
            break
    assert cluster.store.get(kinds.POD, "default", "waits")["status"]["phase"] == "Running"


def test_the_kubernetes_service_is_the_apiserver_behind_tls_and_rbac(cluster):
    client(cluster)
    token = "$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)"
    ca = "--cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
    code, _, err = sh(cluster, "client", "curl -sS https://kubernetes.default.svc/api")
    assert code == 60 and err.startswith("curl: (60) SSL certificate problem: unable to get local issuer certificate\n")
    code, out, _ = sh(cluster, "client", "curl -sk https://kubernetes/api")
    assert code == 0 and '"message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/api\\""' in out
    code, out, _ = sh(cluster, "client", f'curl -s {ca} -H "Authorization: Bearer {token}" '
                                         "https://kubernetes.default.svc/api/v1/namespaces/default/pods")
    assert code == 0 and ('"message": "pods is forbidden: User \\"system:serviceaccount:default:default\\" cannot list '
                          'resource \\"pods\\" in API group \\"\\" in the namespace \\"default\\""') in out
    code, out, _ = sh(cluster, "client", 'curl -sk -H "Authorization: Bearer nope" https://kubernetes/api')
    assert '"reason": "Unauthorized"' in out
    code, out, _ = sh(cluster, "client", "curl -s http://kubernetes:443/")
    assert out == "Client sent an HTTP request to an HTTPS server.\n"


def test_the_docs_init_container_that_fetches_a_page_finishes(cluster):
    # kubernetes.io's init-containers example: an init container wgets a public page into an emptyDir
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init-demo", "namespace": "default"},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                                   "volumeMounts": [{"name": "workdir", "mountPath": "/usr/share/nginx/html"}]}],
                                   "initContainers": [{"name": "install", "image": "busybox:1.28",
                                                       "command": ["wget", "-O", "/work-dir/index.html", "http://info.cern.ch"],
                                                       "volumeMounts": [{"name": "workdir", "mountPath": "/work-dir"}]}],
                                   "dnsPolicy": "Default", "volumes": [{"name": "workdir", "emptyDir": {}}]}})
    running(cluster, "init-demo", 40)
    code, out, _ = sh(cluster, "init-demo", "cat /usr/share/nginx/html/index.html")
    assert code == 0 and "<title>info.cern.ch</title>" in out
    client(cluster, "bb", "busybox:1.36")
    assert sh(cluster, "bb", "ping -c 1 example.com")[1].startswith("PING example.com (203.0.113.")
    code, _, err = sh(cluster, "bb", "wget -qO- nosuch.default")
    assert code == 1 and err == "wget: bad address 'nosuch.default'\n"
