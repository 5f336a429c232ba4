"""A StatefulSet's PersistentVolumeClaims (k/k pkg/controller/statefulset stateful_set_utils.go
getPersistentVolumeClaims / updateStorage, stateful_pod_control.go createPersistentVolumeClaims):
each `volumeClaimTemplates` entry `www` of StatefulSet `web` gives ordinal N the claim `www-web-N`,
labelled with the template's labels and the set's matchLabels, and the pod a volume `www` naming
it. Claims are created before their pod and are not deleted with it — with the default
persistentVolumeClaimRetentionPolicy (Retain) they outlive the set too; with `whenDeleted:
Delete` they are owned by the set, so the garbage collector removes them with it.
"""
from __future__ import annotations

from .. import errors, objects, resources as kinds
from ..events import NORMAL, WARNING


def claim_name(template: dict, sts: dict, ordinal: int) -> str:
    return f"{objects.name_of(template)}-{objects.name_of(sts)}-{ordinal}"


def _templates(sts: dict) -> list[dict]:
    return [t for t in (sts.get("spec") or {}).get("volumeClaimTemplates") or () if isinstance(t, dict)]


def claims_for(sts: dict, ordinal: int) -> list[dict]:
    """getPersistentVolumeClaims: the claims ordinal `ordinal` needs, as they are created."""
    spec = sts.get("spec") or {}
    match_labels = (spec.get("selector") or {}).get("matchLabels") or {}
    policy = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    out = []
    for tpl in _templates(sts):
        tmd = tpl.get("metadata") or {}
        labels = dict(tmd.get("labels") or {})
        labels.update(match_labels)
        md: dict = {"name": claim_name(tpl, sts, ordinal), "namespace": objects.namespace_of(sts), "labels": labels}
        if tmd.get("annotations"):
            md["annotations"] = dict(tmd["annotations"])
        if policy.get("whenDeleted") == "Delete":
            md["ownerReferences"] = [objects.controller_ref(sts)]
        cspec = objects.clone(tpl.get("spec") or {})
        out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": md, "spec": cspec})
    return out


def update_storage(sts: dict, pod_spec: dict, ordinal: int) -> None:
    """updateStorage: the claims' volumes first, then the template's volumes of other names."""
    templates = _templates(sts)
    if not templates:
        return
    names = {objects.name_of(t) for t in templates}
    vols = [{"name": objects.name_of(t), "persistentVolumeClaim": {"claimName": claim_name(t, sts, ordinal)}}
            for t in templates]
    vols.extend(v for v in pod_spec.get("volumes") or () if not (isinstance(v, dict) and v.get("name") in names))
    pod_spec["volumes"] = vols


def create_missing_claims(store, recorder, component: str, sts: dict, pod: dict) -> list[str]:
    """createPersistentVolumeClaims: create each of the pod's claims that does not exist (each
    creation reported as an event on the set). Returns the errors that stop the pod's creation —
    a claim that could not be made, or one still being deleted."""
    ordinal = int(objects.name_of(pod).rsplit("-", 1)[-1])
    errs = []
    for claim in claims_for(sts, ordinal):
        name = objects.name_of(claim)
        existing = store.try_get(kinds.PERSISTENTVOLUMECLAIM, objects.namespace_of(sts), name)
        if existing is not None:
            if objects.is_terminating(existing):
                errs.append(f"pvc {name} is being deleted")
            continue
        try:
            store.create(claim, sync=False)
        except errors.AlreadyExists as e:
            errs.append(f"failed to create PVC {name}: {e}")
            continue
        except errors.ApiError as e:
            errs.append(f"failed to create PVC {name}: {e}")
            recorder.event(sts, WARNING, "FailedCreate",
                           f"create Claim {name} for Pod {objects.name_of(pod)} in StatefulSet "
                           f"{objects.name_of(sts)} failed error: {e}", component=component)
            continue
        recorder.event(sts, NORMAL, "SuccessfulCreate",
                       f"create Claim {name} Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} success",
                       component=component)
    return errs


def aggregate(errs: list[str]) -> str:
    """utilerrors.NewAggregate(errs).Error(): one error as itself, several in brackets."""
    return errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"


def hand_claims_to_condemned_pod(store, sts: dict, pod: dict) -> None:
    """updateClaimOwnerRefForSetAndPod for a pod being scaled away under `whenScaled: Delete`:
    its claims get the pod as their controller owner (and lose the set's), so the garbage
    collector deletes them once the pod is gone."""
    spec = sts.get("spec") or {}
    if (spec.get("persistentVolumeClaimRetentionPolicy") or {}).get("whenScaled") != "Delete":
        return
    ordinal = int(objects.name_of(pod).rsplit("-", 1)[-1])
    for tpl in _templates(sts):
        claim = store.try_get(kinds.PERSISTENTVOLUMECLAIM, objects.namespace_of(sts), claim_name(tpl, sts, ordinal))
        if claim is None:
            continue
        refs = [r for r in objects.meta(claim).get("ownerReferences") or ()
                if r.get("uid") not in (objects.uid_of(sts), objects.uid_of(pod))]
        refs.append(objects.controller_ref(pod))
        if refs == objects.meta(claim).get("ownerReferences"):
            continue
        new = objects.clone(claim)
        new["metadata"]["ownerReferences"] = refs
        store.update(new, sync=False)
