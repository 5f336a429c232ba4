"""The `describe` command and one describer per kind (pod, deployment, replica set, node,
service), each writing the lines k/kubectl `pkg/describe/describe.go` writes, in its order."""
from __future__ import annotations

import base64

from engine import errors, objects as objs, resources as kinds
from engine import deployments
from webapp.api import printers
from . import describe_storage, resolve
from .cli import Ctx, Flag, UsageError, command
from .describe import (Writer, _controlled_by, annotations_multiline, containers, events_section,
                       labels_multiline, pod_template, rfc1123z, selector_string, tolerations_multiline,
                       volumes)
from .describe_batch import describe_cronjob, describe_job
from .describe_hpa import describe_hpa
from .describe_node import describe_node
from .describe_secrets import describe_secret, describe_service_account
from .errors import CommandError, render


def describe_pod(ctx: Ctx, pod: dict, events: bool = True) -> str:
    w = Writer()
    md, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if md.get("deletionTimestamp") and status.get("phase") not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {printers.translate_timestamp_since(md['deletionTimestamp'], ctx.now())})\n")
        w.write(0, f"Termination Grace Period:\t{md.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    if _controlled_by(pod):
        w.write(0, f"Controlled By:\t{_controlled_by(pod)}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], status.get("initContainerStatuses"))
    containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"))
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for g in spec["readinessGates"]:
            found = next((c.get("status") for c in status.get("conditions") or []
                          if c.get("type") == g.get("conditionType")), "<none>")
            w.write(1, f"{g.get('conditionType')} \t{found} \n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \n")
    volumes(w, spec.get("volumes"))
    w.write(0, f"QoS Class:\t{status.get('qosClass', '')}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    if events:
        events_section(ctx, w, pod)
    return w.text()


def _replica_sets(ctx: Ctx, d: dict) -> tuple[list[dict], dict | None]:
    """deploymentutil.GetAllReplicaSets: (old, new) among the RSs this Deployment controls."""
    items, _ = ctx.store.list(kinds.REPLICASET, objs.namespace_of(d))
    owned = [rs for rs in items if (objs.controller_of(rs) or {}).get("uid") == objs.uid_of(d)]
    new = deployments.find_new(d, owned)
    old = [rs for rs in owned if rs is not new]
    old.sort(key=lambda rs: (objs.parse_time((rs.get("metadata") or {}).get("creationTimestamp")) or 0, objs.name_of(rs)))
    return old, new


def _rs_list(rss: list[dict]) -> str:
    text = ", ".join(f"{objs.name_of(rs)} ({(rs.get('status') or {}).get('replicas', 0)}/"
                     f"{deployments.replicas(rs)} replicas created)" for rs in rss)
    return text or "<none>"


def describe_deployment(ctx: Ctx, d: dict) -> str:
    w = Writer()
    md, spec, status = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{deployments.replicas(d)} desired | {status.get('updatedReplicas', 0)} updated | "
               f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if strategy.get("rollingUpdate") is not None:
        ru = strategy["rollingUpdate"] or {}
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', 0)} max unavailable, "
                   f"{ru.get('maxSurge', 0)} max surge\n")
    pod_template(w, spec.get("template"))
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason', '')}\n")
    old, new = _replica_sets(ctx, d)
    if old or new:
        w.write(0, f"OldReplicaSets:\t{_rs_list(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_rs_list([new] if new else [])}\n")
    events_section(ctx, w, d)
    return w.text()


def describe_replicaset(ctx: Ctx, rs: dict) -> str:
    w = Writer()
    md, spec, status = rs.get("metadata") or {}, rs.get("spec") or {}, rs.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    w.write(0, f"Selector:\t{printers.format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if _controlled_by(rs):
        w.write(0, f"Controlled By:\t{_controlled_by(rs)}\n")
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {deployments.replicas(rs)} desired\n")
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    pods, _ = ctx.store.list(kinds.POD, objs.namespace_of(rs), label_selector=selector_string(spec.get("selector")) or None)
    for p in pods:
        if (objs.controller_of(p) or {}).get("uid") == objs.uid_of(rs):
            phase = (p.get("status") or {}).get("phase")
            if phase in counts:
                counts[phase] += 1
    w.write(0, "Pods Status:\t")
    w.write(0, f"{counts['Running']} Running / {counts['Pending']} Waiting / {counts['Succeeded']} Succeeded / "
               f"{counts['Failed']} Failed\n")
    pod_template(w, spec.get("template"))
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason', '')}\n")
    events_section(ctx, w, rs)
    return w.text()


def describe_service(ctx: Ctx, svc: dict) -> str:
    w = Writer()
    md, spec, status = svc.get("metadata") or {}, svc.get("spec") or {}, svc.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    sel = spec.get("selector") or {}
    w.write(0, f"Selector:\t{','.join(f'{k}={sel[k]}' for k in sorted(sel))}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{', '.join(i.get('ip') or i.get('hostname', '') for i in ingress)}\n")
    slices, _ = ctx.store.list(kinds.ENDPOINTSLICE, objs.namespace_of(svc),
                               label_selector=f"kubernetes.io/service-name={objs.name_of(svc)}")
    for sp in spec.get("ports") or []:
        name = sp.get("name") or "<unset>"
        proto = sp.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{sp.get('port')}/{proto}\n")
        w.write(0, f"TargetPort:\t{sp.get('targetPort', sp.get('port'))}/{proto}\n")
        if sp.get("appProtocol"):
            w.write(0, f"AppProtocol:\t{sp['appProtocol']}\n")
        if sp.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{sp['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{endpoints_text(slices, sp.get('name', ''))}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    events_section(ctx, w, svc)
    return w.text()


def endpoints_text(slices: list[dict], port_name: str) -> str:
    """formatEndpointSlices for one service port: ready `ip:port`s, at most 3 then `+ N more...`."""
    if not slices:
        return "<none>"
    found, count, limit = [], 0, 3
    for s in slices:
        for p in s.get("ports") or []:
            if (p.get("name") or "") != port_name:
                continue
            for ep in s.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready") is False or not ep.get("addresses"):
                    continue
                if len(found) < limit:
                    found.append(f"{ep['addresses'][0]}:{p.get('port')}")
                count += 1
    text = ",".join(found)
    return f"{text} + {count - limit} more..." if count > limit else text


def describe_namespace(ctx: Ctx, ns: dict) -> str:
    """The namespace itself; webapp/kubectl/policy.py adds the quota and limit-range sections."""
    w = Writer()
    md, status = ns.get("metadata") or {}, ns.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')}\t{c.get('status')}\t{rfc1123z(c.get('lastTransitionTime'))}\t"
                       f"{c.get('reason', '')}\t{c.get('message', '')}\n")
    return w.text()


def describe_configmap(ctx: Ctx, cm: dict) -> str:
    w = Writer()
    md = cm.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, "\nData\n====\n")
    data = cm.get("data") or {}
    for k in sorted(data):
        w.write(0, f"{k}:\n----\n{data[k]}\n\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for k in sorted(binary):
        w.write(0, f"{k}: {len(base64.b64decode(binary[k] or ''))} bytes\n")
    w.write(0, "\n")
    events_section(ctx, w, cm)
    return w.text()


DESCRIBERS = {"Pod": describe_pod, "Deployment": describe_deployment, "ReplicaSet": describe_replicaset,
              "Node": describe_node, "Service": describe_service, "Namespace": describe_namespace,
              "ConfigMap": describe_configmap, "Secret": describe_secret, "ServiceAccount": describe_service_account,
              "Job": describe_job, "CronJob": describe_cronjob, **describe_storage.DESCRIBERS,
              "HorizontalPodAutoscaler": describe_hpa}


@command("describe", Flag("selector", "l"), Flag("all-namespaces", "A", "bool"),
         Flag("show-events", kind="bool", default=True), Flag("filename", "f", "list"))
def describe(ctx: Ctx, args: list[str], flags: dict) -> int:
    if not args:
        raise UsageError("You must specify the type of resource to describe. Use \"kubectl api-resources\" "
                         "for a complete list of supported resources.")
    types, pairs = resolve.type_name_args(args)
    objects: list[dict] = []
    failures: list[str] = []
    if pairs:
        for rt, name in pairs:
            ns = ctx.namespace if rt.namespaced else ""
            obj = ctx.store.try_get(rt, ns, name)
            if obj is None:
                # kubectl then tries objects whose names start with the given one
                items, _ = ctx.store.list(rt, ns or None)
                prefixed = [o for o in items if objs.name_of(o).startswith(name)]
                if not prefixed:
                    failures.append(render(errors.NotFound(rt.name, rt.group, name)))
                objects += prefixed
            else:
                objects.append(obj)
    else:
        for rt in types:
            ns = None if (flags.get("all-namespaces") or not rt.namespaced) else ctx.namespace
            items, _ = ctx.store.list(rt, ns, label_selector=flags.get("selector") or None)
            objects += items
        if not objects:
            ctx.print(f"No resources found in {ctx.namespace} namespace."
                      if all(t.namespaced for t in types) and not flags.get("all-namespaces") else "No resources found")
            return 0
    texts = []
    for obj in objects:
        fn = DESCRIBERS.get(obj.get("kind"))
        if fn is None:
            raise CommandError("describe is available for pods, deployments, replicasets, nodes, services, "
                               "namespaces, configmaps, secrets, serviceaccounts, jobs, cronjobs and "
                               f"horizontalpodautoscalers in the kubeplay terminal, not {kinds.of(obj).name}")
        texts.append(fn(ctx, obj))
    ctx.write("\n\n".join(texts))
    for f in failures:
        ctx.print(f)
    return 1 if failures else 0
