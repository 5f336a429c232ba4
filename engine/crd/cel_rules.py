"""`x-kubernetes-validations` applied as apiextensions-apiserver applies them (schema/cel/
validation.go, compilation.go, registry/customresource/strategy.go):

- each rule is compiled against the CEL type of its schema node (common/schemas.go
  SchemaDeclType: integer → int, number → double, string formats byte/duration/date/date-time →
  bytes/duration/timestamp, additionalProperties → map, properties → an object whose undeclared
  fields do not compile, int-or-string → dyn; a resource root also has apiVersion, kind and
  metadata.name/generateName);
- on a write, `self` is the value at the node (null values are not validated), `oldSelf` the old
  value where it correlates (a map's key, a `map` list's item by its keys; never across other
  lists): a rule using oldSelf (a transition rule) is skipped without one, unless
  `optionalOldSelf: true` makes oldSelf an optional;
- a rule that is not true is a field error typed by `reason` with `message`, `messageExpression`'s
  value or `failed rule: <rule>`, at `fieldPath` below the node; the value shown is the node's
  schema type (`Invalid value: "object"`); evaluation errors read `<error> evaluating rule: <rule>`;
- rules run only when the schema validation found no type/required/enum/length errors
  (hasBlockingErr); on update, an error of a non-transition rule whose value did not change is a
  warning (CRD validation ratcheting, on by default in v1.32).

The CRD side (the rules' own validation and their compile errors) is crd_rule_checks.py. The
per-call and per-object cost budgets are not modelled."""
from __future__ import annotations

import base64

from .. import api_warnings, errors
from ..bounded import Memo
from ..errors import FieldError
from . import cel

BLOCKING_TEXT = ("some validation rules were not checked because the object was invalid; correct the "
                 "existing errors to complete validation")
_BLOCKING_TYPES = ("Unsupported value", "Required value", "Too long", "Too many")
_CEL_KEYWORDS = {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
                 "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"}


# ---- the CEL type of a schema node ---------------------------------------------------------------

def escape(name: str) -> str | None:
    """Kubernetes' CEL property-name escaping (apiserver/pkg/cel Escape); None: not accessible."""
    if name in _CEL_KEYWORDS:
        return f"__{name}__"
    if not name or not (name[0].isascii() and (name[0].isalpha() or name[0] in "_.-/")):
        return None
    if not all(c.isascii() and (c.isalnum() or c in "_.-/") for c in name):
        return None
    return (name.replace("__", "__underscores__").replace(".", "__dot__").replace("-", "__dash__")
            .replace("/", "__slash__"))


_META_TYPE = ("obj", "metadata", {"name": "string", "generateName": "string"})


def decl_type(schema, root: bool, name: str = "object"):
    """The checker's type for a schema node (None: the node has no CEL type, as SchemaDeclType)."""
    if not isinstance(schema, dict):
        return None
    if schema.get("x-kubernetes-int-or-string") is True:
        return "dyn"
    t = schema.get("type")
    if t == "array":
        items = schema.get("items")
        if not isinstance(items, dict):
            return None
        it = decl_type(items, items.get("x-kubernetes-embedded-resource") is True, name + ".@idx")
        return None if it is None else ("list", it)
    if t == "object":
        ap = schema.get("additionalProperties")
        if isinstance(ap, dict):
            vt = decl_type(ap, ap.get("x-kubernetes-embedded-resource") is True, name + ".@elem")
            return None if vt is None else ("map", "string", vt)
        fields: dict = {}
        for key, sub in (schema.get("properties") or {}).items():
            esc = escape(key)
            if esc is None or not isinstance(sub, dict):
                continue
            ft = decl_type(sub, sub.get("x-kubernetes-embedded-resource") is True, f"{name}.{esc}")
            if ft is not None:
                fields[esc] = ft
        if root:
            fields.update(apiVersion="string", kind="string", metadata=_META_TYPE)
        return ("obj", name, fields)
    if t == "string":
        return {"byte": "bytes", "duration": "duration", "date": "timestamp",
                "date-time": "timestamp"}.get(schema.get("format") or "", "string")
    return {"boolean": "bool", "number": "double", "integer": "int"}.get(t or "")


# ---- JSON values as CEL values -------------------------------------------------------------------

