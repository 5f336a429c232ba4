"""Presentation helpers: what `kubectl get` shows in each cell, computed exactly as a real
apiserver computes it.

Ports of k/k `pkg/printers/internalversion/printers.go` (v1.32), k/apimachinery
`pkg/util/duration/duration.go` (`HumanDuration`) and `pkg/labels` / `metav1.FormatLabelSelector`.
Every function here is pure: objects are plain Kubernetes-shaped dicts (never mutated), and time
comes in as `now` (epoch seconds) so the simulated clock, not the wall clock, decides ages.

`pod_status` is the one the browser page ports to JS; it is written to read top to bottom like
upstream's `printPod`.
"""
from __future__ import annotations

import functools
import re

from engine import objects

NONE = "<none>"
UNKNOWN = "<unknown>"


# --- durations and ages ------------------------------------------------------------------------

def human_duration(seconds: float) -> str:
    """duration.HumanDuration: ~2-3 significant figures ("45s", "5m12s", "95m", "3h5m", "30h",
    "3d4h", "45d", "2y10d", "9y"). Up to 1s in the future counts as now ("0s"); further is
    "<invalid>". Go truncates toward zero at every step, and so does this."""
    whole = int(seconds)                    # int(d.Seconds()) truncates toward zero
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        s = whole % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


# Memoised: a Table of all pods asks at one `now` for the creation stamps of pods made in the same
# few seconds (10,000 rows, a few dozen different answers).
@functools.lru_cache(maxsize=4096)
def translate_timestamp_since(ts: str | None, now: float) -> str:
    """translateTimestampSince / translateMicroTimestampSince: the AGE cell. A missing (zero)
    timestamp is "<unknown>"."""
    t = objects.parse_time(ts)
    if t is None:
        return UNKNOWN
    return human_duration(now - t)


# --- labels and selectors ----------------------------------------------------------------------

def format_labels(labels: dict | None) -> str:
    """labels.FormatLabels: `a=1,b=2` sorted by key, or "<none>"."""
    if not labels:
        return NONE
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


_NAME_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_DNS1123_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


def _valid_label_key(key: str) -> bool:
    """validation.IsQualifiedName: `[prefix/]name`, name <= 63 chars, prefix a DNS subdomain."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN_RE.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(_NAME_RE.match(name))


def _valid_label_value(value: str) -> bool:
    return len(value) <= 63 and bool(_NAME_RE.match(value))


def _requirement_string(key: str, op: str, values: list[str]) -> str:
    """labels.Requirement.String(); values print sorted."""
    if not _valid_label_key(key) or not all(isinstance(v, str) and _valid_label_value(v) for v in values):
        raise ValueError(f"invalid requirement {key!r} {op} {values!r}")
    if op == "=":
        if len(values) != 1:
            raise ValueError("exact-match compatibility requires one single value")
        return f"{key}={values[0]}"
    if op in ("in", "notin"):
        if not values:
            raise ValueError("for 'in', 'notin' operators, values set can't be empty")
        return f"{key} {op} ({','.join(sorted(values))})"
    if values:
        raise ValueError("values set must be empty for exists and does not exist")
    return key if op == "exists" else f"!{key}"


def label_selector_string(selector: dict | None) -> str:
    """metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, joined by ",";
    "" for a nil or empty selector. Raises ValueError where upstream returns an error."""
    if not selector:
        return ""
    reqs: list[tuple[str, str, list[str]]] = []
    for k, v in (selector.get("matchLabels") or {}).items():
        reqs.append((k, "=", [v]))
    for expr in selector.get("matchExpressions") or ():
        op = _OPERATORS.get(expr.get("operator", ""))
        if op is None:
            raise ValueError(f"{expr.get('operator')!r} is not a valid label selector operator")
        reqs.append((expr.get("key", ""), op, list(expr.get("values") or ())))
    reqs.sort(key=lambda r: r[0])          # stable, like Go's sort for small selectors
    return ",".join(_requirement_string(*r) for r in reqs)


def format_label_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `app=web`, `app in (a,b),!canary`, "<none>" when empty,
    "<error>" when invalid."""
    try:
        text = label_selector_string(selector)
    except ValueError:
        return "<error>"
    return text or NONE


