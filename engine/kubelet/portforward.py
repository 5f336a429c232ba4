"""The kubelet's (and the container runtime's) side of pods/portforward (`kubectl port-forward`).

On a real node the apiserver proxies the upgrade to the kubelet, which hands it to containerd's
streaming server; every forwarded TCP connection then dials `localhost:<port>` inside the pod's
network namespace. Here the "dial" finds the pod's running container that listens on the port
(the same rule the probes use: declared containerPorts, plus the image's own server ports), and
the bytes are answered as a curl from another pod to that container port is answered
(`PodNetwork.connection`, over the server catalog engine/data/servers.json): nginx from its own
filesystem, agnhost, http-echo and the rest as in-cluster, a database silent to HTTP; an image
the server catalog does not model answers as a plain web server.

Errors, in a v1.32 cluster's words (kubelet server.go getPortForward, kubelet GetPortForward,
containerd 1.7 sandbox_portforward_linux.go, kubelet portforward/httpstream.go):
* at the upgrade: the kubelet does not know the pod → `pod does not exist` (404, plain text); the
  runtime has no running sandbox for it → `pod not found ("<name>_<namespace>")` (500, plain text);
  kubectl prints `error upgrading connection: unable to upgrade connection: <text>`;
* per connection, on the error stream (kubectl: `an error occurred forwarding L -> P: <text>`):
  `error forwarding port P to pod <sandbox id>, uid : <containerd's error>` — nothing listening
  (`... failed to connect to localhost:P inside namespace "<sandbox id>", IPv4: dial tcp4
  127.0.0.1:P: connect: connection refused IPv6 dial tcp6 [::1]:P: connect: connection refused `),
  or the sandbox stopped or gone since the upgrade."""
from __future__ import annotations

import hashlib
import uuid

from .. import errors, objects, resources as kinds
from .http_wire import Connection
from .probes import listening_ports
from .shell.containers import PlainTextError


class RuntimeError500(PlainTextError):
    """streaming.WriteError of a plain error: 500 with the text."""
    code, reason = 500, "InternalError"


class ForwardError(ConnectionError):
    """A forwarded connection that could not be made: the text for the error stream. A builtin
    ConnectionError, so the web layer recognises it without reaching into the kubelet."""


def sandbox_id(uid: str) -> str:
    """The pod sandbox's id as containerd names it (64 hex digits); stable per pod."""
    return hashlib.sha256(f"sandbox/{uid}".encode()).hexdigest()


def _netns_path(uid: str) -> str:
    return f"/var/run/netns/cni-{uuid.UUID(hashlib.md5(f'netns/{uid}'.encode()).hexdigest())}"


class PodForwarder:
    """One port-forward session to a pod: `connect(port)` per forwarded TCP connection."""

    def __init__(self, kubelet, pod: dict):
        self.kubelet = kubelet
        self.namespace, self.name, self.uid = objects.namespace_of(pod), objects.name_of(pod), objects.uid_of(pod)
        self.sandbox = sandbox_id(self.uid)

    def _fail(self, port: int, why: str) -> ForwardError:
        return ForwardError(f"error forwarding port {port} to pod {self.sandbox}, uid : {why}")

    def connect(self, port: int) -> Connection:
        kl = self.kubelet
        pod = kl.store.try_get(kinds.POD, self.namespace, self.name)
        run = kl._runs.get(f"{self.namespace}/{self.name}")
        if pod is None or objects.uid_of(pod) != self.uid or run is None or run.uid != self.uid:
            raise self._fail(port, f'failed to find sandbox "{self.sandbox}" in store: not found')
        running = [c for c in run.init + run.main if c.stage == "running"]
        if run.killing_at is not None or not running:
            raise self._fail(port, f'network namespace for sandbox "{self.sandbox}" is closed')
        c = next((x for x in running if port in listening_ports(x)), None)
        if c is None:
            refused = (f"failed to connect to localhost:{port} inside namespace \"{self.sandbox}\", "
                       f"IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused "
                       f"IPv6 dial tcp6 [::1]:{port}: connect: connection refused ")
            raise self._fail(port, f'failed to execute portforward in network namespace '
                                   f'"{_netns_path(self.uid)}": {refused}')
        return kl.network.connection(pod, port, fallback=c.name)


def open_forward(kubelet, namespace: str, name: str) -> PodForwarder:
    """The upgrade's checks (the apiserver's, then the kubelet's): raises the ApiError to answer."""
    pod = kubelet.store.get(kinds.POD, namespace, name)          # 404 pods "x" not found
    node = (pod.get("spec") or {}).get("nodeName")
    if not node:
        raise errors.BadRequest(f"pod {name} does not have a host assigned")
    kubelet._reachable(pod)
    run = kubelet._runs.get(objects.key_of(pod))
    if run is None or run.uid != objects.uid_of(pod) or run.node != node:
        raise PlainTextError("pod does not exist")
    if not run.mounted or not any(c.stage == "running" for c in run.init + run.main):
        raise RuntimeError500(f'pod not found ("{name}_{namespace}")')
    return PodForwarder(kubelet, pod)
