"""What the catalog's images answer over HTTP (engine/data/servers.json, engine/kubelet/servers.py)
to another pod's curl, and that a port-forward reaches the same server: grafana's redirect to its
login page, prometheus's to /query (/graph before 3.0), traefik's 404 for a request no router
takes, the registry's API root, httpbin's JSON, the e2e images' web servers, a control-plane
port that speaks TLS, rabbitmq's management UI only in its -management tags — and for every
catalog image that runs its server, every port the probes find listening answers a forward as a
pod's curl gets it."""
import pytest

from engine import resources as kinds
from engine.kubelet import probes, servers
from pod_helpers import catalog_servers, running

GET = b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.11.1\r\n\r\n"


def pod(name, containers):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": containers}}


def sh(cluster, script):
    proc = cluster.controller("kubelet").exec("default", "client", "c", ["sh", "-c", script], tty=False, stdin=False)
    assert proc.failure is None, proc.failure
    out, err = bytearray(), bytearray()
    code = proc.run(out.extend, err.extend)
    return code, out.decode(), err.decode()


def ip_of(cluster, name):
    return cluster.store.get(kinds.POD, "default", name)["status"]["podIP"]


@pytest.fixture
def apps(cluster):
    for name, image in (("grafana", "grafana/grafana:11.0.0"), ("prom2", "prom/prometheus:v2.53.0"),
                        ("prom3", "prom/prometheus:v3.0.1"), ("traefik", "traefik:v3.2"), ("registry", "registry:2"),
                        ("httpbin", "kennethreitz/httpbin"), ("e2e-nginx", "registry.k8s.io/e2e-test-images/nginx:1.14-4"),
                        ("kitten", "registry.k8s.io/e2e-test-images/kitten:1.7"),
                        ("apiserver", "registry.k8s.io/kube-apiserver:v1.31.0"), ("rabbit", "rabbitmq:3"),
                        ("rabbit-ui", "rabbitmq:3-management"), ("es", "elasticsearch:8.15.0")):
        cluster.store.create(pod(name, [{"name": "app", "image": image}]))
    cluster.store.create(pod("client", [{"name": "c", "image": "curlimages/curl:8.11.1", "command": ["sleep", "infinity"]}]))
    for name in ("grafana", "prom2", "prom3", "traefik", "registry", "httpbin", "e2e-nginx", "kitten", "apiserver",
                 "rabbit", "rabbit-ui", "es", "client"):
        running(cluster, name)
    return cluster


def test_a_pods_curl_gets_what_the_image_really_answers(apps):
    code, out, _ = sh(apps, f"curl -si http://{ip_of(apps, 'grafana')}:3000/")
    assert code == 0 and out.startswith("HTTP/1.1 302 Found\r\n") and "Location: /login\r\n" in out
    assert out.endswith('\r\n\r\n<a href="/login">Found</a>.\n\n')
    assert sh(apps, f"curl -sL http://{ip_of(apps, 'grafana')}:3000/")[1].count("<title>Grafana</title>") == 1
    code, out, _ = sh(apps, f"curl -s http://{ip_of(apps, 'grafana')}:3000/api/health")
    assert '"version": "11.0.0"' in out and '"database": "ok"' in out
    assert "Location: /graph\r\n" in sh(apps, f"curl -si http://{ip_of(apps, 'prom2')}:9090/")[1]
    assert "Location: /query\r\n" in sh(apps, f"curl -si http://{ip_of(apps, 'prom3')}:9090/")[1]
    assert sh(apps, f"curl -s http://{ip_of(apps, 'prom3')}:9090/-/healthy")[1] == "Prometheus Server is Healthy.\n"
    code, out, _ = sh(apps, f"curl -s -w ' %{{http_code}}' http://{ip_of(apps, 'traefik')}/")
    assert out == "404 page not found\n 404"
    assert "Location: /dashboard/\r\n" in sh(apps, f"curl -si http://{ip_of(apps, 'traefik')}:8080/")[1]
    code, out, _ = sh(apps, f"curl -si http://{ip_of(apps, 'registry')}:5000/v2/")
    assert "Docker-Distribution-Api-Version: registry/2.0\r\n" in out and out.endswith("\r\n\r\n{}")
    code, out, _ = sh(apps, f"curl -s http://{ip_of(apps, 'httpbin')}/ip")
    assert out == '{\n  "origin": "' + ip_of(apps, "client") + '"\n}\n'
    assert "Server: gunicorn/19.9.0\r\n" in sh(apps, f"curl -sI http://{ip_of(apps, 'httpbin')}/")[1]


