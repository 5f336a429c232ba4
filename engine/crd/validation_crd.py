"""ValidateCustomResourceDefinition (k8s.io/apiextensions-apiserver pkg/apis/apiextensions/
validation) for apiextensions.k8s.io/v1: names, group, scope, versions (exactly one storage
version), the structural-schema rules every v1 schema must meet, printer columns and the
subresources; and what an update may not change."""
from __future__ import annotations

from ..admission.names import is_dns1035_label, is_dns1123_subdomain, name_is_dns_subdomain
from ..admission.validation_meta import (immutable, validate_kube_finalizer_names, validate_object_meta,
                                         validate_object_meta_update)
from ..errors import FieldError, forbidden, invalid, not_supported, required
from . import crd_rule_checks, definitions

_TYPES = ["array", "boolean", "integer", "number", "object", "string"]
_COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"]


def _versions_value(versions) -> str:
    """How Go's %#v-ish field rendering starts a []CustomResourceDefinitionVersion (shortened)."""
    inner = ", ".join(f'apiextensions.CustomResourceDefinitionVersion{{Name:"{v.get("name", "")}", '
                      f'Served:{str(v.get("served") is True).lower()}, Storage:{str(v.get("storage") is True).lower()}, ...}}'
                      for v in versions)
    return f"[]apiextensions.CustomResourceDefinitionVersion{{{inner}}}"


