"""The Kubernetes-shaped REST API over the engine store: one catch-all route per API root that
parses the path the way the apiserver does, then get/list/watch/create/update/patch/delete plus
the status, scale, log and binding subresources. Errors are raised as engine.errors.ApiError and
rendered once, as metav1.Status, by the app's error handler."""
from __future__ import annotations

import http
import json
import logging

from flask import Blueprint, Response, g, request

from engine import api_warnings, crd_paths, crds, errors, eviction, objects, resources as kinds
from engine import patch as patching
from engine import selector_to_string, tokens

from webapp.extension import current, current_cluster

from . import bodies, clientframe, list_bodies, logs, paging, portforward, remotecommand, tables, versions, watch, whoasked

log = logging.getLogger("kubeplay.web")

bp = Blueprint("resources", __name__)


@bp.before_request
def _collect_warnings():
    # The warnings this request's write earns (engine/api_warnings.py), sent back as the
    # apiserver's `Warning: 299 - "<text>"` headers, on errors too (what was recorded before the
    # failure), as its warning filter does. fieldValidation=Ignore drops the decoder's findings.
    g.kubeplay_warnings, g.kubeplay_warnings_token = api_warnings.begin(
        field_warnings=request.args.get("fieldValidation") != "Ignore")


@bp.after_request
def _send_warnings(resp: Response) -> Response:
    collected = g.pop("kubeplay_warnings", None)
    if collected is not None:
        for text in collected.texts:
            resp.headers.add("Warning", api_warnings.header_value(text))
    return resp


@bp.teardown_request
def _stop_warnings(_exc) -> None:
    token = g.pop("kubeplay_warnings_token", None)
    if token is not None:
        api_warnings.end(token)


def _field_warnings(dups: list[str], yaml_body: bool) -> None:
    """fieldValidation=Warn: the body's duplicate keys as warnings, one per finding, in the
    decoder's words (addStrictDecodingWarnings splits go-yaml's list into its lines)."""
    if yaml_body:
        api_warnings.add_field_warnings(dups)
    else:
        api_warnings.add_field_warnings(f'duplicate field "{p}"' for p in dups)

TABLE_MARK = "as=Table"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = {"application/strategic-merge-patch+json": "strategic",
               "application/merge-patch+json": "merge",
               "application/json-patch+json": "json",
               APPLY_PATCH: "apply"}
MAX_MANAGER_BYTES = 128          # validation.FieldManagerMaxLength


def status_line(code: int) -> str:
    """`404 Not Found`: Werkzeug would upper-case the phrase; Go's net/http does not."""
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _json(obj, status=200) -> Response:
    obj = clientframe.to_client(obj)       # timestamps as the client's clock can subtract them
    return Response(json.dumps(obj, separators=(",", ":")), status=status_line(status),
                    mimetype="application/json")


class Target:
    """A parsed API path: resource type, namespace, name and subresource; `view` when the URL's
    version is not the stored one (webapp/api/versions.py)."""

    def __init__(self, rt, namespace, name, sub, view=None):
        self.rt, self.namespace, self.name, self.sub, self.view = rt, namespace, name, sub, view

    def out(self, obj: dict) -> dict:
        """A stored object as this URL's version shows it."""
        return self.view.out(obj) if self.view is not None else obj

    @property
    def api_version(self) -> str:
        return self.view.api_version if self.view is not None else self.rt.api_version

    @property
    def version(self) -> str:
        return self.view.version if self.view is not None else self.rt.version


def parse_path(group: str, version: str, segs: list[str]) -> Target:
    view = None

    def rt_for(plural):
        nonlocal view
        rt = kinds.lookup(group, plural)
        if rt is not None and rt.version != version:
            view = versions.lookup(group, version, plural)
            if view is not None:
                return rt
        if rt is None or rt.version != version:
            raise _no_resource()
        return rt
    n = len(segs)
    if n >= 3 and segs[0] == "namespaces" and segs[2] not in ("status", "finalize"):
        ns = segs[1]
        rt = rt_for(segs[2])
        if not rt.namespaced:
            raise _no_resource()
        if n == 3:
            return Target(rt, ns, None, None, view)
        if n == 4:
            return Target(rt, ns, segs[3], None, view)
        if n == 5:
            return Target(rt, ns, segs[3], segs[4], view)
        raise _no_resource()
    if n == 1:
        rt = rt_for(segs[0])
        return Target(rt, None, None, None, view)
    if n in (2, 3):
        rt = rt_for(segs[0])
        if rt.namespaced:
            raise _no_resource()
        return Target(rt, None, segs[1], segs[2] if n == 3 else None, view)
    raise _no_resource()