def to_cel(value, schema):
    """A custom object's value as the CEL value its schema makes it (UnstructuredToVal)."""
    if value is None or not isinstance(schema, dict) or schema.get("x-kubernetes-int-or-string") is True:
        return value
    t = schema.get("type")
    if isinstance(value, dict):
        props = schema.get("properties")
        ap = schema.get("additionalProperties")
        out = {}
        for k, v in value.items():
            if props is not None and v is None:
                continue        # on an object, a null field is as absent (has() is false)
            sub = (props or {}).get(k, ap if isinstance(ap, dict) else None)
            out[k] = to_cel(v, sub)
        return out
    if isinstance(value, list):
        items = schema.get("items")
        converted = [to_cel(v, items) for v in value]
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "map":
            return cel.MapList(converted, schema.get("x-kubernetes-list-map-keys") or ())
        if list_type == "set":
            return cel.SetList(converted)
        return converted
    if isinstance(value, bool):
        return value
    if t == "integer" and isinstance(value, (int, float)):
        return int(value)
    if t == "number" and isinstance(value, (int, float)):
        return float(value)
    if t == "string" and isinstance(value, str):
        fmt = schema.get("format")
        try:
            if fmt == "byte":
                return base64.b64decode(value)
            if fmt == "duration":
                return cel.parse_duration(value)
            if fmt in ("date", "date-time"):
                return cel.parse_timestamp(value)
        except (cel.CelError, ValueError):
            return value
    return value


# ---- compiled rules, per schema node -------------------------------------------------------------

class Compiled:
    __slots__ = ("rule", "program", "message_program", "error", "message_error", "uses_old_self")

    def __init__(self, rule: dict):
        self.rule = rule
        self.program: cel.Program | None = None
        self.message_program: cel.Program | None = None
        self.error = ""            # the compile error's detail, as the CRD validation reports it
        self.message_error = ""
        self.uses_old_self = False


def compile_rules(schema: dict, root: bool) -> list[Compiled]:
    """Compile the node's rules (compilation.go Compile): per rule, its program or error."""
    out: list[Compiled] = []
    dt = decl_type(schema, root)
    for rule in schema.get("x-kubernetes-validations") or ():
        c = Compiled(rule if isinstance(rule, dict) else {})
        out.append(c)
        src = str(c.rule.get("rule") or "")
        if not src.strip():
            continue
        if dt is None:
            c.error = (f"rule declared on schema that does not support validation rules type: "
                       f"'{schema.get('type', '')}' x-kubernetes-preserve-unknown-fields: "
                       f"'{str(schema.get('x-kubernetes-preserve-unknown-fields') is True).lower()}'")
            continue
        optional_old = c.rule.get("optionalOldSelf") is True
        variables = {"self": dt, "oldSelf": ("opt", dt) if optional_old else dt}
        try:
            prog = cel.compile_expr(src, variables)
        except cel.CelCompileError as e:
            c.error = "compilation failed: " + e.render()
            continue
        if prog.result != "bool":        # (a dyn result too, as cel-go's checked type must be bool)
            c.error = "cel expression must evaluate to a bool"
            continue
        c.program = prog
        c.uses_old_self = "oldSelf" in prog.uses
        msg_expr = c.rule.get("messageExpression")
        if isinstance(msg_expr, str) and msg_expr.strip():
            try:
                mprog = cel.compile_expr(msg_expr, variables)
            except cel.CelCompileError as e:
                c.message_error = "messageExpression compilation failed: " + e.render()
                continue
            if mprog.result != "string":
                c.message_error = "messageExpression must evaluate to a string"
                continue
            c.message_program = mprog
    return out


_CACHE: Memo[tuple[dict, bool, list[Compiled]]] = Memo(512)


def compiled_rules(schema: dict, root: bool) -> list[Compiled]:
    """Compiled once per schema node (the apiserver compiles a CRD's rules when it serves it);
    the cache keeps the node itself so its id stays its own."""
    hit = _CACHE.get(id(schema))
    if hit is not None and hit[0] is schema and hit[1] == root:
        return hit[2]
    rules = compile_rules(schema, root)
    _CACHE.put(id(schema), (schema, root, rules))
    return rules


_FACTS: dict[tuple[int, str], tuple[dict, bool]] = {}


def _memo(schema: dict, fact: str, compute) -> bool:
    """A fact about a schema node, worked out once per node (held, so its id stays its own)."""
    hit = _FACTS.get((id(schema), fact))
    if hit is not None and hit[0] is schema:
        return hit[1]
    if len(_FACTS) > 4096:
        _FACTS.clear()
    value = compute()
    _FACTS[(id(schema), fact)] = (schema, value)
    return value


