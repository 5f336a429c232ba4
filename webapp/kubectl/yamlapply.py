"""The editor's Apply and Delete: multi-document YAML in, `kubectl apply` / `kubectl delete -f`
semantics out, with every error pointing at a line of the editor text. The page reaches these
through `POST /kubeplay/v1/apply` and `/kubeplay/v1/delete` (webapp/page/editor.py, which
documents the answers); here they are plain functions on the store.

Apply is all-or-nothing: every document is first sent as a dry run (a create, or the three-way
patch `kubectl apply` would send — see webapp/kubectl/applypatch.py); only when all pass are they
written, in order. A refused document therefore changes nothing, and raises a `Refusal` whose
`line` is the line of the failing field's key in that document (its nearest existing ancestor
when the field is missing, else the document's first line).

Reading the YAML (limits, line marks, field path → line) lives in webapp/kubectl/manifests.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine import api_warnings, errors, objects, resources as kinds
from webapp.kubectl import applypatch
from webapp.kubectl.errors import render_status
from webapp.kubectl.manifests import SOURCE, Document, Refusal, document_line, parse_documents

# ---------------------------------------------------------------------------------------------
# Documents → objects

@dataclass
class Target:
    doc: Document
    rt: kinds.ResourceType
    namespace: str
    name: str
    manifest: dict
    prefix: str = ""           # `items[3].` for an object inside a `kind: List` document

    @property
    def kind_string(self) -> str:
        """`deployment.apps` / `pod`: how kubectl names the kind in its output."""
        return f"{self.rt.kind.lower()}.{self.rt.group}" if self.rt.group else self.rt.kind.lower()

    def result(self, action: str) -> dict:
        return {"kind": self.rt.kind, "name": self.name, "namespace": self.namespace or None,
                "action": action, "document": self.doc.index}


def _in(prefix: str, path: str | None) -> str | None:
    return f"{prefix}{path}" if path else (prefix.rstrip(".") or None)


def client_error(doc: Document, message: str, path: str | None = None, prefix: str = "") -> Refusal:
    return Refusal(400, {"message": f"error: {message}", "field": path,
                         "line": document_line(doc, _in(prefix, path)), "document": doc.index, "status": None})


_DECODE_FIELD = re.compile(r'(?:unknown|duplicate) field "([^"]+)"')


def api_error(doc: Document, err: errors.ApiError, prefix: str = "") -> Refusal:
    status = err.status()
    causes = (status.get("details") or {}).get("causes") or []
    path = causes[0].get("field") if causes else None
    if not path:        # strict decoding names the field only in its message
        m = _DECODE_FIELD.search(status.get("message") or "")
        path = m.group(1) if m else None
    return Refusal(err.code, {"message": render_status(status), "field": path or None,
                              "line": document_line(doc, _in(prefix, path)), "document": doc.index,
                              "status": status})


def _compact(obj) -> str:
    return applypatch.go_json(obj)


def resolve_all(doc: Document, default_namespace: str) -> list[Target]:
    """The objects one document holds: itself, or each item of a `kind: List` (as kubectl
    flattens `v1 List` documents)."""
    obj = doc.obj
    if isinstance(obj, dict) and obj.get("kind") == "List" and str(obj.get("apiVersion", "")) == "v1":
        items = obj.get("items") or []
        if not isinstance(items, list):
            raise client_error(doc, f'unable to decode "{SOURCE}": items must be a list', "items")
        return [resolve(doc, default_namespace, item, f"items[{i}].") for i, item in enumerate(items)]
    return [resolve(doc, default_namespace)]


def resolve(doc: Document, default_namespace: str, obj=None, prefix: str = "") -> Target:
    obj = doc.obj if obj is None else obj
    if not isinstance(obj, dict):
        kind = {list: "array", str: "string", bool: "bool"}.get(type(obj), "number")
        raise client_error(doc, f'unable to decode "{SOURCE}": json: cannot unmarshal {kind} into Go '
                                f"value of type map[string]interface {{}}", None, prefix)
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not kind or not isinstance(kind, str):
        raise client_error(doc, f"unable to decode \"{SOURCE}\": Object 'Kind' is missing in '{_compact(obj)}'",
                           "kind", prefix)
    if not api_version or not isinstance(api_version, str):
        raise client_error(doc, f"unable to decode \"{SOURCE}\": Object 'apiVersion' is missing in "
                                f"'{_compact(obj)}'", "apiVersion", prefix)
    md = obj.get("metadata")
    md = md if isinstance(md, dict) else {}
    name = md.get("name") if isinstance(md.get("name"), str) else ""
    ns = md.get("namespace") if isinstance(md.get("namespace"), str) else ""
    rt = kinds.for_kind(api_version, kind)
    if rt is None:
        raise client_error(doc, f'resource mapping not found for name: "{name}" namespace: "{ns}" from '
                                f'"{SOURCE}": no matches for kind "{kind}" in version "{api_version}"\n'
                                f"ensure CRDs are installed first", "kind", prefix)
    manifest = objects.clone(obj)
    if not isinstance(manifest.get("metadata"), dict):
        manifest["metadata"] = {}
    manifest_md = manifest["metadata"]
    if rt.namespaced:
        ns = ns or default_namespace or "default"
        manifest_md["namespace"] = ns
    else:
        ns = ""
        manifest_md.pop("namespace", None)
    target = Target(doc, rt, ns, name, manifest, prefix)
    if not name:
        gvk = f'"{rt.api_version}, Kind={rt.kind}"'
        res = f'"{rt.group + "/" if rt.group else ""}{rt.version}, Resource={rt.name}"'
        raise client_error(doc, f"error when retrieving current configuration of:\nResource: {res}, "
                                f"GroupVersionKind: {gvk}\nName: \"\", Namespace: \"{ns}\"\nfrom server for: "
                                f"\"{SOURCE}\": resource name may not be empty", "metadata.name", prefix)
    return target


def _prune_nulls(v) -> None:
    if isinstance(v, dict):
        for k in [k for k, x in v.items() if x is None]:
            del v[k]
        for x in v.values():
            _prune_nulls(x)
    elif isinstance(v, list):
        for x in v:
            _prune_nulls(x)


# ---------------------------------------------------------------------------------------------
# kubectl apply, one object

def apply_one(store, t: Target, *, dry_run: bool) -> dict:
    """Create or three-way-patch one object as `kubectl apply` does. Returns the result entry."""
    modified, annotation = applypatch.with_last_applied(t.manifest)
    try:
        live = store.get(t.rt, t.namespace, t.name)
    except errors.NotFound:
        live = None
    if live is None:
        obj = objects.clone(modified)
        _prune_nulls(obj)
        made = store.create(obj, dry_run=dry_run, manager=applypatch.FIELD_MANAGER)
        out = t.result("created")
        if dry_run:
            out["object"] = made          # what would be stored (webapp/kubectl/applypreview.py)
        return out
    warning = None
    if applypatch.LAST_APPLIED not in ((live.get("metadata") or {}).get("annotations") or {}):
        warning = (f"Warning: resource {t.rt.name}/{t.name} is missing the {applypatch.LAST_APPLIED} annotation "
                   "which is required by kubectl apply. kubectl apply should only be used on resources "
                   "created declaratively by either kubectl create --save-config or kubectl apply. "
                   "The missing annotation will be patched automatically.")
    try:
        patch = applypatch.three_way_patch(applypatch.last_applied(live), modified, live)
    except applypatch.PatchError as e:
        raise client_error(t.doc, str(e), _item_missing_key(t.manifest, e.list_path, e.merge_key),
                           t.prefix) from None
    action, after = "unchanged", live
    if patch:
        # (custom objects take a JSON merge patch, as kubectl sends for kinds it has no Go type of)
        ptype = "merge" if kinds.is_custom(t.rt) else "strategic"
        after = store.patch(t.rt, t.namespace, t.name, ptype, patch, dry_run=dry_run,
                            manager=applypatch.FIELD_MANAGER)
        action = "configured"
    out = t.result(action)
    if dry_run:
        out["object"] = after
    if warning:
        out["warning"] = warning
    return out


def _item_missing_key(manifest: dict, list_path: str | None, merge_key: str | None) -> str | None:
    """The indexed path (`spec.template.spec.containers[0]`) of the first list item in the
    manifest, under the dotted `list_path` (list items adding no segment), that lacks the list's
    merge key: where a typo such as `- nmae: web` is, so its line is reported, not the first."""
    if not list_path or not merge_key:
        return None

    def walk(value, keys: list[str], at: str) -> str | None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                if not keys and isinstance(item, dict) and merge_key not in item:
                    return f"{at}[{i}]"
                found = walk(item, keys, f"{at}[{i}]") if keys else None
                if found:
                    return found
            return None
        if not isinstance(value, dict) or not keys:
            return None
        key, rest = keys[0], keys[1:]
        return walk(value.get(key), rest, f"{at}.{key}" if at else key) if key in value else None

    return walk(manifest, list_path.split("."), "")


def _text(t: Target, action: str) -> str:
    return f"{t.kind_string}/{t.name} {action}"


def apply_documents(store, text: str, namespace: str) -> list[dict]:
    docs = parse_documents(text)
    targets = [t for d in docs for t in resolve_all(d, namespace)]
    # Pass 1: every document as a dry run. A namespace created earlier in the same text does not
    # exist yet, so a NotFound for it is forgiven here (the real write will tell).
    planned_namespaces = set()
    for t in targets:
        try:
            apply_one(store, t, dry_run=True)
        except errors.NotFound as e:
            if not (t.rt.namespaced and e.details.get("kind") == "namespaces"
                    and e.details.get("name") == t.namespace and t.namespace in planned_namespaces):
                raise api_error(t.doc, e, t.prefix) from None
        except errors.ApiError as e:
            raise api_error(t.doc, e, t.prefix) from None
        if t.rt is kinds.NAMESPACE:
            planned_namespaces.add(t.name)
    # Pass 2: for real, in order.
    results = []
    for t in targets:
        # The apiserver's warnings for this object's write (kubectl prints them as `Warning: ...`).
        collected, token = api_warnings.begin()
        try:
            r = apply_one(store, t, dry_run=False)
        except errors.ApiError as e:
            refusal = api_error(t.doc, e, t.prefix)
            refusal.body["results"] = results       # what was already applied
            raise refusal from None
        finally:
            api_warnings.end(token)
        if collected.texts:
            r["warnings"] = list(collected.texts)
        r["text"] = _text(t, r["action"])
        results.append(r)
    return results


def delete_documents(store, text: str, namespace: str) -> list[dict]:
    docs = parse_documents(text)
    targets = [t for d in docs for t in resolve_all(d, namespace)]
    results = []
    for t in targets:
        r = t.result("deleted")
        try:
            store.delete(t.rt, t.namespace, t.name, propagation_policy="Background")
            where = f" from {t.namespace} namespace" if t.rt.namespaced else ""
            r["text"] = f'{t.kind_string} "{t.name}" deleted{where}'
        except errors.ApiError as e:
            r["action"] = "notfound" if isinstance(e, errors.NotFound) else "failed"
            r["text"] = render_status(e.status())
            r["line"] = t.doc.first_line
        results.append(r)
    return results