def _no_resource():
    return errors.NoSuchResource("the server could not find the requested resource")


@bp.route("/api/<version>/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def core(version, rest):
    return dispatch("", version, rest)


@bp.route("/api/v1/namespaces/<namespace>/pods/<name>/<any(exec, attach):sub>", methods=["GET"], websocket=True)
def pod_stream(namespace, name, sub):
    """A WebSocket upgrade of pods/exec or pods/attach (werkzeug routes upgrades separately)."""
    return remotecommand.handle(sub, namespace, name, "GET")


@bp.route("/api/v1/namespaces/<namespace>/pods/<name>/portforward", methods=["GET"], websocket=True)
def pod_portforward(namespace, name):
    """A WebSocket upgrade of pods/portforward (SPDY/3.1 tunneled in it: portforward.py)."""
    return portforward.handle(namespace, name, "GET")


@bp.route("/apis/<group>/<version>/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def grouped(group, version, rest):
    return dispatch(group, version, rest)


def dispatch(group, version, rest):
    t = parse_path(group, version, [s for s in rest.split("/") if s])
    if kinds.is_custom(t.rt):
        _custom_request(t, version)
    if not whoasked.wants(t.rt, request.method, t.sub) or _dry_run():
        return _dispatch(t)
    # A learner's write: the reconcile log says who asked (webapp/api/whoasked.py).
    g.kubeplay_request_time = current_cluster().clock.now()
    before = current_cluster().store.try_get(t.rt, t.namespace or "", t.name) if t.name else None
    resp = _dispatch(t)
    if resp.status_code < 300:
        try:
            whoasked.api_write(current_cluster(), request, t, before, resp.get_json(silent=True))
        except Exception:            # the log line is a courtesy: never fail a write that was made
            log.exception("recording who asked for %s %s failed", request.method, request.path)
    return resp


def _custom_request(t: Target, version: str) -> None:
    """What the CRD handler checks first: a deprecated version's warning, no new objects while
    the CRD is being deleted, and no strategic merge patch (custom objects have no patch
    strategies)."""
    crd = crds.definition(t.rt)
    if crd is not None and version not in crds.served_versions(crd):
        raise _no_resource()            # the storage version need not be served
    warning = crds.deprecation_warning(t.rt, version)
    if warning:
        api_warnings.add(warning)
    if request.method == "POST" and t.sub is None and crd is not None and objects.is_terminating(crd):
        raise errors.MethodNotAllowed("create not allowed while custom resource definition is terminating")
    ct = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    if request.method == "PATCH" and ct == "application/strategic-merge-patch+json":
        raise errors.UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")


def _dispatch(t: Target):
    m = request.method
    if t.sub:
        return subresource(t, m)
    if t.name is None:
        if m == "GET":
            return watch_list(t) if _flag("watch") else list_(t)
        # Creating and deleting a collection of a namespaced kind need a namespace in the path:
        # the apiserver has no such route across all namespaces (405, not a create in default).
        if t.rt.namespaced and t.namespace is None:
            raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
        if m == "POST":
            return create(t)
        if m == "DELETE":
            return delete_collection(t)
        raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
    if m == "GET":
        if _flag("watch"):
            raise errors.MethodNotAllowed("watch of a single object: use fieldSelector=metadata.name")
        return get(t)
    if m == "PUT":
        return update(t)
    if m == "PATCH":
        return patch(t)
    if m == "DELETE":
        return delete(t)
    raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")


# ---- helpers -----------------------------------------------------------------------------------

def _flag(name: str) -> bool:
    """A bool query parameter as apimachinery converts it (Convert_Slice_string_To_bool): absent,
    "0" or "false" (any case) is false; anything else, even an empty value, is true."""
    if name not in request.args:
        return False
    return request.args.get(name, "").lower() not in ("0", "false")


def _wants_table() -> bool:
    return TABLE_MARK in (request.headers.get("Accept") or "")


def _dry_run() -> bool:
    return request.args.get("dryRun") == "All"


def _strict() -> bool:
    # kubectl sends fieldValidation=Strict by default; Ignore/Warn accept unknown fields.
    return request.args.get("fieldValidation", "Strict") == "Strict" and "fieldValidation" in request.args


def _manager(options_kind: str, *, required: bool = False) -> str:
    """The write's field manager: `?fieldManager=`, else (managerOrUserAgent) the User-Agent up
    to its first '/', printable characters only, cut at 128 bytes — `kubectl` for kubectl's own
    requests that name none (scale), `python-requests` or `OpenAPI-Generator` for scripts."""
    name = request.args.get("fieldManager")
    if name is not None and name != "":
        problem = None
        if len(name.encode()) > MAX_MANAGER_BYTES:
            problem = errors.FieldError("fieldManager", "Too long",
                                        detail=f"may not be more than {MAX_MANAGER_BYTES} bytes")
        elif not name.isprintable():
            problem = errors.invalid("fieldManager", name, "must only contain printable characters")
        if problem:
            raise errors.Invalid(options_kind, "meta.k8s.io", "", [problem])
        return name
    if required:
        raise errors.Invalid(options_kind, "meta.k8s.io", "",
                             [errors.required("fieldManager", "is required for apply patch")])
    out, size = [], 0
    for ch in (request.headers.get("User-Agent") or "").split("/")[0]:
        if not ch.isprintable():
            continue
        size += len(ch.encode())
        if size > MAX_MANAGER_BYTES:
            break
        out.append(ch)
    return "".join(out)


def _body(duplicates: list[str] | None = None):
    raw = request.get_data(cache=False)
    return bodies.read_json_like(raw, request.headers.get("Content-Type"), duplicates)


def _go_type(v) -> str:
    """The JSON type as encoding/json names it in "cannot unmarshal X into ..."."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}.get(type(v), "value")


def _object_body(rt, view=None) -> dict:
    """A write's body as an object of `rt`, refused as the apiserver's decoder refuses it: a
    body that is not an object, metadata that is not an object, and (fieldValidation=Strict) a
    key given twice."""
    dups: list[str] = []
    obj = _body(dups)
    if not isinstance(obj, dict):
        raise errors.BadRequest(
            f"couldn't get version/kind; json parse error: json: cannot unmarshal {_go_type(obj)} into Go value of type "
            'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }')
    prefix = f'{rt.kind} in version "{view.version if view else rt.version}" cannot be handled as a {rt.kind}: '
    for field in ("apiVersion", "kind"):
        if field in obj and not isinstance(obj[field], str):
            raise errors.BadRequest(f"couldn't get version/kind; json parse error: json: cannot unmarshal "
                                    f"{_go_type(obj[field])} into Go struct field .{field} of type string")
    md = obj.get("metadata")
    if md is not None and not isinstance(md, dict):
        raise errors.BadRequest(prefix + f"json: cannot unmarshal {_go_type(md)} into Go struct field "
                                         f"{rt.kind}.metadata of type v1.ObjectMeta")
    if md is None:
        obj["metadata"] = {}
    if dups and _strict():
        if _is_yaml(request.headers.get("Content-Type")):
            raise errors.BadRequest(prefix + "strict decoding error: " + _yaml_unmarshal_errors(dups))
        raise errors.BadRequest(prefix + "strict decoding error: " + ", ".join(f'duplicate field "{p}"' for p in dups))
    if dups:
        _field_warnings(dups, _is_yaml(request.headers.get("Content-Type")))
    if view is not None:
        obj.setdefault("apiVersion", view.api_version)
        obj.setdefault("kind", rt.kind)
        return clientframe.from_client(obj)
    return _with_type(rt, clientframe.from_client(obj))


def _stored(t: Target, obj: dict) -> dict:
    """A body at the URL's version as the stored version (a view's conversion)."""
    if t.view is None:
        return obj
    if obj.get("apiVersion") != t.view.api_version:
        return obj               # refused below, by the store, as the wrong version
    return t.view.into(obj, strict=_strict())


def _is_yaml(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in ("application/yaml", APPLY_PATCH)


def _yaml_unmarshal_errors(lines: list[str]) -> str:
    # go-yaml's TypeError: one indented line per problem under a header.
    return "yaml: unmarshal errors:\n  " + "\n  ".join(lines)


def _with_type(rt, obj):
    if isinstance(obj, dict):
        obj.setdefault("apiVersion", rt.api_version)
        obj.setdefault("kind", rt.kind)
    return obj


def _now():
    return current_cluster().clock.now()


def _one(rt, obj, status=200):
    if _wants_table():
        return _json(tables.table(rt, [obj], now=_now(), resource_version=obj["metadata"].get("resourceVersion", ""),
                                  include_object=request.args.get("includeObject", "Metadata")), status)
    return _json(obj, status)


# ---- verbs -------------------------------------------------------------------------------------

def _table_rt(t: Target):
    """The type a Table is printed for: a custom resource at the URL's version (its columns)."""
    return crds.version_rt(t.rt, t.version) if t.view is not None and kinds.is_custom(t.rt) else t.rt


def get(t: Target):
    obj = current_cluster().store.get(t.rt, t.namespace, t.name)
    return _one(_table_rt(t), obj if _wants_table() else t.out(obj))


def _optional_flag(name: str) -> bool | None:
    """A *bool query parameter (sendInitialEvents): absent is None, as Go's conversion leaves it;
    present, it is read as _flag reads it."""
    if name not in request.args:
        return None
    return _flag(name)


def _validate_list_options(watching: bool) -> None:
    watch.validate_list_options(watch=watching, resource_version=request.args.get("resourceVersion"),
                                match=request.args.get("resourceVersionMatch"),
                                send_initial_events=_optional_flag("sendInitialEvents"),
                                continue_=request.args.get("continue"))


def list_(t: Target):
    _validate_list_options(False)
    cluster = current_cluster()
    store = cluster.store
    lsel, fsel = request.args.get("labelSelector"), request.args.get("fieldSelector")
    filtered = bool(lsel or fsel)
    namespaced = t.rt.namespaced
    chunk = paging.page(lambda: store.list(t.rt, t.namespace, lsel, fsel),
                        lambda at: store.list_at(t.rt, t.namespace, lsel, fsel, at),
                        paging.snapshots_for(cluster), (t.rt.name, t.namespace, lsel, fsel),
                        namespace=t.namespace, namespaced=namespaced, limit_raw=request.args.get("limit"),
                        continue_raw=request.args.get("continue"),
                        resource_version=request.args.get("resourceVersion"), filtered=filtered)
    items = chunk.items
    # Written from each object's text, made once per stored version (webapp/api/list_bodies.py).
    texts = list_bodies.texts_for(cluster)
    complete_for = False if filtered or chunk.partial else (t.namespace or None)
    seconds = clientframe.current_shift()
    if _wants_table():
        parts = list_bodies.table(texts, t.rt, _table_rt(t), items, now=_now(), resource_version=str(chunk.rv),
                                  include_object=request.args.get("includeObject", "Metadata"),
                                  seconds=seconds, complete_for=complete_for,
                                  continue_token=chunk.continue_token, remaining_item_count=chunk.remaining)
        return Response(parts, status=status_line(200), mimetype="application/json")
    envelope = {"kind": f"{t.rt.kind}List", "apiVersion": t.api_version,
                "metadata": chunk.list_meta(), "items": []}
    if t.view is not None:          # another version's view: converted objects, not the stored ones
        envelope["items"] = [t.out(o) for o in items]
        return _json(envelope)
    return Response(list_bodies.json_list(texts, t.rt, envelope, items, seconds, complete_for),
                    status=status_line(200), mimetype="application/json")


def watch_list(t: Target):
    _validate_list_options(True)
    try:
        timeout = int(request.args.get("timeoutSeconds") or 0)       # int64, as metav1.ListOptions
    except ValueError:
        raise errors.BadRequest("timeoutSeconds must be a number")
    if timeout < 0 or timeout > 2 ** 63 - 1:
        raise errors.BadRequest("timeoutSeconds must be a non-negative integer")
    gen = watch.stream(current_cluster(), t.rt, t.namespace,
                       label_selector=request.args.get("labelSelector"),
                       field_selector=request.args.get("fieldSelector"),
                       resource_version=request.args.get("resourceVersion"),
                       timeout_seconds=timeout, as_table=_wants_table(),
                       bookmarks=_flag("allowWatchBookmarks"),
                       send_initial_events=_optional_flag("sendInitialEvents"),
                       client=request.environ.get("werkzeug.socket"),
                       stopping=current().stopping, frame=clientframe.framer(), view=t.view,
                       texts=list_bodies.texts_for(current_cluster()), shift=clientframe.shifter())
    return Response(gen, status=status_line(200), mimetype="application/json", direct_passthrough=True)


def create(t: Target):
    obj = _object_body(t.rt, t.view)
    if obj.get("kind") != t.rt.kind or obj.get("apiVersion") != t.api_version:
        raise errors.BadRequest(
            f"the API version in the data ({obj.get('apiVersion')}) does not match the expected API version ({t.api_version})"
            if obj.get("apiVersion") != t.api_version else
            f'{obj.get("kind")} in version "{t.version}" cannot be handled as a {t.rt.kind}: no kind "{obj.get("kind")}" is registered for the URL')
    obj = _stored(t, obj)
    if t.namespace:
        md = obj.setdefault("metadata", {})
        if isinstance(md, dict) and md.get("namespace") and md["namespace"] != t.namespace:
            raise errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
        if isinstance(md, dict):
            md["namespace"] = t.namespace
    made = current_cluster().store.create(obj, strict=_strict(), dry_run=_dry_run(), manager=_manager("CreateOptions"))
    return _json(t.out(made), 201)


def update(t: Target):
    obj = _object_body(t.rt, t.view)
    md = obj["metadata"]
    # The update handler's checkName: the body must name the object the URL names.
    if not md.get("name"):
        raise errors.BadRequest(f"the name of the object ({t.name} based on URL) was undeterminable: name must be provided")
    if md["name"] != t.name:
        raise errors.BadRequest(f"the name of the object ({md['name']}) does not match the name on the URL ({t.name})")
    if t.namespace:
        if md.get("namespace") and md["namespace"] != t.namespace:
            raise errors.BadRequest(f"the namespace of the object ({md['namespace']}) does not match "
                                    f"the namespace on the request ({t.namespace})")
        md["namespace"] = t.namespace
    obj = _stored(t, obj)
    return _json(t.out(current_cluster().store.update(obj, strict=_strict(), dry_run=_dry_run(),
                                               manager=_manager("UpdateOptions"))))


def _patch_type(*, apply_ok: bool = False):
    ct = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    if ct == APPLY_PATCH and not apply_ok:
        raise errors.UnsupportedMediaType("server-side apply of this subresource is not supported by kubeplay")
    if ct not in PATCH_TYPES:
        raise errors.UnsupportedMediaType(f'the body of the request was in an unknown format - accepted media types include: {", ".join(PATCH_TYPES)}')
    return PATCH_TYPES[ct]


def patch(t: Target):
    ptype = _patch_type(apply_ok=True)
    if ptype == "apply":
        return apply(t)
    if "force" in request.args:
        raise errors.Invalid("PatchOptions", "meta.k8s.io", "",
                             [errors.forbidden("force", "may not be specified for non-apply patch")])
    manager = _manager("PatchOptions")
    dups: list[str] = []
    body = bodies.read_json_like(request.get_data(cache=False), "application/json", dups)
    if dups and ptype != "json" and _strict():
        # strategicPatchObject / mergePatcher: the patch's own duplicate keys, refused before it
        # is applied (a JSON patch's duplicates inside values are dropped by its library).
        raise errors.Invalid("", "", "", [errors.invalid(
            "patch", patching.go_value(body), "strict decoding error: " + ", ".join(f'duplicate field "{p}"' for p in dups))])
    if dups and ptype != "json":
        _field_warnings(dups, False)
    if t.view is not None:
        return _json(t.out(_patch_view(t, ptype, body, manager)))
    return _json(current_cluster().store.patch(t.rt, t.namespace, t.name, ptype, body, strict=_strict(),
                                        dry_run=_dry_run(), manager=manager))


def _patch_view(t: Target, ptype: str, body, manager: str, subresource: str | None = None) -> dict:
    """A patch written against another version than the stored one: applied to the object as
    that version shows it, then converted back and stored (with the read's resourceVersion, so
    a concurrent write makes it a Conflict rather than a lost update)."""
    from engine import patch as patching
    store = current_cluster().store
    current_obj = store.get(t.rt, t.namespace, t.name)
    shown = t.out(current_obj)
    if ptype == "json":
        patched = patching.json_patch(shown, body)
    elif ptype == "merge":
        patched = patching.json_merge(shown, body)
    else:
        if not isinstance(body, dict):
            raise errors.BadRequest("the body of the request must be an object")
        patched = patching.strategic_merge(shown, body, t.rt.kind, t.api_version)
    if not isinstance(patched, dict):
        raise errors.BadRequest("the patched object must be an object")
    md = patched.get("metadata") if isinstance(patched.get("metadata"), dict) else {}
    md.setdefault("resourceVersion", current_obj["metadata"].get("resourceVersion"))
    md["name"], md["namespace"] = t.name, t.namespace
    new = t.view.into(patched, strict=_strict())
    return store.update(new, strict=_strict(), dry_run=_dry_run(), manager=manager, subresource=subresource)


def apply(t: Target):
    """Server-side apply: the YAML (or JSON) configuration is merged in as `fieldManager`, whose
    field ownership it records; 201 when the apply created the object."""
    manager = _manager("PatchOptions", required=True)
    force = request.args.get("force", "")
    if force not in ("", "true", "false"):
        raise errors.BadRequest(f'force: Invalid value: "{force}": must be true or false')
    dups: list[str] = []
    config = bodies.read_json_like(request.get_data(cache=False), APPLY_PATCH, dups)
    if dups and _strict():
        raise errors.BadRequest("error strict decoding YAML: error converting YAML to JSON: " + _yaml_unmarshal_errors(dups))
    if t.view is not None and isinstance(config, dict):
        # a configuration at another version: applied as its stored-version equivalent (the
        # fields it sets are the ones the converted configuration sets)
        config = t.view.into(config, strict=_strict())
    if dups:
        _field_warnings(dups, True)
    obj, created = current_cluster().store.apply(t.rt, t.namespace, t.name, config, manager=manager,
                                          force=force == "true", strict=_strict(), dry_run=_dry_run())
    return _json(t.out(obj), 201 if created else 200)


MAX_GRACE = 2 ** 63 - 1


def _delete_options():
    raw = request.get_data(cache=False)
    opts = {}
    if raw.strip():
        opts = bodies.read_json_like(raw, request.headers.get("Content-Type"))
        if not isinstance(opts, dict):
            raise errors.BadRequest(f"json: cannot unmarshal {_go_type(opts)} into Go value of type v1.DeleteOptions")
    if opts.get("preconditions") is not None and not isinstance(opts["preconditions"], dict):
        raise errors.BadRequest(f"json: cannot unmarshal {_go_type(opts['preconditions'])} into Go struct field "
                                "DeleteOptions.preconditions of type v1.Preconditions")
    for field in ("uid", "resourceVersion"):
        v = (opts.get("preconditions") or {}).get(field)
        if v is not None and not isinstance(v, str):
            raise errors.BadRequest(f"json: cannot unmarshal {_go_type(v)} into Go struct field "
                                    f"Preconditions.preconditions.{field} of type string")
    grace = opts.get("gracePeriodSeconds", request.args.get("gracePeriodSeconds"))
    policy = opts.get("propagationPolicy") or request.args.get("propagationPolicy")
    if opts.get("orphanDependents") is True or request.args.get("orphanDependents") == "true":
        policy = "Orphan"
    if policy not in (None, "Background", "Foreground", "Orphan"):
        raise errors.BadRequest(f'propagationPolicy: Unsupported value: "{policy}"')
    if grace is not None:
        try:
            if isinstance(grace, (bool, float)):
                raise ValueError
            grace = int(grace)
        except (TypeError, ValueError):
            raise errors.BadRequest("gracePeriodSeconds must be an integer")
        if not -MAX_GRACE - 1 <= grace <= MAX_GRACE:
            raise errors.BadRequest(f"gracePeriodSeconds {grace} is out of range (int64)")
    dry = opts.get("dryRun") == ["All"] or _dry_run()
    return grace, policy, opts.get("preconditions"), dry


def delete(t: Target):
    grace, policy, pre, dry = _delete_options()
    store = current_cluster().store
    result = store.delete(t.rt, t.namespace, t.name, grace_period_seconds=grace,
                          propagation_policy=policy, preconditions=pre, dry_run=dry)
    if objects.is_terminating(result) or t.rt in (kinds.POD, kinds.SERVICE):
        return _json(t.out(result))
    return _json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                  "details": {"name": t.name, "group": t.rt.group, "kind": t.rt.name,
                              "uid": objects.uid_of(result)}})