def has_rules(schema) -> bool:
    """Whether the node or anything below it has x-kubernetes-validations."""
    if not isinstance(schema, dict):
        return False
    return _memo(schema, "rules", lambda: bool(
        schema.get("x-kubernetes-validations") or has_rules(schema.get("items"))
        or has_rules(schema.get("additionalProperties"))
        or any(has_rules(s) for s in (schema.get("properties") or {}).values())))


def _typed(schema: dict) -> bool:
    return _memo(schema, "typed", lambda: decl_type(
        schema, schema.get("x-kubernetes-embedded-resource") is True) is not None)


# ---- field paths ---------------------------------------------------------------------------------

def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def normalized_field_path(field_path: str, schema: dict) -> str | None:
    """A rule's fieldPath (`.spec.x`, `['a.b']`) as a field path below the node (ValidFieldPath);
    None when it does not name a field of the schema."""
    out = ""
    node = schema
    i, n = 0, len(field_path)
    while i < n:
        c = field_path[i]
        if c == ".":
            j = i + 1
            while j < n and field_path[j] not in ".[":
                j += 1
            name = field_path[i + 1:j]
            i = j
        elif c == "[":
            j = i + 1
            if j >= n or field_path[j] != "'":
                return None
            k = j + 1
            buf = []
            while k < n and field_path[k] != "'":
                if field_path[k] == "\\" and k + 1 < n:
                    buf.append({"n": "\n", "t": "\t", "'": "'", "\\": "\\"}.get(field_path[k + 1], field_path[k + 1]))
                    k += 2
                    continue
                buf.append(field_path[k])
                k += 1
            if k + 1 >= n or field_path[k + 1] != "]":
                return None
            name = "".join(buf)
            i = k + 2
        else:
            return None
        if not isinstance(node, dict):
            return None
        props = node.get("properties")
        ap = node.get("additionalProperties")
        if props is not None:
            if name not in props:
                return None
            node = props[name]
            out = _child(out, name)
        elif isinstance(ap, dict):
            node = ap
            out = f"{out}[{name}]"
        else:
            return None
    return out


# ---- evaluation ----------------------------------------------------------------------------------

def _rule_error_string(rule: dict) -> str:
    msg = rule.get("message")
    if isinstance(msg, str) and msg:
        return msg.strip()
    return str(rule.get("rule") or "").strip()


def _field_error(path: str, type_value: str, detail: str, reason) -> FieldError:
    shown = path or "<nil>"
    if reason == "FieldValueForbidden":
        return errors.forbidden(shown, detail)
    if reason == "FieldValueRequired":
        return errors.required(shown, detail)
    if reason == "FieldValueDuplicate":
        return errors.duplicate(shown, type_value)
    return errors.invalid(shown, type_value, detail)


def _message(c: Compiled, activation: dict) -> str | None:
    if c.message_program is None:
        return None
    try:
        v = c.message_program.eval(activation)
    except cel.CelError:
        return None
    if not isinstance(v, str):
        return None
    v = v.strip()
    if not v or "\n" in v or len(v) > 5 * 1024:
        return None
    return v


