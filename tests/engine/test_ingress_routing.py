"""Ingress on the simulated kind cluster with ingress-nginx installed (engine/ingress_nginx_install.py,
engine/ingress_routing.py, engine/kubelet/ingress_proxy.py, engine/controllers/ingress_nginx.py):
the install, DefaultIngressClass admission, the controller's status and events, and how
requests are routed — host rules (exact, `*.` wildcard), path types, longest match,
defaultBackend, 404/503, TLS redirect — answered by the backend pods over the pod network."""
import copy

import pytest

from engine import ingress_routing, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from test_network import client, deployment, pods_of, service, settle, sh

NGINX_404 = ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
             "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
NGINX_503 = ("<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
             "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n"
             "</body>\r\n</html>\r\n")
CONTROLLER = "http://ingress-nginx-controller.ingress-nginx"


def ingress(name, rules=None, default=None, tls=None, cls=None, annotations=None):
    spec = {}
    if rules is not None:
        spec["rules"] = rules
    if default is not None:
        spec["defaultBackend"] = default
    if tls is not None:
        spec["tls"] = tls
    if cls is not None:
        spec["ingressClassName"] = cls
    md = {"name": name, "namespace": "default"}
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": md, "spec": spec}


def backend(svc, port=80):
    return {"service": {"name": svc, "port": {"number": port}}}


def rule(host, *paths):
    r = {"http": {"paths": [{"path": p, "pathType": t, "backend": backend(s)} for p, t, s in paths]}}
    if host:
        r["host"] = host
    return r


def echo(name, text):
    return deployment(name, "hashicorp/http-echo:1.0", 1, ports=(5678,), args=[f"-text={text}"])


@pytest.fixture(scope="module")
def kind():
    """One control-plane cluster for the module: ingress-nginx up, two backends and a client."""
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2, control_plane=True)
    c.run_until_idle()
    for name in ("foo", "bar"):
        c.store.create(echo(name, f"this is {name}"))
        c.store.create(service(name, 80, 5678))
    client(c)
    settle(c, 40)
    yield c
    c.stop()


def curl(c, host, path="/", extra=""):
    return sh(c, "client", f"curl -s -i {extra} -H 'Host: {host}' {CONTROLLER}{path}")


def body(out):
    return out.split("\r\n\r\n", 1)[1]


