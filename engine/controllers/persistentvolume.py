"""The PersistentVolume controller: binds claims to volumes and volumes to claims, and reclaims
volumes whose claims are gone (k/k pkg/controller/volume/persistentvolume: pv_controller.go
syncClaim / syncUnboundClaim / syncBoundClaim / syncVolume / bind / reclaimVolume; expansion as
the external-resizer does it, simplified).

Keys: `pvc:<namespace>/<name>` for claims, `pv:<name>` for volumes (upstream keeps a queue of
each; here one queue holds both, told apart by the prefix).

What a learner sees, as on a real cluster:
- a claim finds the smallest Available volume of its class whose access modes, size, volume mode
  and selector fit (a volume pre-bound to it by claimRef first); both turn Bound, the volume gets
  `claimRef`, the claim `spec.volumeName` and `pv.kubernetes.io/bind-completed: "yes"`;
- a claim of a WaitForFirstConsumer class (kind's `standard`) waits, with the event `waiting for
  first consumer to be created before binding`, until the scheduler names a node
  (`volume.kubernetes.io/selected-node`); then a matching volume is bound, or the class's
  provisioner is asked for one (`ExternalProvisioning`; the simulated rancher.io/local-path
  provisioner, localpath_provisioner.py, makes `pvc-<uid>`);
- a claim with no class and no volume waits (`FailedBinding`), one whose class does not exist
  says so (`ProvisioningFailed`);
- when a bound claim is deleted its volume turns Released: reclaimPolicy Retain keeps it (and its
  stale claimRef) for an administrator, Delete removes it (the provisioner deletes what it made);
- a bound claim whose storage request grows beyond its capacity, on a class with
  `allowVolumeExpansion`, is resized: the volume's capacity and then the claim's status follow.
"""
from __future__ import annotations

from typing import Iterable

from .. import errors, objects, quantity, resources as kinds, volumes
from ..events import NORMAL, WARNING
from ..loop import Controller, Result, quiet_write
from ..store import WatchEvent

COMPONENT = "persistentvolume-controller"

MSG_WAIT_FIRST_CONSUMER = "waiting for first consumer to be created before binding"
MSG_NO_CLASS = "no persistent volumes available for this claim and no storage class is set"
MSG_EXTERNAL = ("Waiting for a volume to be created either by the external provisioner '{p}' or manually by "
                "the system administrator. If volume creation is delayed, please verify that the provisioner "
                "is running and correctly registered.")
MSG_CLAIM_LOST = "Bound claim has lost its PersistentVolume. Data on the volume is lost!"
MSG_MISBOUND = "Two claims are bound to the same volume, this one is bound incorrectly"