# --- pods --------------------------------------------------------------------------------------

def _condition_true(pod: dict, ctype: str) -> bool:
    """First condition of the type decides (isPodInitializedConditionTrue / hasPodReadyCondition)."""
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == ctype:
            return c.get("status") == "True"
    return False


def _pod_summary(pod: dict) -> tuple[int, int, str, int, float | None]:
    """printPod, step by step. Returns (ready, total, STATUS, restarts, last restart time)."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    init_specs = spec.get("initContainers") or []
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}

    restarts = 0
    sidecar_restarts = 0
    total = len(spec.get("containers") or []) + len(sidecars)
    ready = 0
    last_restart: float | None = None
    last_sidecar_restart: float | None = None

    # 1. Phase, or the pod-level reason (e.g. Evicted), or SchedulingGated.
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for c in status.get("conditions") or ():
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    # 2. Init containers in order; stop at the first one that is not done.
    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or ()):
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        finished = _last_finished(cs)
        restarts += cs.get("restartCount") or 0
        last_restart = _later(last_restart, finished)
        is_sidecar = cs.get("name") in sidecars
        if is_sidecar:
            sidecar_restarts += cs.get("restartCount") or 0
            last_sidecar_restart = _later(last_sidecar_restart, finished)

        if terminated is not None and (terminated.get("exitCode") or 0) == 0:
            continue                                    # finished fine
        if is_sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue                                    # a running sidecar does not block
        if terminated is not None:                      # initialization failed
            if terminated.get("reason"):
                reason = "Init:" + terminated["reason"]
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{terminated.get('exitCode') or 0}"
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    # 3. Regular containers, last to first: the first listed container's state wins.
    if not initializing or _condition_true(pod, "Initialized"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            state = cs.get("state") or {}
            terminated, waiting = state.get("terminated"), state.get("waiting")
            restarts += cs.get("restartCount") or 0
            last_restart = _later(last_restart, _last_finished(cs))
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                if terminated.get("signal"):
                    reason = f"Signal:{terminated['signal']}"
                else:
                    reason = f"ExitCode:{terminated.get('exitCode') or 0}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1

        # 4. One container completed while another still runs: the pod is not "Completed".
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(pod, "Ready") else "NotReady"

    # 5. Being deleted.
    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    return ready, total, reason, restarts, last_restart


def _last_finished(cs: dict) -> float | None:
    terminated = (cs.get("lastState") or {}).get("terminated")
    return objects.parse_time(terminated.get("finishedAt")) if terminated else None


def _later(a: float | None, b: float | None) -> float | None:
    if b is None:
        return a
    return b if a is None or b > a else a


def pod_status(pod: dict) -> str:
    """The STATUS column: Running, Pending, ContainerCreating, CrashLoopBackOff, Completed,
    Init:0/1, Init:Error, Terminating, Unknown, SchedulingGated, ..."""
    return _pod_summary(pod)[2]


def pod_ready(pod: dict) -> str:
    """The READY column, `<ready>/<total>`; started-and-ready sidecars count in both."""
    ready, total, *_ = _pod_summary(pod)
    return f"{ready}/{total}"


def pod_restarts(pod: dict, now: float) -> str:
    """The RESTARTS column: `3`, or `3 (2m ago)` once a container has a last termination time."""
    _, _, _, restarts, last = _pod_summary(pod)
    if restarts != 0 and last is not None:
        return f"{restarts} ({human_duration(now - last)} ago)"
    return str(restarts)


def pod_ip(pod: dict) -> str:
    status = pod.get("status") or {}
    ips = status.get("podIPs") or []
    ip = (ips[0].get("ip") if ips else status.get("podIP")) or ""
    return ip or NONE


def pod_readiness_gates(pod: dict) -> str:
    """`<true gates>/<gates>`, or "<none>"."""
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    if not gates:
        return NONE
    conditions = (pod.get("status") or {}).get("conditions") or []
    true = 0
    for gate in gates:
        for c in conditions:
            if c.get("type") == gate.get("conditionType"):
                true += c.get("status") == "True"
                break
    return f"{true}/{len(gates)}"


def pod_row(pod: dict, now: float) -> list:
    """All nine pod cells (wide included) from one pass over the statuses."""
    return pod_row_at(pod_row_fixed(pod), now)


def pod_row_fixed(pod: dict) -> tuple:
    """What of a pod's row does not depend on the time: a list's Table keeps it for as long as
    the stored pod is the same (webapp/api/list_bodies.py) and only ages the rest."""
    ready, total, reason, restarts, last = _pod_summary(pod)
    meta = pod.get("metadata") or {}
    cells = [meta.get("name", ""), f"{ready}/{total}", reason, str(restarts), "",
             pod_ip(pod),
             (pod.get("spec") or {}).get("nodeName") or NONE,
             (pod.get("status") or {}).get("nominatedNodeName") or NONE,
             pod_readiness_gates(pod)]
    return cells, restarts, last, meta.get("creationTimestamp")


def pod_row_at(fixed: tuple, now: float) -> list:
    """The row from pod_row_fixed at a time: AGE, and RESTARTS' "(5s ago)"."""
    cells, restarts, last, created = fixed
    cells = list(cells)
    if restarts != 0 and last is not None:
        cells[3] = f"{restarts} ({human_duration(now - last)} ago)"
    cells[4] = translate_timestamp_since(created, now)
    return cells


