"""Ingresses in the kubeplay terminal: `kubectl create ingress` (k/kubectl
pkg/cmd/create/create_ingress.go: `--rule=host/path=svc:port[,tls[=secret]]`, a path ending in `*`
is a Prefix path, else Exact; `--class`, `--default-backend`, `--annotation`) and `kubectl
describe` for Ingress and IngressClass, line for line as pkg/describe/describe.go writes them
(describeIngressV1 with each backend's endpoints, describeIngressClassV1)."""
from __future__ import annotations

import re

from engine import errors, resources as kinds
from webapp.api.printers_networking import ingress_address
from . import describers
from .cli import Ctx, Flag, command
from .describe import Writer, annotations_multiline, events_section, labels_multiline
from .errors import CommandError
from .workloads import DRY_RUN, OUTPUT, _create, _one_name

RULE = re.compile(r"^(?P<host>[\w\*\-\.]*)(?P<path>/.*)=(?P<svcname>[\w\-]+):(?P<svcport>[\w\-]+)"
                  r"(,(?P<istls>tls)=?(?P<secretname>[\w\-]+)?)?$")
BACKEND = re.compile(r"^(?P<svcname>[\w\-]+):(?P<svcport>[\w\-]+)$")


def _backend(name: str, port: str) -> dict:
    return {"service": {"name": name, "port": {"number": int(port)} if port.isdigit() else {"name": port}}}


def build_ingress(name: str, rules: list[str], *, cls: str | None, default: str | None,
                  annotations: list[str]) -> dict:
    """createIngress: the object kubectl sends."""
    md: dict = {"name": name, "creationTimestamp": None}
    if annotations:
        md["annotations"] = {}
        for a in annotations:
            k, _, v = a.partition("=")
            md["annotations"][k] = v
    spec: dict = {}
    if cls:
        spec["ingressClassName"] = cls
    if default:
        m = BACKEND.match(default)
        if m is None:
            raise CommandError("default-backend should be in format servicename:serviceport")
        spec["defaultBackend"] = _backend(m["svcname"], m["svcport"])
    out_rules: list[dict] = []
    tls: list[dict] = []
    for text in rules:
        m = RULE.match(text)
        if m is None:
            raise CommandError(f"rule {text} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]")
        host, path = m["host"], m["path"]
        path_type = "Exact"
        if path.endswith("*"):
            path_type, path = "Prefix", path[:-1]
        http_path = {"path": path, "pathType": path_type, "backend": _backend(m["svcname"], m["svcport"])}
        rule = next((r for r in out_rules if r.get("host", "") == host), None)
        if rule is None:
            rule = {"http": {"paths": []}}
            if host:
                rule = {"host": host, **rule}
            out_rules.append(rule)
        rule["http"]["paths"].append(http_path)
        if m["istls"]:
            secret = m["secretname"] or ""
            entry = next((t for t in tls if t.get("secretName", "") == secret), None)
            if entry is None:
                entry = {"secretName": secret} if secret else {}
                tls.append(entry)
            if host:
                entry.setdefault("hosts", []).append(host)
    if out_rules:
        spec["rules"] = out_rules
    if tls:
        spec["tls"] = tls
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": md, "spec": spec,
            "status": {"loadBalancer": {}}}


@command("create ingress", Flag("rule", kind="array"), Flag("class"), Flag("default-backend"),
         Flag("annotation", kind="array"), DRY_RUN, OUTPUT)
def create_ingress(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    rules, default = flags.get("rule") or [], flags.get("default-backend")
    if not rules and not default:
        raise CommandError("not enough information provided: every ingress has to either specify a default-backend "
                           "(which catches all traffic) or a list of rules (which catch specific paths)")
    ing = build_ingress(name, rules, cls=flags.get("class"), default=default, annotations=flags.get("annotation") or [])
    try:
        _create(ctx, flags, ing)
    except errors.ApiError as e:
        raise CommandError(e.message) from None
    return 0


def _endpoints(ctx: Ctx, namespace: str, svc_name: str, port_name: str) -> str:
    """formatEndpointSlices for the Service port the backend names (the Service describer's)."""
    slices, _ = ctx.store.list(kinds.ENDPOINTSLICE, namespace, label_selector=f"kubernetes.io/service-name={svc_name}")
    return describers.endpoints_text(slices, port_name)


def describe_backend(ctx: Ctx, namespace: str, backend: dict) -> str:
    """describeBackendV1: `svc:port (endpoints)`, or the resource backend."""
    svc = backend.get("service")
    if svc:
        port = svc.get("port") or {}
        text = f"{svc.get('name')}:{port.get('number') or port.get('name')}"
        service = ctx.store.try_get(kinds.SERVICE, namespace, svc.get("name") or "")
        if service is None:
            return f'{text} (<error: services "{svc.get("name")}" not found>)'
        port_name = ""
        for sp in (service.get("spec") or {}).get("ports") or []:
            if (port.get("number") and port["number"] == sp.get("port")) or \
                    (port.get("name") and port["name"] == sp.get("name")):
                port_name = sp.get("name") or ""
        return f"{text} ({_endpoints(ctx, namespace, svc.get('name') or '', port_name)})"
    res = backend.get("resource")
    if res:
        return f"APIGroup: {res.get('apiGroup') or '<none>'}, Kind: {res.get('kind')}, Name: {res.get('name')}"
    return ""


def describe_ingress(ctx: Ctx, ing: dict) -> str:
    w = Writer()
    md, spec = ing.get("metadata") or {}, ing.get("spec") or {}
    ns = md.get("namespace") or ""
    w.write(0, f"Name:\t{md.get('name')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    w.write(0, f"Namespace:\t{ns}\n")
    w.write(0, f"Address:\t{ingress_address(ing)}\n")
    cls = spec.get("ingressClassName")
    w.write(0, f"Ingress Class:\t{'<none>' if cls is None else cls}\n")
    default = describe_backend(ctx, ns, spec["defaultBackend"]) if spec.get("defaultBackend") else "<default>"
    w.write(0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for t in spec["tls"]:
            hosts = ",".join(t.get("hosts") or [])
            w.write(1, f"{t['secretName']} terminates {hosts}\n" if t.get("secretName") else f"SNI routes {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for p in rule["http"].get("paths") or []:
            w.write(2, f"\t{p.get('path', '')} \t{describe_backend(ctx, ns, p.get('backend') or {})}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default}\n")
    annotations_multiline(w, "Annotations", md.get("annotations"))
    events_section(ctx, w, ing)
    return w.text()


def describe_ingress_class(ctx: Ctx, ic: dict) -> str:
    w = Writer()
    md, spec = ic.get("metadata") or {}, ic.get("spec") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Controller:\t{spec.get('controller', '')}\n")
    params = spec.get("parameters")
    if params:
        w.write(0, "Parameters:\n")
        if params.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{params['apiGroup']}\n")
        w.write(1, f"Kind:\t{params.get('kind', '')}\n")
        w.write(1, f"Name:\t{params.get('name', '')}\n")
    events_section(ctx, w, ic)
    return w.text()


describers.DESCRIBERS.update({"Ingress": describe_ingress, "IngressClass": describe_ingress_class})