def delete_collection(t: Target):
    if t.rt is kinds.NAMESPACE:
        # The namespace registry has no DeleteCollection (kubectl deletes them one by one).
        raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
    grace, policy, _, dry = _delete_options()
    store = current_cluster().store
    items, rv = store.list(t.rt, t.namespace, request.args.get("labelSelector"), request.args.get("fieldSelector"))
    out = []
    for obj in items:
        try:
            out.append(store.delete(t.rt, objects.namespace_of(obj), objects.name_of(obj), grace_period_seconds=grace,
                                    propagation_policy=policy, dry_run=dry))
        except errors.NotFound:
            pass
    return _json({"kind": f"{t.rt.kind}List", "apiVersion": t.api_version,
                  "metadata": {"resourceVersion": str(store.resource_version)}, "items": [t.out(o) for o in out]})


# ---- subresources --------------------------------------------------------------------------------

def subresource(t: Target, method: str):
    if t.sub not in t.rt.subresources and not (t.rt is kinds.NAMESPACE and t.sub == "finalize"):
        raise _no_resource()
    store = current_cluster().store
    if t.sub == "status":
        if method == "GET":
            return _json(t.out(store.get(t.rt, t.namespace, t.name)))
        if method == "PUT":
            obj = _object_body(t.rt, t.view)
            obj["metadata"]["name"] = t.name
            if t.namespace:
                obj["metadata"]["namespace"] = t.namespace
            obj = _stored(t, obj)
            return _json(t.out(store.update(obj, subresource="status", dry_run=_dry_run(),
                                            manager=_manager("UpdateOptions"))))
        if method == "PATCH":
            ptype = _patch_type()
            body = bodies.read_json_like(request.get_data(cache=False), "application/json")
            if t.view is not None:
                return _json(t.out(_patch_view(t, ptype, body, _manager("PatchOptions"), "status")))
            return _json(store.patch(t.rt, t.namespace, t.name, ptype, body, subresource="status",
                                     dry_run=_dry_run(), manager=_manager("PatchOptions")))
    if t.sub == "ephemeralcontainers":
        return ephemeral_containers(t, method)
    if t.sub == "finalize" and method == "PUT":
        obj = _object_body(t.rt)
        obj["metadata"]["name"] = t.name
        return _json(store.update(obj, subresource="finalize"))
    if t.sub == "scale":
        return scale(t, method)
    if t.sub == "log" and method == "GET":
        return pod_log(t)
    if t.sub in ("exec", "attach") and method in ("GET", "POST"):
        return remotecommand.handle(t.sub, t.namespace, t.name, method)
    if t.sub == "portforward" and method in ("GET", "POST"):
        return portforward.handle(t.namespace, t.name, method)
    if t.sub == "binding" and method == "POST":
        return bind(t)
    if t.sub == "eviction" and method == "POST":
        return evict(t)
    if t.sub == "token" and method == "POST":
        cluster = current_cluster()
        return _json(tokens.request_token(cluster.store, cluster.clock.now(), t.namespace, t.name, _body()), 201)
    raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")


