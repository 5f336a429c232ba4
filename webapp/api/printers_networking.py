"""`kubectl get ingresses` and `kubectl get ingressclasses` columns, as upstream's
pkg/printers/internalversion/printers.go (ingressColumnDefinitions, printIngress, formatHosts,
formatPorts, ingressLoadBalancerStatusStringer; ingressClassColumnDefinitions, printIngressClass):
NAME CLASS HOSTS ADDRESS PORTS AGE and NAME CONTROLLER PARAMETERS AGE. tables.py registers them
with its other printers."""
from __future__ import annotations

from webapp.api.printers_policy import _AGE, _NAME, _age, _col, _md

NONE = "<none>"

INGRESS_COLUMNS = (
    _NAME,
    _col("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
    _col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
    _col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
    _col("Ports", "string", "Ports of TLS configurations that open"),
    _AGE,
)

INGRESSCLASS_COLUMNS = (
    _NAME,
    _col("Controller", "string", "Controller that is responsible for handling this class"),
    _col("Parameters", "string", "A reference to a resource with additional parameters"),
    _AGE,
)


def format_hosts(rules: list) -> str:
    """formatHosts: the first three hosts, then `+ N more...`; no host at all is `*`."""
    shown, more = [], False
    for rule in rules:
        if len(shown) == 3:
            more = True
        if not more and (rule or {}).get("host"):
            shown.append(rule["host"])
    if not shown:
        return "*"
    text = ",".join(shown)
    return f"{text} + {len(rules) - 3} more..." if more else text


def ingress_address(ing: dict) -> str:
    """ingressLoadBalancerStatusStringer (wide, as the apiserver prints): IPs and hostnames, sorted."""
    found = set()
    for entry in ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ():
        if entry.get("ip"):
            found.add(entry["ip"])
        elif entry.get("hostname"):
            found.add(entry["hostname"])
    return ",".join(sorted(found))


def ingress_cells(ing: dict, now: float) -> list:
    spec = ing.get("spec") or {}
    cls = spec.get("ingressClassName")
    return [_md(ing).get("name", ""), NONE if cls is None else cls, format_hosts(spec.get("rules") or []),
            ingress_address(ing), "80, 443" if spec.get("tls") else "80", _age(ing, now)]


def ingress_class_parameters(ic: dict) -> str:
    params = (ic.get("spec") or {}).get("parameters")
    if not params:
        return NONE
    text = params.get("kind") or ""
    if params.get("apiGroup") is not None:
        text += "." + params["apiGroup"]
    return text + "/" + (params.get("name") or "")


def ingress_class_cells(ic: dict, now: float) -> list:
    return [_md(ic).get("name", ""), (ic.get("spec") or {}).get("controller") or "", ingress_class_parameters(ic),
            _age(ic, now)]


TABLES = {("networking.k8s.io", "ingresses"): (INGRESS_COLUMNS, ingress_cells),
          ("networking.k8s.io", "ingressclasses"): (INGRESSCLASS_COLUMNS, ingress_class_cells)}