def test_the_install_is_there_as_on_kind_with_ingress_nginx(kind):
    ic = kind.store.get(kinds.INGRESSCLASS, "", "nginx")
    assert ic["spec"] == {"controller": "k8s.io/ingress-nginx"}
    assert ic["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"
    svc = kind.store.get(kinds.SERVICE, "ingress-nginx", "ingress-nginx-controller")
    assert svc["spec"]["type"] == "NodePort" and [p["port"] for p in svc["spec"]["ports"]] == [80, 443]
    (pod,) = [p for p in kind.store.iter(kinds.POD, "ingress-nginx")]
    assert pod["metadata"]["name"].startswith("ingress-nginx-controller-")
    assert pod["spec"]["nodeName"] == "kubeplay-control-plane"      # ingress-ready=true, as kind's guide sets it
    assert pod["status"]["phase"] == "Running"
    assert "NGINX Ingress controller" in kind.controller("kubelet").logs("ingress-nginx", pod["metadata"]["name"])


def test_default_class_status_and_sync_events(kind):
    kind.store.create(ingress("status-demo", [rule("status.example", ("/", "Prefix", "foo"))]))
    settle(kind, 5)
    ing = kind.store.get(kinds.INGRESS, "default", "status-demo")
    assert ing["spec"]["ingressClassName"] == "nginx"
    assert ing["status"] == {"loadBalancer": {"ingress": [{"hostname": "localhost"}]}}
    events = [e for e in kind.store.iter(kinds.EVENT, "default")
              if e["involvedObject"].get("name") == "status-demo" and e["reason"] == "Sync"]
    assert len(events) == 1 and events[0]["message"] == "Scheduled for sync" and events[0]["count"] == 2
    assert events[0]["source"] == {"component": "nginx-ingress-controller"}
    # an explicit class, or the old annotation, is left alone
    kind.store.create(ingress("other-class", [rule("x.example", ("/", "Prefix", "foo"))], cls="other"))
    kind.store.create(ingress("annotated", [rule("y.example", ("/", "Prefix", "foo"))],
                              annotations={"kubernetes.io/ingress.class": "other"}))
    settle(kind, 5)
    assert "ingressClassName" not in kind.store.get(kinds.INGRESS, "default", "annotated")["spec"]
    assert kind.store.get(kinds.INGRESS, "default", "other-class")["status"] == {"loadBalancer": {}}
    for name in ("status-demo", "other-class", "annotated"):
        kind.store.delete(kinds.INGRESS, "default", name)


def test_two_hosts_reach_their_own_pods_and_unknown_hosts_get_nginx_404(kind):
    kind.store.create(ingress("two-hosts", [rule("foo.example", ("/", "Prefix", "foo")),
                                            rule("bar.example", ("/", "Prefix", "bar"))]))
    settle(kind, 3)
    code, out, _ = curl(kind, "foo.example")
    assert code == 0 and body(out) == "this is foo\n" and out.startswith("HTTP/1.1 200 OK")
    assert body(curl(kind, "bar.example", "/any/path")[1]) == "this is bar\n"
    # busybox wget's --header 'Host: …' replaces its own Host line, as the learner's way in from busybox
    code, out, _ = sh(kind, "client", f"wget -qO- --header 'Host: bar.example' {CONTROLLER}/")
    assert (code, out) == (0, "this is bar\n")
    code, out, _ = curl(kind, "nope.example")
    assert out.startswith("HTTP/1.1 404 Not Found") and body(out) == NGINX_404
    # the backend saw the controller's pod as its client; the controller logged the request
    (ctl,) = [p for p in kind.store.iter(kinds.POD, "ingress-nginx")]
    log = kind.controller("kubelet").logs("ingress-nginx", ctl["metadata"]["name"])
    assert "[default-foo-80] []" in log and "[upstream-default-backend]" in log
    # the request path as the page draws it: client → controller, controller → the backend pod
    items = [i for i in kind.traffic.since(0)[0] if i.get("ingress", {}).get("ingress") == "default/two-hosts"]
    hops = {(i["client"], i["endpoint"]) for i in items}
    (foo_pod,) = pods_of(kind, "foo")
    assert ("ingress-nginx/" + ctl["metadata"]["name"], "default/" + foo_pod) in hops
    assert ("default/client", "ingress-nginx/" + ctl["metadata"]["name"]) in hops
    kind.store.delete(kinds.INGRESS, "default", "two-hosts")


def test_no_ready_endpoint_is_503(kind):
    kind.store.create(deployment("gone", "hashicorp/http-echo:1.0", 0, ports=(5678,), args=["-text=x"]))
    kind.store.create(service("gone", 80, 5678))
    kind.store.create(ingress("to-gone", [rule("gone.example", ("/", "Prefix", "gone")),
                                          rule("missing.example", ("/", "Prefix", "no-such-service"))]))
    settle(kind, 3)
    for host in ("gone.example", "missing.example"):
        code, out, _ = curl(kind, host)
        assert out.startswith("HTTP/1.1 503 Service Temporarily Unavailable") and body(out) == NGINX_503
    kind.store.delete(kinds.INGRESS, "default", "to-gone")


def test_wildcards_path_types_longest_match_and_default_backend(kind):
    kind.store.create(ingress("paths", [
        rule("*.wild.example", ("/", "Prefix", "bar")),
        rule("app.example", ("/", "Prefix", "foo"), ("/api", "Prefix", "bar"), ("/exact", "Exact", "bar"),
             ("/impl", "ImplementationSpecific", "bar"))], default=backend("bar")))
    settle(kind, 3)
    assert body(curl(kind, "a.wild.example")[1]) == "this is bar\n"
    assert body(curl(kind, "a.b.wild.example")[1]) == NGINX_404    # one label only; the catch-all has no rule
    foo, bar = "this is foo\n", "this is bar\n"
    cases = {"/": foo, "/api": bar, "/api/v1": bar, "/apis": foo, "/exact": bar, "/exact/x": foo,
             "/impl": bar, "/implant": bar}
    for path, want in cases.items():
        assert body(curl(kind, "app.example", path)[1]) == want, path
    kind.store.delete(kinds.INGRESS, "default", "paths")


def test_a_tls_host_redirects_http_and_answers_https(kind):
    kind.store.create({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                       "metadata": {"name": "secure-tls", "namespace": "default"},
                       "data": {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}})
    kind.store.create(ingress("secure", [rule("secure.example", ("/", "Prefix", "foo"))],
                              tls=[{"hosts": ["secure.example"], "secretName": "secure-tls"}]))
    settle(kind, 3)
    code, out, _ = curl(kind, "secure.example", "/x")
    assert out.startswith("HTTP/1.1 308 Permanent Redirect") and "Location: https://secure.example/x" in out
    code, out, _ = sh(kind, "client", "curl -sk -H 'Host: secure.example' https://ingress-nginx-controller.ingress-nginx/")
    assert code == 0 and out == "this is foo\n"
    code, _, err = sh(kind, "client", "curl -sS -H 'Host: secure.example' https://ingress-nginx-controller.ingress-nginx/")
    assert code == 60              # the Secret's self-signed certificate: curl will not trust it
    assert err.startswith("curl: (60) SSL certificate problem: self-signed certificate\n")
    code, out, _ = sh(kind, "client", "curl -s -i http://ingress-nginx-controller.ingress-nginx:443/")
    assert out.startswith("HTTP/1.1 400 Bad Request") and "The plain HTTP request was sent to HTTPS port" in out
    kind.store.delete(kinds.INGRESS, "default", "secure")


def test_without_a_ready_controller_the_address_goes_and_comes_back(kind):
    kind.store.create(ingress("lonely", [rule("lonely.example", ("/", "Prefix", "foo"))]))
    settle(kind, 3)
    dep = copy.deepcopy(kind.store.get(kinds.DEPLOYMENT, "ingress-nginx", "ingress-nginx-controller"))
    dep["spec"]["replicas"] = 0
    kind.store.update(dep)
    settle(kind, 10)
    assert kind.store.get(kinds.INGRESS, "default", "lonely")["status"] == {"loadBalancer": {}}
    dep = copy.deepcopy(kind.store.get(kinds.DEPLOYMENT, "ingress-nginx", "ingress-nginx-controller"))
    dep["spec"]["replicas"] = 1
    kind.store.update(dep)
    settle(kind, 15)
    assert kind.store.get(kinds.INGRESS, "default", "lonely")["status"]["loadBalancer"]["ingress"] == [
        {"hostname": "localhost"}]
    kind.store.delete(kinds.INGRESS, "default", "lonely")


# ---- routing rules, on the objects alone -----------------------------------------------------------

def _ing(name, created, rules=None, default=None):
    obj = ingress(name, rules, default)
    obj["metadata"]["creationTimestamp"] = created
    return obj


def test_routing_rules_without_a_cluster():
    older = _ing("a", "2026-01-01T00:00:00Z", [rule("h.example", ("/same", "Prefix", "old"))])
    newer = _ing("b", "2026-01-02T00:00:00Z", [rule("h.example", ("/same", "Prefix", "new"), ("/same/deeper", "Prefix", "deep")),
                                                 rule("", ("/anyhost", "Exact", "any"))])
    only_default = _ing("c", "2026-01-03T00:00:00Z", default=backend("fallback"))
    ings = ingress_routing.served([newer, only_default, older], "nginx")
    assert [i["metadata"]["name"] for i in ings] == ["a", "b", "c"]

    def svc(host, path):
        m = ingress_routing.route(ings, host, path)
        return (m.backend or {}).get("service", {}).get("name")
    assert svc("h.example", "/same/x") == "old"               # the older Ingress wins a shared path
    assert svc("h.example", "/same/deeper/x") == "deep"       # longest match
    assert svc("h.example", "/other") is None                 # a host's server without a root: 404
    assert svc("unknown.example", "/anyhost") == "any"        # rules without a host: the catch-all server
    assert svc("unknown.example", "/else") == "fallback"      # an Ingress with only a defaultBackend
    assert svc("H.Example", "/same") == "old"                 # hosts are case-insensitive
    wild = [_ing("w", "2026-01-01T00:00:00Z", [rule("*.w.example", ("/", "Prefix", "wild"))])]
    assert ingress_routing.route(wild, "x.w.example", "/").backend is not None
    assert ingress_routing.route(wild, "w.example", "/").backend is None
    assert ingress_routing.route(wild, "x.y.w.example", "/").backend is None   # one label only


RW = "nginx.ingress.kubernetes.io/"


def test_rewrite_target_with_groups_and_regex_for_the_whole_host(kind):
    """The ingress-nginx rewrite example: `/something(/|$)(.*)` rewritten to `/$2` (the backend
    sees the rest of the path, the query kept); the annotation makes the host's other Ingress's
    Exact path a case-insensitive prefix expression too, as ingress-nginx does."""
    kind.store.create(deployment("echo", "registry.k8s.io/echoserver:1.10", 1, ports=(8080,)))
    kind.store.create(service("echo", 80, 8080))
    kind.store.create(ingress("rewrite", [rule("rewrite.example", ("/something(/|$)(.*)", "ImplementationSpecific", "echo"))],
                              annotations={RW + "rewrite-target": "/$2"}))
    kind.store.create(ingress("other", [rule("rewrite.example", ("/head", "Exact", "foo"))]))
    settle(kind, 5)
    cases = {"/something": "real path=/\n", "/something/": "real path=/\n",
             "/something/new?x=1": "real path=/new\n\tquery=x=1\n", "/SOMETHING/Up": "real path=/Up\n"}
    for path, want in cases.items():
        assert want in body(curl(kind, "rewrite.example", path)[1]), path
    assert body(curl(kind, "rewrite.example", "/headers")[1]) == "this is foo\n"     # /head as ~* "^/head"
    assert body(curl(kind, "rewrite.example", "/somethingelse")[1]) == NGINX_404    # (/|$) wants a slash or the end
    (ctl,) = [p for p in kind.store.iter(kinds.POD, "ingress-nginx")]
    items = [i for i in kind.traffic.since(0)[0] if i.get("ingress", {}).get("ingress") == "default/rewrite"]
    assert any(i["ingress"].get("rewrite") == "/new?x=1" for i in items)
    for name in ("rewrite", "other"):
        kind.store.delete(kinds.INGRESS, "default", name)


def test_redirect_app_root_and_ssl_redirect_annotations(kind):
    kind.store.create(ingress("moved", [rule("moved.example", ("/", "Prefix", "foo"))],
                              annotations={RW + "permanent-redirect": "https://elsewhere.example/new"}))
    kind.store.create(ingress("temp", [rule("temp.example", ("/", "Prefix", "foo"))],
                              annotations={RW + "temporal-redirect": "http://later.example/"}))
    kind.store.create(ingress("root", [rule("root.example", ("/", "Prefix", "foo"))],
                              annotations={RW + "app-root": "/app"}))
    kind.store.create({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                       "metadata": {"name": "plain-tls", "namespace": "default"},
                       "data": {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}})
    kind.store.create(ingress("plain", [rule("plain.example", ("/", "Prefix", "foo"))],
                              tls=[{"hosts": ["plain.example"], "secretName": "plain-tls"}],
                              annotations={RW + "ssl-redirect": "false"}))
    kind.store.create(ingress("forced", [rule("forced.example", ("/", "Prefix", "foo"))],
                              annotations={RW + "force-ssl-redirect": "true"}))
    settle(kind, 3)
    out = curl(kind, "moved.example", "/x")[1]
    assert out.startswith("HTTP/1.1 301 Moved Permanently\r\n") and "Location: https://elsewhere.example/new\r\n" in out
    assert "<center><h1>301 Moved Permanently</h1></center>" in body(out)
    out = curl(kind, "temp.example", "/x")[1]
    assert out.startswith("HTTP/1.1 302 Moved Temporarily\r\n") and "Location: http://later.example/\r\n" in out
    out = curl(kind, "root.example", "/")[1]
    assert out.startswith("HTTP/1.1 302 Moved Temporarily\r\n") and "Location: http://root.example/app\r\n" in out
    assert body(curl(kind, "root.example", "/app")[1]) == "this is foo\n"
    assert body(curl(kind, "plain.example", "/")[1]) == "this is foo\n"          # TLS host, redirect off
    out = curl(kind, "forced.example", "/y")[1]
    assert out.startswith("HTTP/1.1 308 Permanent Redirect") and "Location: https://forced.example/y" in out
    for name in ("moved", "temp", "root", "plain", "forced"):
        kind.store.delete(kinds.INGRESS, "default", name)


def test_rewrite_and_regex_rules_without_a_cluster():
    from engine import ingress_annotations as ann
    assert ann.rewrite("/something(/|$)(.*)", "/$2", "/something/a/b?q=1") == "/a/b?q=1"
    assert ann.rewrite("/api(/|$)(.*)", "/v2/$2?src=ing", "/api/x?q=1") == "/v2/x?src=ing&q=1"
    assert ann.rewrite("/api", "/new?", "/api/x?q=1") == "/new"                    # a trailing ? drops the query
    assert ann.rewrite("/api", "/$5", "/API/x") == "/"                             # a missing group is empty
    assert ann.rewrite("/api", "/new", "/other") is None
    assert ann.redirect({"metadata": {"annotations": {RW + "permanent-redirect": "https://x/",
                                                      RW + "permanent-redirect-code": "999"}}}) == (301, "https://x/")
    ings = [ingress("a", [rule("h", ("/u[A-Z]", "ImplementationSpecific", "x"))], annotations={RW + "use-regex": "true"}),
            ingress("b", [rule("h", ("/HEAD", "Exact", "y"), ("/(", "Prefix", "z"))])]
    for i, ing in enumerate(ings):
        ing["metadata"]["creationTimestamp"] = f"2024-01-01T00:00:0{i}Z"
    route = ingress_routing.route
    assert route(ings, "h", "/uuid").backend == backend("x")                   # prefix, case-insensitive
    assert route(ings, "h", "/headers").backend == backend("y")                # Exact as a regex prefix
    assert route(ings, "h", "/nope").backend is None                           # "/(" is no expression: never matches
    ings[0]["metadata"]["annotations"][RW + "use-regex"] = "no"                # not a Go boolean: off
    assert route(ings, "h", "/headers").backend is None
