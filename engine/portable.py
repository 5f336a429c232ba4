"""A cluster's objects as portable manifests: what `kubeplay export` writes and `kubeplay import`
copies — the objects a user made, without what the cluster made or filled in, so that applying
them to another cluster (real, or a playground) recreates the same workloads unchanged.

Two questions, answered for any Kubernetes API's objects (the playground's store, or a real
cluster's lists), with no I/O here:

1. **Which objects** (`select`). Left out: what the cluster makes by itself (Events, Leases,
   Endpoints, EndpointSlices, ControllerRevisions, Nodes; the system namespaces and everything in
   them; `default`'s Namespace object and the `kubernetes` Service; built-in PriorityClasses and
   RBAC roles; every namespace's `kube-root-ca.crt` and `default` ServiceAccount; service-account
   token Secrets; objects only control-plane components ever wrote, like the install's
   StorageClass), and dependants whose owner is in the set (a Deployment's ReplicaSets and their
   Pods, a Job's Pods, a CronJob's Jobs, a StatefulSet's claims and the volumes provisioned for
   claims), since applying the owner makes them again. User-created Namespaces come first, then
   cluster-scoped kinds, then what pods read (accounts, Secrets, ConfigMaps, claims), then
   Services, then workloads, then what refers to workloads (PDBs, HPAs) — the order that applies
   cleanly in one `kubectl apply -f`.

2. **Which fields** (`clean`). managedFields says who set what: the fields any manager other
   than the control plane's components owns outside the status subresource are what users sent
   (with the scheme's defaults for Update operations, which apply anywhere unchanged, as the
   apiserver records them too); the rest — a Service's allocated clusterIP and nodePorts, its
   defaulted ipFamilies, a claim's bound volumeName, a revision annotation, a scheduled pod's
   nodeName, the token volume admission adds — is the cluster's, and goes. Objects without
   managedFields (or of kinds with no schema here) fall back to rules for the same fields. Always
   removed: status, uid, resourceVersion, generation, creationTimestamp, managedFields, selfLink,
   ownerReferences, deletion fields, and the annotations the server or kubectl keep
   (last-applied-configuration, deployment.kubernetes.io/revision, ...).
"""
from __future__ import annotations

import re

from . import objects
from .fieldsets import Shape, item_key, kids_of, shape_of, subpath, union

# Who writes on the cluster's behalf (managedFields' manager names): their fields are not the
# user's. Controllers all run in kube-controller-manager; the kubelet and scheduler name
# themselves; cloud controllers and the apiserver's own bootstrapping likewise.
SYSTEM_MANAGERS = frozenset({"kube-controller-manager", "kube-apiserver", "kube-scheduler", "kubelet",
                             "cloud-controller-manager", "kube-proxy"})

# Kinds no user writes: the cluster derives each from something else.
DERIVED_KINDS = frozenset({
    ("v1", "Event"), ("events.k8s.io/v1", "Event"), ("v1", "Endpoints"), ("v1", "Node"),
    ("v1", "ComponentStatus"), ("v1", "Binding"),
    ("discovery.k8s.io/v1", "EndpointSlice"), ("coordination.k8s.io/v1", "Lease"),
    ("apps/v1", "ControllerRevision"), ("apiregistration.k8s.io/v1", "APIService"),
    ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
})

# What `kubeplay import` copies from a real cluster (issue 14): workloads, what they read and
# what guards or scales them, and the Namespaces those live in (a ReplicaSet only when no
# Deployment owns it, a Pod only when nothing does: select leaves dependants out).
IMPORT_KINDS = frozenset({
    "Namespace", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "Service", "ConfigMap",
    "Secret", "PersistentVolumeClaim", "PodDisruptionBudget", "HorizontalPodAutoscaler",
})

# The order manifests apply in (kinds not listed go between the workloads and PDB/HPA).
_ORDER = ("Namespace", "CustomResourceDefinition", "PriorityClass", "StorageClass", "PersistentVolume",
          "ClusterRole", "ClusterRoleBinding", "ResourceQuota", "LimitRange", "ServiceAccount", "Role",
          "RoleBinding", "Secret", "ConfigMap", "PersistentVolumeClaim", "Service", "Deployment",
          "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")
_LATE = ("NetworkPolicy", "Ingress", "PodDisruptionBudget", "HorizontalPodAutoscaler")

# Annotations the apiserver, controllers or kubectl keep on objects (never a user's intent).
SERVER_ANNOTATIONS = frozenset({
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision", "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas", "deprecated.daemonset.template.generation",
    "endpoints.kubernetes.io/last-change-trigger-time", "batch.kubernetes.io/job-tracking",
    "batch.kubernetes.io/cronjob-scheduled-timestamp",
    "pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller", "pv.kubernetes.io/provisioned-by",
    "pv.kubernetes.io/migrated-to",
    "volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/selected-node",
    "kubernetes.io/service-account.uid",
    "control-plane.alpha.kubernetes.io/leader",
})
# Labels the apiserver or the Job controller put on objects and pod templates.
SERVER_LABELS = frozenset({"kubernetes.io/metadata.name", "controller-uid", "batch.kubernetes.io/controller-uid",
                           "job-name", "batch.kubernetes.io/job-name"})
