"""`kubectl describe` for the storage kinds in the kubeplay terminal, line for line as
k/kubectl pkg/describe/describe.go writes them: PersistentVolumeClaim (with the pods that use it
under `Used By`), PersistentVolume (its node affinity and source), StorageClass."""
from __future__ import annotations

from engine import objects as objs, resources as kinds
from webapp.api import printers
from webapp.api.printers_storage import DEFAULT_CLASS_ANNOTATIONS, access_modes
from .cli import Ctx
from .describe import Writer, annotations_multiline, events_section, labels_multiline


def _class_of(obj: dict) -> str:
    spec = obj.get("spec") or {}
    if spec.get("storageClassName") is not None:
        return spec["storageClassName"]
    return ((obj.get("metadata") or {}).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")


def _finalizers(md: dict) -> str:
    return "[" + " ".join(md.get("finalizers") or ()) + "]"      # Go's %v of a []string


def _status(ctx: Ctx, obj: dict) -> str:
    md = obj.get("metadata") or {}
    if md.get("deletionTimestamp"):
        return f"Terminating (lasts {printers.translate_timestamp_since(md['deletionTimestamp'], ctx.now())})"
    return (obj.get("status") or {}).get("phase", "")


def _pods_using(ctx: Ctx, pvc: dict) -> list[str]:
    items, _ = ctx.store.list(kinds.POD, objs.namespace_of(pvc))
    name = objs.name_of(pvc)
    out = []
    for pod in items:
        for v in (pod.get("spec") or {}).get("volumes") or ():
            if (v.get("persistentVolumeClaim") or {}).get("claimName") == name:
                out.append(objs.name_of(pod))
                break
    return sorted(out)


def describe_persistent_volume_claim(ctx: Ctx, pvc: dict) -> str:
    w = Writer()
    md, spec, status = pvc.get("metadata") or {}, pvc.get("spec") or {}, pvc.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    w.write(0, f"StorageClass:\t{_class_of(pvc)}\n")
    w.write(0, f"Status:\t{_status(ctx, pvc)}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(md)}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = (status.get("capacity") or {}).get("storage", "0")
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    pods = _pods_using(ctx, pvc)
    w.write(0, "Used By:\t" + ("\n\t".join(pods) if pods else "<none>") + "\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{c.get('lastProbeTime') or '<unknown>'} \t"
                       f"{c.get('lastTransitionTime') or '<unknown>'} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    events_section(ctx, w, pvc)
    return w.text()


def _node_affinity(w: Writer, affinity: dict | None) -> None:
    required = (affinity or {}).get("required")
    w.write(0, "Node Affinity:\t")
    if not required:
        w.write(0, "<none>\n")
        return
    w.write(0, "\n")
    terms = required.get("nodeSelectorTerms") or []
    w.write(1, "Required Terms:\t")
    if not terms:
        w.write(0, "<none>\n")
        return
    w.write(0, "\n")
    for i, term in enumerate(terms):
        exprs = term.get("matchExpressions") or []
        text = ", ".join(f"{e.get('key')} {str(e.get('operator', '')).lower()} [{', '.join(e.get('values') or ())}]"
                         if e.get("values") else f"{e.get('key')} {str(e.get('operator', '')).lower()}" for e in exprs)
        w.write(2, f"Term {i}:\t{text or '<none>'}\n")


def _source(w: Writer, spec: dict) -> None:
    w.write(0, "Source:\n")
    if spec.get("hostPath") is not None:
        hp = spec["hostPath"]
        w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{hp.get('path', '')}\n"
                   f"    HostPathType:\t{hp.get('type', '')}\n")
    elif spec.get("local") is not None:
        local = spec["local"]
        w.write(2, f"Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
                   f"    Path:\t{local.get('path', '')}\n")
    elif spec.get("nfs") is not None:
        nfs = spec["nfs"]
        w.write(2, f"Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{nfs.get('server', '')}\n"
                   f"    Path:\t{nfs.get('path', '')}\n    ReadOnly:\t{str(bool(nfs.get('readOnly'))).lower()}\n")
    elif spec.get("csi") is not None:
        csi = spec["csi"]
        w.write(2, f"Type:\tCSI (a Container Storage Interface (CSI) volume source)\n"
                   f"    Driver:\t{csi.get('driver', '')}\n    FSType:\t{csi.get('fsType', '')}\n"
                   f"    VolumeHandle:\t{csi.get('volumeHandle', '')}\n"
                   f"    ReadOnly:\t{str(bool(csi.get('readOnly'))).lower()}\n")


def describe_persistent_volume(ctx: Ctx, pv: dict) -> str:
    w = Writer()
    md, spec, status = pv.get("metadata") or {}, pv.get("spec") or {}, pv.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(md)}\n")
    w.write(0, f"StorageClass:\t{_class_of(pv)}\n")
    w.write(0, f"Status:\t{_status(ctx, pv)}\n")
    ref = spec.get("claimRef")
    w.write(0, f"Claim:\t{ref.get('namespace', '')}/{ref.get('name', '')}\n" if ref else "Claim:\t\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '0')}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{status.get('message', '')}\n")
    _source(w, spec)
    events_section(ctx, w, pv)
    return w.text()


def describe_storage_class(ctx: Ctx, sc: dict) -> str:
    w = Writer()
    md = sc.get("metadata") or {}
    default = any((md.get("annotations") or {}).get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS)
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if default else 'No'}\n")
    w.write(0, f"Annotations:\t{printers.format_labels(md.get('annotations'))}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{printers.format_labels(sc.get('parameters'))}\n")
    expand = sc.get("allowVolumeExpansion")
    w.write(0, f"AllowVolumeExpansion:\t{'<unset>' if expand is None else str(bool(expand))}\n")
    options = sc.get("mountOptions") or []
    w.write(0, "MountOptions:\t" + ("\n  ".join(options) if options else "<none>") + "\n")
    if sc.get("reclaimPolicy"):
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode"):
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    events_section(ctx, w, sc)
    return w.text()


DESCRIBERS = {"PersistentVolumeClaim": describe_persistent_volume_claim,
              "PersistentVolume": describe_persistent_volume,
              "StorageClass": describe_storage_class}
