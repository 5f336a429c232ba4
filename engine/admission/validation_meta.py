"""Validation shared by every kind: object metadata, labels, annotations, owner references,
finalizers, label selectors, and the small helpers the kind-specific modules use.

Field paths, messages and the order errors are reported in follow upstream:
k8s.io/apimachinery pkg/api/validation/objectmeta.go (metadata), pkg/apis/meta/v1/validation
(labels, selectors), k/k pkg/apis/core/validation (ObjectMeta wrapper, finalizer names).
Kind-specific rules live in validation_core.py (core/v1 and the small groups) and
validation_apps.py (apps/v1).

The dispatcher (validation.py) and the kind-specific modules import from here; this module
imports none of them, so the dependencies run one way.
"""
from __future__ import annotations

from ..bounded import Memo
from ..errors import FieldError
from . import names
from .fields import GoStruct, forbidden, invalid, required, too_long

FIELD_IMMUTABLE = "field is immutable"
IS_NEGATIVE = "must be greater than or equal to 0"
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * (1 << 10)
_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})


# ---- generic helpers -------------------------------------------------------------------------

def nonnegative(value, path: str) -> list[FieldError]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return [invalid(path, value, IS_NEGATIVE)]
    return []


def semantic_equal(a, b) -> bool:
    """apiequality.Semantic.DeepEqual on JSON data: a missing field equals its zero value, and
    nil equals an empty list or map."""
    if a is b:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(semantic_equal(a.get(k), b.get(k)) for k in a.keys() | b.keys())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(semantic_equal(x, y) for x, y in zip(a, b))
    if a is None:
        return b in _ZEROS
    if b is None:
        return a in _ZEROS
    return a == b


_ZEROS: tuple = ("", 0, False, [], {})


def immutable(new, old, path: str) -> list[FieldError]:
    if semantic_equal(new, old):
        return []
    return [invalid(path, new, FIELD_IMMUTABLE)]


def text(v) -> str:
    """A string field as Go holds it after decoding: "" for null (and for anything that slipped
    past decoding, e.g. on the undecoded status path)."""
    return v if isinstance(v, str) else ""


def str_map(v) -> dict:
    return v if isinstance(v, dict) else {}


def as_list(v) -> list:
    return v if isinstance(v, list) else []


# ---- labels, annotations, finalizers, owner references ---------------------------------------

def validate_label_name(key: str, path: str) -> list[FieldError]:
    return [invalid(path, key, m) for m in names.is_qualified_name(key)]


def validate_labels(labels, path: str) -> list[FieldError]:
    if not labels or not isinstance(labels, dict):
        return []
    errs: list[FieldError] = []
    for k, v in labels.items():
        m = names.is_qualified_name(k)
        if m:
            errs.extend(invalid(path, k, x) for x in m)
        v = v if isinstance(v, str) else "" if v is None else str(v)
        m = names.is_valid_label_value(v)
        if m:
            errs.extend(invalid(path, v, x) for x in m)
    return errs


def validate_annotations(annotations, path: str) -> list[FieldError]:
    if not annotations or not isinstance(annotations, dict):
        return []
    errs: list[FieldError] = []
    total = 0
    for k, v in annotations.items():
        k = text(k)
        for m in names.is_qualified_name(k.lower()):
            errs.append(invalid(path, k, m))
        total += len(k.encode()) + len(str(v).encode())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errs


def _owner_ref_value(ref: dict) -> GoStruct:
    out = GoStruct(apiVersion=ref.get("apiVersion") or "", kind=ref.get("kind") or "",
                   name=ref.get("name") or "", uid=ref.get("uid") or "")
    if ref.get("controller") is not None:
        out["controller"] = ref["controller"]
    if ref.get("blockOwnerDeletion") is not None:
        out["blockOwnerDeletion"] = ref["blockOwnerDeletion"]
    return out


def _api_version_parts(api_version: str) -> tuple[str, str] | None:
    """schema.ParseGroupVersion: (group, version), or None on a malformed value."""
    if not api_version:
        return "", ""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def validate_owner_references(refs, path: str) -> list[FieldError]:
    if not refs:
        return []
    errs: list[FieldError] = []
    first_controller = ""
    for ref in as_list(refs):
        if not isinstance(ref, dict):
            continue
        api_version, kind = text(ref.get("apiVersion")), text(ref.get("kind"))
        gv = _api_version_parts(api_version)
        group, version = gv if gv else ("", "")
        if not version:
            errs.append(invalid(f"{path}.apiVersion", api_version, "version must not be empty"))
        if not kind:
            errs.append(invalid(f"{path}.kind", kind, "kind must not be empty"))
        if not text(ref.get("name")):
            errs.append(invalid(f"{path}.name", text(ref.get("name")), "name must not be empty"))
        if not text(ref.get("uid")):
            errs.append(invalid(f"{path}.uid", text(ref.get("uid")), "uid must not be empty"))
        if gv and group == "" and version == "v1" and kind == "Event":
            errs.append(invalid(path, _owner_ref_value(ref), "/v1, Kind=Event is disallowed from being an owner"))
        if ref.get("controller") is True:
            current = f"{kind}/{ref.get('name', '')}"
            if first_controller:
                errs.append(invalid(path, [_owner_ref_value(r) for r in refs if isinstance(r, dict)],
                                    "Only one reference can have Controller set to true. Found \"true\" "
                                    f"in references for {first_controller} and {current}"))
            else:
                first_controller = current
    return errs


