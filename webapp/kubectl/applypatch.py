"""What `kubectl apply` (client-side) sends: the last-applied annotation and the three-way
strategic merge patch. Pure functions on JSON-shaped dicts; nothing here talks to the store.

kubectl keeps the manifest it last applied in the annotation
`kubectl.kubernetes.io/last-applied-configuration` and, on the next apply, diffs three things:

- *original*: that annotation (what the user applied last time),
- *modified*: the new manifest, carrying the new annotation,
- *current*: the live object (defaults, status, changes by controllers or `kubectl scale`).

The patch is "delta ∪ deletions" (k/apimachinery `pkg/util/strategicpatch/patch.go`,
`CreateThreeWayMergePatch`): *delta* is every addition or change from current to modified,
ignoring fields modified lacks; *deletions* is every field the user removed between original
and modified (`null`, or `{"$patch": "delete", <key>: …}` for list items). A field only the live
object has is left alone. Lists merge item by item where k8s.io/api tags a merge key (the same
table the store uses to apply the patch, `engine.patch`), `$setElementOrder/<list>` pins the
order whenever such a list changes, and `$retainKeys` marks maps tagged retainKeys (Deployment
`spec.strategy`, pod volumes). An empty patch is what makes kubectl print `unchanged`.
"""
from __future__ import annotations

import json

from engine import objects, patch as _server_patch

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
FIELD_MANAGER = "kubectl-client-side-apply"      # kubectl apply's default --field-manager

_RETAIN = "$retainKeys"
_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"


class PatchError(ValueError):
    """kubectl could not compute the patch (e.g. a list item without its merge key). For that
    one, `list_path` (dotted, list items adding no segment) and `merge_key` say where, so the
    editor can point at the item's line."""

    list_path: str | None = None
    merge_key: str | None = None


# ---------------------------------------------------------------------------------------------
# The annotation

def go_json(value) -> str:
    """json.Marshal of decoded JSON: keys sorted, compact, `<`, `>`, `&` escaped as Go does."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def with_last_applied(manifest: dict) -> tuple[dict, str]:
    """kubectl's GetModifiedConfiguration: the manifest without any old last-applied annotation
    is serialised (with `metadata.annotations: {}` when there were none) and stored, newline
    terminated, as the new annotation. Returns (modified object, annotation text)."""
    obj = objects.clone(manifest)
    md = obj.get("metadata")
    if not isinstance(md, dict):
        md = obj["metadata"] = {}
    annotations = dict(md.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    md["annotations"] = annotations
    text = go_json(obj) + "\n"
    md["annotations"] = {**annotations, LAST_APPLIED: text}
    return obj, text


def last_applied(live: dict) -> dict | None:
    """The configuration stored on a live object, or None (made by `create`, or unreadable)."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# ---------------------------------------------------------------------------------------------
# The three-way patch

def three_way_patch(original: dict | None, modified: dict, current: dict) -> dict:
    """The strategic merge patch `kubectl apply` sends to turn `current` into `modified`,
    deleting what disappeared since `original`. `{}` means nothing to do."""
    schema = _schema_for(modified)
    delta = _Differ(schema, ignore_deletions=True).maps(current, modified, "")
    deletions = _Differ(schema, ignore_changes=True).maps(original or {}, modified, "")
    return _merge_patches(deletions, delta, "", schema)


def _schema_for(obj: dict) -> dict:
    api_version, kind = obj.get("apiVersion") or "", obj.get("kind") or ""
    group = api_version.split("/")[0] if "/" in api_version else ""
    return _server_patch.schema_for(group, kind)


def _strategy(schema: dict, path: str) -> tuple[bool, bool, str | None]:
    """(merges as a list?, retainKeys?, merge key) for the field at `path`."""
    strategy, key = schema.get(path, ("", None))
    parts = strategy.split(",")
    return "merge" in parts, "retainKeys" in parts, key


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type(v) -> str:
    """Go's reflect.TypeOf on decoded JSON: one number type, nil distinct from everything."""
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "list"
    return type(v).__name__