def _names(names: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for key in ("plural", "singular"):
        v = names.get(key)
        if isinstance(v, str) and v:
            msgs = is_dns1035_label(v)
            if msgs:
                errs.append(invalid(f"{path}.{key}", v, ",".join(msgs)))
    for key in ("kind", "listKind"):
        v = names.get(key)
        if isinstance(v, str) and v:
            msgs = is_dns1035_label(v.lower())
            if msgs:
                errs.append(invalid(f"{path}.{key}", v, "may have mixed case, but should otherwise match: " + ",".join(msgs)))
    for i, short in enumerate(names.get("shortNames") or ()):
        msgs = is_dns1035_label(str(short))
        if msgs:
            errs.append(invalid(f"{path}.shortNames[{i}]", short, ",".join(msgs)))
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        errs.append(invalid(f"{path}.listKind", names["listKind"], "kind and listKind may not be the same"))
    for i, cat in enumerate(names.get("categories") or ()):
        msgs = is_dns1035_label(str(cat))
        if msgs:
            errs.append(invalid(f"{path}.categories[{i}]", cat, ",".join(msgs)))
    return errs


def _schema(node, path: str, root: bool, cel_errs: list[FieldError],
            uncorrelatable: str | None = None) -> list[FieldError]:
    """The structural-schema rules (apiextensions' structural/validation.go) for one node, then
    its x-kubernetes-validations (crd_rule_checks.py), whose compile errors go to `cel_errs`
    (reported after the schema's, as upstream's CELErrors); `uncorrelatable`: the path of the list
    (not a `map` list) this node is inside, where oldSelf has no old value to mean."""
    errs: list[FieldError] = []
    if not isinstance(node, dict):
        return errs
    t = node.get("type")
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    if t is None or t == "":
        if root:
            errs.append(required(f"{path}.type", "must not be empty at the root"))
        elif not int_or_string and preserve is not True:
            errs.append(required(f"{path}.type", "must not be empty for specified array items"
                                 if path.endswith(".items") else "must not be empty for specified object fields"))
    elif t not in _TYPES:
        errs.append(not_supported(f"{path}.type", t, _TYPES))
    elif root and t != "object":
        errs.append(invalid(f"{path}.type", t, "must be object at the root"))
    if preserve is not None and preserve is not True:
        errs.append(invalid(f"{path}.x-kubernetes-preserve-unknown-fields", preserve, "must be true or undefined"))
    if node.get("uniqueItems") is True:
        errs.append(forbidden(f"{path}.uniqueItems",
                              "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
    props = node.get("properties")
    if isinstance(node.get("additionalProperties"), (dict, bool)) and props:
        if node["additionalProperties"] is not True:
            errs.append(forbidden(f"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive"))
    if t == "array" and not isinstance(node.get("items"), dict):
        errs.append(required(f"{path}.items", "must be specified"))
    if isinstance(props, dict):
        for key, sub in props.items():
            if root and key == "metadata" and isinstance(sub, dict):
                extra = set((sub.get("properties") or {})) - {"name", "generateName"}
                if extra or set(sub) - {"type", "properties", "description"}:
                    errs.append(forbidden(f"{path}.properties[metadata]",
                                          "must not specify anything other than name and generateName, "
                                          "but metadata is implicitly specified"))
                continue
            errs += _schema(sub, f"{path}.properties[{key}]", False, cel_errs, uncorrelatable)
    if isinstance(node.get("additionalProperties"), dict):
        errs += _schema(node["additionalProperties"], f"{path}.additionalProperties", False, cel_errs,
                        uncorrelatable)
    if isinstance(node.get("items"), dict):
        inside = uncorrelatable
        if inside is None and node.get("x-kubernetes-list-type") != "map":
            inside = path
        errs += _schema(node["items"], f"{path}.items", False, cel_errs, inside)
    if node.get("x-kubernetes-validations"):
        rule_errs = crd_rule_checks.rule_field_errors(node, path)
        errs += rule_errs
        # rules compile only on a schema without other errors here and below (as upstream: an
        # invalid schema has no CEL type to check them against)
        if not errs:
            cel_errs += crd_rule_checks.compile_errors(node, path, root or node.get("x-kubernetes-embedded-resource") is True,
                                                   uncorrelatable)
    return errs


def _schema_root(v: dict):
    sch = v.get("schema")
    return sch.get("openAPIV3Schema") if isinstance(sch, dict) else None


def _validation(root: dict, path: str) -> list[FieldError]:
    cel_errs: list[FieldError] = []
    errs = _schema(root, f"{path}.openAPIV3Schema", True, cel_errs)
    if not errs and not cel_errs:
        # defaults are checked against the rules once the schema and its rules are sound
        errs += crd_rule_checks.default_errors(root, f"{path}.openAPIV3Schema", True)
    return errs + cel_errs


def _version(v: dict, path: str, shared_schema: bool = False) -> list[FieldError]:
    """One version; with `shared_schema` (every version's schema the same) its schema is checked
    once as spec.validation instead, as the v1→internal conversion collapses identical schemas."""
    errs: list[FieldError] = []
    name = v.get("name")
    if not isinstance(name, str) or not name:
        errs.append(required(f"{path}.name"))
    else:
        msgs = is_dns1035_label(name)
        if msgs:
            errs.append(invalid(f"{path}.name", name, ",".join(msgs)))
    root = _schema_root(v)
    if not isinstance(root, dict):
        errs.append(required(f"{path}.schema.openAPIV3Schema", "schemas are required"))
    elif not shared_schema:
        errs += _validation(root, f"{path}.schema")
    for i, col in enumerate(v.get("additionalPrinterColumns") or ()):
        cp = f"{path}.additionalPrinterColumns[{i}]"
        if not isinstance(col, dict):
            continue
        if not col.get("name"):
            errs.append(required(f"{cp}.name"))
        if not col.get("type"):
            errs.append(required(f"{cp}.type"))
        elif col["type"] not in _COLUMN_TYPES:
            errs.append(not_supported(f"{cp}.type", col["type"], _COLUMN_TYPES))
        if col.get("format") and col["format"] not in ("int32", "int64", "float", "double", "byte", "date",
                                                        "date-time", "password"):
            errs.append(not_supported(f"{cp}.format", col["format"],
                                      ["int32", "int64", "float", "double", "byte", "date", "date-time", "password"]))
        if not col.get("jsonPath"):
            errs.append(required(f"{cp}.JSONPath"))
        if isinstance(col.get("priority"), int) and col["priority"] < 0:
            errs.append(invalid(f"{cp}.priority", col["priority"], "must be greater than or equal to 0"))
    subs = v.get("subresources")
    scale = subs.get("scale") if isinstance(subs, dict) else None
    if isinstance(scale, dict):
        sp = f"{path}.subresources.scale"
        for key, under in (("specReplicasPath", ".spec"), ("statusReplicasPath", ".status"),
                           ("labelSelectorPath", None)):
            p = scale.get(key)
            if p is None or p == "":
                if key != "labelSelectorPath":
                    errs.append(required(f"{sp}.{key}"))
                continue
            if under and not str(p).startswith(under + "."):
                errs.append(invalid(f"{sp}.{key}", p, f"should be a json path under {under}"))
            elif not under and not (str(p).startswith(".spec.") or str(p).startswith(".status.")):
                errs.append(invalid(f"{sp}.{key}", p, "should be a json path under either .spec or .status"))
    return errs


def _spec(spec: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    group = spec.get("group")
    if not group:
        errs.append(required("spec.group"))
    elif is_dns1123_subdomain(str(group)):
        errs.append(invalid("spec.group", group, ",".join(is_dns1123_subdomain(str(group)))))
    elif len(str(group).split(".")) < 2:
        errs.append(invalid("spec.group", group, "should be a domain with at least one dot"))
    scope = spec.get("scope")
    if not scope:
        errs.append(required("spec.scope"))
    elif scope not in ("Cluster", "Namespaced"):
        errs.append(not_supported("spec.scope", scope, ["Cluster", "Namespaced"]))
    versions = [v for v in spec.get("versions") or () if isinstance(v, dict)]
    # identical per-version schemas are one spec.validation to the apiserver (its errors say so)
    shared = bool(versions) and all(v.get("schema") == versions[0].get("schema") for v in versions)
    if not versions:
        errs.append(required("spec.versions", "must have at least one version"))
    seen: set = set()
    unique = True
    for i, v in enumerate(versions):
        if v.get("name") in seen:
            unique = False
        seen.add(v.get("name"))
        errs += _version(v, f"spec.versions[{i}]", shared)
    if versions:
        if not unique:
            errs.append(FieldError("spec.versions", "Invalid value",
                                   detail=f"{_versions_value(versions)}: must contain unique version names"))
        if sum(1 for v in versions if v.get("storage") is True) != 1:
            errs.append(FieldError("spec.versions", "Invalid value",
                                   detail=f"{_versions_value(versions)}: must have exactly one version marked as storage version"))
    names_value = spec.get("names")
    names: dict = names_value if isinstance(names_value, dict) else {}
    for key in ("plural", "singular", "kind", "listKind"):
        if not names.get(key):
            errs.append(required(f"spec.names.{key}"))
    errs += _names(names, "spec.names")
    if shared and isinstance(_schema_root(versions[0]), dict):
        errs += _validation(_schema_root(versions[0]), "spec.validation")
    if spec.get("preserveUnknownFields") is True:
        errs.append(invalid("spec.preserveUnknownFields", True,
                            "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in "
                            "spec.versions[*].schema instead"))
    conversion = spec.get("conversion") or {}
    strategy = conversion.get("strategy") if isinstance(conversion, dict) else None
    if strategy not in ("None", "Webhook"):
        errs.append(not_supported("spec.conversion.strategy", strategy, ["None", "Webhook"]))
    elif strategy == "Webhook":
        errs.append(required("spec.conversion.webhook", "required when strategy is set to Webhook"))
    return errs


def _name_fn(crd: dict):
    spec = definitions.spec_of(crd)
    want = f'{definitions.names_of(crd).get("plural", "")}.{spec.get("group", "")}'

    def check(name: str, prefix: bool) -> tuple[str, ...]:
        out = name_is_dns_subdomain(name, prefix)
        if name != want:
            out = out + ('must be spec.names.plural+"."+spec.group',)
        return out
    return check


def generic_object_meta(md: dict, namespaced: bool, name_fn) -> list[FieldError]:
    """apimachinery's ValidateObjectMeta, as apiextensions uses it: finalizer names need only be
    qualified names (core's standard-or-qualified rule is not applied)."""
    kube = {str(e) for e in validate_kube_finalizer_names(md.get("finalizers"), "metadata.finalizers")}
    return [e for e in validate_object_meta(md, namespaced, name_fn) if str(e) not in kube]


def generic_object_meta_update(md: dict, omd: dict) -> list[FieldError]:
    kube = {str(e) for e in validate_kube_finalizer_names(md.get("finalizers"), "metadata.finalizers")}
    return [e for e in validate_object_meta_update(md, omd) if str(e) not in kube]


def validate(crd: dict) -> list[FieldError]:
    errs = generic_object_meta(crd.get("metadata") or {}, False, _name_fn(crd))
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return errs + [required("spec")]
    return errs + _spec(spec)


def validate_update(crd: dict, old: dict) -> list[FieldError]:
    errs = generic_object_meta_update(crd.get("metadata") or {}, old.get("metadata") or {})
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return errs + [required("spec")]
    errs += _spec(spec)
    ospec = definitions.spec_of(old)
    if definitions.is_established(old):
        errs += immutable(spec.get("scope"), ospec.get("scope"), "spec.scope")
        errs += immutable(definitions.names_of(crd).get("kind"), definitions.names_of(old).get("kind"),
                          "spec.names.kind")
    errs += immutable(spec.get("group"), ospec.get("group"), "spec.group")
    errs += immutable(definitions.names_of(crd).get("plural"), definitions.names_of(old).get("plural"),
                      "spec.names.plural")
    stored = (crd.get("status") or {}).get("storedVersions") or []
    names = {v.get("name") for v in definitions.versions_of(crd)}
    for i, v in enumerate(stored):
        if v not in names:
            errs.append(invalid(f"status.storedVersions[{i}]", v, "must appear in spec.versions"))
    return errs