def validate_finalizers(finalizers, path: str) -> list[FieldError]:
    """apimachinery ValidateFinalizers (note: the path is not indexed)."""
    if not finalizers:
        return []
    errs: list[FieldError] = []
    finalizers = [text(f) for f in as_list(finalizers)]
    for f in finalizers:
        errs.extend(invalid(path, f, m) for m in names.is_qualified_name(f))
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errs.append(invalid(path, list(finalizers), "finalizer orphan and foregroundDeletion cannot be both set"))
    return errs


def validate_kube_finalizer_names(finalizers, path: str) -> list[FieldError]:
    """k/k validateKubeFinalizerName, run over metadata.finalizers[i]."""
    errs: list[FieldError] = []
    for i, f in enumerate(finalizers or ()):
        f = text(f)
        if "/" not in f and f not in _STANDARD_FINALIZERS:
            errs.append(invalid(f"{path}[{i}]", f, "name is neither a standard finalizer name nor is it fully qualified"))
    return errs


# ---- object metadata ---------------------------------------------------------------------------

def validate_object_meta(md: dict, namespaced: bool, name_fn, path: str = "metadata") -> list[FieldError]:
    errs: list[FieldError] = []
    gen_name = text(md.get("generateName"))
    if gen_name:
        errs.extend(invalid(f"{path}.generateName", gen_name, m) for m in name_fn(gen_name, True))
    name = text(md.get("name"))
    if not name:
        errs.append(required(f"{path}.name", "name or generateName is required"))
    else:
        errs.extend(invalid(f"{path}.name", name, m) for m in name_fn(name, False))
    ns = text(md.get("namespace"))
    if namespaced:
        if not ns:
            errs.append(required(f"{path}.namespace"))
        else:
            errs.extend(invalid(f"{path}.namespace", ns, m) for m in names.name_is_dns_label(ns, False))
    elif ns:
        errs.append(forbidden(f"{path}.namespace", "not allowed on this type"))
    errs.extend(nonnegative(md.get("generation", 0), f"{path}.generation"))
    errs.extend(validate_labels(md.get("labels"), f"{path}.labels"))
    errs.extend(validate_annotations(md.get("annotations"), f"{path}.annotations"))
    errs.extend(validate_owner_references(md.get("ownerReferences"), f"{path}.ownerReferences"))
    errs.extend(validate_finalizers(md.get("finalizers"), f"{path}.finalizers"))
    errs.extend(validate_kube_finalizer_names(md.get("finalizers"), f"{path}.finalizers"))
    return errs


def validate_object_meta_update(md: dict, omd: dict, path: str = "metadata") -> list[FieldError]:
    errs: list[FieldError] = []
    if omd.get("deletionTimestamp"):
        extra = sorted(set(map(str, as_list(md.get("finalizers")))) - set(map(str, as_list(omd.get("finalizers")))))
        if extra:
            listed = ", ".join('"' + f + '"' for f in extra)
            errs.append(forbidden(f"{path}.finalizers", "no new finalizers can be added if the object "
                                  f"is being deleted, found new finalizers []string{{{listed}}}"))
    if not md.get("resourceVersion"):
        errs.append(invalid(f"{path}.resourceVersion", md.get("resourceVersion") or "", "must be specified for an update"))
    gen, ogen = md.get("generation", 0), omd.get("generation", 0)
    if isinstance(gen, int) and isinstance(ogen, int) and gen < ogen:
        errs.append(invalid(f"{path}.generation", gen, "must not be decremented"))
    for key, zero in (("name", ""), ("namespace", ""), ("uid", ""), ("creationTimestamp", None),
                      ("deletionTimestamp", None), ("deletionGracePeriodSeconds", None)):
        a, b = md.get(key, zero), omd.get(key, zero)
        if a != b:
            errs.append(invalid(f"{path}.{key}", a, FIELD_IMMUTABLE))
    errs.extend(_unless_stored_valid(validate_labels, md.get("labels"), omd.get("labels"), f"{path}.labels"))
    errs.extend(validate_annotations(md.get("annotations"), f"{path}.annotations"))
    errs.extend(_unless_stored_valid(validate_owner_references, md.get("ownerReferences"),
                                     omd.get("ownerReferences"), f"{path}.ownerReferences"))
    errs.extend(validate_kube_finalizer_names(as_list(md.get("finalizers")), f"{path}.finalizers"))
    return errs


