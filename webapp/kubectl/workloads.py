"""Imperative workload commands: run, create deployment|namespace, expose, scale, set image,
delete. Objects are built as kubectl's generators build them (k/kubectl `pkg/cmd/run/run.go`,
`pkg/cmd/create/create_deployment.go`, `pkg/cmd/expose/expose.go`) and written straight to the
store; outputs are kubectl's `<kind>/<name> <verb>` lines.
"""
from __future__ import annotations

from engine import errors, objects, resources as kinds
from . import output, resolve
from .cli import Ctx, Flag, UsageError, command, given
from .errors import CommandError, render

DRY_RUN = Flag("dry-run")
OUTPUT = Flag("output", "o")


def _dry_run(flags: dict) -> str:
    """`none` / `client` / `server` (`--dry-run` alone means client, as kubectl still accepts)."""
    v = flags.get("dry-run")
    if v in (None, "", "none", "false"):
        return "none"
    if v in ("client", "true", "unchanged"):
        return "client"
    if v == "server":
        return "server"
    raise CommandError(f'Invalid dry-run value ({v}). Must be "none", "server", or "client".')


def _finish(ctx: Ctx, flags: dict, obj: dict, verb: str, mode: str) -> None:
    """Print the created object as kubectl's printer would: -o yaml/json/name, or `kind/name verb`."""
    fmt = flags.get("output") or ""
    rt = kinds.for_kind(obj["apiVersion"], obj["kind"])
    if fmt in ("yaml", "json"):
        obj = ctx.in_client_frame(obj)
        ctx.write(output.to_yaml(obj) if fmt == "yaml" else output.to_json(obj))
        return
    name = f"{resolve.kind_string(rt)}/{obj['metadata']['name']}"
    if fmt == "name":
        ctx.print(name)
        return
    if fmt:
        raise CommandError(f'unable to match a printer suitable for the output format "{fmt}", '
                           "allowed formats are: json,name,yaml")
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")
    ctx.print(f"{name} {verb}{suffix}")


def _create(ctx: Ctx, flags: dict, obj: dict, verb: str = "created", manager: str = "kubectl-create") -> dict:
    """Send a generated object (Go-serialised, with its null/empty placeholders) to the store."""
    mode = _dry_run(flags)
    if mode == "client":
        _finish(ctx, flags, obj, verb, mode)
        return obj
    sent = _without_placeholders(obj)
    if kinds.for_kind(sent["apiVersion"], sent["kind"]).namespaced:
        sent["metadata"]["namespace"] = ctx.namespace
    created = ctx.store.create(sent, dry_run=mode == "server", manager=manager)
    _finish(ctx, flags, created if flags.get("output") in ("yaml", "json") else obj, verb, mode)
    return created


def _without_placeholders(obj):
    """Drop what Go's encoder adds for empty structs (`creationTimestamp: null`, `status: {}`,
    `resources: {}`, `strategy: {}`): the apiserver ignores them, our store need not see them."""
    if isinstance(obj, dict):
        return {k: _without_placeholders(v) for k, v in obj.items() if v is not None and v != {}}
    if isinstance(obj, list):
        return [_without_placeholders(v) for v in obj]
    return obj


def parse_labels(spec: str) -> dict:
    """generate.ParseLabels: `a=b,c=d`."""
    out = {}
    for part in spec.split(","):
        k, eq, v = part.partition("=")
        if not eq or not k:
            raise CommandError(f"invalid label spec: {part}")
        out[k] = v
    return out


def _one_name(args: list[str]) -> str:
    if len(args) != 1:
        raise UsageError(f"exactly one NAME is required, got {len(args)}")
    return args[0]


# ---- run ----------------------------------------------------------------------------------------

@command("run", Flag("image"), Flag("labels", "l"), Flag("port"), Flag("env", kind="list"),
         Flag("restart"), Flag("command", kind="bool"), Flag("expose", kind="bool"),
         Flag("image-pull-policy"), Flag("annotations", kind="list"), DRY_RUN, OUTPUT,
         Flag("rm", kind="bool"), Flag("stdin", "i", "bool"), Flag("tty", "t", "bool"), Flag("attach", kind="bool"))
