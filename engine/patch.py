"""The three PATCH flavours the apiserver applies: JSON merge, JSON patch, strategic merge.

- `json_merge` (RFC 7386, `application/merge-patch+json`): maps merge, `null` deletes, anything
  else replaces. kubectl uses it for scale, label, annotate and `patch --type merge`.
- `json_patch` (RFC 6902, `application/json-patch+json`): a list of operations on JSON pointers.
  kubectl uses it for `rollout undo`.
- `strategic_merge` (`application/strategic-merge-patch+json`): a merge patch that knows, per
  field path and kind, which lists merge item-by-item (by a merge key, as the `patchStrategy` /
  `patchMergeKey` tags of k8s.io/api say) and obeys the directives `$patch`, `$retainKeys`,
  `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`. kubectl's apply, edit, set and
  rollout send it. The behaviour follows k8s.io/apimachinery `pkg/util/strategicpatch` (patch.go).

All three are pure: they return a fresh object and never touch their inputs. Malformed patches
raise `errors.BadRequest`; patches that are well formed but cannot apply raise `UnprocessablePatch`
(422), as the apiserver does. The store decides what to do with the result (validation, rv, ...).
"""
from __future__ import annotations

import json

from engine import errors
from engine.objects import clone


class UnprocessablePatch(errors.ApiError):
    """A well-formed patch that does not apply to the object (HTTP 422, reason Invalid).

    The real apiserver hides the cause behind "the server rejected our request due to an error in
    our request"; we keep the patch library's own explanation, which is what a user needs.
    """
    code, reason = 422, "Invalid"


# ---------------------------------------------------------------------------------------------
# JSON merge patch (RFC 7386)

def json_merge(original: dict, patch) -> dict:
    """Apply an RFC 7386 merge patch to an object; the patch must be a JSON object."""
    if not isinstance(patch, dict):
        raise errors.BadRequest("Invalid JSON Patch")     # evanphx/json-patch ErrBadJSONPatch
    return _merge_json(clone(original) if isinstance(original, dict) else {}, patch)


def _merge_json(target, patch):
    if not isinstance(patch, dict):
        return clone(patch)
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _merge_json(target.get(key), value)
    return target


# ---------------------------------------------------------------------------------------------
# JSON patch (RFC 6902)

_MISSING = object()


def json_patch(original: dict, ops: list) -> dict:
    """Apply RFC 6902 operations in order; all of them apply or none (the input is untouched)."""
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise errors.BadRequest("json: cannot unmarshal patch: expected a list of operation objects")
    doc = clone(original)
    for op in ops:
        doc = _apply_op(doc, op)
    if not isinstance(doc, dict):
        raise UnprocessablePatch("json patch result is not an object")
    return doc


def _apply_op(doc, op: dict):
    kind = op.get("op")
    if kind not in ("add", "remove", "replace", "move", "copy", "test"):
        raise UnprocessablePatch(f"Unexpected kind: {kind if isinstance(kind, str) else 'unknown'}")
    path = _pointer(op, "path", kind)
    if kind in ("add", "replace", "test") and "value" not in op:
        raise UnprocessablePatch(f"{kind} operation, missing value field")

    if kind == "add":
        return _add(doc, path, clone(op["value"]), kind)
    if kind == "remove":
        return _remove(doc, path, kind)
    if kind == "replace":
        if _get(doc, path) is _MISSING:
            raise UnprocessablePatch(f"replace operation does not apply: doc is missing path: {_show(path)}")
        doc = _remove(doc, path, kind)
        return _add(doc, path, clone(op["value"]), kind)
    if kind == "test":
        current = _get(doc, path)
        if current is _MISSING:
            raise UnprocessablePatch(f"test operation does not apply: is missing path: {_show(path)}")
        if not _json_equal(current, op["value"]):
            raise UnprocessablePatch(f"testing value {_show(path)} failed: test failed")
        return doc

    source = _pointer(op, "from", kind)
    value = _get(doc, source)
    if value is _MISSING:
        raise UnprocessablePatch(f"{kind} operation does not apply: doc is missing from path: {_show(source)}")
    if kind == "move":
        if path[:len(source)] == source and len(path) > len(source):
            raise UnprocessablePatch(f"move operation cannot move {_show(source)} into its own child {_show(path)}")
        doc = _remove(doc, source, kind)
        return _add(doc, path, value, kind)
    return _add(doc, path, clone(value), kind)      # copy


