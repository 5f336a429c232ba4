"""The kubelet's side of pods/portforward (engine/kubelet/portforward.py) and the container
servers that answer a forwarded connection (the pod network's, engine/kubelet/http_wire.py for the
framing): nginx serving its files from the container's own filesystem, other images answering as
they do to a pod's curl, keep-alive and close, HTTP errors, and the runtime's errors for a port
nothing listens on, a pod not running and a pod gone."""
import re

import pytest

from engine import errors, resources as kinds
from engine.kubelet.shell.containers import PlainTextError
from pod_helpers import running



def pod(name, containers, **spec):
    spec["containers"] = containers
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def sh(cluster, pod_name, script, container):
    proc = cluster.controller("kubelet").exec("default", pod_name, container, ["sh", "-c", script])
    assert proc.run(lambda _: None, lambda _: None) == 0

GET = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.fixture
def web(cluster):
    cluster.store.create(pod("web", [{"name": "nginx", "image": "nginx:1.27"},
                                     {"name": "box", "image": "busybox:1.36", "command": ["sleep", "3600"]}]))
    running(cluster, "web")
    return cluster


def forward(cluster, name="web"):
    return cluster.controller("kubelet").port_forward("default", name)


def test_nginx_answers_with_its_index_html_as_exec_left_it(web):
    conn = forward(web).connect(80)
    out, close = conn.feed(GET)
    head, _, body = out.partition(b"\r\n\r\n")
    assert not close and head.startswith(b"HTTP/1.1 200 OK\r\nServer: nginx/1.27.3\r\n")
    assert b"Content-Length: 615\r\n" in head and b"<title>Welcome to nginx!</title>" in body
    sh(web, "web", "echo changed > /usr/share/nginx/html/index.html", container="nginx")
    out, _ = conn.feed(GET)                 # the same keep-alive connection
    assert out.endswith(b"\r\n\r\nchanged\n")
    # a file the sidecar writes is not nginx's: each container has its own filesystem
    sh(web, "web", "mkdir -p /usr/share/nginx/html && echo box > /usr/share/nginx/html/index.html", container="box")
    assert forward(web).connect(80).feed(GET)[0].endswith(b"\r\n\r\nchanged\n")


def test_http_framing_keep_alive_close_and_errors(web):
    conn = forward(web).connect(80)
    # two pipelined requests, the second one arriving in pieces, the last asking to close
    out, close = conn.feed(b"GET /50x.html HTTP/1.1\r\nHost: x\r\n\r\nHEAD /nope HTTP/1.1\r\n")
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and b"<h1>An error occurred.</h1>" in out and not close
    out, close = conn.feed(b"Connection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 404 Not Found\r\n") and b"Connection: close\r\n" in out and close
    assert out.endswith(b"\r\n\r\n")        # HEAD: no body
    # HTTP/1.0 closes; POST to a static server is 405; bytes that are not HTTP are a 400 and a close
    out, close = forward(web).connect(80).feed(b"POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi")
    assert out.startswith(b"HTTP/1.1 405 Not Allowed\r\n") and close
    assert b"<hr><center>nginx/1.27.3</center>" in out
    out, close = forward(web).connect(80).feed(b"\x16\x03\x01 not http\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400 Bad Request\r\n") and close