# --- nodes -------------------------------------------------------------------------------------

def node_status(node: dict) -> str:
    """`Ready`, `NotReady` (Ready condition False or Unknown), `Unknown` (no Ready condition),
    plus `,SchedulingDisabled` when cordoned."""
    ready = None
    for c in (node.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            ready = c                                   # the last one wins, as in the Go map
    parts = ["Unknown" if ready is None else "Ready" if ready.get("status") == "True" else "NotReady"]
    if (node.get("spec") or {}).get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def node_roles(node: dict) -> str:
    """From `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value;
    sorted, comma-joined, or "<none>"."""
    roles = set()
    for k, v in ((node.get("metadata") or {}).get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/"):
            role = k[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    return ",".join(sorted(roles)) or NONE


def node_address(node: dict, address_type: str) -> str:
    """First address of the type (InternalIP / ExternalIP), or "<none>"."""
    for a in (node.get("status") or {}).get("addresses") or ():
        if a.get("type") == address_type:
            return a.get("address", "")
    return NONE


# --- services and endpoints --------------------------------------------------------------------

def service_cluster_ip(svc: dict) -> str:
    """clusterIPs[0] ("None" for headless), or "<none>"."""
    spec = svc.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return ips[0] if ips else NONE


def _load_balancer_ips(svc: dict) -> str:
    found = set()
    for ing in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ():
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    return ",".join(sorted(found))


def service_external_ip(svc: dict, wide: bool = True) -> str:
    """getServiceExternalIP. The apiserver always prints wide, so load-balancer addresses are
    never clipped in server-side Tables; `wide=False` clips them to 16 characters as kubectl's
    client-side printer would."""
    spec = svc.get("spec") or {}
    stype = spec.get("type", "")
    external = spec.get("externalIPs") or []
    if stype in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else NONE
    if stype == "LoadBalancer":
        lb = _load_balancer_ips(svc)
        if not wide and len(lb) > 16:
            lb = lb[:13] + "..."
        if external:
            return ",".join((lb.split(",") if lb else []) + external)
        return lb or "<pending>"
    if stype == "ExternalName":
        return spec.get("externalName", "")
    return UNKNOWN


def service_ports(svc: dict) -> str:
    """makePortString: `80/TCP`, `80:30080/TCP`, comma-joined; "<none>" without ports."""
    pieces = []
    for p in (svc.get("spec") or {}).get("ports") or ():
        proto = p.get("protocol") or "TCP"
        if (p.get("nodePort") or 0) > 0:
            pieces.append(f"{p.get('port', 0)}:{p['nodePort']}/{proto}")
        else:
            pieces.append(f"{p.get('port', 0)}/{proto}")
    return ",".join(pieces) or NONE


def _join_host_port(host: str, port: object) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _more(items: list[str], more: bool, count: int, limit: int, empty: str) -> str:
    text = ",".join(items)
    if more:
        return f"{text} + {count - limit} more..."
    return text or empty


def format_endpoints(endpoints: dict) -> str:
    """formatEndpoints: up to three `ip:port` (plain ip for port-less subsets), then
    ` + N more...`; "<none>" without subsets. Not-ready addresses are not shown."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return NONE
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for ss in subsets:
        addresses = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addresses)
            for a in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(a.get("ip", ""))
            continue
        for port in ports:
            count += len(addresses)
            for a in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(_join_host_port(a.get("ip", ""), port.get("port", 0)))
    return _more(shown, more, count, limit, "")


def format_discovery_ports(ports: list | None) -> str:
    """EndpointSlice PORTS: port numbers (or names, or `*`), three at most; "<unset>" if none."""
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for p in ports or ():
        if len(shown) < limit:
            if p.get("port") is not None:
                shown.append(str(p["port"]))
            elif p.get("name") is not None:
                shown.append(p["name"])
            else:
                shown.append("*")
        elif len(shown) == limit:
            more = True
        count += 1
    return _more(shown, more, count, limit, "<unset>")


def format_discovery_endpoints(endpoints: list | None) -> str:
    """EndpointSlice ENDPOINTS: addresses of all endpoints (ready or not), three at most."""
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for ep in endpoints or ():
        for address in ep.get("addresses") or ():
            if len(shown) < limit:
                shown.append(address)
            elif len(shown) == limit:
                more = True
            count += 1
    return _more(shown, more, count, limit, "<unset>")


# --- workloads ---------------------------------------------------------------------------------

def container_cells(pod_spec: dict | None) -> tuple[str, str]:
    """layoutContainerCells: (`nginx,sidecar`, `nginx:1.25,busybox`)."""
    containers = (pod_spec or {}).get("containers") or []
    return (",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers))


def controller_name(obj: dict) -> str:
    """ControllerRevision CONTROLLER: `statefulset.apps/web`, `<kind>/<name>` for core kinds,
    "<none>" without a controller ownerReference."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            api_version, kind = ref.get("apiVersion", ""), ref.get("kind", "")
            group = api_version.split("/")[0] if "/" in api_version else ""
            group_kind = f"{kind}.{group}" if group else kind
            if not group_kind:
                return ref.get("name", "")
            return f"{group_kind.lower()}/{ref.get('name', '')}"
    return NONE


# --- events ------------------------------------------------------------------------------------

def event_times(event: dict, now: float) -> tuple[str, str, int]:
    """(LAST SEEN, FIRST SEEN, COUNT) as printEvent computes them: firstTimestamp falls back to
    eventTime, lastTimestamp to first; a series overrides last seen and count; count 0 is 1."""
    first_ts = event.get("firstTimestamp")
    first = translate_timestamp_since(first_ts if objects.parse_time(first_ts) is not None
                                      else event.get("eventTime"), now)
    last_ts = event.get("lastTimestamp")
    last = translate_timestamp_since(last_ts, now) if objects.parse_time(last_ts) is not None else first
    count = event.get("count") or 0
    series = event.get("series")
    if series is not None:
        last = translate_timestamp_since(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        count = 1
    return last, first, count


def event_object(event: dict) -> str:
    """OBJECT: `pod/web-1` (kind lower-cased), or just the kind when the name is empty."""
    involved = event.get("involvedObject") or {}
    kind = (involved.get("kind") or "").lower()
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def event_source(event: dict) -> str:
    """SOURCE: `kubelet, node-1`; falls back to reportingComponent / reportingInstance."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    return f"{component}, {instance}" if instance else component
