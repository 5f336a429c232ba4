"""A CRD's `x-kubernetes-validations` checked when the CRD is written
(ValidateCustomResourceDefinitionOpenAPISchema): each rule's own fields (rule, message,
messageExpression, reason, fieldPath), then — when the node and the schema below it have no
other error — the rules compiled against the node's CEL type, a rule that does not compile
refused with cel-go's text (`compilation failed: ERROR: <input>:1:9: ...`)."""
from __future__ import annotations

import json

from ..errors import FieldError, invalid, not_supported, required
from . import cel_rules, structural

SUPPORTED_REASONS = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]


def _go_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _go_rule(rule: dict) -> str:
    """The rule as Go's %#v prints the internal apiextensions.ValidationRule (the value of the
    apiserver's field error; a set pointer shows an address, which differs from run to run)."""
    reason = ("(*apiextensions.FieldValueErrorReason)(nil)" if rule.get("reason") is None
              else "(*apiextensions.FieldValueErrorReason)(0xc000a1c2b0)")
    optional = "(*bool)(nil)" if rule.get("optionalOldSelf") is None else "(*bool)(0xc000a1c2b8)"
    return (f"apiextensions.ValidationRule{{Rule:{_go_string(str(rule.get('rule') or ''))}, "
            f"Message:{_go_string(str(rule.get('message') or ''))}, "
            f"MessageExpression:{_go_string(str(rule.get('messageExpression') or ''))}, "
            f"Reason:{reason}, FieldPath:{_go_string(str(rule.get('fieldPath') or ''))}, "
            f"OptionalOldSelf:{optional}}}")


def _has_newlines(s: str) -> bool:
    return "\n" in s or "\r" in s


def rule_field_errors(node: dict, path: str) -> list[FieldError]:
    """The rules' own fields (the SchemaErrors half of the check)."""
    errs: list[FieldError] = []
    for i, rule in enumerate(node.get("x-kubernetes-validations") or ()):
        if not isinstance(rule, dict):
            continue
        rp = f"{path}.x-kubernetes-validations[{i}]"
        text = str(rule.get("rule") or "")
        msg = rule.get("message")
        msg = msg if isinstance(msg, str) else ""
        if not text.strip():
            errs.append(required(f"{rp}.rule", "rule is not specified"))
        elif msg and not msg.strip():
            errs.append(invalid(f"{rp}.message", msg, "message must be non-empty if specified"))
        elif _has_newlines(msg.strip()):
            errs.append(invalid(f"{rp}.message", msg, "message must not contain line breaks"))
        elif _has_newlines(text.strip()) and not msg.strip():
            errs.append(required(f"{rp}.message", "message must be specified if rule contains line breaks"))
        mexpr = rule.get("messageExpression")
        if isinstance(mexpr, str) and mexpr and not mexpr.strip():
            errs.append(required(f"{rp}.messageExpression", "messageExpression must be non-empty if specified"))
        reason = rule.get("reason")
        if reason is not None and reason not in SUPPORTED_REASONS:
            errs.append(not_supported(f"{rp}.reason", reason, SUPPORTED_REASONS))
        fp = rule.get("fieldPath")
        if isinstance(fp, str) and fp:
            if not fp.strip():
                errs.append(invalid(f"{rp}.fieldPath", fp, "fieldPath must be non-empty if specified"))
            if _has_newlines(fp):
                errs.append(invalid(f"{rp}.fieldPath", fp, "fieldPath must not contain line breaks"))
            if cel_rules.normalized_field_path(fp, node) is None:
                errs.append(invalid(f"{rp}.fieldPath", fp, "fieldPath must be a valid path"))
    return errs


def compile_errors(node: dict, path: str, root: bool, uncorrelatable: str | None) -> list[FieldError]:
    """The rules compiled (the CELErrors half): compile errors, a non-bool rule, messageExpression
    errors, oldSelf where old values do not correlate, optionalOldSelf without oldSelf."""
    errs: list[FieldError] = []
    compiled = cel_rules.compiled_rules(node, root)
    if cel_rules.decl_type(node, root) is None:
        # a node without a CEL type (no type, only x-kubernetes-preserve-unknown-fields) cannot
        # hold rules: upstream's Compile fails as a whole, reported as an internal error
        return [FieldError(f"{path}.x-kubernetes-validations", "Internal error",
                           detail=compiled[0].error or "rule compile error")]
    for i, c in enumerate(compiled):
        rp = f"{path}.x-kubernetes-validations[{i}]"
        if c.error:
            errs.append(FieldError(f"{rp}.rule", "Invalid value", detail=f"{_go_rule(c.rule)}: {c.error}"))
        if c.message_error:
            errs.append(FieldError(f"{rp}.messageExpression", "Invalid value",
                                   detail=f"{_go_rule(c.rule)}: {c.message_error}"))
        if c.program is None:
            continue
        if c.uses_old_self:
            if uncorrelatable is not None:
                errs.append(invalid(f"{rp}.rule", c.rule.get("rule"),
                                    f"oldSelf cannot be used on the uncorrelatable portion of the schema within "
                                    f"{uncorrelatable}"))
        elif c.rule.get("optionalOldSelf") is not None:
            errs.append(invalid(f"{rp}.optionalOldSelf", c.rule.get("optionalOldSelf"),
                                "may not be set if oldSelf is not used in rule"))
    return errs


def default_errors(node, path: str, root: bool = False) -> list[FieldError]:
    """Defaults checked against the rules (ValidateDefaults' CEL step): every `default:` in the
    schema whose node has rules at or below it and that passes the schema itself (kubeplay does
    not report a default's schema errors), walking properties and items (defaults are not
    allowed under additionalProperties)."""
    errs: list[FieldError] = []
    if not isinstance(node, dict):
        return errs
    embedded = root or node.get("x-kubernetes-embedded-resource") is True
    default = node.get("default")
    if default is not None and not structural.validate(default, node, "", False):
        errs += cel_rules.validate_default(node, default, f"{path}.default", embedded)
    if isinstance(node.get("items"), dict):
        errs += default_errors(node["items"], f"{path}.items")
    for key, sub in (node.get("properties") or {}).items():
        errs += default_errors(sub, f"{path}.properties[{key}]")
    return errs