def ephemeral_containers(t: Target, method: str):
    """pods/ephemeralcontainers (kubectl debug): the Pod itself; writes change only
    spec.ephemeralContainers, and only by adding containers."""
    store = current_cluster().store
    if method == "GET":
        return _json(store.get(t.rt, t.namespace, t.name))
    if method == "PUT":
        obj = _with_type(t.rt, _body())
        if not isinstance(obj, dict):
            raise errors.BadRequest("the body of the request must be an object")
        md = obj.setdefault("metadata", {})
        md["name"], md["namespace"] = t.name, t.namespace
        return _json(store.update(obj, strict=_strict(), subresource="ephemeralcontainers", dry_run=_dry_run()))
    if method == "PATCH":
        ptype = _patch_type()
        body = bodies.read_json_like(request.get_data(cache=False), "application/json")
        return _json(store.patch(t.rt, t.namespace, t.name, ptype, body, strict=_strict(),
                                 subresource="ephemeralcontainers", dry_run=_dry_run()))
    raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")


def _scale_of(obj: dict) -> dict:
    md = obj["metadata"]
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    sel = spec.get("selector")
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": md["name"], "namespace": md.get("namespace"), "uid": md.get("uid"),
                         "resourceVersion": md.get("resourceVersion"),
                         "creationTimestamp": md.get("creationTimestamp")},
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": status.get("replicas", 0), "selector": selector_to_string(sel)}}


