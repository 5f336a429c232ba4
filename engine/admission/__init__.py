"""Admission for the served kinds: what the apiserver does to a write between the HTTP body and
storage, in its order:

1. decoding (schema.py): field types checked as Go's JSON decoder does, and with `strict=True`
   (kubectl's default `--validate=strict`) unknown fields refused; otherwise they are dropped;
   a Secret's `data` must be base64 and its `stringData` is merged into `data` (secrets.py);
2. defaulting (defaults.py);
3. mutating admission and registry preparation (plugins.py): the ServiceAccount (its lookup is
   the store's: `service_account=`), Priority and DefaultTolerationSeconds plugins for Pods, Service clusterIP/ipFamily bookkeeping, the
   DaemonSet template-generation annotation;
4. validation (validation*.py), all field errors collected into one errors.Invalid.

Public API:
    admit_create(obj, *, strict=True, decode=True) -> dict
    admit_update(new, old, *, strict=True, decode=True) -> dict
    admit_status_update(new, old) -> dict
    pod_qos_class(pod) -> str

`decode=False` skips step 1 for the engine's own writes (they never were JSON).

Each returns a new dict and never mutates its arguments. Decode problems raise
errors.BadRequest, refused Pods errors.Forbidden, validation problems errors.Invalid.

Left to the store (engine/store.py, engine/strategy.py): uid, resourceVersion, timestamps,
generation, the namespace from the URL, resetting/keeping status, and Service address
allocation (engine/services.py, which also checks the NodePort range).
"""
from __future__ import annotations

import pickle

from .. import api_warnings, errors, objects, quantity, resources as kinds
from ..crd import admission as custom
from . import (batch, defaults, plugins, pod_warnings, schema, secrets, storage, validation, validation_core,
               write_warnings)

__all__ = ["admit_create", "admit_update", "admit_status_update", "pod_qos_class"]


def _type_of(obj) -> kinds.ResourceType | None:
    if not isinstance(obj, dict):
        raise errors.BadRequest("the body of the request must be an object")
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None          # not a served kind: the store reports that
    return kinds.for_kind(api_version, kind)


def _decode(obj: dict, rt: kinds.ResourceType, strict: bool, skip: tuple[str, ...] = ()) -> bool:
    """Raise BadRequest on what the decoder refuses; True if unknown fields must be dropped."""
    err, unknown = schema.scan(obj, skip=skip)
    prefix = f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
    if err:
        raise errors.BadRequest(prefix + err)
    if unknown and strict:
        raise errors.BadRequest(prefix + "strict decoding error: "
                                + ", ".join(f'unknown field "{p}"' for p in unknown))
    # fieldValidation=Warn (the apiserver's default when unset): each finding is a warning.
    api_warnings.add_field_warnings(f'unknown field "{p}"' for p in unknown)
    return bool(unknown)


_STATUS_SKIP = ("status",)


def _invalid(rt: kinds.ResourceType, obj: dict, errs) -> errors.Invalid:
    return errors.Invalid(rt.kind, rt.group, objects.name_of(obj), errs)


def _prepare_meta(out: dict, rt: kinds.ResourceType) -> dict:
    md = out.get("metadata")
    if not isinstance(md, dict):
        md = out["metadata"] = {}
    if not rt.namespaced:
        md.pop("namespace", None)      # BeforeCreate/Update clear it on cluster-scoped kinds
    return md


class _PodSpecMemo:
    """What admission made of one pod spec: its defaulted form (before the mutating plugins),
    and whether the spec half of validation passed once the plugins had run. The defaulted
    spec is kept pickled: unpickling makes each pod's own copy about twice as fast as objects.clone."""
    __slots__ = ("defaulted", "spec_valid")

    def __init__(self, defaulted: bytes, spec_valid: bool):
        self.defaulted, self.spec_valid = defaulted, spec_valid

    def spec(self) -> dict:
        return pickle.loads(self.defaulted)


# Engine-made pods (a ReplicaSet's, a StatefulSet's...) repeat one template thousands of times.
# Defaulting and the spec half of validation are functions of the spec alone, so they are done
# once per distinct spec, keyed on its repr (exact, and sensitive to key order as the output is).
# The mutating plugins still run for every pod: they draw the random service-account volume
# name, and that name — a fresh, valid DNS label no other volume has — cannot change the
# validation outcome. Pods from API clients (decode=True) never take this path.
_POD_SPECS: dict[str, _PodSpecMemo] = {}
_POD_SPECS_SEEN: set[str] = set()      # specs seen once: memoized from the second (a StatefulSet's
_POD_SPECS_MAX = 256                   # pods, each with its own hostname, never repeat)


def _pod_spec_key(obj: dict) -> str | None:
    spec, md = obj.get("spec"), obj.get("metadata")
    if not isinstance(spec, dict) or not isinstance(md, dict):
        return None
    if plugins.MIRROR_POD_ANNOTATION in (md.get("annotations") or {}):
        return None                      # the service-account plugin leaves mirror pods alone
    return repr(spec)


