"""A copy of another cluster, written into this playground (what `kubeplay import` sends):

    POST /kubeplay/v1/import  {"objects": [manifest, ...], "nodes": [node copy, ...] | null}

`objects` are portable manifests (engine/portable.py cleaned them on the CLI's side); `nodes` the
other cluster's nodes as `portable.node_copy` gives them ({name, cpu, memory, pods, labels,
taints}), or null to keep the playground's nodes (a user who may not list nodes).

Nothing is half-applied: the request's shape is checked first; then the new Namespaces are made
and every other object is tried with a server-side dry run (admission, validation, names already
taken) — a refusal deletes those Namespaces again and answers with the apiserver's Status, its
message naming the object. Only then are the nodes replaced (the playground's own control-plane
node stays unless the copy has one of that name: kube-system runs there) and the objects
created, with field manager `kubeplay-import`.

Claims (and StatefulSets' claim templates) that name a StorageClass this playground lacks lose
the name, so the playground's default class provisions them; each such change is listed in the
answer's `notes`. Answers 200 {"created": [{"kind", "namespace", "name"}], "nodes": {"added",
"updated", "removed", "kept"}, "notes": [...]}."""
from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from engine import controlplane, errors, objects, quantity, resources as kinds
from webapp.extension import current_cluster

bp = Blueprint("import", __name__)

MANAGER = "kubeplay-import"
# A copy of a cluster is many objects in one request (ConfigMaps alone may be a MiB each): this
# endpoint takes more than the API's 3 MiB bodies.
MAX_BODY = 64 * 1024 * 1024


@bp.before_request
def _larger_bodies() -> None:
    try:
        request.max_content_length = MAX_BODY      # per request since Flask 3.1
    except AttributeError:
        pass                                        # older Flask: the app's limit holds
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _node_copies(raw) -> list[dict] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise errors.BadRequest("nodes must be a list of node copies or null")
    out, seen = [], set()
    for i, n in enumerate(raw):
        where = f"nodes[{i}]"
        if not isinstance(n, dict):
            raise errors.BadRequest(f"{where} must be an object")
        name = n.get("name")
        if not isinstance(name, str) or len(name) > 253 or not _DNS_SUBDOMAIN.fullmatch(name):
            raise errors.BadRequest(f"{where}.name must be a lowercase RFC 1123 subdomain, not {name!r}")
        if name in seen:
            raise errors.BadRequest(f'{where}.name: node "{name}" is listed twice')
        seen.add(name)
        copy: dict = {"name": name}
        for field in ("cpu", "memory"):
            if field in n:
                value = n[field]
                try:
                    ok = isinstance(value, str) and quantity.parse_quantity(value) > 0
                except quantity.QuantityError:
                    ok = False
                if not ok:
                    raise errors.BadRequest(f"{where}.{field} must be a positive quantity such as \"4\" or \"8Gi\"")
                copy[field] = value
        if "pods" in n:
            pods = n["pods"]
            if not isinstance(pods, int) or isinstance(pods, bool) or not 1 <= pods <= 10000:
                raise errors.BadRequest(f"{where}.pods must be a whole number between 1 and 10000")
            copy["pods"] = pods
        labels = n.get("labels") or {}
        if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise errors.BadRequest(f"{where}.labels must map strings to strings")
        copy["labels"] = labels
        taints = n.get("taints") or []
        if not isinstance(taints, list) or not all(isinstance(t, dict) and isinstance(t.get("key"), str)
                                                   and t.get("effect") in ("NoSchedule", "PreferNoSchedule", "NoExecute")
                                                   for t in taints):
            raise errors.BadRequest(f"{where}.taints must be a list of taints with a key and an effect "
                                    f"(NoSchedule, PreferNoSchedule or NoExecute)")
        copy["taints"] = [{k: t[k] for k in ("key", "value", "effect") if t.get(k) is not None} for t in taints]
        out.append(copy)
    return out


def _manifests(raw) -> list[tuple[kinds.ResourceType, dict]]:
    if not isinstance(raw, list):
        raise errors.BadRequest("objects must be a list of manifests")
    out = []
    for i, obj in enumerate(raw):
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
            raise errors.BadRequest(f"objects[{i}] must be a manifest with metadata")
        rt = kinds.for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
        if rt is None:
            raise errors.BadRequest(f'objects[{i}]: no kind "{obj.get("kind")}" is registered for version '
                                    f'"{obj.get("apiVersion")}" in this playground')
        if rt.namespaced and not obj["metadata"].get("namespace"):
            raise errors.BadRequest(f"objects[{i}] ({obj.get('kind')} {obj['metadata'].get('name')}) has no namespace")
        out.append((rt, obj))
    return out


def _describe(rt: kinds.ResourceType, obj: dict) -> str:
    md = obj["metadata"]
    where = f' in namespace "{md["namespace"]}"' if rt.namespaced else ""
    return f'{obj.get("kind")} "{md.get("name")}"{where}'


def _refused(rt: kinds.ResourceType, obj: dict, err: errors.ApiError) -> errors.ApiError:
    """The apiserver's refusal, its message prefixed with which copied object it was about."""
    err.message = f"importing {_describe(rt, obj)}: {err.message}"
    return err


def _known_classes(store) -> set[str]:
    return {objects.name_of(sc) for sc in store.list(kinds.STORAGECLASS)[0]}


def _claim_spec_without_class(spec: dict, known: set[str]) -> tuple[dict, str | None]:
    name = spec.get("storageClassName")
    if name and name not in known:
        return {k: v for k, v in spec.items() if k != "storageClassName"}, name
    return spec, None