def run(ctx: Ctx, args: list[str], flags: dict) -> int:
    if not flags.get("image"):          # cobra checks required flags before the command runs
        raise CommandError('required flag(s) "image" not set')
    if not args:
        raise UsageError("NAME is required for run")
    if flags.get("stdin") or flags.get("tty") or flags.get("attach") or flags.get("rm"):
        raise CommandError("attaching to a container (-i, -t, --attach, --rm) is not available in the "
                           "kubeplay terminal")
    name, extra = args[0], flags.get("--") or args[1:]
    labels = parse_labels(flags["labels"]) if flags.get("labels") else {"run": name}
    restart = flags.get("restart") or "Always"
    if restart not in ("Always", "OnFailure", "Never"):
        raise CommandError(f"invalid restart policy: {restart}")
    if flags.get("expose") and not flags.get("port"):
        raise CommandError("--port must be set when exposing a service")
    container: dict = {"image": flags["image"], "name": name, "resources": {}}
    if flags.get("env"):
        container["env"] = [{"name": k, "value": v} for k, _, v in (e.partition("=") for e in flags["env"])]
    if flags.get("image-pull-policy"):
        container["imagePullPolicy"] = flags["image-pull-policy"]
    if extra:
        container["command" if flags.get("command") else "args"] = list(extra)
    if flags.get("port"):
        container["ports"] = [{"containerPort": int(flags["port"]) if flags["port"].isdigit() else 0}]
    md: dict = {"creationTimestamp": None, "labels": labels, "name": name}
    if flags.get("annotations"):
        md["annotations"] = dict(a.partition("=")[::2] for a in flags["annotations"])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": md,
           "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
           "status": {}}
    if flags.get("expose"):
        port = int(flags["port"])
        svc = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"creationTimestamp": None, "name": name,
                            **({"labels": parse_labels(flags["labels"])} if flags.get("labels") else {})},
               "spec": {"ports": [{"port": port, "protocol": "TCP", "targetPort": port}], "selector": labels},
               "status": {"loadBalancer": {}}}
    _create(ctx, flags, pod, manager="kubectl-run")
    if flags.get("expose"):
        _create(ctx, flags, svc, manager="kubectl-run")
    return 0


# ---- create -------------------------------------------------------------------------------------

@command("create deployment", Flag("image", kind="list"), Flag("replicas", "r", "int", 1),
         Flag("port", kind="int", default=-1), DRY_RUN, OUTPUT)
def create_deployment(ctx: Ctx, args: list[str], flags: dict) -> int:
    if not flags.get("image"):
        raise CommandError('required flag(s) "image" not set')
    name = _one_name(args)
    labels = {"app": name}
    containers = []
    for image in flags["image"]:
        cname = image.split("/")[-1].split(":")[0].split("@")[0]
        if "_" in cname or "." in cname:
            cname = cname.replace("_", "-").replace(".", "-") + "-" + objects.random_suffix()
        c: dict = {"image": image, "name": cname, "resources": {}}
        if flags.get("--"):
            c["command"] = list(flags["--"])
        containers.append(c)
    if flags["port"] >= 0 and containers:
        containers[0]["ports"] = [{"containerPort": flags["port"]}]
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"creationTimestamp": None, "labels": dict(labels), "name": name},
              "spec": {"replicas": flags["replicas"], "selector": {"matchLabels": dict(labels)},
                       "strategy": {},
                       "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)},
                                    "spec": {"containers": containers}}},
              "status": {}}
    try:
        _create(ctx, flags, deploy)
    except errors.ApiError as e:        # the typed client's error, wrapped (create_deployment.go)
        raise CommandError(f"failed to create deployment: {e.message}") from None
    return 0


