"""A custom resource checked against its CRD version's structural schema, as
apiextensions-apiserver does to every write: defaulting from `default:` (structuraldefaulting),
pruning of the fields the schema does not declare (structuralpruning), then validation
(kube-openapi's validator, its results turned into field errors by apiextensions'
kubeOpenAPIResultToFieldErrors). All three walk the same schema subset: type, properties,
additionalProperties, items, required, enum, pattern, minimum/maximum (exclusive),
minLength/maxLength, minItems/maxItems, format, nullable and the x-kubernetes-* markers
(int-or-string, preserve-unknown-fields, embedded-resource)."""
from __future__ import annotations

import copy
import datetime
import re

from .. import errors
from ..errors import FieldError

# The root's apiVersion, kind and metadata are the apiserver's, never pruned nor checked here
# (metadata is validated as any object's: engine/crd/objects.py).
_ROOT_KEEP = ("apiVersion", "kind", "metadata")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ---- defaulting ----------------------------------------------------------------------------------

def apply_defaults(obj, schema: dict | None) -> None:
    """Fill in `default:` values of absent properties, in place, depth first (a default is itself
    defaulted below it, as structuraldefaulting.Default)."""
    if not isinstance(schema, dict):
        return
    if isinstance(obj, dict):
        props = schema.get("properties") or {}
        for key, sub in props.items():
            if not isinstance(sub, dict):
                continue
            if key in obj and obj[key] is None and sub.get("nullable") is not True:
                # PruneNonNullableNullsWithoutDefaults: a null where null is not allowed is
                # defaulted if the field has a default, dropped otherwise
                del obj[key]
            if key not in obj and "default" in sub:
                obj[key] = copy.deepcopy(sub["default"])
        for key, value in obj.items():
            if key in props:
                apply_defaults(value, props[key])
            elif isinstance(schema.get("additionalProperties"), dict):
                apply_defaults(value, schema["additionalProperties"])
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for item in obj:
            apply_defaults(item, schema["items"])


# ---- pruning -------------------------------------------------------------------------------------

def prune(obj, schema: dict | None, path: str = "", root: bool = True) -> list[str]:
    """Drop, in place, the fields the schema does not declare; return their paths as the strict
    decoder names them (`spec.foo`)."""
    found: list[str] = []
    if not isinstance(schema, dict):
        return found
    if isinstance(obj, dict):
        props = schema.get("properties")
        additional = schema.get("additionalProperties")
        preserve = schema.get("x-kubernetes-preserve-unknown-fields") is True
        embedded = schema.get("x-kubernetes-embedded-resource") is True
        for key in list(obj):
            if (root or embedded) and key in _ROOT_KEEP:
                continue
            sub = (props or {}).get(key)
            if sub is None and isinstance(additional, dict):
                sub = additional
            if sub is None:
                if preserve or additional is True:
                    continue
                found.append(_join(path, key))
                del obj[key]
                continue
            found += prune(obj[key], sub, _join(path, key), False)
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(obj):
            found += prune(item, schema["items"], f"{path}[{i}]", False)
    return found


# ---- validation ----------------------------------------------------------------------------------

_JSON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
               "object": (dict,), "array": (list,)}


def _type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_type(value, want: str) -> bool:
    if isinstance(value, bool):
        return want == "boolean"
    if want == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES.get(want, (object,)))


def _number(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _check_format(fmt: str, value: str) -> bool:
    try:
        if fmt == "date-time":
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif fmt == "date":
            datetime.date.fromisoformat(value)
        elif fmt == "int32":
            return True
        elif fmt in ("ipv4",):
            parts = value.split(".")
            return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)
        elif fmt == "uuid":
            return re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                                value) is not None
    except ValueError:
        return False
    return True