def _convert_secret(out: dict, rt: kinds.ResourceType, decode: bool) -> None:
    """What decoding a v1 Secret does beyond the schema: base64 `data`, `stringData` merged."""
    if decode:
        err = secrets.base64_error(out)
        if err:
            raise errors.BadRequest(f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {err}')
    secrets.merge_string_data(out)


def admit_create(obj: dict, *, strict: bool = True, decode: bool = True, on_defaulted=None,
                 service_account=None, priority_classes=None) -> dict:
    """Decode, default, mutate and validate an object being created. `decode=False` is for the
    engine's own writes: they never were JSON, so there is nothing a decoder could refuse.
    `on_defaulted(obj, spec_pickle=...)` is called once the object is decoded and defaulted, before
    the mutating plugins: the point where the apiserver's field manager sees a write; spec_pickle
    is `pickle.dumps(obj["spec"])` for an engine-made pod whose spec admission pickled, else None.
    `service_account(namespace, name) -> dict` is the ServiceAccount plugin's lookup for a Pod
    (it raises the plugin's Forbidden when there is none); without it no lookup is made."""
    rt = _type_of(obj)
    if rt is None:
        return objects.clone(obj)
    if rt is kinds.CRD:                  # CustomResourceDefinitions and custom objects: engine/crd
        return custom.admit_crd(obj, None, strict)
    if kinds.is_custom(rt):
        return custom.admit_create(obj, rt, strict=strict, decode=decode, on_defaulted=on_defaulted)
    kind = rt.kind
    spec_key = _pod_spec_key(obj) if not decode and kind == "Pod" else None
    memo = None
    if spec_key is not None:
        memo = _POD_SPECS.get(spec_key)
        if memo is None and spec_key not in _POD_SPECS_SEEN:
            if len(_POD_SPECS_SEEN) >= _POD_SPECS_MAX:
                _POD_SPECS_SEEN.clear()
            _POD_SPECS_SEEN.add(spec_key)
            spec_key = None                 # the first of its kind takes the ordinary path
    drop = _decode(obj, rt, strict) if decode else False
    out: dict
    if memo is not None:
        out = {k: (None if k == "spec" else objects.clone(v)) for k, v in obj.items()}
        out["spec"] = memo.spec()
    else:
        out = objects.clone(obj)
    if drop:
        schema.drop_unknown(out)
    md = _prepare_meta(out, rt)
    if kind == "Secret":
        _convert_secret(out, rt, decode)
    if not md.get("name") and md.get("generateName"):
        md["name"] = md["generateName"][:58] + objects.random_suffix()
    if memo is None:
        defaults.apply_defaults(out)
    defaulted = (pickle.dumps(out["spec"], protocol=pickle.HIGHEST_PROTOCOL)   # before the plugins
                 if spec_key is not None and memo is None else None)
    if on_defaulted is not None:
        # The defaulted spec's pickle, where there is one (the memo's, which out["spec"] was
        # unpickled from, or the one just made): the field manager keys its create memo on it
        # rather than walk the spec again (managedfields._record_create_memo).
        on_defaulted(out, spec_pickle=memo.defaulted if memo is not None else defaulted)
    if kind == "Pod":
        plugins.pod_create(out, service_account, priority_classes)
        api_warnings.add_all(pod_warnings.pod_apparmor_skew(out))
    elif kind == "Service":
        plugins.service_create(out)
    elif kind == "DaemonSet":
        plugins.daemon_set_create(out)
    elif kind == "Job":
        batch.generate_selector(out)
    elif kind in ("PersistentVolume", "PersistentVolumeClaim"):
        storage.add_protection_finalizer(out)
    if spec_key is not None:
        # validation.validate_create for a Pod, in its two halves (validation_core.validate_pod).
        errs = validation_core.validate_pod_metadata(out)
        if memo is None:
            spec_errs = validation_core.validate_pod_spec_on_create(out["spec"])
            if len(_POD_SPECS) >= _POD_SPECS_MAX:
                _POD_SPECS.clear()
            assert defaulted is not None                # (pickled above on this same path)
            _POD_SPECS[spec_key] = _PodSpecMemo(defaulted, not spec_errs)
            errs.extend(spec_errs)
        elif not memo.spec_valid:
            errs.extend(validation_core.validate_pod_spec_on_create(out["spec"]))
    else:
        errs = validation.validate_create(out)
    if errs:
        raise _invalid(rt, out, errs)
    if decode:
        api_warnings.add_all(write_warnings.on_create(out))
    return out


def admit_update(new: dict, old: dict, *, strict: bool = True, decode: bool = True,
                 on_defaulted=None) -> dict:
    """Decode, default, mutate and validate a replacement of `old` by `new` (spec/metadata write).
    `decode=False` and `on_defaulted` as for admit_create (here always called without a pickle)."""
    rt = _type_of(new)
    if rt is None:
        return objects.clone(new)
    if rt is kinds.CRD:
        return custom.admit_crd(new, old, strict)
    if kinds.is_custom(rt):
        return custom.admit_update(new, old, rt, strict=strict, decode=decode, on_defaulted=on_defaulted)
    # Where the store has already put the stored status back (strategy.prepare_for_update), the
    # status is not the client's and is not decoded again.
    drop = False
    if decode:
        nst, ost = new.get("status"), old.get("status")
        skip = _STATUS_SKIP if nst is ost or nst == ost else ()
        drop = _decode(new, rt, strict, skip=skip)
    out = objects.clone(new)
    if drop:
        schema.drop_unknown(out, skip=skip)
    _prepare_meta(out, rt)
    kind = rt.kind
    if kind == "Secret":
        _convert_secret(out, rt, decode)
    defaults.apply_defaults(out)
    if on_defaulted is not None:
        on_defaulted(out)
    if kind == "Pod":
        plugins.pod_update(out, old)
    elif kind == "Service":
        plugins.service_update(out, old)
    elif kind == "DaemonSet":
        plugins.daemon_set_update(out, old)
    errs = validation.validate_update(out, old)
    if errs:
        raise _invalid(rt, out, errs)
    if decode:
        api_warnings.add_all(write_warnings.on_update(out, old))
    return out


def decode_request(obj: dict, *, strict: bool = True) -> dict:
    """The request body as the apiserver's decoder takes it (before any strategy): wrong JSON
    types are a 400, unknown fields a 400 under strict validation and dropped otherwise. The
    status a client sends back with its object is not decoded again (as for updates)."""
    rt = _type_of(obj)
    if rt is None or rt is kinds.CRD or kinds.is_custom(rt):
        return obj
    if _decode(obj, rt, strict, skip=_STATUS_SKIP):
        obj = objects.clone(obj)
        schema.drop_unknown(obj, skip=_STATUS_SKIP)
    return obj


def admit_ephemeral_containers_update(new: dict, old: dict) -> dict:
    """A pods/ephemeralcontainers write (kubectl debug): the new containers defaulted as any
    container, then validated as the apiserver's ValidatePodEphemeralContainersUpdate."""
    out = objects.clone(new)
    defaults.apply_defaults(out)
    errs = validation_core.validate_pod_ephemeral_containers_update(out, old)
    if errs:
        raise errors.Invalid("Pod", "", objects.name_of(old), errs)
    return out


def admit_status_update(new: dict, old: dict) -> dict:
    """A /status write. Cheap by design (controllers write status all the time): no decode pass,
    no spec validation. Returns a new top-level dict; subtrees the write did not change are
    shared with `new` (treat the result as read-only, like everything the store hands out)."""
    rt = _type_of(new)
    out = dict(new)
    if rt is None:
        return out
    if rt is kinds.CRD:
        return custom.admit_crd_status(new, old)
    if kinds.is_custom(rt):
        return custom.admit_status_update(new, old, rt)
    kind = rt.kind
    for key, go_type in (("metadata", "v1.ObjectMeta"), ("status", f"v1.{kind}Status")):
        v = out.get(key)
        if v is not None and not isinstance(v, dict):
            what = schema._JSON_KIND.get(type(v), "value")
            raise errors.BadRequest(f'{kind} in version "{rt.version}" cannot be handled as a {kind}: json: cannot '
                                    f"unmarshal {what} into Go struct field {kind}.{key} of type {go_type}")
    status = out.get("status")
    if kind == "Namespace":
        if not isinstance(status, dict) or not status.get("phase"):
            out["status"] = dict(status or {}, phase="Active")
    elif kind == "Node" and isinstance(status, dict):
        st = dict(status)
        for key in ("capacity", "allocatable"):
            if isinstance(st.get(key), dict):
                st[key] = dict(st[key])
                defaults.canonical_resource_list(st[key])
        if st.get("allocatable") is None and isinstance(st.get("capacity"), dict):
            st["allocatable"] = dict(st["capacity"])
        out["status"] = st
    errs = validation.validate_status_update(out, old)
    if errs:
        raise _invalid(rt, out, errs)
    return out


def pod_qos_class(pod: dict) -> str:
    """GetPodQOS: Guaranteed, Burstable or BestEffort from the (defaulted) containers' resources."""
    spec = pod.get("spec") or {}
    requests: dict = {}
    limits: dict = {}
    guaranteed = True
    for c in list(spec.get("initContainers") or ()) + list(spec.get("containers") or ()):
        res = (c or {}).get("resources") or {}
        for name, q in (res.get("requests") or {}).items():
            if name in ("cpu", "memory") and quantity.parse_quantity(q) != 0:
                requests[name] = requests.get(name, 0) + quantity.parse_quantity(q)
        lim = res.get("limits") or {}
        found = set()
        for name, q in lim.items():
            if name in ("cpu", "memory") and quantity.parse_quantity(q) != 0:
                found.add(name)
                limits[name] = limits.get(name, 0) + quantity.parse_quantity(q)
        if found != {"cpu", "memory"}:
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and requests == limits:
        return "Guaranteed"
    return "Burstable"
