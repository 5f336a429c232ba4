"""`kubectl describe` for pods, deployments, replica sets, nodes and services, line for line as
k/kubectl `pkg/describe/describe.go` writes them: a prefix writer (two spaces per level) feeding
a tabwriter (minwidth 0, padding 2), so columns line up exactly where kubectl's do. Events are the
store's Events whose involvedObject.uid is the object's, oldest first.
"""
from __future__ import annotations

import datetime as _dt

from engine import objects, resources as kinds
from webapp.api import printers
from .cli import FRAME_SHIFT, Ctx
from .nodes import event_interval, event_sort_time
from .tabwriter import DESCRIBE, TabWriter

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140


class Writer:
    """describe.PrefixWriter over a tabwriter (or over plain text when `tabbed` is False, as
    `rollout history --revision` prints its pod template)."""

    def __init__(self, tabbed: bool = True):
        self.tw = TabWriter(*DESCRIBE) if tabbed else None
        self.parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        text = "  " * level + text
        if self.tw:
            self.tw.write(text)
        else:
            self.parts.append(text)

    def line(self, text: str = "") -> None:
        self.write(0, text + "\n")

    def flush(self) -> None:
        if self.tw:
            self.tw.flush()

    def text(self) -> str:
        return self.tw.getvalue() if self.tw else "".join(self.parts)