def _equal(a, b) -> bool:
    """reflect.DeepEqual on decoded JSON (True is not 1; 80 is 80.0)."""
    ta, tb = _type(a), _type(b)
    if ta != tb:
        return False
    if ta == "map":
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if ta == "list":
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a == b


def _go_string(v) -> str:
    """fmt.Sprintf("%v") of a scalar merge key / primitive (how upstream sorts and pairs them)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if v is None:
        return "<nil>"
    return str(v)


class _Differ:
    """diffMaps with DiffOptions: IgnoreDeletions (delta) or IgnoreChangesAndAdditions
    (deletions); SetElementOrder is always on, as in CreateThreeWayMergePatch."""

    def __init__(self, schema: dict, *, ignore_deletions: bool = False, ignore_changes: bool = False):
        self.schema = schema
        self.ignore_deletions = ignore_deletions
        self.ignore_changes = ignore_changes

    def maps(self, original: dict, modified: dict, path: str, retain: bool = False) -> dict:
        patch: dict = {}
        retain_keys = []
        for key, mod in modified.items():
            if retain and mod is not None:
                retain_keys.append(key)
            if key not in original:
                if not self.ignore_changes:
                    patch[key] = objects.clone(mod)
                continue
            orig = original[key]
            if _type(orig) != _type(mod):
                if not self.ignore_changes:
                    patch[key] = objects.clone(mod)
                continue
            child = _join(path, key)
            if isinstance(mod, dict):
                _, child_retain, _ = _strategy(self.schema, child)
                sub = self.maps(orig, mod, child, child_retain)
                if sub:
                    patch[key] = sub
            elif isinstance(mod, list):
                self.slices(key, orig, mod, child, patch)
            elif not self.ignore_changes and not _equal(orig, mod):
                patch[key] = mod
        if not self.ignore_deletions:
            for key in original:
                if key not in modified:
                    patch[key] = None
        if retain_keys and (patch or any(v is not None and k not in modified for k, v in original.items())):
            patch[_RETAIN] = sorted(retain_keys)
        return patch

    def slices(self, key: str, original: list, modified: list, path: str, patch: dict) -> None:
        merges, retain, merge_key = _strategy(self.schema, path)
        if not merges:
            if not self.ignore_changes and not _equal(original, modified):
                patch[key] = objects.clone(modified)
            return
        if not original:
            if modified and not self.ignore_changes:
                patch[key] = objects.clone(modified)
            return
        kinds = {_type(v) for v in original + modified}
        if "list" in kinds:
            raise PatchError("lists of lists are not supported")
        if kinds == {"map"}:
            if not merge_key:
                raise PatchError(f"cannot merge lists without merge key for {path}")
            changes, order = self.list_of_maps(original, modified, path, merge_key, retain)
            deletions: list = []
        elif "map" in kinds:
            raise PatchError(f"list element types are not identical at {path}")
        else:
            changes, deletions, order = self.list_of_scalars(original, modified)
        if changes:
            patch[key] = changes
        if deletions:
            patch[_DELETE_FROM + key] = deletions
        if order:
            patch[_ORDER + key] = order

    def list_of_maps(self, original: list, modified: list, path: str, merge_key: str,
                     retain: bool) -> tuple[list, list]:
        for item in original + modified:
            if merge_key not in item:
                err = PatchError(f"map: {_server_patch.go_value(item)} does not contain declared "
                                 f"merge key: {merge_key}")
                err.list_path, err.merge_key = path, merge_key
                raise err
        orig_sorted = sorted(original, key=lambda m: _go_string(m[merge_key]))
        mod_sorted = sorted(modified, key=lambda m: _go_string(m[merge_key]))
        changes, deletions = [], []
        i = j = 0
        while i < len(orig_sorted) or j < len(mod_sorted):
            o = orig_sorted[i] if i < len(orig_sorted) else None
            m = mod_sorted[j] if j < len(mod_sorted) else None
            ok = _go_string(o[merge_key]) if o is not None else None
            mk = _go_string(m[merge_key]) if m is not None else None
            if o is not None and m is not None and ok == mk:
                sub = self.maps(o, m, path, retain)
                if sub:
                    sub[merge_key] = m[merge_key]
                    changes.append(sub)
                i += 1
                j += 1
            elif o is None or (m is not None and ok > mk):
                if not self.ignore_changes:
                    changes.append(objects.clone(m))
                j += 1
            else:
                if not self.ignore_deletions:
                    deletions.append({"$patch": "delete", merge_key: o[merge_key]})
                i += 1
        wanted = [_go_string(m[merge_key]) for m in modified]
        changes.sort(key=lambda c: wanted.index(_go_string(c[merge_key])))
        changes += deletions
        same_order = len(original) == len(modified) and all(
            _go_string(a[merge_key]) == _go_string(b[merge_key]) for a, b in zip(original, modified))
        order: list = []
        if (not self.ignore_changes and (changes or not same_order)) or \
                (not self.ignore_deletions and changes):
            order = [{merge_key: m[merge_key]} for m in modified]
        return changes, order

    def list_of_scalars(self, original: list, modified: list) -> tuple[list, list, list]:
        orig = sorted(original, key=_go_string)
        mod = sorted(modified, key=_go_string)
        adds, deletions = [], []
        i = j = 0
        while i < len(orig) or j < len(mod):
            os_ = _go_string(orig[i]) if i < len(orig) else None
            ms = _go_string(mod[j]) if j < len(mod) else None
            if os_ is not None and ms is not None and os_ == ms:
                i += 1
                j += 1
            elif os_ is None or (ms is not None and os_ > ms):
                if not self.ignore_changes:
                    adds.append(mod[j])
                j += 1
            else:
                if not self.ignore_deletions and not any(_equal(orig[i], d) for d in deletions):
                    deletions.append(orig[i])
                i += 1
        wanted = [_go_string(m) for m in modified]
        adds.sort(key=lambda a: wanted.index(_go_string(a)))
        order: list = []
        if (not self.ignore_deletions and deletions) or \
                (not self.ignore_changes and not _equal(original, modified)):
            order = list(modified)
        return adds, deletions, order


def _merge_patches(base: dict, extra: dict, path: str, schema: dict) -> dict:
    """Fold the delta patch into the deletions patch (upstream: mergeMap(deletions, delta) with
    default options): maps merge, keyed lists merge by key, anything else from `extra` wins."""
    out = dict(base)
    for key, value in extra.items():
        if key not in out or key.startswith(("$", )):
            out[key] = value
            continue
        have = out[key]
        child = _join(path, key)
        if isinstance(have, dict) and isinstance(value, dict):
            out[key] = _merge_patches(have, value, child, schema)
        elif isinstance(have, list) and isinstance(value, list):
            merges, _, merge_key = _strategy(schema, child)
            out[key] = _merge_lists(have, value, child, merge_key, schema) if merges else value
        else:
            out[key] = value
    return out


def _merge_lists(base: list, extra: list, path: str, merge_key: str | None, schema: dict) -> list:
    if not merge_key or not all(isinstance(v, dict) for v in base + extra):
        merged = list(base)
        for v in extra:
            if not any(_equal(v, m) for m in merged):
                merged.append(v)
        return merged
    ident = lambda item: _go_string(item.get(merge_key))   # noqa: E731
    by_key = {ident(b): b for b in base}
    patched = []
    for item in extra:
        k = ident(item)
        patched.append(_merge_patches(by_key[k], item, path, schema) if k in by_key else item)
    keys = {ident(p) for p in patched}
    left = [b for b in base if ident(b) not in keys]
    base_order = [ident(b) for b in base]
    out, i, j = [], 0, 0
    while i < len(left) or j < len(patched):
        if j >= len(patched):
            out.append(left[i]); i += 1
        elif i >= len(left):
            out.append(patched[j]); j += 1
        else:
            li, ri = ident(left[i]), ident(patched[j])
            if li in base_order and ri in base_order and base_order.index(li) < base_order.index(ri):
                out.append(left[i]); i += 1
            else:
                out.append(patched[j]); j += 1
    return out