def _pointer(op: dict, field: str, kind: str) -> list[str]:
    """Parse a JSON pointer ("/a/b~1c" → ["a", "b/c"]); "" is the whole document."""
    text = op.get(field)
    if not isinstance(text, str):
        raise UnprocessablePatch(f"{kind} operation missing {field} field")
    if text == "":
        return []
    if not text.startswith("/"):
        raise UnprocessablePatch(f"{kind} operation has an invalid JSON pointer {json.dumps(text)}: must start with /")
    tokens = text[1:].split("/")
    for t in tokens:
        rest = t.replace("~0", "").replace("~1", "")
        if "~" in rest:
            raise UnprocessablePatch(f"{kind} operation has an invalid escape in JSON pointer {json.dumps(text)}")
    return [t.replace("~1", "/").replace("~0", "~") for t in tokens]


def _show(path: list[str]) -> str:
    return json.dumps("".join("/" + t.replace("~", "~0").replace("/", "~1") for t in path))


def _index(container: list, token: str, *, allow_end: bool) -> int | None:
    """A list index from a pointer token, or None if it is not one (RFC 6901: no leading zeros)."""
    if token == "-":
        return len(container) if allow_end else None
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        return None
    i = int(token)
    limit = len(container) if allow_end else len(container) - 1
    return i if i <= limit else None