def rfc1123z(ts: str | None) -> str:
    """Go's time.RFC1123Z in UTC: `Thu, 01 Jan 2026 00:00:00 +0000`; the zero time when unset."""
    t = objects.parse_time(ts)
    if t is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    t -= FRAME_SHIFT.get()
    return _dt.datetime.fromtimestamp(t, tz=_dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")


# ---- shared pieces -------------------------------------------------------------------------------

def labels_multiline(w: Writer, title: str, labels: dict | None, indent: str = "") -> None:
    w.write(0, f"{indent}{title}:\t")
    if not labels:
        w.line("<none>")
        return
    for i, k in enumerate(sorted(labels)):
        if i:
            w.write(0, f"{indent}\t")
        w.write(0, f"{k}={labels[k]}\n")


def annotations_multiline(w: Writer, title: str, annotations: dict | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.line("<none>")
        return
    for i, k in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = str(annotations[k]).removesuffix("\n")
        if len(value) + len(k) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{k}:\n")
            for s in value.split("\n"):
                short = s if len(s) <= MAX_ANNOTATION_LEN - 2 else s[:MAX_ANNOTATION_LEN - 2] + "..."
                w.write(0, f"\t  {short}\n")
        else:
            w.write(0, f"{k}: {value}\n")


def tolerations_multiline(w: Writer, title: str, tolerations: list | None, indent: str = "") -> None:
    w.write(0, f"{indent}{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, t in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, f"{indent}\t")
        text = t.get("key", "")
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            text += " op=Exists" if (t.get("key") or t.get("effect")) else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        w.write(0, text + "\n")


def taints_multiline(w: Writer, title: str, taints: list | None) -> None:
    w.write(0, f"{title}:\t")
    if not taints:
        w.line("<none>")
        return
    for i, t in enumerate(sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")):
        if i:
            w.write(0, "\t")
        text = t.get("key", "") + (f"={t['value']}" if t.get("value") else "") + \
            (f":{t['effect']}" if t.get("effect") else "")
        w.write(0, text + "\n")


def _ports(ports: list, field: str) -> str:
    out = []
    for p in ports:
        s = f"{p.get(field, 0)}/{p.get('protocol', 'TCP')}"
        if p.get("name"):
            s += f" ({p['name']})"
        out.append(s)
    return ", ".join(out)


def _probe(p: dict) -> str:
    attrs = (f"delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
             f"period={p.get('periodSeconds', 10)}s #success={p.get('successThreshold', 1)} "
             f"#failure={p.get('failureThreshold', 3)}")
    if "exec" in p:
        return f"exec {list((p['exec'] or {}).get('command') or [])} {attrs}".replace("'", "")
    if "httpGet" in p:
        h = p["httpGet"] or {}
        url = f"{(h.get('scheme') or 'HTTP').lower()}://{h.get('host', '')}:{h.get('port', '')}{h.get('path', '')}"
        return f"http-get {url} {attrs}"
    if "tcpSocket" in p:
        return f"tcp-socket {(p['tcpSocket'] or {}).get('host', '')}:{(p['tcpSocket'] or {}).get('port', '')} {attrs}"
    if "grpc" in p:
        return f"grpc <pod>:{(p['grpc'] or {}).get('port', '')} {(p['grpc'] or {}).get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _state(w: Writer, title: str, state: dict) -> None:
    if "running" in state:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z((state['running'] or {}).get('startedAt'))}\n")
    elif "waiting" in state:
        w.write(2, f"{title}:\tWaiting\n")
        if (state["waiting"] or {}).get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif "terminated" in state:
        t = state["terminated"] or {}
        w.write(2, f"{title}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if (t.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def containers(w: Writer, label: str, items: list, statuses: list | None, space: str = "") -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{' <none>' if not items else ''}\n")
    for c in items:
        status = by_name.get(c.get("name"))
        w.write(1, f"{' ' if space else ''}{c.get('name')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = c.get("ports") or []
        text = _ports(ports, "containerPort")
        w.write(2, f"Ports:\t{text}\n" if "," in text else f"Port:\t{text or '<none>'}\n")
        text = _ports(ports, "hostPort")
        w.write(2, f"Host Ports:\t{text}\n" if "," in text else f"Host Port:\t{text or '<none>'}\n")
        for field, title in (("command", "Command"), ("args", "Args")):
            if c.get(field):
                w.write(2, f"{title}:\n")
                for part in c[field]:
                    for s in str(part).split("\n"):
                        w.write(3, f"{s}\n")
        if status is not None:
            _state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated"):
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        resources = c.get("resources") or {}
        for key, title in (("limits", "Limits"), ("requests", "Requests")):
            if resources.get(key):
                w.write(2, f"{title}:\n")
                for name in sorted(resources[key]):
                    w.write(3, f"{name}:\t{resources[key][name]}\n")
        for key, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                           ("startupProbe", "Startup")):
            if c.get(key):
                w.write(2, f"{title}:\t{_probe(c[key])}\n")
        if c.get("envFrom"):                # describeContainerEnvFrom, only when there is some
            w.write(2, "Environment Variables from:\n")
            for e in c["envFrom"]:
                ref, source = (e.get("configMapRef"), "ConfigMap") if e.get("configMapRef") else (e.get("secretRef"), "Secret")
                ref = ref or {}
                optional = "true" if ref.get("optional") else "false"
                prefix = f" with prefix '{e['prefix']}'" if e.get("prefix") else ""
                w.write(3, f"{ref.get('name', '')}\t{source}{prefix}\tOptional: {optional}\n")
        env = c.get("env") or []
        w.write(2, f"Environment:{chr(9) + '<none>' if not env else ''}\n")
        for e in env:
            if "valueFrom" not in e:
                for i, s in enumerate(str(e.get("value", "")).split("\n")):
                    w.write(3, f"{e.get('name')}:\t{s}\n" if i == 0 else f"\t{s}\n")
            else:
                vf = e["valueFrom"] or {}
                if "configMapKeyRef" in vf:
                    r = vf["configMapKeyRef"] or {}
                    w.write(3, f"{e.get('name')}:\t<set to the key '{r.get('key')}' of config map "
                               f"'{r.get('name')}'>\tOptional: {'true' if r.get('optional') else 'false'}\n")
                elif "secretKeyRef" in vf:
                    r = vf["secretKeyRef"] or {}
                    w.write(3, f"{e.get('name')}:\t<set to the key '{r.get('key')}' in secret "
                               f"'{r.get('name')}'>\tOptional: {'true' if r.get('optional') else 'false'}\n")
                elif "fieldRef" in vf:
                    r = vf["fieldRef"] or {}
                    w.write(3, f"{e.get('name')}:\t ({r.get('apiVersion', 'v1')}:{r.get('fieldPath')})\n")
                else:
                    w.write(3, f"{e.get('name')}:\t\n")
        mounts = sorted(c.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
        w.write(2, f"Mounts:{chr(9) + '<none>' if not mounts else ''}\n")
        for m in mounts:
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f'path="{m["subPath"]}"')
            w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def volumes(w: Writer, items: list | None, space: str = "") -> None:
    if not items:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in items:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        if "emptyDir" in v:
            ed = v["emptyDir"] or {}
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{ed.get('medium', '')}\n    SizeLimit:\t{ed.get('sizeLimit') or '<unset>'}\n")
        elif "configMap" in v:
            cm = v["configMap"] or {}
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                       f"    Name:\t{cm.get('name', '')}\n    Optional:\t{'true' if cm.get('optional') else 'false'}\n")
        elif "secret" in v:
            s = v["secret"] or {}
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                       f"    SecretName:\t{s.get('secretName', '')}\n    Optional:\t{'true' if s.get('optional') else 'false'}\n")
        elif "hostPath" in v:
            hp = v["hostPath"] or {}
            w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                       f"    Path:\t{hp.get('path', '')}\n    HostPathType:\t{hp.get('type', '')}\n")
        elif "persistentVolumeClaim" in v:
            pvc = v["persistentVolumeClaim"] or {}
            w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
                       f"    ClaimName:\t{pvc.get('claimName', '')}\n    ReadOnly:\t{'true' if pvc.get('readOnly') else 'false'}\n")
        elif "projected" in v:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
            for src in (v["projected"] or {}).get("sources") or []:
                if "secret" in src:
                    w.write(2, f"SecretName:\t{(src['secret'] or {}).get('name', '')}\n    Optional:\t"
                               f"{'true' if (src['secret'] or {}).get('optional') else 'false'}\n")
                elif "downwardAPI" in src:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif "configMap" in src:
                    w.write(2, f"ConfigMapName:\t{(src['configMap'] or {}).get('name', '')}\n    Optional:\t"
                               f"{'true' if (src['configMap'] or {}).get('optional') else 'false'}\n")
                elif "serviceAccountToken" in src:
                    w.write(2, f"TokenExpirationSeconds:\t{(src['serviceAccountToken'] or {}).get('expirationSeconds', 3600)}\n")
        else:
            w.write(1, "<unknown>\n")


