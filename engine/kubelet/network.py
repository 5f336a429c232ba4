"""The network between pods, as kube-proxy (iptables mode) and the pods' own servers make it:
what a connection from a container to an address and port reaches.

* a Service's ClusterIP on one of its ports → one ready endpoint, chosen at random as
  kube-proxy's iptables rules do (statistic mode random; sessionAffinity ClientIP sticks); no
  ready endpoint → refused (kube-proxy REJECTs); a port the Service does not have → nothing
  answers (timeout);
* a node's InternalIP on a Service's nodePort → the same (externalTrafficPolicy Local: only
  endpoints on that node, else dropped); other node ports → refused;
* a pod's IP (or 127.0.0.1 inside the pod) → the container listening on that port answers
  (servers.py), or refused; an address no pod has → timeout;
* NetworkPolicies (engine/network_policy.py) judge every connection that leaves a pod, once
  kube-proxy has chosen the endpoint (the backend pod, not the ClusterIP): one they deny is
  dropped, so the client waits and times out as on a real cluster (Calico, Cilium). Lookups
  need the same: egress to CoreDNS on UDP 53. Port-forward reaches a pod through the kubelet,
  not the pod network (`answer`), so policies never apply to it.

Each HTTP request is recorded in `requests` (engine/traffic.py: the page draws its path) and
in the serving container's access log, which `kubectl logs` shows after the container's own
lines."""
from __future__ import annotations

import collections
import random
from dataclasses import dataclass

from .. import cluster_dns, network_policy, objects, resources as kinds
from ..traffic import RequestLog
from . import http_wire, in_cluster_api, ingress_proxy, servers

STICKY_SECONDS = 10800      # sessionAffinityConfig.clientIP.timeoutSeconds default


@dataclass
class Route:
    """Where a connection went: `error` "refused"/"timeout", or the pod and port that answer."""
    error: str = ""
    pod: dict | None = None
    port: int = 0
    service: str | None = None     # the Service's key when one was in the way
    dropped: network_policy.Verdict | None = None   # a NetworkPolicy dropped it (error "timeout")
    apiserver: bool = False        # the `kubernetes` Service: the apiserver answers (in_cluster_api.py)
    outside: bool = False          # a public site (cluster_dns.py's stand-in outside world)