def test_other_servers_answer_a_forward_as_they_answer_a_pod(cluster):
    """A forwarded connection reaches the same server a curl from another pod reaches: agnhost's
    netexec and http-echo answer as in-cluster, and the request is in the server's access log;
    a database answers HTTP with nothing; Apache answers bytes that are not HTTP with its 400."""
    cluster.store.create(pod("apps", [
        {"name": "agnhost", "image": "registry.k8s.io/e2e-test-images/agnhost:2.53", "args": ["netexec", "--http-port=8080"]},
        {"name": "echo", "image": "hashicorp/http-echo", "args": ["-text=hello from echo", "-listen=:5678"]},
        {"name": "redis", "image": "redis:7"},
        {"name": "httpd", "image": "httpd:2.4"}]))
    running(cluster, "apps")
    cluster.store.create(pod("client", [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}]))
    running(cluster, "client")
    ip = cluster.store.get(kinds.POD, "default", "apps")["status"]["podIP"]
    proc = cluster.controller("kubelet").exec("default", "client", "c", ["wget", "-qO-", f"http://{ip}:8080/hostname"])
    in_cluster = []
    assert proc.run(in_cluster.append, lambda _: None) == 0
    out, close = forward(cluster, "apps").connect(8080).feed(b"GET /hostname HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert not close and out.endswith(b"\r\n\r\n" + b"".join(in_cluster)) and out.endswith(b"apps")
    served = cluster.controller("kubelet").logs("default", "apps", "agnhost").splitlines()
    assert len([line for line in served if "/hostname" in line]) == 2     # the wget's, then the forward's
    out, _ = forward(cluster, "apps").connect(5678).feed(GET)
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and b"X-App-Name: http-echo\r\n" in out
    assert out.endswith(b"\r\n\r\nhello from echo\n")
    conn = forward(cluster, "apps").connect(6379)
    assert conn.feed(GET) == (b"", False) and conn.feed(b"PING\r\n\r\n") == (b"", False)
    out, _ = forward(cluster, "apps").connect(80).feed(GET)
    assert out.startswith(b"HTTP/1.1 200 OK\r\nServer: Apache/2.4.62 (Unix)\r\n") and b"<h1>It works!</h1>" in out
    out, close = forward(cluster, "apps").connect(80).feed(b"\x16\x03\x01 not http\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400 Bad Request\r\n") and close
    assert b"Server: Apache/2.4.62 (Unix)\r\n" in out and b"<title>400 Bad Request</title>" in out


def test_a_forward_to_grafana_gets_its_redirect_and_a_declared_port_it_does_not_serve_a_plain_page(cluster):
    """grafana answers a forward to 3000 as it answers a pod's curl (302 to /login). A
    containerPort the pod declares counts as listening for the kubelet (the probes' rule) though
    the image serves nothing there: the forward reaches the container and gets a plain page, not
    a refusal (a pod's curl to that port is refused — servers.json's _comment)."""
    cluster.store.create(pod("dash", [{"name": "grafana", "image": "grafana/grafana:11.0.0",
                                       "ports": [{"containerPort": 3000}, {"containerPort": 9999}]}]))
    running(cluster, "dash")
    out, close = forward(cluster, "dash").connect(3000).feed(GET)
    assert out.startswith(b"HTTP/1.1 302 Found\r\n") and b"Location: /login\r\n" in out and not close
    out, close = forward(cluster, "dash").connect(9999).feed(GET)
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and b"<h1>It works!</h1>" in out and not close


def test_a_port_nothing_listens_on_is_refused(web):
    fw = forward(web)
    with pytest.raises(ConnectionError) as e:
        fw.connect(81)
    assert re.fullmatch(r'error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network '
                        r'namespace "/var/run/netns/cni-[0-9a-f-]{36}": failed to connect to localhost:81 inside '
                        r'namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused '
                        r'IPv6 dial tcp6 \[::1\]:81: connect: connection refused ', str(e.value))
    assert fw.sandbox in str(e.value)


def test_upgrade_errors(cluster):
    with pytest.raises(errors.NotFound, match='pods "nosuch" not found'):
        forward(cluster, "nosuch")
    cluster.store.create(pod("stuck", [{"name": "c", "image": "nginx"}], nodeSelector={"no": "such-node"}))
    cluster.advance(2)
    with pytest.raises(errors.BadRequest, match="pod stuck does not have a host assigned"):
        forward(cluster, "stuck")
    cluster.store.create(pod("done", [{"name": "c", "image": "busybox", "command": ["true"]}], restartPolicy="Never"))
    for _ in range(30):
        cluster.advance(1)
        if (cluster.store.get(kinds.POD, "default", "done").get("status") or {}).get("phase") == "Succeeded":
            break
    with pytest.raises(PlainTextError) as e:
        forward(cluster, "done")
    assert (e.value.code, e.value.message) == (500, 'pod not found ("done_default")')


def test_a_pod_deleted_under_a_port_forward(web):
    fw = forward(web)
    assert fw.connect(80).feed(GET)[0].startswith(b"HTTP/1.1 200 OK")
    web.store.delete(kinds.POD, "default", "web")
    web.advance(1)                          # the kubelet stops the containers (graceful deletion)
    with pytest.raises(ConnectionError, match=rf'^error forwarding port 80 to pod {fw.sandbox}, uid : '):
        fw.connect(80)