class PersistentVolumeController(Controller):
    name = "persistentvolume-binder-controller"
    event_sources = (COMPONENT,)

    def __init__(self, ctx):
        super().__init__(ctx)
        self._pending: set[str] = set()       # claim keys not yet bound: a new volume or class may help
        self._told: dict[str, str] = {}       # claim key -> the last waiting event, to say it once

    # ---- handlers ----------------------------------------------------------------------------------

    def handlers(self):
        return {kinds.PERSISTENTVOLUMECLAIM.name: self._claim_keys,
                kinds.PERSISTENTVOLUME.name: self._volume_keys,
                kinds.STORAGECLASS.name: self._class_keys}

    def _claim_keys(self, ev: WatchEvent) -> Iterable[str]:
        key = objects.key_of(ev.object)
        keys = ["pvc:" + key]
        if ev.type == "DELETED":
            self._pending.discard(key)
            self._told.pop(key, None)
        elif not (ev.object.get("spec") or {}).get("volumeName"):
            self._pending.add(key)
        else:
            self._pending.discard(key)
        for obj in (ev.object, ev.old):
            vol = ((obj or {}).get("spec") or {}).get("volumeName")
            if vol:
                keys.append("pv:" + vol)
        return keys

    def _volume_keys(self, ev: WatchEvent) -> Iterable[str]:
        keys = {"pv:" + objects.name_of(ev.object)}
        ref = (ev.object.get("spec") or {}).get("claimRef") or {}
        if ref.get("name"):
            keys.add(f"pvc:{ref.get('namespace', '')}/{ref['name']}")
        if ev.type != "DELETED" and (ev.object.get("status") or {}).get("phase") in ("Available", "Pending"):
            keys.update("pvc:" + k for k in self._pending)      # a volume to bind: waiting claims look again
        return keys

    def _class_keys(self, ev: WatchEvent) -> Iterable[str]:
        return ["pvc:" + k for k in self._pending]

    # ---- reconcile ---------------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        kind, _, rest = key.partition(":")
        if kind == "pvc":
            ns, name = objects.split_key(rest)
            pvc = self.store.try_get(kinds.PERSISTENTVOLUMECLAIM, ns, name)
            if pvc is not None:
                self._sync_claim(rest, pvc)
            return None
        pv = self.store.try_get(kinds.PERSISTENTVOLUME, None, rest)
        if pv is not None:
            self._sync_volume(pv)
        return None

    # ---- claims (syncUnboundClaim, syncBoundClaim) ---------------------------------------------

    def _sync_claim(self, key: str, pvc: dict) -> None:
        if not (pvc.get("spec") or {}).get("volumeName"):
            self._sync_unbound_claim(key, pvc)
        else:
            self._sync_bound_claim(key, pvc)

    def _say_once(self, key: str, pvc: dict, etype: str, reason: str, message: str) -> None:
        if self._told.get(key) == reason + message:
            return
        self._told[key] = reason + message
        self.recorder.event(pvc, etype, reason, message, component=COMPONENT)

    def _sync_unbound_claim(self, key: str, pvc: dict) -> None:
        cls = volumes.claim_class(pvc)
        ann = objects.meta(pvc).get("annotations") or {}
        selected = ann.get(volumes.ANN_SELECTED_NODE)
        delayed = volumes.binding_mode(self.store, cls) == volumes.WAIT_FOR_FIRST_CONSUMER
        node = self.store.try_get(kinds.NODE, None, selected) if selected else None
        pvs = self.store.iter(kinds.PERSISTENTVOLUME)
        if delayed and not selected:
            # Only a volume pre-bound to this claim binds before a consumer is scheduled.
            pv = next((v for v in pvs if volumes.claim_ref_is(v, pvc) and volumes.satisfies(v, pvc)), None)
            if pv is None:
                self._say_once(key, pvc, NORMAL, "WaitForFirstConsumer", MSG_WAIT_FIRST_CONSUMER)
                return
        else:
            pv = volumes.best_match(pvs, pvc, node, check_node=bool(selected))
        if pv is not None:
            self._bind(key, pv, pvc)
            return
        if not cls:
            self._say_once(key, pvc, NORMAL, "FailedBinding", MSG_NO_CLASS)
            return
        sc = self.store.try_get(kinds.STORAGECLASS, None, cls)
        if sc is None:
            self._say_once(key, pvc, WARNING, "ProvisioningFailed", f'storageclass.storage.k8s.io "{cls}" not found')
            return
        provisioner = sc.get("provisioner") or ""
        if provisioner == "kubernetes.io/no-provisioner":
            self._say_once(key, pvc, NORMAL, "FailedBinding" if not delayed else "WaitForPodScheduled",
                           "no persistent volumes available for this claim and no storage class is set"
                           if not delayed else "waiting for pod to be scheduled")
            return
        # provisionClaim → an external provisioner: annotate the claim and let it work.
        if ann.get(volumes.ANN_STORAGE_PROVISIONER) != provisioner:
            new = objects.clone(pvc)
            new["metadata"].setdefault("annotations", {})
            new["metadata"]["annotations"][volumes.ANN_STORAGE_PROVISIONER] = provisioner
            new["metadata"]["annotations"][volumes.ANN_BETA_STORAGE_PROVISIONER] = provisioner
            if quiet_write(self.store.update, new, sync=False) is None:
                return
            self.decide(key, f"PVC {key}: no volume fits → asking the provisioner {provisioner} for one",
                        action="provision")
        self._say_once(key, pvc, NORMAL, "ExternalProvisioning", MSG_EXTERNAL.format(p=provisioner))

    def _sync_bound_claim(self, key: str, pvc: dict) -> None:
        vol = pvc["spec"]["volumeName"]
        pv = self.store.try_get(kinds.PERSISTENTVOLUME, None, vol)
        if pv is None:
            if (pvc.get("status") or {}).get("phase") != "Lost":
                self._claim_status(pvc, "Lost", None)
                self.recorder.event(pvc, WARNING, "ClaimLost", MSG_CLAIM_LOST, component=COMPONENT)
            return
        ref = (pv.get("spec") or {}).get("claimRef")
        if not ref or volumes.claim_ref_is(pv, pvc) and not ref.get("uid"):
            self._bind(key, pv, pvc)                  # a claim pre-bound to a volume by volumeName
            return
        if not volumes.claim_ref_is(pv, pvc):
            if (pvc.get("status") or {}).get("phase") != "Lost":
                self._claim_status(pvc, "Lost", None)
                self.recorder.event(pvc, WARNING, "ClaimMisbound", MSG_MISBOUND, component=COMPONENT)
            return
        self._finish_binding(key, pv, pvc)
        self._maybe_expand(key, pv, pvc)

    # ---- binding (bind, bindVolumeToClaim, bindClaimToVolume) ----------------------------------

    def _bind(self, key: str, pv: dict, pvc: dict) -> None:
        ref = (pv.get("spec") or {}).get("claimRef")
        if not ref or not ref.get("uid") or ref.get("uid") != objects.uid_of(pvc):
            new = objects.clone(pv)
            new["spec"]["claimRef"] = volumes.claim_ref(pvc)
            if not ref:
                new["metadata"].setdefault("annotations", {})[volumes.ANN_BOUND_BY_CONTROLLER] = "yes"
            pv = self.store.update(new, sync=False)
            cls = volumes.claim_class(pvc) or '""'
            self.decide(key, f"PVC {key} → PV {objects.name_of(pv)} (class {cls}, "
                             f"{(pv['spec'].get('capacity') or {}).get('storage')})", action="bind")
        self._finish_binding(key, pv, pvc)

    def _finish_binding(self, key: str, pv: dict, pvc: dict) -> None:
        self._volume_phase(pv, "Bound")
        md = objects.meta(pvc)
        ann = md.get("annotations") or {}
        spec = pvc.get("spec") or {}
        if spec.get("volumeName") != objects.name_of(pv) or ann.get(volumes.ANN_BIND_COMPLETED) != "yes":
            new = objects.clone(pvc)
            was_empty = not spec.get("volumeName")
            new["spec"]["volumeName"] = objects.name_of(pv)
            anns = new["metadata"].setdefault("annotations", {})
            anns[volumes.ANN_BIND_COMPLETED] = "yes"
            if was_empty:
                anns[volumes.ANN_BOUND_BY_CONTROLLER] = "yes"
            pvc = self.store.update(new, sync=False)
        pspec = pv.get("spec") or {}
        st = pvc.get("status") or {}
        want_cap = st.get("capacity") if st.get("phase") == "Bound" and st.get("capacity") else \
            dict(pspec.get("capacity") or {})
        if (st.get("phase") != "Bound" or st.get("accessModes") != pspec.get("accessModes")
                or not st.get("capacity")):
            self._claim_status(pvc, "Bound", {"accessModes": list(pspec.get("accessModes") or ()),
                                              "capacity": want_cap})
            self._told.pop(key, None)

    def _claim_status(self, pvc: dict, phase: str, extra: dict | None) -> None:
        new = objects.clone(pvc)
        st = new.setdefault("status", {})
        st["phase"] = phase
        if extra:
            st.update(extra)
        quiet_write(self.store.update, new, sync=False, subresource="status")

    def _volume_phase(self, pv: dict, phase: str, message: str | None = None) -> dict:
        st = pv.get("status") or {}
        if st.get("phase") == phase and st.get("message") == message:
            return pv
        new = objects.clone(pv)
        nst: dict = {"phase": phase}
        if message:
            nst["message"] = message
        nst["lastPhaseTransitionTime"] = self.now_iso() if st.get("phase") != phase else \
            st.get("lastPhaseTransitionTime", self.now_iso())
        new["status"] = nst
        return quiet_write(self.store.update, new, sync=False, subresource="status") or pv

    # ---- volumes (syncVolume, reclaimVolume) ---------------------------------------------------

    def _sync_volume(self, pv: dict) -> None:
        ref = (pv.get("spec") or {}).get("claimRef")
        phase = (pv.get("status") or {}).get("phase")
        if not ref or not ref.get("uid"):
            if phase != "Available":
                self._volume_phase(pv, "Available")
            return
        pvc = self.store.try_get(kinds.PERSISTENTVOLUMECLAIM, ref.get("namespace"), ref.get("name", ""))
        if pvc is None or objects.uid_of(pvc) != ref.get("uid"):
            self._release(pv, phase)
            return
        vol = (pvc.get("spec") or {}).get("volumeName")
        if not vol:
            return                           # the claim's own sync finishes the binding
        if vol == objects.name_of(pv):
            if phase != "Bound":
                self._volume_phase(pv, "Bound")
            return
        # The claim is bound to another volume: a volume the controller bound is freed again.
        if (objects.meta(pv).get("annotations") or {}).get(volumes.ANN_BOUND_BY_CONTROLLER) == "yes":
            new = objects.clone(pv)
            new["spec"].pop("claimRef", None)
            new["metadata"]["annotations"].pop(volumes.ANN_BOUND_BY_CONTROLLER, None)
            pv = self.store.update(new, sync=False)
            self._volume_phase(pv, "Available")

    def _release(self, pv: dict, phase: str | None) -> None:
        if phase not in ("Released", "Failed"):
            pv = self._volume_phase(pv, "Released")
            self.decide(objects.name_of(pv), f"PV {objects.name_of(pv)}: its claim "
                        f"{pv['spec']['claimRef'].get('namespace')}/{pv['spec']['claimRef'].get('name')} is gone → "
                        f"Released (reclaim policy {pv['spec'].get('persistentVolumeReclaimPolicy')})", action="release")
        policy = pv["spec"].get("persistentVolumeReclaimPolicy") or "Retain"
        if policy == "Retain" or (pv.get("status") or {}).get("phase") == "Failed":
            return
        provisioned_by = (objects.meta(pv).get("annotations") or {}).get(volumes.ANN_PROVISIONED_BY)
        if policy == "Delete" and provisioned_by:
            return                           # its external provisioner deletes it
        if policy == "Delete":
            hp = (pv["spec"].get("hostPath") or {}).get("path")
            if hp is not None and hp.startswith("/tmp/"):
                quiet_write(self.store.delete, kinds.PERSISTENTVOLUME, None, objects.name_of(pv), sync=False)
                return
            msg = (f"host_path deleter only supports /tmp/.+ but received provided {hp}" if hp is not None
                   else "error getting deleter volume plugin for volume \"%s\": no deletable volume plugin matched"
                   % objects.name_of(pv))
            self._volume_phase(pv, "Failed", msg)
            self.recorder.event(pv, WARNING, "VolumeFailedDelete", msg, component=COMPONENT)
            return
        msg = "No recycler plugin found for the volume!"
        self._volume_phase(pv, "Failed", msg)
        self.recorder.event(pv, WARNING, "VolumeFailedRecycle", msg, component=COMPONENT)

    # ---- expansion (the external-resizer, simplified) ---------------------------------------------

    def _maybe_expand(self, key: str, pv: dict, pvc: dict) -> None:
        want = volumes.requested_storage(pvc)
        cap = ((pvc.get("status") or {}).get("capacity") or {}).get("storage")
        have = quantity.parse_quantity(cap) if cap is not None else 0
        if want <= have:
            return
        cls = volumes.claim_class(pvc)
        sc = self.store.try_get(kinds.STORAGECLASS, None, cls) if cls else None
        if sc is None or sc.get("allowVolumeExpansion") is not True:
            return
        size = pvc["spec"]["resources"]["requests"]["storage"]
        if volumes.volume_capacity(pv) < want:
            self.recorder.event(pvc, NORMAL, "Resizing",
                                f"External resizer is resizing volume {objects.name_of(pv)}",
                                component="external-resizer " + (sc.get("provisioner") or ""))
            new = objects.clone(pv)
            new["spec"]["capacity"]["storage"] = size
            if quiet_write(self.store.update, new, sync=False) is None:
                return
        new = objects.clone(pvc)
        st = new.setdefault("status", {})
        st["capacity"] = dict(st.get("capacity") or {}, storage=size)
        st.pop("conditions", None)
        try:
            self.store.update(new, sync=False, subresource="status")
        except (errors.NotFound, errors.Conflict):
            return
        self.recorder.event(pvc, NORMAL, "VolumeResizeSuccessful", "Resize volume succeeded",
                            component="external-resizer " + (sc.get("provisioner") or ""))
        self.decide(key, f"PVC {key}: storage request {size} > capacity {cap} → volume "
                         f"{objects.name_of(pv)} resized", action="resize")
