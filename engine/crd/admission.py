"""Admission for CustomResourceDefinitions and for the custom objects they define.

CRDs: apiextensions' defaulting (singular, listKind, conversion None), its strategy (a new CRD
carries the customresourcecleanup finalizer; status is the apiserver's) and
ValidateCustomResourceDefinition's texts (validation_crd.py); `establish` is the naming and
establishing controllers' outcome, written with the CRD at once so the new kind is served as
soon as its create returns.

Custom objects: metadata as for any object, then the version's structural schema (structural.py):
defaulting, pruning (unknown fields refused under fieldValidation=Strict, warned about
otherwise) and validation, then the schema's x-kubernetes-validations rules (cel_rules.py)."""
from __future__ import annotations

from .. import api_warnings, errors, objects
from .. import resources as kinds
from ..admission.names import name_is_dns_subdomain
from . import cel_rules, decode, definitions, structural, validation_crd


# ---- CustomResourceDefinitions -------------------------------------------------------------------

def _default_crd(crd: dict) -> None:
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict):
        kind = names.get("kind")
        if not names.get("singular") and isinstance(kind, str) and kind:
            names["singular"] = kind.lower()
        if not names.get("listKind") and isinstance(kind, str) and kind:
            names["listKind"] = kind + "List"
    if not isinstance(spec.get("conversion"), dict):
        spec["conversion"] = {"strategy": "None"}


def admit_crd(obj: dict, old: dict | None, strict: bool) -> dict:
    err = decode.decode_error(obj)
    if err:
        raise errors.BadRequest('CustomResourceDefinition in version "v1" cannot be handled as a '
                                f"CustomResourceDefinition: {err}")
    out = objects.clone(obj)
    unknown = decode.unknown_fields(out)
    if unknown and strict:
        raise errors.BadRequest('CustomResourceDefinition in version "v1" cannot be handled as a '
                                "CustomResourceDefinition: strict decoding error: "
                                + ", ".join(f'unknown field "{p}"' for p in unknown))
    if unknown:
        api_warnings.add_field_warnings(f'unknown field "{p}"' for p in unknown)
        decode.drop(out, unknown)
    md = out.setdefault("metadata", {})
    md.pop("namespace", None)
    _default_crd(out)
    if old is None:
        out.pop("status", None)
        fins = list(md.get("finalizers") or [])
        if definitions.FINALIZER not in fins:
            fins.append(definitions.FINALIZER)
        md["finalizers"] = fins
        errs = validation_crd.validate(out)
    else:
        out["status"] = old.get("status")
        errs = validation_crd.validate_update(out, old)
    if errs:
        raise errors.Invalid("CustomResourceDefinition", definitions.GROUP, objects.name_of(out), errs)
    return out


def establish(crd: dict, now: str, others) -> None:
    """Accept the CRD's names (unless another CRD of its group holds one of them) and, once
    accepted, mark it Established: status.acceptedNames, the two conditions, storedVersions."""
    names = dict(definitions.names_of(crd))
    group = definitions.spec_of(crd).get("group")
    status = dict(crd.get("status") or {})
    conflict = None
    for other in others:
        if objects.name_of(other) == objects.name_of(crd) or definitions.spec_of(other).get("group") != group:
            continue
        taken = (other.get("status") or {}).get("acceptedNames") or {}
        if names.get("kind") and names.get("kind") == taken.get("kind"):
            conflict = f'"{names["kind"]}" is already in use'
        for short in names.get("shortNames") or ():
            if short in (taken.get("shortNames") or ()) or short == taken.get("plural"):
                conflict = f'"{short}" is already in use'
    # kubeplay keeps objects by plural: a plural another group already serves cannot be taken
    # (upstream allows it; here it would share the other kind's storage)
    plural = names.get("plural")
    for rt in kinds.all_types():
        if rt.name == plural and rt.group != group:
            conflict = f'"{plural}" is already in use'
    conds = [dict(c) for c in status.get("conditions") or () if isinstance(c, dict)]

    def setc(ctype, cstatus, reason, message):
        for c in conds:
            if c.get("type") == ctype:
                if c.get("status") != cstatus:
                    c["lastTransitionTime"] = now
                c.update(status=cstatus, reason=reason, message=message)
                return
        conds.append({"lastTransitionTime": now, "message": message, "reason": reason,
                      "status": cstatus, "type": ctype})
    if conflict:
        setc("NamesAccepted", "False", "NameConflict", conflict)
        if not any(c.get("type") == "Established" for c in conds):
            setc("Established", "False", "NotAccepted", "not all names are accepted")
    else:
        accepted = {k: names[k] for k in ("categories", "kind", "listKind", "plural", "shortNames", "singular")
                    if names.get(k)}
        status["acceptedNames"] = accepted
        setc("NamesAccepted", "True", "NoConflicts", "no conflicts found")
        setc("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")
    status.setdefault("acceptedNames", {"kind": "", "plural": ""})
    status["conditions"] = conds
    stored = list(status.get("storedVersions") or [])
    sv = definitions.storage_version(crd)
    if sv and sv not in stored:
        stored.append(sv)
    status["storedVersions"] = stored
    crd["status"] = status