def validate(obj, schema: dict | None, path: str = "", root: bool = True) -> list[FieldError]:
    """The field errors of `obj` against `schema`, worded as the apiserver words them
    (`spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10`)."""
    errs: list[FieldError] = []
    if not isinstance(schema, dict):
        return errs
    shown = path or "<nil>"
    if obj is None:
        if schema.get("nullable") is True or root:
            return errs
        want = schema.get("type")
        if want:
            errs.append(errors.invalid(shown, "null", f'{shown} in body must be of type {want}: "null"'))
        return errs
    want = schema.get("type")
    if schema.get("x-kubernetes-int-or-string") is True:
        if isinstance(obj, bool) or not isinstance(obj, (int, str)):
            errs.append(errors.invalid(shown, _type_name(obj),
                                       f'{shown} in body must be of type integer,string: "{_type_name(obj)}"'))
            return errs
    elif want and not _is_type(obj, want):
        found = _type_name(obj)
        errs.append(errors.invalid(shown, found, f'{shown} in body must be of type {want}: "{found}"'))
        return errs
    enum = schema.get("enum")
    if isinstance(enum, list) and obj not in enum:
        errs.append(errors.not_supported(shown, obj, [e if isinstance(e, str) else errors.render_value(e)
                                                      for e in enum]))
    if isinstance(obj, str):
        fmt = schema.get("format")
        if isinstance(fmt, str) and not _check_format(fmt, obj):
            errs.append(errors.invalid(shown, obj, f'{shown} in body must be of type {fmt}: "{obj}"'))
        max_len = schema.get("maxLength")
        if isinstance(max_len, int) and len(obj) > max_len:
            errs.append(errors.too_long(shown, max_len))
        min_len = schema.get("minLength")
        if isinstance(min_len, int) and len(obj) < min_len:
            errs.append(errors.invalid(shown, obj, f"{shown} in body should be at least {min_len} chars long"))
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                matched = re.search(pattern, obj) is not None
            except re.error:
                matched = True
            if not matched:
                errs.append(errors.invalid(shown, obj, f"{shown} in body should match '{pattern}'"))
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        maximum, minimum = schema.get("maximum"), schema.get("minimum")
        if isinstance(maximum, (int, float)):
            if schema.get("exclusiveMaximum") is True and obj >= maximum:
                errs.append(errors.invalid(shown, obj, f"{shown} in body should be less than {_number(maximum)}"))
            elif obj > maximum:
                errs.append(errors.invalid(shown, obj,
                                           f"{shown} in body should be less than or equal to {_number(maximum)}"))
        if isinstance(minimum, (int, float)):
            if schema.get("exclusiveMinimum") is True and obj <= minimum:
                errs.append(errors.invalid(shown, obj, f"{shown} in body should be greater than {_number(minimum)}"))
            elif obj < minimum:
                errs.append(errors.invalid(shown, obj,
                                           f"{shown} in body should be greater than or equal to {_number(minimum)}"))
    if isinstance(obj, list):
        max_items, min_items = schema.get("maxItems"), schema.get("minItems")
        if isinstance(max_items, int) and len(obj) > max_items:
            errs.append(FieldError(shown, "Too many", len(obj), f"must have at most {max_items} items", has_value=True))
        if isinstance(min_items, int) and len(obj) < min_items:
            errs.append(errors.invalid(shown, obj, f"{shown} in body should have at least {min_items} items"))
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(obj):
                errs += validate(item, items, f"{path}[{i}]", False)
    if isinstance(obj, dict):
        props = schema.get("properties") or {}
        for key in schema.get("required") or ():
            if key not in obj:
                errs.append(errors.required(_join(path, key)))
        if schema.get("x-kubernetes-embedded-resource") is True:
            for key in ("apiVersion", "kind"):
                if not obj.get(key):
                    errs.append(errors.required(_join(path, key), "must not be empty"))
        additional = schema.get("additionalProperties")
        # declared properties in the schema's order, then the map's own keys in the object's
        keys = [k for k in props if k in obj] + [k for k in obj if k not in props]
        for key in keys:
            if root and key in _ROOT_KEEP:
                continue
            sub = props.get(key)
            if sub is None and isinstance(additional, dict):
                sub = additional
            if sub is not None:
                errs += validate(obj[key], sub, _join(path, key), False)
    return errs