class PodNetwork:
    def __init__(self, store, clock, runs: dict, shells, node_ip):
        self.store, self.clock = store, clock
        self._runs = runs                 # the kubelet's pod key -> PodRun
        self._shells = shells
        self._node_ip = node_ip           # node name -> its InternalIP
        self.requests = RequestLog(clock)
        self.rng = random.Random()
        self._affinity: dict[tuple, tuple[str, float]] = {}
        self._access: dict[str, collections.deque] = {}   # container id -> (time, line)
        self.apiserver: in_cluster_api.Handler | None = None   # the API, handed in by the web layer
        self.decisions = None             # the reconcile log, where a dropped connection is said (the kubelet's)

    # ---- addresses -----------------------------------------------------------------------------

    def route(self, client: dict, ip: str, port: int) -> Route:
        if ip.startswith("127."):
            return Route(pod=client, port=port)
        if cluster_dns.is_outside(ip):
            return Route(outside=True) if port in (80, 443) else Route("timeout")
        for svc in self.store.list(kinds.SERVICE)[0]:
            spec = svc.get("spec") or {}
            if spec.get("clusterIP") != ip:
                continue
            sport = next((p for p in spec.get("ports") or () if p.get("port") == port
                          and (p.get("protocol") or "TCP") == "TCP"), None)
            if sport is None:
                return Route("timeout", service=objects.key_of(svc))
            if objects.key_of(svc) == "default/kubernetes":
                return Route(service="default/kubernetes", apiserver=True)
            return self._balance(client, svc, sport, None)
        nodes = {self._node_ip(n): n for n in self._node_names()}
        if ip in nodes:
            for svc in self.store.list(kinds.SERVICE)[0]:
                spec = svc.get("spec") or {}
                if spec.get("type") not in ("NodePort", "LoadBalancer"):
                    continue
                sport = next((p for p in spec.get("ports") or () if p.get("nodePort") == port), None)
                if sport is not None:
                    local = nodes[ip] if spec.get("externalTrafficPolicy") == "Local" else None
                    return self._balance(client, svc, sport, local)
            return Route("refused")
        pod = self._pod_by_ip(ip)
        if pod is None:
            return Route("timeout")
        return Route(pod=pod, port=port)

    def _node_names(self) -> list[str]:
        return [objects.name_of(n) for n in self.store.list(kinds.NODE)[0]]

    def _pod_by_ip(self, ip: str) -> dict | None:
        for pod in self.store.list(kinds.POD)[0]:
            st = pod.get("status") or {}
            if st.get("podIP") == ip and not (pod.get("spec") or {}).get("hostNetwork") \
                    and st.get("phase") not in ("Succeeded", "Failed"):
                return pod
        return None

    def ready_endpoints(self, svc: dict, sport: dict, node: str | None = None) -> list[tuple[dict, int]]:
        """(pod, port) for each ready endpoint of the Service's port, as kube-proxy programs them."""
        ns, name = objects.namespace_of(svc), objects.name_of(svc)
        out = []
        for sl in self.store.list(kinds.ENDPOINTSLICE, ns)[0]:
            if ((sl.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name") != name:
                continue
            port = next((p.get("port") for p in sl.get("ports") or () if (p.get("name") or "") == (sport.get("name") or "")), None)
            if port is None:
                continue
            for ep in sl.get("endpoints") or ():
                if not (ep.get("conditions") or {}).get("ready"):
                    continue
                if node is not None and ep.get("nodeName") != node:
                    continue
                ref = ep.get("targetRef") or {}
                pod = self.store.try_get(kinds.POD, ref.get("namespace") or ns, ref.get("name") or "") \
                    if ref.get("kind") == "Pod" else None
                if pod is not None:
                    out.append((pod, port))
        out.sort(key=lambda pp: objects.name_of(pp[0]))
        return out

    def _balance(self, client: dict, svc: dict, sport: dict, node: str | None) -> Route:
        key = objects.key_of(svc)
        eps = self.ready_endpoints(svc, sport, node)
        if not eps:
            return Route("timeout" if node is not None else "refused", service=key)
        spec = svc.get("spec") or {}
        client_ip = (client.get("status") or {}).get("podIP", "")
        if spec.get("sessionAffinity") == "ClientIP":
            sticky = self._affinity.get((key, client_ip))
            now = self.clock.now()
            if sticky is not None and now - sticky[1] < STICKY_SECONDS:
                chosen = next((e for e in eps if objects.name_of(e[0]) == sticky[0]), None)
                if chosen is not None:
                    self._affinity[(key, client_ip)] = (sticky[0], now)
                    return Route(pod=chosen[0], port=chosen[1], service=key)
            pod, port = self.rng.choice(eps)
            self._affinity[(key, client_ip)] = (objects.name_of(pod), now)
            return Route(pod=pod, port=port, service=key)
        pod, port = self.rng.choice(eps)
        return Route(pod=pod, port=port, service=key)

    # ---- the pods' servers ---------------------------------------------------------------------

    def _listener(self, pod: dict, port: int, fallback: str | None = None):
        """(run, container, listener) of the running container serving `port`, or None. With
        `fallback` (a container's name), that container answers as a plain web server when the
        server catalog knows no listener there (see `connection`)."""
        run = self._runs.get(objects.key_of(pod))
        if run is None or run.uid != objects.uid_of(pod) or run.killing_at is not None:
            return None
        for c in list(run.main) + [x for x in run.init if x.sidecar]:
            if c.stage != "running":
                continue
            for lst in servers.listeners(c.ref, c.spec):
                if lst.port == port:
                    return run, c, lst
        for c in run.init + run.main:
            if c.name == fallback and c.stage == "running":
                return run, c, servers.Listener(port, "default")
        return None

    def request(self, client: dict, target: str, ip: str, port: int, req: servers.Request) -> tuple[Route, servers.Response | None]:
        """Send one HTTP request from the client pod; the route taken and the answer (None: the
        connection failed, route.error says how; a TCP server that is not HTTP answers nothing)."""
        route = self.route(client, ip, port)
        req.client_ip = "127.0.0.1" if ip.startswith("127.") else (client.get("status") or {}).get("podIP", "")
        self._police(client, route, target, ip, port)
        resp = None
        if route.outside:
            resp = servers.outside(req, target.rsplit(":", 1)[0], self.clock.now())
        elif route.apiserver:
            if req.tls:
                resp = in_cluster_api.answer(req, self.store, self.clock.now(), self.apiserver)
                resp.tls = "cluster-ca"
            else:
                resp = servers.Response(400, [("Content-Type", "text/plain")],
                                        b"Client sent an HTTP request to an HTTPS server.\n")
        elif not route.error and route.pod is not None:
            resp, route.error = self.answer(route.pod, route.port, req)
        dropped = route.dropped
        self.requests.record(client=objects.key_of(client), target=target, service=route.service,
                             endpoint=objects.key_of(route.pod) if route.pod is not None and (not route.error or dropped)
                             else None,
                             status=resp.status if resp is not None else None, error=route.error,
                             policy=dropped.words() if dropped is not None else "", ingress=req.ingress)
        return route, resp

    # ---- NetworkPolicies -----------------------------------------------------------------------

    def _police(self, client: dict, route: Route, target: str, ip: str, port: int) -> None:
        """Judge the connection by the NetworkPolicies (engine/network_policy.py) once its
        destination is known; a denied one becomes a timeout (the packets are dropped)."""
        if route.error or ip.startswith("127."):
            return
        dest_ip, dest_port = ip, port
        if route.pod is not None:
            dest_ip, dest_port = (route.pod.get("status") or {}).get("podIP", ""), route.port
        elif route.apiserver:          # the `kubernetes` Service's endpoint: the apiserver on the control plane
            dest_ip, dest_port = self._apiserver_address()
        verdict = network_policy.evaluate(self.store, client, (client.get("status") or {}).get("podIP", ""),
                                          route.pod, dest_ip, dest_port)
        if verdict.allowed:
            return
        route.error, route.dropped = "timeout", verdict
        route.outside = route.apiserver = False
        self._say_dropped(client, route.pod, target, verdict)

    def _apiserver_address(self) -> tuple[str, int]:
        for ep in self.store.list(kinds.ENDPOINTS, "default")[0]:
            if objects.name_of(ep) != "kubernetes":
                continue
            for subset in ep.get("subsets") or ():
                addrs, ports = subset.get("addresses") or (), subset.get("ports") or ()
                if addrs and ports:
                    return addrs[0].get("ip", ""), ports[0].get("port", 6443)
        return "", 6443

    def _say_dropped(self, client: dict, dest: dict | None, target: str, verdict: network_policy.Verdict) -> None:
        if self.decisions is None:
            return
        where = objects.key_of(dest) if dest is not None else target
        self.decisions.record(
            "network", objects.key_of(client), action="dropped",
            message=f"{objects.key_of(client)} → {target} ({where}): {verdict.words()} — the playground's view: "
                    "a real cluster drops the packets silently, with no Event",
            refs=list(verdict.policies))

    def dns_allowed(self, client: dict) -> bool:
        """Whether the pod's policies let its lookups reach CoreDNS (UDP 53 to a kube-dns
        endpoint, egress from the pod and ingress to CoreDNS both): a default-deny egress
        without a DNS rule makes every name lookup time out."""
        svc = self.store.try_get(kinds.SERVICE, "kube-system", "kube-dns")
        if svc is None:
            return True
        sport = next((p for p in (svc.get("spec") or {}).get("ports") or () if p.get("port") == 53
                      and (p.get("protocol") or "TCP") == "UDP"), None)
        eps = self.ready_endpoints(svc, sport) if sport is not None else []
        client_ip = (client.get("status") or {}).get("podIP", "")
        return any(network_policy.evaluate(self.store, client, client_ip, pod, (pod.get("status") or {}).get("podIP", ""),
                                           port, "UDP").allowed for pod, port in eps) or not eps

    def connect(self, client: dict, target: str, ip: str, port: int) -> Route:
        """Open a TCP connection from the client pod without speaking HTTP (`nc`): the route taken,
        with route.error "refused" (nothing listens) or "timeout" (dropped, nothing there); on
        success route.pod and route.port are who accepted it (None for the apiserver and the
        outside world). Only a failed connection goes to the request log (it has no status)."""
        route = self.route(client, ip, port)
        self._police(client, route, target, ip, port)
        if not route.error and route.pod is not None and self._listener(route.pod, route.port) is None:
            route.error = "refused"
        if route.error:
            self.requests.record(client=objects.key_of(client), target=target, service=route.service,
                                 endpoint=objects.key_of(route.pod) if route.pod is not None and route.dropped else None,
                                 status=None, error=route.error,
                                 policy=route.dropped.words() if route.dropped is not None else "")
        return route

    def answer(self, pod: dict, port: int, req: servers.Request, *,
               fallback: str | None = None) -> tuple[servers.Response | None, str]:
        """What the pod's container listening on `port` answers (and writes to its access log):
        (response, "") or (None, "refused" | "empty"). Also what a port-forward reaches."""
        found = self._listener(pod, port, fallback)
        if found is None:
            return None, "refused"
        run, c, lst = found
        if lst.kind == "tcp":
            return None, "empty"
        now = self.clock.now()
        if lst.kind == "ingress":      # the ingress-nginx controller routes, then connects to a backend
            resp = ingress_proxy.serve(self, pod, lst, req)
            self._access.setdefault(c.container_id, collections.deque(maxlen=1000)).append((now, resp.log_line))
            return resp, ""
        fs = self._shells.filesystem(pod, run, c, self._node_ip((pod.get("spec") or {}).get("nodeName", "")))
        resp = servers.answer(lst, req, hostname=_hostname(pod), pod_labels=(pod.get("metadata") or {}).get("labels") or {},
                              ref=c.ref, fs=fs, now=now)
        if resp.log_line:
            self._access.setdefault(c.container_id, collections.deque(maxlen=1000)).append((now, resp.log_line))
        return resp, ""

    def connection(self, pod: dict, port: int, fallback: str | None = None) -> http_wire.Connection:
        """A TCP connection to the pod's `port` from inside the pod (`kubectl port-forward` dials
        localhost in the pod's network namespace): requests on it are answered as a pod's curl
        to the same container port is, and logged the same way.

        `fallback` names the container the kubelet's own rule (the probes': declared
        containerPorts and the image catalog's ports) finds listening where the server catalog
        (servers.json) has no server — a containerPort the pod declares on which its image
        serves nothing: that container answers as a plain web server rather than the
        connection being refused."""
        def answer(req: servers.Request) -> servers.Response | None:
            resp, error = self.answer(pod, port, req, fallback=fallback)
            if error == "refused":           # the container stopped since the connection was made
                raise ConnectionResetError(error)
            return resp

        def bad_request() -> servers.Response | None:
            found = self._listener(pod, port, fallback)
            if found is None:
                raise ConnectionResetError("refused")
            _run, c, lst = found
            if lst.kind == "ingress":
                return ingress_proxy.bad_request(self.clock.now())
            return servers.bad_request(lst, c.ref, self.clock.now())
        return http_wire.Connection(answer, bad_request)

    def access_log(self, container_id: str) -> list[tuple[float, str]]:
        return list(self._access.get(container_id) or ())

    def answers_ping(self, client: dict, ip: str) -> bool:
        """ClusterIPs are virtual (iptables rules, no host behind them): they do not answer ICMP;
        pods and nodes do."""
        if ip.startswith("127.") or cluster_dns.is_outside(ip) or ip in {self._node_ip(n) for n in self._node_names()}:
            dest = None
        else:
            dest = self._pod_by_ip(ip)
            if dest is None:
                return False
        # ICMP is neither TCP nor UDP: only a policy rule without ports lets it through
        return network_policy.evaluate(self.store, client, (client.get("status") or {}).get("podIP", ""),
                                       dest, ip, 0, "ICMP").allowed or ip.startswith("127.")

    # ---- DNS -----------------------------------------------------------------------------------

    def dns_up(self) -> bool:
        return cluster_dns.dns_ready(self.store)

    def query(self, name: str) -> cluster_dns.Answer:
        return cluster_dns.query(self.store, name)

    def reverse(self, ip: str) -> str | None:
        return cluster_dns.reverse(self.store, ip)


def _hostname(pod: dict) -> str:
    return (pod.get("spec") or {}).get("hostname") or objects.name_of(pod)