def mark_terminating(crd: dict, now: str, reason: str, message: str) -> dict:
    out = dict(crd)
    status = dict(crd.get("status") or {})
    conds = [dict(c) for c in status.get("conditions") or () if c.get("type") != "Terminating"]
    old = next((c for c in status.get("conditions") or () if c.get("type") == "Terminating"), None)
    conds.append({"lastTransitionTime": (old or {}).get("lastTransitionTime", now), "message": message,
                  "reason": reason, "status": "True", "type": "Terminating"})
    status["conditions"] = conds
    out["status"] = status
    return out


# ---- custom objects ------------------------------------------------------------------------------

def _schema(rt: kinds.ResourceType, obj: dict) -> dict | None:
    crd = definitions.definition(rt)
    if crd is None:
        return None
    version = str(obj.get("apiVersion", "")).rpartition("/")[2]
    return definitions.schema_of(crd, version)


def _decode_prefix(rt: kinds.ResourceType) -> str:
    return f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '


def _prune(rt, out: dict, sch, strict: bool, decode: bool, skip_status: bool) -> None:
    if sch is None:
        return
    saved = out.pop("status", None) if skip_status else None
    unknown = sorted(structural.prune(out, sch))     # (reported sorted by path)
    if skip_status and saved is not None:
        out["status"] = saved
    if unknown and decode:
        if strict:
            raise errors.BadRequest(_decode_prefix(rt) + "strict decoding error: "
                                    + ", ".join(f'unknown field "{p}"' for p in unknown))
        api_warnings.add_field_warnings(f'unknown field "{p}"' for p in unknown)


def _meta_errors(rt: kinds.ResourceType, out: dict) -> list:
    md = out.get("metadata") or {}
    return validation_crd.generic_object_meta(md, rt.namespaced, name_is_dns_subdomain)


def _check(rt, out: dict, errs: list, old: dict | None = None) -> None:
    sch = _schema(rt, out)
    if sch is not None:
        errs = errs + structural.validate(out, sch)
        errs = errs + cel_rules.validate(out, old, sch, errs)
    if errs:
        raise errors.Invalid(rt.kind, rt.group, objects.name_of(out), errs)


def _has_status(rt: kinds.ResourceType) -> bool:
    return "status" in rt.subresources


def admit_create(obj: dict, rt: kinds.ResourceType, *, strict: bool, decode: bool, on_defaulted=None) -> dict:
    out = objects.clone(obj)
    md = out.setdefault("metadata", {})
    if not rt.namespaced:
        md.pop("namespace", None)
    if not md.get("name") and md.get("generateName"):
        md["name"] = md["generateName"][:58] + objects.random_suffix()
    sch = _schema(rt, out)
    _prune(rt, out, sch, strict, decode, False)
    structural.apply_defaults(out, sch)
    if on_defaulted is not None:
        on_defaulted(out)
    _check(rt, out, _meta_errors(rt, out))
    return out


def admit_update(new: dict, old: dict, rt: kinds.ResourceType, *, strict: bool, decode: bool,
                 on_defaulted=None) -> dict:
    out = objects.clone(new)
    md = out.setdefault("metadata", {})
    if not rt.namespaced:
        md.pop("namespace", None)
    sch = _schema(rt, out)
    # the stored status (kept by the status subresource's strategy) is not the client's to prune
    _prune(rt, out, sch, strict, decode, _has_status(rt) and out.get("status") == old.get("status"))
    structural.apply_defaults(out, sch)
    if on_defaulted is not None:
        on_defaulted(out)
    errs = validation_crd.generic_object_meta_update(md, old.get("metadata") or {})
    _check(rt, out, _meta_errors(rt, out) + errs, old)
    return out


def admit_crd_status(new: dict, old: dict) -> dict:
    out = objects.clone(new)
    errs = validation_crd.generic_object_meta_update(out.get("metadata") or {}, old.get("metadata") or {})
    if errs:
        raise errors.Invalid("CustomResourceDefinition", definitions.GROUP, objects.name_of(out), errs)
    return out


def admit_status_update(new: dict, old: dict, rt: kinds.ResourceType) -> dict:
    out = objects.clone(new)
    sch = _schema(rt, out)
    if sch is not None:
        structural.prune(out, sch)
        structural.apply_defaults(out, sch)
    errs = validation_crd.generic_object_meta_update(out.get("metadata") or {}, old.get("metadata") or {})
    _check(rt, out, errs, old)
    return out