def test_the_e2e_images_serve_their_own_files(apps):
    code, out, _ = sh(apps, f"curl -si http://{ip_of(apps, 'e2e-nginx')}/")
    assert out.startswith("HTTP/1.1 200 OK\r\nServer: nginx/1.14.2\r\n") and "<h1>Welcome to nginx!</h1>" in out
    # agnhost's test-webserver: Go's http.FileServer over the container's root
    code, out, _ = sh(apps, f"curl -si http://{ip_of(apps, 'kitten')}/")
    assert out.startswith("HTTP/1.1 200 OK\r\n") and "Access-Control-Allow-Origin: *\r\n" in out
    assert '\r\n\r\n<pre>\n' in out and '<a href="etc/">etc/</a>\n' in out and out.endswith("</pre>\n")
    code, out, _ = sh(apps, f"curl -si http://{ip_of(apps, 'kitten')}/etc")
    assert out.startswith("HTTP/1.1 301 Moved Permanently\r\n") and "Location: etc/\r\n" in out
    assert sh(apps, f"curl -s http://{ip_of(apps, 'kitten')}/nosuch")[1] == "404 page not found\n"


def test_tls_and_non_http_ports(apps):
    ip = ip_of(apps, "apiserver")
    assert sh(apps, f"curl -s http://{ip}:6443/api")[1] == "Client sent an HTTP request to an HTTPS server.\n"
    code, _, err = sh(apps, f"curl -sS https://{ip}:6443/api")
    assert code == 60 and "SSL certificate problem" in err
    code, out, _ = sh(apps, f"curl -sk https://{ip}:6443/api")
    assert '"message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/api\\""' in out
    assert sh(apps, f"curl -sk https://{ip}:6443/healthz")[1] == "ok"
    # rabbitmq: AMQP is not HTTP; the management UI only with the plugin (the -management tags)
    assert sh(apps, f"curl -s http://{ip_of(apps, 'rabbit')}:5672/")[0] == 52
    assert sh(apps, f"curl -s http://{ip_of(apps, 'rabbit')}:15672/")[0] == 7
    assert "<title>RabbitMQ Management</title>" in sh(apps, f"curl -s http://{ip_of(apps, 'rabbit-ui')}:15672/")[1]
    # elasticsearch 8 answers plain HTTP on its TLS port with nothing
    assert sh(apps, f"curl -s http://{ip_of(apps, 'es')}:9200/")[0] == 52


def test_probes_port_forward_and_curl_agree_for_every_catalog_image(cluster):
    """Every catalog image that runs its server, in a pod of its own: each port the probes find
    listening (probes.listening_ports: declared containerPorts plus the catalog's) takes a
    forwarded connection, which answers as the pod network answers a pod's curl to that port
    (the same status, or nothing for a server that is not HTTP), and never the default page of
    an image the server catalog does not model."""
    kubelet = cluster.controller("kubelet")
    probe_only = servers.catalog()["probe_only"]
    made = []
    for i, (image, container, _) in enumerate(catalog_servers()):
        cluster.store.create(pod(f"img-{i}", [container]))
        made.append((f"img-{i}", image))
    for name, _ in made:
        running(cluster, name, seconds=40)
    network = kubelet.network
    forwarded = 0
    for name, image in made:
        p = cluster.store.get(kinds.POD, "default", name)
        run = network._runs[f"default/{name}"]
        (c,) = run.main
        for port in sorted(probes.listening_ports(c)):
            if port in probe_only.get(c.ref.repository, ()):
                continue
            conn = kubelet.port_forward("default", name).connect(port)     # refused: ConnectionError
            forwarded += 1
            out, _ = conn.feed(GET)
            found = network._listener(p, port)
            assert found is not None and found[2].kind != "default", (image, port)
            if found[2].kind == "tcp":
                assert out == b"", (image, port)
                continue
            assert b"Served by " not in out, (image, port)           # not the default page
            req = servers.Request("GET", "/", "localhost", [("User-Agent", "curl/8.11.1")])
            resp, error = network.answer(p, port, req)               # what a pod's curl to the port gets
            assert not error and out.startswith(f"HTTP/1.1 {resp.status} {resp.reason}\r\n".encode()), (image, port)
    assert len(made) > 60 and forwarded > len(made)