def pod_template(w: Writer, template: dict | None) -> None:
    """DescribePodTemplate."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    md, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", md.get("labels"))
    if md.get("annotations"):
        annotations_multiline(w, "  Annotations", md["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], None, "  ")
    containers(w, "Containers", spec.get("containers") or [], None, "  ")
    volumes(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def events_section(ctx: Ctx, w: Writer, obj: dict, also_uid: str | None = None) -> None:
    """DescribeEvents for the events whose involvedObject is this object (by uid; a node's
    kubelet events carry the node's name as uid, so describe node asks for both)."""
    uids = {objects.uid_of(obj)} | ({also_uid} if also_uid else set())
    ns = objects.namespace_of(obj) or None
    items, _ = ctx.store.list(kinds.EVENT, ns if ns else None)
    items = [e for e in items if (e.get("involvedObject") or {}).get("uid") in uids
             and (e.get("involvedObject") or {}).get("name") == objects.name_of(obj)]
    if not items:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    items.sort(key=event_sort_time)     # kubectl's util/event SortableEvents
    now = ctx.now()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in items:
        source = (e.get("source") or {}).get("component") or e.get("reportingComponent") or ""
        message = (e.get("message") or "").strip()
        field_path = (e.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{event_interval(e, now)}\t{source}\t{message}\n")


def _controlled_by(obj: dict) -> str:
    ref = objects.controller_of(obj)
    return f"{ref.get('kind')}/{ref.get('name')}" if ref else ""


def selector_string(sel: dict | None) -> str:
    try:
        return printers.label_selector_string(sel)
    except ValueError:
        return "<error>"