def _scale_for(t: Target, obj: dict) -> dict:
    if kinds.is_custom(t.rt):               # the CRD's specReplicasPath/statusReplicasPath/labelSelectorPath
        return crd_paths.scale_of(crds.definition(t.rt), obj)
    return _scale_of(obj)


def scale(t: Target, method: str):
    store = current_cluster().store
    if method == "GET":
        return _json(_scale_for(t, store.get(t.rt, t.namespace, t.name)))
    precondition = True
    if method == "PUT":
        body = _body()
        manager = _manager("UpdateOptions")
    elif method == "PATCH":
        manager = _manager("PatchOptions")
        ptype = _patch_type()
        patch_body = bodies.read_json_like(request.get_data(cache=False), "application/json")
        current = _scale_for(t, store.get(t.rt, t.namespace, t.name))
        body = patching.json_patch(current, patch_body) if ptype == "json" else patching.json_merge(current, patch_body)
        # The patch is applied to the Scale read just now, so its resourceVersion is only a
        # precondition when the patch itself changed it (`kubectl scale` and the page send none,
        # and must not conflict with the controllers busy on the same object).
        precondition = isinstance(body, dict) and isinstance(body.get("metadata"), dict) and \
            body["metadata"].get("resourceVersion") != current["metadata"].get("resourceVersion")
    else:
        raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
    if not isinstance(body, dict):
        raise errors.BadRequest(f"json: cannot unmarshal {_go_type(body)} into Go value of type autoscaling.Scale")
    for field in ("spec", "metadata"):
        if body.get(field) is not None and not isinstance(body[field], dict):
            raise errors.BadRequest(f"json: cannot unmarshal {_go_type(body[field])} into Go struct field "
                                    f"Scale.{field} of type {'v1.ScaleSpec' if field == 'spec' else 'v1.ObjectMeta'}")
    replicas = (body.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.Invalid("Scale", "autoscaling", t.name, [errors.invalid(
            "spec.replicas", replicas, "must be greater than or equal to 0")])
    rv = (body.get("metadata") or {}).get("resourceVersion")
    merge = {"spec": {"replicas": replicas}}
    if kinds.is_custom(t.rt):
        merge = crd_paths.replicas_merge(crds.definition(t.rt), t.rt.version, replicas)
    if rv and precondition:
        merge["metadata"] = {"resourceVersion": rv}
    updated = store.patch(t.rt, t.namespace, t.name, "merge", merge, dry_run=_dry_run(),
                          subresource="scale", manager=manager)
    return _json(_scale_for(t, updated))


def pod_log(t: Target):
    """pods/log: the simulated kubelet's container log (it raises the upstream errors for a
    missing or ambiguous container and for --previous without a previous run). With follow=true
    the response streams what the container writes until it stops, the pod goes, the server
    stops or the client hangs up."""
    kubelet = current_cluster().controller("kubelet")
    container = request.args.get("container") or None
    timestamps = _flag("timestamps")
    text = kubelet.logs(t.namespace, t.name, container, previous=_flag("previous"), timestamps=timestamps)
    tail = request.args.get("tailLines")
    shown = text
    if tail:
        try:
            n = int(tail)
        except ValueError:
            raise errors.BadRequest("tailLines must be an integer")
        shown = "".join(text.splitlines(keepends=True)[-n:]) if n > 0 else ""
    if not _flag("follow") or _flag("previous"):
        return Response(shown, status=status_line(200), mimetype="text/plain")
    source = kubelet.log_source(t.namespace, t.name, container)
    gen = logs.follow(kubelet, t.namespace, t.name, container, timestamps=timestamps, first=shown,
                      sent=len(text), source=source, stopping=current().stopping,
                      client=request.environ.get("werkzeug.socket"))
    return Response(gen, status=status_line(200), mimetype="text/plain", direct_passthrough=True)


def bind(t: Target):
    body = _body()
    if not isinstance(body, dict):
        raise errors.BadRequest(f"json: cannot unmarshal {_go_type(body)} into Go value of type v1.Binding")
    target = body.get("target") or {}
    if not isinstance(target, dict):
        raise errors.BadRequest(f"json: cannot unmarshal {_go_type(target)} into Go struct field "
                                "Binding.target of type v1.ObjectReference")
    node = target.get("name")
    if node is not None and not isinstance(node, str):
        raise errors.BadRequest(f"json: cannot unmarshal {_go_type(node)} into Go struct field "
                                "Binding.target.name of type string")
    if not node:
        raise errors.Invalid("Binding", "", t.name, [errors.required("target.name")])
    current_cluster().store.bind(t.namespace, t.name, node)
    return _json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, 201)