# Labels and ownerReferences that are the stored object's very own (a status write keeps them:
# 20,000 kubelet writes at 10,000 pods, whose pods share one labels dict and one list) and were
# found valid once: a stored dict is never changed in place, and validation depends on nothing
# else, so the answer stays []. Kept in the table, so an id is not reused while its entry lives.
_STORED_VALID: Memo[object] = Memo(4096)


def _unless_stored_valid(validate, value, stored, path: str) -> list[FieldError]:
    if value is None or value is not stored:
        return validate(value, path)
    if _STORED_VALID.get(id(value)) is value:
        return []
    errs = validate(value, path)
    if not errs:
        _STORED_VALID.put(id(value), value)
    return errs


# ---- label selectors -------------------------------------------------------------------------

def validate_label_selector(sel, path: str) -> list[FieldError]:
    """metav1 validation.ValidateLabelSelector (AllowInvalidLabelValueInSelector=false)."""
    if not isinstance(sel, dict):
        return []
    errs = validate_labels(sel.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(as_list(sel.get("matchExpressions"))):
        errs.extend(validate_label_selector_requirement(expr if isinstance(expr, dict) else {},
                                                        f"{path}.matchExpressions[{i}]"))
    return errs


def validate_label_selector_requirement(expr: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    op, values = expr.get("operator") or "", as_list(expr.get("values"))
    if op in ("In", "NotIn"):
        if not values:
            errs.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(f"{path}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    else:
        errs.append(invalid(f"{path}.operator", op, "not a valid selector operator"))
    errs.extend(validate_label_name(expr.get("key") or "", f"{path}.key"))
    for i, v in enumerate(values):
        errs.extend(invalid(f"{path}.values[{i}]", v, m) for m in names.is_valid_label_value(str(v)))
    return errs


def selector_value(sel) -> GoStruct | None:
    """A LabelSelector as Go marshals it (matchLabels, then matchExpressions; empty ones omitted)."""
    if sel is None:
        return None
    out = GoStruct()
    if isinstance(sel, dict):
        if sel.get("matchLabels"):
            out["matchLabels"] = sel["matchLabels"]
        if sel.get("matchExpressions"):
            exprs = []
            for e in sel["matchExpressions"]:
                e = e if isinstance(e, dict) else {}
                g = GoStruct(key=e.get("key") or "", operator=e.get("operator") or "")
                if e.get("values"):
                    g["values"] = e["values"]
                exprs.append(g)
            out["matchExpressions"] = exprs
    return out


class Selector:
    """labels.Selector from metav1.LabelSelectorAsSelector: `nothing` for a nil selector,
    `empty` (matches everything) for one without requirements."""
    __slots__ = ("reqs", "nothing")

    def __init__(self, reqs: list[tuple[str, str, tuple]], nothing: bool = False):
        self.reqs, self.nothing = reqs, nothing

    def empty(self) -> bool:
        return not self.nothing and not self.reqs

    def matches(self, labels) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        for key, op, values in self.reqs:
            if op == "In":
                if key not in labels or labels[key] not in values:
                    return False
            elif op == "NotIn":
                if key in labels and labels[key] in values:
                    return False
            elif op == "Exists":
                if key not in labels:
                    return False
            elif key in labels:      # DoesNotExist
                return False
        return True


def label_selector_as_selector(sel) -> Selector | None:
    """Selector for a LabelSelector dict, or None where upstream's conversion fails (bad key,
    bad value, unknown operator, missing or superfluous values)."""
    if sel is None:
        return Selector([], nothing=True)
    if not isinstance(sel, dict):
        return None
    reqs = []
    for k, v in str_map(sel.get("matchLabels")).items():
        if names.is_qualified_name(k) or names.is_valid_label_value(str(v)):
            return None
        reqs.append((k, "In", (v,)))
    for e in as_list(sel.get("matchExpressions")):
        if not isinstance(e, dict):
            return None
        op, key, values = e.get("operator"), e.get("key") or "", tuple(as_list(e.get("values")))
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return None
        if (op in ("In", "NotIn")) != bool(values):
            return None
        if names.is_qualified_name(key) or any(names.is_valid_label_value(str(v)) for v in values):
            return None
        reqs.append((key, op, values))
    return Selector(reqs)