# Finalizers the apiserver adds (storage protection, deletion propagation); users' own stay.
SERVER_FINALIZERS = frozenset({"kubernetes.io/pvc-protection", "kubernetes.io/pv-protection",
                               "foregroundDeletion", "orphan", "batch.kubernetes.io/job-tracking"})
# The tolerations the DefaultTolerationSeconds admission plugin adds to every pod.
_DEFAULT_TOLERATIONS = ({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": 300},
                        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": 300})
_TOKEN_VOLUME = re.compile(r"kube-api-access-[a-z0-9]{5}")


def is_system_namespace(name: str | None) -> bool:
    """kube-system, kube-public, kube-node-lease (and any other kube-* the install made)."""
    return bool(name) and str(name).startswith("kube-")


def _user_fields(obj: dict) -> dict | None:
    """The union of the fields users own (managedFields outside status, not the control plane's),
    or None when the object carries no record to decide by."""
    entries = (obj.get("metadata") or {}).get("managedFields")
    if not isinstance(entries, list) or not entries:
        return None
    owned: dict = {}
    for e in entries:
        if not isinstance(e, dict) or e.get("subresource") == "status":
            continue
        if e.get("manager") in SYSTEM_MANAGERS and e.get("subresource") != "scale":
            continue                    # an HPA's or controller's scale still sets the wanted replicas
        fields = e.get("fieldsV1")
        if isinstance(fields, dict):
            owned = union(owned, fields)
    return owned


def _only_system_wrote(obj: dict) -> bool:
    entries = (obj.get("metadata") or {}).get("managedFields") or ()
    managers = {e.get("manager") for e in entries if isinstance(e, dict)}
    return bool(managers) and managers <= SYSTEM_MANAGERS


def _prune_to(body: dict, owned: dict, api_version: str, kind: str) -> dict:
    """`body` keeping only the fields in `owned` (a fieldsV1 set; list items matched by their
    keys as structured-merge-diff matches them)."""
    return _keep_map(body, owned, "", shape_of(api_version, kind))


def _keep_map(m: dict, owned: dict, path: str, shape: Shape) -> dict:
    out = {}
    for k, v in m.items():
        node = owned.get("f:" + k)
        if node is None:
            continue
        out[k] = _keep_value(v, node, subpath(path, k), shape)
    return out


def _keep_value(v, node: dict, path: str, shape: Shape):
    kids = kids_of(node)
    if not kids:
        return v                        # owned as a whole (a leaf, or a map/list set at once)
    if isinstance(v, dict):
        return v if shape.atomic_map(path) else _keep_map(v, kids, path, shape)
    if isinstance(v, list):
        list_kind, keys = shape.list_type(path)
        if list_kind == "atomic":
            return v
        out = []
        for item in v:
            ik = item_key(item, list_kind, keys)
            if ik is None:
                out.append(item)
                continue
            child = kids.get(ik)
            if child is None:
                continue
            out.append(_keep_value(item, child, path, shape) if isinstance(item, dict) else item)
        return out
    return v


def _without(d: dict | None, names) -> dict:
    return {k: v for k, v in (d or {}).items() if k not in names}


def _clean_pod_spec(spec: dict, *, owned_node_name: bool) -> dict:
    """What admission and the scheduler put into a pod's spec (not a template's): the token
    volume and its mounts, the default tolerations, the resolved priority, the bound node."""
    spec = dict(spec)
    if not owned_node_name:
        spec.pop("nodeName", None)
    spec.pop("priority", None)          # resolved from priorityClassName; a mismatch is refused
    vols = [v for v in spec.get("volumes") or () if not _TOKEN_VOLUME.fullmatch(str(v.get("name", "")))]
    if "volumes" in spec:
        if vols:
            spec["volumes"] = vols
        else:
            del spec["volumes"]
    for field in ("containers", "initContainers"):
        if field not in spec:
            continue
        out = []
        for c in spec[field]:
            mounts = [m for m in c.get("volumeMounts") or () if not _TOKEN_VOLUME.fullmatch(str(m.get("name", "")))]
            c = dict(c)
            if mounts:
                c["volumeMounts"] = mounts
            else:
                c.pop("volumeMounts", None)
            out.append(c)
        spec[field] = out
    tolerations = [t for t in spec.get("tolerations") or () if t not in _DEFAULT_TOLERATIONS]
    if tolerations:
        spec["tolerations"] = tolerations
    else:
        spec.pop("tolerations", None)
    return spec


def _clean_claim_template(template: dict) -> dict:
    return {k: v for k, v in template.items() if k != "status"}


def _clean_template(template: dict) -> dict:
    md = dict(template.get("metadata") or {})
    md.pop("creationTimestamp", None)
    if "labels" in md:
        md["labels"] = _without(md["labels"], SERVER_LABELS)
        if not md["labels"]:
            del md["labels"]
    out = dict(template)
    if md:
        out["metadata"] = md
    else:
        out.pop("metadata", None)
    return out


def _rules(kind: str, body: dict, owned: dict | None) -> dict:
    """The fields a cluster fills in, removed by kind — needed where managedFields do not tell
    (no record, or a value admission added after the record was made)."""
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return body
    spec = dict(spec)
    owned_spec = (owned or {}).get("f:spec") or {}
    if kind == "Service":
        # Allocated from the cluster's range unless the user asked for one (or for a headless "None").
        if spec.get("clusterIP") != "None" and "f:clusterIP" not in owned_spec:
            spec.pop("clusterIP", None)
        if "f:clusterIPs" not in owned_spec:
            spec.pop("clusterIPs", None)
        if owned is None:               # no record: the defaults are what a fresh cluster picks
            if spec.get("ipFamilyPolicy") in (None, "SingleStack"):
                spec.pop("ipFamilyPolicy", None)
                spec.pop("ipFamilies", None)
            spec["ports"] = [_without(p, ("nodePort",)) for p in spec.get("ports") or ()]
            spec.pop("healthCheckNodePort", None)
        if not spec.get("ports"):
            spec.pop("ports", None)
    elif kind == "PersistentVolumeClaim":
        if "f:volumeName" not in owned_spec:
            spec.pop("volumeName", None)
    elif kind == "PersistentVolume":
        if "f:claimRef" not in owned_spec:
            spec.pop("claimRef", None)
        elif isinstance(spec.get("claimRef"), dict):
            spec["claimRef"] = _without(spec["claimRef"], ("uid", "resourceVersion"))
    elif kind == "Pod":
        spec = _clean_pod_spec(spec, owned_node_name="f:nodeName" in owned_spec)
    elif kind == "Job":
        if not spec.get("manualSelector"):
            spec.pop("selector", None)  # generated from the Job's uid: a new cluster makes its own
    if isinstance(spec.get("template"), dict):
        spec["template"] = _clean_template(spec["template"])
    if isinstance(spec.get("volumeClaimTemplates"), list):
        spec["volumeClaimTemplates"] = [_clean_claim_template(t) if isinstance(t, dict) else t
                                        for t in spec["volumeClaimTemplates"]]
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict) and isinstance(job_template.get("spec"), dict):
        jt_spec = dict(job_template["spec"])
        if isinstance(jt_spec.get("template"), dict):
            jt_spec["template"] = _clean_template(jt_spec["template"])
        spec["jobTemplate"] = dict(job_template, spec=jt_spec)
    out = dict(body)
    out["spec"] = spec
    return out


def clean(obj: dict) -> dict:
    """The object as a manifest a user would write: apiVersion, kind, the user's metadata
    (name, namespace, labels, annotations, finalizers) and the fields users set."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    md = obj.get("metadata") or {}
    owned = _user_fields(obj)
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}
    meta_part = {k: md[k] for k in ("labels", "annotations") if md.get(k)}
    if owned is not None:
        try:
            pruned = _prune_to(dict(body, metadata=meta_part), owned, api_version, kind)
        except (KeyError, TypeError, ValueError):
            pruned = None               # a shape this schema does not describe: rules only
        if pruned is not None:
            meta_part = pruned.pop("metadata", {}) or {}
            body = pruned
    body = _rules(kind, body, owned)
    out_md: dict = {"name": md.get("name")}
    if md.get("namespace") and kind != "Namespace":
        out_md["namespace"] = md["namespace"]
    labels = _without(meta_part.get("labels"), SERVER_LABELS)
    annotations = _without(meta_part.get("annotations"), SERVER_ANNOTATIONS)
    finalizers = [f for f in md.get("finalizers") or () if f not in SERVER_FINALIZERS]
    if labels:
        out_md["labels"] = labels
    if annotations:
        out_md["annotations"] = annotations
    if finalizers:
        out_md["finalizers"] = finalizers
    if kind == "Namespace":
        body.pop("spec", None)          # spec.finalizers ["kubernetes"] is the apiserver's
    out = {"apiVersion": api_version, "kind": kind, "metadata": out_md}
    out.update(objects.clone(body))
    return out


def _built_in(obj: dict) -> bool:
    """Made by the cluster itself (installed, bootstrapped, or kept by a controller)."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    md = obj.get("metadata") or {}
    name, ns = md.get("name", ""), md.get("namespace")
    labels = md.get("labels") or {}
    if (api_version, kind) in DERIVED_KINDS or is_system_namespace(ns):
        return True
    if kind == "Namespace" and (name == "default" or is_system_namespace(name)):
        return True
    if kind == "Service" and ns == "default" and name == "kubernetes":
        return True
    if kind == "ConfigMap" and name == "kube-root-ca.crt":
        return True
    if kind == "ServiceAccount" and name == "default":
        return True
    if kind == "Secret" and obj.get("type") == "kubernetes.io/service-account-token":
        return True
    if kind == "PriorityClass" and name.startswith("system-"):
        return True
    if kind.startswith("Cluster") and name.startswith(("system:", "kubeadm:")):
        return True
    if labels.get("kubernetes.io/bootstrapping") == "rbac-defaults":
        return True
    if kind == "PersistentVolume" and "pv.kubernetes.io/provisioned-by" in (md.get("annotations") or {}):
        return True                     # a provisioner made it for a claim; the claim makes it again
    return _only_system_wrote(obj)


def _claims_of_statefulsets(objs: list[dict]) -> set[tuple[str | None, str | None]]:
    """(namespace, name) of the claims StatefulSets make from their volumeClaimTemplates
    (`<template>-<set>-<ordinal>`): unowned under the default Retain policy, yet theirs."""
    patterns = []
    for o in objs:
        if o.get("kind") != "StatefulSet":
            continue
        md = o.get("metadata") or {}
        for t in (o.get("spec") or {}).get("volumeClaimTemplates") or ():
            tname = (t.get("metadata") or {}).get("name")
            if tname:
                patterns.append((md.get("namespace"), re.compile(re.escape(f"{tname}-{md.get('name')}-") + r"\d+")))
    out = set()
    for o in objs:
        if o.get("kind") != "PersistentVolumeClaim":
            continue
        md = o.get("metadata") or {}
        if any(ns == md.get("namespace") and p.fullmatch(md.get("name", "")) for ns, p in patterns):
            out.add((md.get("namespace"), md.get("name")))
    return out


def _rank(obj: dict) -> tuple:
    kind = obj.get("kind", "")
    md = obj.get("metadata") or {}
    if kind in _ORDER:
        k = _ORDER.index(kind)
    elif kind in _LATE:
        k = len(_ORDER) + 1 + _LATE.index(kind)
    else:
        k = len(_ORDER)
    return (k, kind, md.get("namespace") or "", md.get("name") or "")


def select(objs: list[dict], *, namespaces: list[str] | tuple[str, ...] | None = None,
           kinds: frozenset[str] | set[str] | None = None, include_secrets: bool = True) -> list[dict]:
    """The portable manifests of `objs` (every object of a cluster, any kinds, in any order):
    what users made, cleaned, in apply order. `namespaces` keeps only objects in them (and their
    Namespace objects; no cluster-scoped kinds); `kinds` keeps only those kinds (import's set)."""
    live = [o for o in objs if not (o.get("metadata") or {}).get("deletionTimestamp")]
    uids = {(o.get("metadata") or {}).get("uid") for o in objs} - {None, ""}
    sts_claims = _claims_of_statefulsets(live)
    wanted = set(namespaces) if namespaces else None
    out = []
    for o in live:
        md = o.get("metadata") or {}
        kind, ns = o.get("kind", ""), md.get("namespace")
        if _built_in(o):
            continue
        if kinds is not None and kind not in kinds:
            continue
        if kind == "Secret" and not include_secrets:
            continue
        if wanted is not None:
            own_ns = md.get("name") if kind == "Namespace" else ns
            if own_ns not in wanted:
                continue
        if any(isinstance(r, dict) and r.get("uid") in uids for r in md.get("ownerReferences") or ()):
            continue                    # its owner is here: applying the owner makes it again
        if kind == "PersistentVolumeClaim" and (ns, md.get("name")) in sts_claims:
            continue
        out.append(clean(o))
    out.sort(key=_rank)
    return out


def used_namespaces(manifests: list[dict]) -> set[str]:
    return {m["metadata"]["namespace"] for m in manifests if m["metadata"].get("namespace")}


def node_copy(node: dict) -> dict:
    """What a copy of a node keeps: its name, capacity (cpu, memory, pods), labels and taints."""
    md = node.get("metadata") or {}
    cap = (node.get("status") or {}).get("capacity") or {}
    copy: dict = {"name": md.get("name"), "labels": dict(md.get("labels") or {}),
                  "taints": [_without(t, ("timeAdded",)) for t in (node.get("spec") or {}).get("taints") or ()]}
    for field in ("cpu", "memory"):
        if cap.get(field):
            copy[field] = str(cap[field])
    try:
        copy["pods"] = int(str(cap.get("pods")))
    except ValueError:
        pass                            # no pod capacity reported: the playground's default
    return copy