def _get(doc, path: list[str]):
    node = doc
    for token in path:
        if isinstance(node, dict):
            node = node.get(token, _MISSING)
        elif isinstance(node, list):
            i = _index(node, token, allow_end=False)
            node = _MISSING if i is None else node[i]
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _add(doc, path: list[str], value, kind: str):
    if not path:
        return value
    parent = _get(doc, path[:-1])
    last = path[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        i = _index(parent, last, allow_end=True)
        if i is None:
            raise UnprocessablePatch(f"{kind} operation does not apply: invalid index {json.dumps(last)} "
                                     f"in {_show(path)}")
        parent.insert(i, value)
    else:
        raise UnprocessablePatch(f"{kind} operation does not apply: doc is missing path: {_show(path)}")
    return doc


def _remove(doc, path: list[str], kind: str):
    if not path:
        return None
    parent = _get(doc, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list) and (i := _index(parent, last, allow_end=False)) is not None:
        del parent[i]
    else:
        raise UnprocessablePatch(f"{kind} operation does not apply: doc is missing path: {_show(path)}")
    return doc


def _json_equal(a, b) -> bool:
    """Equality as JSON sees it: 1 == 1.0, but true != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------------------------------
# Strategic merge patch: the field table
#
# Paths are dotted field names from the object root; a list's items add no segment, so
# "spec.template.spec.containers.env" is the env list of any container. Values are
# (patchStrategy, patchMergeKey) as tagged in k8s.io/api core/v1 and apps/v1 types.go and
# apimachinery meta/v1 types.go. Merge key None = a list of primitives merged as a set.
# Lists not listed here are atomic (replaced whole): tolerations, node taints, containerStatuses,
# Endpoints subsets, EndpointSlice endpoints, args, command, volumeClaimTemplates, ...
# "retainKeys" marks where kubectl sends `$retainKeys`; the directive is honoured wherever it
# appears, as the apiserver does, so the mark is documentation only.

_OBJECT_META = {
    "ownerReferences": ("merge", "uid"),
    "finalizers": ("merge", None),
}
_CONTAINER = {
    "ports": ("merge", "containerPort"),
    "env": ("merge", "name"),
    "volumeMounts": ("merge", "mountPath"),
    "volumeDevices": ("merge", "devicePath"),
}
_POD_SPEC = {
    "containers": ("merge", "name"),
    "initContainers": ("merge", "name"),
    "ephemeralContainers": ("merge", "name"),
    "volumes": ("merge,retainKeys", "name"),
    "imagePullSecrets": ("merge", "name"),
    "hostAliases": ("merge", "ip"),
    "topologySpreadConstraints": ("merge", "topologyKey"),   # listMapKey adds whenUnsatisfiable; SMP uses topologyKey only
    "schedulingGates": ("merge", "name"),
    "resourceClaims": ("merge,retainKeys", "name"),
    **{f"{c}.{f}": s for c in ("containers", "initContainers", "ephemeralContainers")
       for f, s in _CONTAINER.items()},
}
_POD_STATUS = {
    "conditions": ("merge", "type"),
    "hostIPs": ("merge", "ip"),
    "podIPs": ("merge", "ip"),
    "resourceClaimStatuses": ("merge,retainKeys", "name"),
}
_CONDITIONS = {"conditions": ("merge", "type")}


def _under(prefix: str, fragment: dict) -> dict:
    return {f"{prefix}.{path}": s for path, s in fragment.items()}


def _workload(extra: dict | None = None) -> dict:
    """A kind holding a PodTemplateSpec at spec.template."""
    return {**_under("spec.template.metadata", _OBJECT_META), **_under("spec.template.spec", _POD_SPEC),
            **_under("status", _CONDITIONS), **(extra or {})}


_KINDS: dict[tuple[str, str], dict] = {   # (group, kind) → path → strategy; metadata added below
    ("", "Pod"): {**_under("spec", _POD_SPEC), **_under("status", _POD_STATUS)},
    ("", "Service"): {"spec.ports": ("merge", "port"), **_under("status", _CONDITIONS)},
    ("", "Node"): {"spec.podCIDRs": ("merge", None), "status.conditions": ("merge", "type"),
                   "status.addresses": ("merge", "type")},
    ("", "Namespace"): _under("status", _CONDITIONS),
    ("", "Endpoints"): {},
    ("", "ConfigMap"): {},
    ("", "Secret"): {},
    ("", "ServiceAccount"): {"secrets": ("merge", "name")},
    ("", "Event"): {},
    ("apps", "Deployment"): _workload({"spec.strategy": ("retainKeys", None)}),
    ("apps", "ReplicaSet"): _workload(),
    ("apps", "StatefulSet"): _workload(),      # updateStrategy carries no retainKeys tag upstream
    ("apps", "DaemonSet"): _workload(),        # likewise
    ("apps", "ControllerRevision"): {},
    ("discovery.k8s.io", "EndpointSlice"): {},
    ("coordination.k8s.io", "Lease"): {},
    ("autoscaling", "HorizontalPodAutoscaler"): _under("status", _CONDITIONS),
}
_SCHEMAS = {gk: {**_under("metadata", _OBJECT_META), **table} for gk, table in _KINDS.items()}
_DEFAULT_SCHEMA = _under("metadata", _OBJECT_META)   # unknown kinds: metadata only, other lists atomic


def schema_for(group: str, kind: str) -> dict:
    """The strategic-merge table of a kind (path -> list strategy), as patches are applied with it;
    kubectl apply's client side (webapp/kubectl/applypatch.py) computes its patches from the same table."""
    return _SCHEMAS.get((group, kind), _DEFAULT_SCHEMA)


def _merge_key(schema: dict, path: str) -> tuple[bool, str | None]:
    """(list merges?, merge key) for the list at `path`."""
    strategy, key = schema.get(path, ("", None))
    return "merge" in strategy.split(","), key


# ---------------------------------------------------------------------------------------------
# Strategic merge patch: applying it

_PATCH = "$patch"
_RETAIN_KEYS = "$retainKeys"
_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"


def strategic_merge(original: dict, patch: dict, kind: str, api_version: str) -> dict:
    """Apply a strategic merge patch to a built-in object of `kind` in `api_version`."""
    if not isinstance(patch, dict):
        raise errors.BadRequest("invalid JSON document")
    group = api_version.split("/")[0] if "/" in api_version else ""
    schema = _SCHEMAS.get((group, kind), _DEFAULT_SCHEMA)
    return _Merger(schema).map(clone(original) if isinstance(original, dict) else {}, clone(patch), "")


class _Merger:
    """Works on private copies: `orig` and `patch` arguments are consumed and may be changed."""

    def __init__(self, schema: dict):
        self.schema = schema

    # -- maps ----------------------------------------------------------------------------------
    def map(self, orig: dict, patch: dict, path: str) -> dict:
        if _PATCH in patch:
            directive = patch.pop(_PATCH)
            if directive == "replace":
                return self.map({}, patch, path)
            if directive == "delete":
                return {}          # upstream keeps the key with an empty map
            raise errors.BadRequest(f"unknown patch type: {directive} in map: {go_value(patch)}")

        self.retain_keys(orig, patch)

        for key in [k for k in patch if k.startswith(_ORDER)]:
            self.set_element_order(orig, patch, key, path)

        delete_lists = [k for k in patch if k.startswith(_DELETE_FROM)]
        for key, value in patch.items():
            if key in delete_lists:
                continue
            child = _join(path, key)
            if value is None:
                orig.pop(key, None)
            elif key not in orig or _shape(orig[key]) != _shape(value):
                # Nothing to merge into. (Upstream also drops a new `{$patch: replace, ...}` map;
                # we keep its content, which is what the sender meant.)
                if isinstance(value, dict) and value.get(_PATCH) == "delete":
                    orig.pop(key, None)
                else:
                    orig[key] = self.fresh(value, child)
            elif isinstance(value, dict):
                orig[key] = self.map(orig[key], value, child)
            elif isinstance(value, list):
                orig[key] = self.list_field(orig[key], value, child)
            else:
                orig[key] = value

        for key in delete_lists:
            self.delete_from_primitive_list(orig, key, patch[key])
        return orig

    def retain_keys(self, orig: dict, patch: dict) -> None:
        if _RETAIN_KEYS not in patch:
            return
        keep = patch.pop(_RETAIN_KEYS)
        if not isinstance(keep, list):
            raise errors.BadRequest("invalid patch format of retainKeys")
        for k, v in patch.items():
            if v is not None and not k.startswith((_ORDER, _DELETE_FROM)) and k not in keep:
                raise errors.BadRequest("invalid patch format of retainKeys")
        for k in [k for k in orig if k not in keep]:
            del orig[k]

    def delete_from_primitive_list(self, orig: dict, key: str, values) -> None:
        field = key[len(_DELETE_FROM):]
        if not field:
            raise errors.BadRequest("invalid patch format of primitive list")
        if values is None:
            orig.pop(field, None)
            return
        if not isinstance(values, list):
            raise errors.BadRequest("invalid patch format of primitive list")
        if isinstance(orig.get(field), list):
            orig[field] = [v for v in orig[field] if not any(_json_equal(v, d) for d in values)]

    def set_element_order(self, orig: dict, patch: dict, key: str, path: str) -> None:
        """`$setElementOrder/<f>` merges list f (if patched) and then orders it: the listed items
        in the given order, items only the server knows about kept near their old neighbours."""
        order = patch.pop(key)
        field = key[len(_ORDER):]
        if not field or not isinstance(order, list):
            raise errors.BadRequest("invalid patch format of setElementOrder list")
        child = _join(path, field)
        merges, merge_key = _merge_key(self.schema, child)
        if not merges:
            return      # kubectl sends this only for merging lists; elsewhere it means nothing
        in_orig, in_patch = isinstance(orig.get(field), list), field in patch
        if in_patch and not isinstance(patch[field], list):
            raise errors.BadRequest("invalid patch format of setElementOrder list")
        if in_patch:
            _check_order(patch[field], order, merge_key)
        if in_orig and in_patch:
            merged = self.merge_list(list(orig[field]), patch.pop(field), merge_key, child)
        elif in_patch:
            merged = self.fresh(patch.pop(field), child)
        elif in_orig:
            merged = orig[field]
        else:
            return
        ident = _identity(merge_key)
        wanted = [ident(o) for o in order]
        listed = [m for m in merged if ident(m) in wanted]
        server_only = [m for m in merged if ident(m) not in wanted]
        orig[field] = _interleave(listed, server_only, order, orig.get(field) or [], merge_key)

    # -- lists ---------------------------------------------------------------------------------
    def list_field(self, orig: list, patch: list, path: str) -> list:
        merges, merge_key = _merge_key(self.schema, path)
        if not merges:
            return self.fresh(patch, path)
        return self.merge_list(orig, patch, merge_key, path)

    def merge_list(self, orig: list, patch: list, merge_key: str | None, path: str) -> list:
        if not orig and not patch:
            return orig
        shapes = {_shape(v) for v in orig + patch}
        if "list" in shapes:
            raise UnprocessablePatch("lists of lists are not supported")
        if len(shapes) > 1:
            raise errors.BadRequest(f"list element types are not identical at {path}")

        if shapes != {"map"}:                          # a set of primitives
            merged: list = []
            for v in orig + patch:
                if not any(_json_equal(v, m) for m in merged):
                    merged.append(v)
            ident = _identity(None)
            in_patch = [ident(p) for p in patch]
            return _interleave([m for m in merged if ident(m) in in_patch],
                               [m for m in merged if ident(m) not in in_patch], patch, orig, None)

        if not merge_key:
            raise errors.BadRequest(f"cannot merge lists without merge key for {path}")
        items, replace = [], False
        for item in patch:
            if _PATCH not in item:
                items.append(item)
                continue
            directive = item[_PATCH]
            if directive == "delete":
                if merge_key not in item:
                    raise errors.BadRequest(_no_merge_key(item, merge_key))
                orig = [o for o in orig if o.get(merge_key, _MISSING) != item[merge_key]]
            elif directive == "replace":
                replace = True
            elif directive == "merge":
                raise errors.BadRequest("merging lists cannot yet be specified in the patch")
            else:
                raise errors.BadRequest(f"unknown patch type: {directive} in map: {go_value(item)}")
        if replace:
            return [self.map({}, item, path) for item in items]

        merged = list(orig)
        for item in items:
            if merge_key not in item:
                raise errors.BadRequest(_no_merge_key(item, merge_key))
            at = next((i for i, m in enumerate(merged) if m.get(merge_key, _MISSING) == item[merge_key]), None)
            if at is None:
                merged.append(self.map({}, item, path))
            else:
                merged[at] = self.map(merged[at], item, path)
        ident = _identity(merge_key)
        keys = [ident(i) for i in items]
        return _interleave([m for m in merged if ident(m) in keys],
                           [m for m in merged if ident(m) not in keys], items, orig, merge_key)

    def fresh(self, value, path: str):
        """A patch value with nothing to merge into: drop directives and nulls, as the apiserver does."""
        if isinstance(value, dict):
            return self.map({}, value, path)
        if isinstance(value, list):
            return [self.map({}, v, path) if isinstance(v, dict) else v
                    for v in value if not (isinstance(v, dict) and _PATCH in v)]
        return value


def _interleave(patch_items: list, server_only: list, patch_order: list, server_order: list,
                merge_key: str | None) -> list:
    """Order a merged list as the apiserver does (strategicpatch normalizeElementOrder):
    patched items follow `patch_order`, server-only items keep `server_order`, and a server-only
    item goes before a patched one only if both were in the live list and it came first there.
    Consequence: new items with no `$setElementOrder` land in front of the remaining live items."""
    ident = _identity(merge_key)

    def position(order: list, item) -> int | None:
        target = ident(item)
        return next((i for i, o in enumerate(order) if ident(o) == target), None)

    def by(order: list):
        return lambda item: (position(order, item) is None, position(order, item) or 0)

    right = sorted(patch_items, key=by(patch_order))       # sorted() is stable
    left = sorted(server_only, key=by(server_order))
    out, i, j = [], 0, 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            out.append(left[i]); i += 1
        elif i >= len(left):
            out.append(right[j]); j += 1
        else:
            li, ri = position(server_order, left[i]), position(server_order, right[j])
            if li is not None and ri is not None and li < ri:
                out.append(left[i]); i += 1
            else:
                out.append(right[j]); j += 1
    return out


def _check_order(patch_list: list, order: list, merge_key: str | None) -> None:
    """Patched items (deletions aside) must appear in `$setElementOrder` in the same relative order."""
    ident = _identity(merge_key)
    if merge_key and any(not isinstance(o, dict) or merge_key not in o for o in order):
        raise errors.BadRequest("invalid patch format of setElementOrder list")
    wanted = [ident(o) for o in order]
    at = 0
    for item in patch_list:
        if isinstance(item, dict) and _PATCH in item:
            continue
        try:
            at = wanted.index(ident(item), at) + 1
        except ValueError:
            raise errors.BadRequest(f"The order in patch list: {go_value(patch_list)} doesn't match "
                                    f"$setElementOrder list: {go_value(order)}") from None


def _identity(merge_key: str | None):
    """What makes two list items 'the same item': their merge key, or the value itself."""
    def canonical(v) -> str:
        if isinstance(v, float) and v.is_integer():
            v = int(v)                          # JSON has one number type: 80 and 80.0 match
        return json.dumps(v, sort_keys=True)
    if merge_key:
        return lambda item: canonical(item.get(merge_key) if isinstance(item, dict) else item)
    return canonical


def _shape(v) -> str:
    return "map" if isinstance(v, dict) else "list" if isinstance(v, list) else "scalar"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _no_merge_key(item: dict, merge_key: str) -> str:
    return f"map: {go_value(item)} does not contain declared merge key: {merge_key}"


def go_value(v) -> str:
    """A decoded JSON value as Go's %v prints a map[string]interface{} (maps with sorted keys,
    strings bare), as the apiserver quotes a patch in its error texts."""
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(go_value(x) for x in v) + "]"
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