def evict(t: Target):
    """pods/eviction (kubectl drain): a graceful delete honouring the Eviction's deleteOptions,
    refused with 429 while the pod's PodDisruptionBudget allows no disruption (engine.eviction)."""
    body = _body()
    if not isinstance(body, dict) or body.get("kind") not in (None, "Eviction"):
        raise errors.BadRequest("the body of the request must be an Eviction")
    md = body.get("metadata") or {}
    if isinstance(md, dict) and md.get("name") not in (None, t.name):
        raise errors.BadRequest("name in URL does not match name in Eviction object")
    opts = body.get("deleteOptions") or {}
    if not isinstance(opts, dict):
        raise errors.BadRequest(f"json: cannot unmarshal {_go_type(opts)} into Go struct field "
                                "Eviction.deleteOptions of type v1.DeleteOptions")
    grace = opts.get("gracePeriodSeconds")
    if isinstance(grace, int) and not 0 <= grace <= MAX_GRACE:
        raise errors.BadRequest(f"gracePeriodSeconds {grace} is out of range")
    pre = opts.get("preconditions")
    cluster = current_cluster()
    result = eviction.evict(cluster.store, t.namespace, t.name, now=cluster.clock.now(),
                            grace_period_seconds=grace if isinstance(grace, int) else None,
                            preconditions=pre if isinstance(pre, dict) else None,
                            dry_run=opts.get("dryRun") == ["All"] or _dry_run())
    return _json(result, result["code"])
