"""The VolumeBinding plugin (k/k pkg/scheduler/framework/plugins/volumebinding: volume_binding.go,
binder.go), for the PersistentVolumeClaims a pod's volumes name.

- PreFilter: a claim that does not exist → `persistentvolumeclaim "x" not found`; one being
  deleted → `persistentvolumeclaim "x" is being deleted`; an unbound claim whose class binds
  Immediately → `pod has unbound immediate PersistentVolumeClaims` (the PV controller binds those,
  not the scheduler). Each is UnschedulableAndUnresolvable for every node, so the FitError reads
  `0/N nodes are available: <that>. preemption: 0/N nodes are available: N Preemption is not
  helpful for scheduling.`
- Filter, per node: a bound claim's volume must admit the node (its node affinity —
  `node(s) had volume node affinity conflict`); an unbound WaitForFirstConsumer claim needs a
  matching Available volume on the node, or a class with a provisioner
  (`node(s) didn't find available persistent volumes to bind`).
- PreBind, once a node is chosen: each unbound delayed claim gets its volume — a matching static
  volume is pre-bound to it (claimRef), else the claim is annotated
  `volume.kubernetes.io/selected-node` for the provisioner — and the pod is bound only when its
  claims are (the scheduler waits, as upstream's bind cycle does in PreBind).
"""
from __future__ import annotations

from .. import objects, resources as kinds, volumes

R_CONFLICT = "node(s) had volume node affinity conflict"
R_NO_PV = "node(s) didn't find available persistent volumes to bind"
UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
NO_PROVISIONER = "kubernetes.io/no-provisioner"


class PodVolumes:
    """What PreFilter found for one pod: an error (unschedulable everywhere), the volumes of its
    bound claims, and its unbound delayed claims."""
    __slots__ = ("error", "bound", "delayed")

    def __init__(self) -> None:
        self.error = ""
        self.bound: list[dict] = []          # PersistentVolumes
        self.delayed: list[dict] = []        # unbound WaitForFirstConsumer claims

    @property
    def trivial(self) -> bool:
        return not self.bound and not self.delayed


def prefilter(store, pod: dict) -> PodVolumes | None:
    """None for a pod without claims (the common case: nothing to check)."""
    names = volumes.pod_claim_names(pod)
    if not names:
        return None
    out = PodVolumes()
    ns = objects.namespace_of(pod)
    for name in names:
        pvc = store.try_get(kinds.PERSISTENTVOLUMECLAIM, ns, name)
        if pvc is None:
            out.error = f'persistentvolumeclaim "{name}" not found'
            return out
        if objects.is_terminating(pvc):
            out.error = f'persistentvolumeclaim "{name}" is being deleted'
            return out
        vol = (pvc.get("spec") or {}).get("volumeName")
        if vol and volumes.is_bound(pvc):
            pv = store.try_get(kinds.PERSISTENTVOLUME, None, vol)
            if pv is None:
                out.error = f'persistentvolume "{vol}" not found'
                return out
            out.bound.append(pv)
            continue
        if volumes.binding_mode(store, volumes.claim_class(pvc)) != volumes.WAIT_FOR_FIRST_CONSUMER:
            out.error = UNBOUND_IMMEDIATE
            return out
        out.delayed.append(pvc)
    return out


def filter_node(store, pv_state: PodVolumes, node: dict) -> str | None:
    """A reason the node cannot serve the pod's claims, or None."""
    for pv in pv_state.bound:
        if not volumes.node_affinity_allows(pv, node):
            return R_CONFLICT
    for pvc in pv_state.delayed:
        selected = (objects.meta(pvc).get("annotations") or {}).get(volumes.ANN_SELECTED_NODE)
        if selected and selected != objects.name_of(node):
            return R_NO_PV                  # provisioning for another node is under way
        if volumes.best_match(store.iter(kinds.PERSISTENTVOLUME), pvc, node, check_node=True) is not None:
            continue
        sc = store.try_get(kinds.STORAGECLASS, None, volumes.claim_class(pvc))
        if sc is None or (sc.get("provisioner") or NO_PROVISIONER) == NO_PROVISIONER:
            return R_NO_PV
    return None


def prebind(store, pv_state: PodVolumes, node: dict, write) -> list[str]:
    """Give each unbound delayed claim its volume on `node`; returns the keys of the claims the
    pod still waits for (all of them, until the PV controller reports them bound)."""
    waiting = []
    node_name = objects.name_of(node)
    for pvc in pv_state.delayed:
        waiting.append(objects.key_of(pvc))
        ann = objects.meta(pvc).get("annotations") or {}
        if ann.get(volumes.ANN_SELECTED_NODE) == node_name:
            continue
        pv = volumes.best_match(store.iter(kinds.PERSISTENTVOLUME), pvc, node, check_node=True)
        if pv is not None and not (pv.get("spec") or {}).get("claimRef"):
            new = objects.clone(pv)
            new["spec"]["claimRef"] = volumes.claim_ref(pvc)
            new["metadata"].setdefault("annotations", {})[volumes.ANN_BOUND_BY_CONTROLLER] = "yes"
            write(new)
            continue
        if pv is not None:
            continue                        # already pre-bound to this claim
        new = objects.clone(pvc)
        new["metadata"].setdefault("annotations", {})[volumes.ANN_SELECTED_NODE] = node_name
        write(new)
    return waiting