def _fit_storage_classes(items: list[tuple[kinds.ResourceType, dict]], known: set[str], notes: list[str]):
    """Claims naming a class this playground has not got use its default class instead."""
    out = []
    for rt, obj in items:
        if rt is kinds.PERSISTENTVOLUMECLAIM and isinstance(obj.get("spec"), dict):
            spec, dropped = _claim_spec_without_class(obj["spec"], known)
            if dropped:
                obj = dict(obj, spec=spec)
                notes.append(f'{_describe(rt, obj)}: StorageClass "{dropped}" does not exist here; '
                             f"the playground's default class provisions it")
        elif rt is kinds.STATEFULSET and isinstance(obj.get("spec"), dict):
            templates = []
            for t in obj["spec"].get("volumeClaimTemplates") or ():
                if isinstance(t, dict) and isinstance(t.get("spec"), dict):
                    spec, dropped = _claim_spec_without_class(t["spec"], known)
                    if dropped:
                        t = dict(t, spec=spec)
                        notes.append(f'{_describe(rt, obj)}: claim template "{(t.get("metadata") or {}).get("name")}" '
                                     f'named StorageClass "{dropped}", which does not exist here; the '
                                     f"playground's default class provisions its claims")
                templates.append(t)
            if templates:
                obj = dict(obj, spec=dict(obj["spec"], volumeClaimTemplates=templates))
        out.append((rt, obj))
    return out


def _undo(store, made: list[tuple[kinds.ResourceType, dict]]) -> None:
    for rt, obj in reversed(made):
        md = obj["metadata"]
        try:
            store.delete(rt, md.get("namespace") if rt.namespaced else None, md["name"])
        except errors.ApiError:
            pass                        # already gone (a namespace's deletion took it)


def _replace_nodes(cluster, copies: list[dict]) -> dict:
    store = cluster.store
    wanted = {c["name"]: c for c in copies}
    report: dict = {"added": [], "updated": [], "removed": [], "kept": []}
    for node in store.list(kinds.NODE)[0]:
        name = objects.name_of(node)
        if name in wanted:
            continue
        if name == controlplane.NODE_NAME:
            report["kept"].append(name)  # the playground's kube-system runs there
            continue
        store.delete(kinds.NODE, None, name)
        report["removed"].append(name)
    for copy in copies:
        name = copy["name"]
        node = store.try_get(kinds.NODE, "", name)
        if node is None:
            cluster.join_node(name, **{k: v for k, v in copy.items() if k != "name"})
            report["added"].append(name)
            continue
        for attempt in range(5):
            try:
                _update_node(store, node, copy)
                break
            except errors.Conflict:     # its kubelet wrote the node meanwhile: read it again
                if attempt == 4:
                    raise
                node = store.get(kinds.NODE, "", name)
        report["updated"].append(name)
    return report


def _update_node(store, node: dict, copy: dict) -> None:
    """A node of the same name: its labels and taints become the copy's, and its capacity too
    (the kubelet's heartbeats keep what is stored)."""
    node = objects.clone(node)
    node["metadata"]["labels"] = dict(copy["labels"]) or node["metadata"].get("labels") or {}
    spec = dict(node.get("spec") or {})
    if copy["taints"]:
        spec["taints"] = copy["taints"]
    else:
        spec.pop("taints", None)
    node["spec"] = spec
    node = store.update(node, manager=MANAGER)
    status = objects.clone(node.get("status") or {})
    changed = False
    for field, value in (("cpu", copy.get("cpu")), ("memory", copy.get("memory")),
                         ("pods", str(copy["pods"]) if "pods" in copy else None)):
        if value is None:
            continue
        for part in ("capacity", "allocatable"):
            if (status.get(part) or {}).get(field) != value:
                status.setdefault(part, {})[field] = value
                changed = True
    if changed:
        store.update(dict(node, status=status), subresource="status", manager=MANAGER)


@bp.post("/kubeplay/v1/import")
def import_copy():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise errors.BadRequest('expected a JSON object such as {"objects": [...], "nodes": [...]}')
    copies = _node_copies(body.get("nodes"))
    items = _manifests(body.get("objects", []))
    cluster = current_cluster()
    store = cluster.store
    notes: list[str] = []
    items = _fit_storage_classes(items, _known_classes(store), notes)

    # 1. new Namespaces (undone if anything below is refused), 2. a dry run of everything else.
    made: list[tuple[kinds.ResourceType, dict]] = []
    rest = []
    for rt, obj in items:
        if rt is kinds.NAMESPACE and store.try_get(kinds.NAMESPACE, "", obj["metadata"]["name"]) is None:
            try:
                made.append((rt, store.create(obj, manager=MANAGER)))
            except errors.ApiError as e:
                _undo(store, made)
                raise _refused(rt, obj, e)
        elif rt is not kinds.NAMESPACE:
            rest.append((rt, obj))
    for rt, obj in rest:
        try:
            store.create(obj, dry_run=True, manager=MANAGER)
        except errors.ApiError as e:
            _undo(store, made)
            raise _refused(rt, obj, e)

    # 3. the nodes, 4. the objects (undone, Namespaces too, should one still be refused).
    try:
        node_report = _replace_nodes(cluster, copies) if copies is not None else None
    except errors.ApiError:
        _undo(store, made)
        raise
    for rt, obj in rest:
        try:
            made.append((rt, store.create(obj, manager=MANAGER)))
        except errors.ApiError as e:
            _undo(store, made)
            raise _refused(rt, obj, e)
    created = [{"kind": o.get("kind"), "namespace": o["metadata"].get("namespace"), "name": o["metadata"]["name"]}
               for _, o in made]
    return jsonify({"created": created, "nodes": node_report, "notes": notes})