class _Walk:
    def __init__(self, update: bool):
        self.update = update
        self.errors: list[FieldError] = []

    def node(self, schema, value, old, path: str, root: bool, ratchet: bool, has_old: bool) -> None:
        """One schema node: its rules, then its properties/items/additionalProperties."""
        if value is None or not isinstance(schema, dict):
            return
        if schema.get("x-kubernetes-validations"):
            self.rules(schema, value, old if has_old else None, path, root, ratchet)
        if isinstance(value, dict):
            props = schema.get("properties") or {}
            ap = schema.get("additionalProperties")
            map_type = schema.get("x-kubernetes-map-type")
            correlatable = map_type in (None, "granular", "atomic") and isinstance(old, dict)
            for key, item in value.items():
                sub_schema = props.get(key)
                if sub_schema is not None:
                    if escape(key) is None or not _typed(sub_schema):
                        continue       # fields without a CEL type are left out of rule validation
                    child_path = _child(path, key)
                elif isinstance(ap, dict):
                    sub_schema = ap
                    child_path = f"{path}[{key}]"
                else:
                    continue
                if not has_rules(sub_schema):
                    continue
                old_v = old.get(key) if correlatable else None
                child_has_old = correlatable and key in old
                # (an unchanged parent has unchanged children: no second comparison of the subtree)
                child_ratchet = (ratchet or (child_has_old and cel.equals(item, old_v))) if self.update else False
                self.node(sub_schema, item, old_v, child_path, sub_schema.get("x-kubernetes-embedded-resource") is True,
                          child_ratchet, child_has_old)
        elif isinstance(value, list):
            items = schema.get("items")
            if not isinstance(items, dict) or not has_rules(items):
                return
            keys = schema.get("x-kubernetes-list-map-keys") or []
            by_key: dict = {}
            if schema.get("x-kubernetes-list-type") == "map" and keys and isinstance(old, list):
                for item in old:
                    if isinstance(item, dict):
                        by_key[_map_key(item, keys)] = item
            for i, item in enumerate(value):
                old_item = by_key.get(_map_key(item, keys)) if by_key and isinstance(item, dict) else None
                if old_item is not None:
                    item_ratchet = (ratchet or cel.equals(item, old_item)) if self.update else False
                else:
                    item_ratchet = ratchet       # uncorrelatable: the nearest correlated parent decides
                self.node(items, item, old_item, f"{path}[{i}]", items.get("x-kubernetes-embedded-resource") is True,
                          item_ratchet, old_item is not None)

    def rules(self, schema: dict, value, old, path: str, root: bool, ratchet: bool) -> None:
        type_value = str(schema.get("type") or "")
        shown = path or "<nil>"
        activation = {"self": value}
        if old is not None:
            activation["oldSelf"] = old
        for c in compiled_rules(schema, root):
            rule = c.rule
            if c.error:
                self.errors.append(errors.invalid(shown, type_value, f"rule compile error: {c.error}"))
                continue
            if c.program is None:
                continue
            optional_old = rule.get("optionalOldSelf") is True
            if c.uses_old_self and old is None and not optional_old:
                continue        # a transition rule needs an old value
            act = activation
            if optional_old:
                act = {"self": value, "oldSelf": cel.Optional(old, True) if old is not None else cel.NONE}
            try:
                result = c.program.eval(act)
            except cel.CelError as e:
                text = str(e)
                if text.startswith("no such overload"):
                    self.errors.append(errors.invalid(
                        shown, type_value, f"'{text}': call arguments did not match a supported operator, "
                                           f"function or macro signature for rule: {_rule_error_string(rule)}"))
                else:
                    self.errors.append(errors.invalid(shown, type_value,
                                                      f"{text} evaluating rule: {_rule_error_string(rule)}"))
                continue
            if result is True:
                continue
            at = path
            fp = rule.get("fieldPath")
            if isinstance(fp, str) and fp:
                norm = normalized_field_path(fp, schema)
                if norm:
                    at = _child(path, norm)
            detail = _message(c, act)
            if detail is None:
                detail = _rule_error_string(rule) if rule.get("message") else f"failed rule: {_rule_error_string(rule)}"
            err = _field_error(at, type_value, detail, rule.get("reason"))
            if self.update and ratchet and not c.uses_old_self:
                api_warnings.add(str(err))
            else:
                self.errors.append(err)


def _map_key(item, keys) -> tuple:
    if not isinstance(item, dict):
        return ()
    return tuple(repr(item.get(k)) for k in keys)


def blocking(errs: list[FieldError]) -> bool:
    """hasBlockingErr: type, required, enum, too-long and too-many errors keep the rules from running."""
    for e in errs:
        if e.type in _BLOCKING_TYPES:
            return True
        if e.type == "Invalid value" and " in body must be of type " in e.detail:
            return True
    return False


def validate(obj: dict, old: dict | None, schema: dict | None, prior: list[FieldError]) -> list[FieldError]:
    """The field errors of the schema's rules on a write of `obj` (`old`: the stored object on an
    update), after the `prior` errors of the other validations."""
    if not isinstance(schema, dict) or not has_rules(schema):
        return []
    if blocking(prior):
        return [FieldError("<nil>", "Invalid value", "null", BLOCKING_TEXT, has_value=True)]
    walk = _Walk(update=old is not None)
    value = to_cel(obj, schema)
    old_value = to_cel(old, schema) if old is not None else None
    ratchet = old_value is not None and cel.equals(value, old_value)
    walk.node(schema, value, old_value, "", True, ratchet, old_value is not None)
    return walk.errors




def validate_default(schema: dict, default, path: str, root: bool) -> list[FieldError]:
    """The rules of a schema node and below on its own `default` value, as the CRD's defaults
    check (defaulting.ValidateDefaults) runs them: the default is both self and oldSelf, the
    errors sit under `<node path>.default`."""
    if not has_rules(schema) or default is None:
        return []
    walk = _Walk(update=False)
    value = to_cel(default, schema)
    walk.node(schema, value, value, path, root, False, True)
    return walk.errors