@command("create namespace", DRY_RUN, OUTPUT)
def create_namespace(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    _create(ctx, flags, {"apiVersion": "v1", "kind": "Namespace",
                         "metadata": {"creationTimestamp": None, "name": name}, "spec": {}, "status": {}})
    return 0


@command("create", Flag("filename", "f", "list"), DRY_RUN, OUTPUT)
def create(ctx: Ctx, args: list[str], flags: dict) -> int:
    if flags.get("filename"):
        raise CommandError("create -f is not available in the terminal: paste the YAML in the editor "
                           "and press Apply")
    what = args[0] if args else ""
    if what:
        raise CommandError(f'"kubectl create {what}" is not available in the kubeplay terminal '
                           "(available: create deployment, create namespace, create secret generic, "
                         "create serviceaccount, create token)")
    raise CommandError("must specify one of -f and -k")


# ---- expose -------------------------------------------------------------------------------------

def _selector_of(obj: dict) -> dict:
    kind = obj["kind"]
    if kind == "Pod":
        labels = objects.labels_of(obj)
        if not labels:
            raise CommandError("couldn't retrieve selectors via --selector flag or introspection: "
                               "the pod has no labels and cannot be exposed")
        return dict(labels)
    if kind == "Service":
        sel = (obj.get("spec") or {}).get("selector")
        if not sel:
            raise CommandError("couldn't retrieve selectors via --selector flag or introspection: "
                               "the service has no pod selector set")
        return dict(sel)
    sel = (obj.get("spec") or {}).get("selector") or {}
    if sel.get("matchExpressions"):
        raise CommandError("couldn't retrieve selectors via --selector flag or introspection: "
                           f"the {kind} has a selector with match expressions, which a Service cannot use")
    return dict(sel.get("matchLabels") or {})


def _ports_of(obj: dict) -> list[str]:
    if obj["kind"] == "Service":
        return [str(p.get("port")) for p in (obj.get("spec") or {}).get("ports") or []]
    spec = obj.get("spec") or {}
    pod_spec = spec if obj["kind"] == "Pod" else ((spec.get("template") or {}).get("spec") or {})
    return [str(p.get("containerPort")) for c in pod_spec.get("containers") or []
            for p in c.get("ports") or []]


@command("expose", Flag("port"), Flag("target-port"), Flag("type"), Flag("name"), Flag("protocol"),
         Flag("selector"), Flag("labels", "l"), Flag("external-ip"), Flag("cluster-ip"), DRY_RUN, OUTPUT)
def expose(ctx: Ctx, args: list[str], flags: dict) -> int:
    types, pairs = resolve.type_name_args(args)
    if not pairs:
        raise UsageError("You must provide one or more resources by argument or filename.\n"
                         "Example resource specifications include:\n   '-f rsrc.yaml'\n   "
                         "'--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    for rt, name in pairs:
        if rt.kind not in ("Deployment", "ReplicaSet", "Pod", "Service"):
            raise CommandError(f"cannot expose a {rt.kind}")
        obj = ctx.store.get(rt, ctx.namespace, name)
        selector = parse_labels(flags["selector"]) if flags.get("selector") else _selector_of(obj)
        if flags.get("port"):
            ports = [flags["port"]]
        else:
            ports = _ports_of(obj)
            if not ports:
                raise CommandError("couldn't find port via --port flag or introspection")
        svc_ports = []
        for i, p in enumerate(ports):
            if not p.isdigit():
                raise CommandError(f'strconv.Atoi: parsing "{p}": invalid syntax')
            sp: dict = {"port": int(p), "protocol": flags.get("protocol") or "TCP"}
            if len(ports) > 1:
                sp = {"name": f"port-{i + 1}", **sp}
            tp = flags.get("target-port")
            sp["targetPort"] = (int(tp) if tp.isdigit() else tp) if tp else int(p)
            svc_ports.append(sp)
        labels = parse_labels(flags["labels"]) if flags.get("labels") else dict(objects.labels_of(obj))
        svc_name = flags.get("name") or name[:63]
        spec: dict = {"ports": svc_ports, "selector": selector}
        if flags.get("type"):
            spec["type"] = flags["type"]
        if flags.get("cluster-ip"):
            spec["clusterIP"] = flags["cluster-ip"]
        if flags.get("external-ip"):
            spec["externalIPs"] = [flags["external-ip"]]
        md: dict = {"creationTimestamp": None, "name": svc_name}
        if labels:
            md["labels"] = labels
        svc = {"apiVersion": "v1", "kind": "Service", "metadata": md, "spec": spec,
               "status": {"loadBalancer": {}}}
        _create(ctx, flags, svc, "exposed", manager="kubectl-expose")
    return 0


# ---- scale --------------------------------------------------------------------------------------

SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")


@command("scale", Flag("replicas", kind="int", default=-1), Flag("current-replicas", kind="int", default=-1),
         Flag("selector", "l"), Flag("all", kind="bool"), Flag("resource-version"), Flag("timeout"), DRY_RUN, OUTPUT)
def scale(ctx: Ctx, args: list[str], flags: dict) -> int:
    if not given(flags, "replicas"):
        raise CommandError('required flag(s) "replicas" not set')
    if flags["replicas"] < 0:
        raise CommandError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    if flags["current-replicas"] < -1:
        raise CommandError("The --current-replicas must specify an integer of -1 or greater")
    targets = _targets(ctx, args, flags)
    if not targets:
        raise CommandError("no objects passed to scale")
    for rt, obj in targets:
        if rt.kind not in SCALABLE:
            raise CommandError(f'no scaler has been implemented for {{"{rt.group}" "{rt.kind}"}}')
        name = objects.name_of(obj)
        current = (obj.get("spec") or {}).get("replicas", 1)
        if flags["current-replicas"] != -1 and flags["current-replicas"] != current:
            raise CommandError(f"Expected replicas to be {flags['current-replicas']}, was {current}")
        mode = _dry_run(flags)
        if mode != "client":
            ctx.store.patch(rt, objects.namespace_of(obj), name, "merge", {"spec": {"replicas": flags["replicas"]}},
                            dry_run=mode == "server", subresource="scale", manager="kubectl")
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")
        ctx.print(f"{resolve.kind_string(rt)}/{name} scaled{suffix}")
    return 0


def _targets(ctx: Ctx, args: list[str], flags: dict) -> list[tuple[kinds.ResourceType, dict]]:
    """The objects `TYPE NAME...`, `TYPE/NAME...`, `TYPE -l sel` or `TYPE --all` name (GETs first,
    as the resource builder does; a NotFound stops the command)."""
    types, pairs = resolve.type_name_args(args)
    if not types and not pairs:
        raise UsageError("You must provide one or more resources by argument or filename.\n"
                         "Example resource specifications include:\n   '-f rsrc.yaml'\n   "
                         "'--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    if pairs:
        return [(rt, ctx.store.get(rt, ctx.namespace if rt.namespaced else "", name)) for rt, name in pairs]
    if not flags.get("selector") and not flags.get("all"):
        raise CommandError("resource(s) were provided, but no name was specified")
    out = []
    for rt in types:
        items, _ = ctx.store.list(rt, ctx.namespace if rt.namespaced else None,
                                  label_selector=flags.get("selector") or None)
        out += [(rt, o) for o in items]
    return out


# ---- set image ----------------------------------------------------------------------------------

_POD_TEMPLATE_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


@command("set image", Flag("all", kind="bool"), Flag("selector", "l"), Flag("local", kind="bool"), DRY_RUN, OUTPUT)
def set_image(ctx: Ctx, args: list[str], flags: dict) -> int:
    resources = [a for a in args if "=" not in a]
    pairs = [a.split("=", 1) for a in args if "=" in a]
    problems = []
    if not resources:
        problems.append("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if not pairs:
        problems.append("at least one image update is required")
    images = dict(pairs)
    if "*" in images and len(images) > 1:
        problems.append("all containers are already specified by *, but saw more than one "
                        "container_name=container_image pairs")
    if problems:
        raise CommandError(problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]")
    failures = []
    for rt, obj in _targets(ctx, resources, {**flags, "all": flags.get("all") or False}):
        if rt.kind not in _POD_TEMPLATE_KINDS + ("Pod",):
            failures.append(f"error: {rt.name}/{objects.name_of(obj)} the object does not have a pod spec")
            continue
        spec = obj.get("spec") or {}
        pod_spec = spec if rt.kind == "Pod" else ((spec.get("template") or {}).get("spec") or {})
        patch_spec: dict = {}
        for field in ("initContainers", "containers"):
            changed = []
            for c in pod_spec.get(field) or []:
                new = images.get(c["name"], images.get("*"))
                if new is not None and c.get("image") != new:
                    changed.append({"image": new, "name": c["name"]})
            if changed:
                patch_spec[f"$setElementOrder/{field}"] = [{"name": c["name"]} for c in pod_spec.get(field) or []]
                patch_spec[field] = changed
        names = {c["name"] for f in ("initContainers", "containers") for c in pod_spec.get(f) or []}
        for cname in images:
            if cname != "*" and cname not in names:
                failures.append(f'error: unable to find container named "{cname}"')
        if not patch_spec:
            continue
        patch = {"spec": patch_spec} if rt.kind == "Pod" else {"spec": {"template": {"spec": patch_spec}}}
        mode = _dry_run(flags)
        if mode != "client":
            try:
                ctx.store.patch(rt, objects.namespace_of(obj), objects.name_of(obj), "strategic", patch,
                                dry_run=mode == "server", manager="kubectl-set")
            except errors.ApiError as e:
                failures.append(f"failed to patch image update to pod template: {render(e)}")
                continue
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")
        ctx.print(f"{resolve.kind_string(rt)}/{objects.name_of(obj)} image updated{suffix}")
    for f in failures:
        ctx.print(f if f.startswith("error: ") else f"error: {f}")
    return 1 if failures else 0
