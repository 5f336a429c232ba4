"""`kubectl get`, after k/kubectl `pkg/cmd/get/get.go`.

Each requested type (or each named object) is one "info" holding a server-side Table, built by
the same code the API serves Tables with (webapp/api/tables.py). Human output prints the infos
in order through one tabwriter: a new kind flushes the columns and, if something was printed
already, leaves a blank line; `kind/` prefixes appear when more than one kind was asked for.
Nothing printed and no errors → `No resources found in <ns> namespace.`.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine import errors, resources as kinds
from webapp.api import metrics, reviews, tables
from . import output, resolve
from .cli import Ctx, Flag, UsageError, command
from .errors import CommandError, render
from .tabwriter import GET, TabWriter

OUTPUTS = ("", "wide", "yaml", "json", "name")


@dataclass
class Info:
    rt: kinds.ResourceType
    objects: list[dict]
    rv: int


@command("get", Flag("output", "o"), Flag("selector", "l"), Flag("all-namespaces", "A", "bool"),
         Flag("show-labels", kind="bool"), Flag("label-columns", "L", "list"), Flag("field-selector"),
         Flag("no-headers", kind="bool"), Flag("watch", "w", "bool"), Flag("ignore-not-found", kind="bool"),
         Flag("show-kind", kind="bool"), Flag("chunk-size"), Flag("sort-by"),
         Flag("show-managed-fields", kind="bool"))
def get(ctx: Ctx, args: list[str], flags: dict) -> int:
    fmt = flags.get("output") or ""
    if fmt not in OUTPUTS:
        raise CommandError(f'unable to match a printer suitable for the output format "{fmt}", allowed '
                           "formats are: json,name,wide,yaml (the kubeplay terminal's subset)")
    if not args:
        ctx.print('You must specify the type of resource to get. Use "kubectl api-resources" for a '
                  "complete list of supported resources.\n")
        raise UsageError('Required resource not specified.\nUse "kubectl explain <resource>" for a '
                         "detailed description of that resource (e.g. kubectl explain pods).")
    types, named = resolve.type_name_args(args)
    all_ns = bool(flags.get("all-namespaces"))
    selector, fields = flags.get("selector"), flags.get("field-selector")
    if named and (selector or fields):
        raise CommandError("name cannot be provided when a selector is specified")
    if named and all_ns:
        raise CommandError("a resource cannot be retrieved by name across all namespaces")

    infos: list[Info] = []
    failures: list[str] = []
    if named:
        for rt, name in named:
            try:
                obj = ctx.store.get(rt, _ns(ctx, rt, all_ns), name)
                infos.append(Info(rt, [obj], ctx.store.resource_version))
            except errors.NotFound as e:
                if not flags.get("ignore-not-found"):
                    failures.append(render(e))
    else:
        for rt in types:
            items, rv = ctx.store.list(rt, None if all_ns else _ns(ctx, rt, all_ns),
                                       label_selector=selector or None, field_selector=fields or None)
            infos.append(Info(rt, items, rv))

    if fmt in ("yaml", "json", "name"):
        _print_generic(ctx, fmt, infos, single=len(named) == 1 and len(args) <= 2, failures=failures,
                       managed_fields=bool(flags.get("show-managed-fields")))
    else:
        _print_tables(ctx, infos, flags, wide=fmt == "wide", all_ns=all_ns, failed=bool(failures))
    for f in failures:
        ctx.print(f)
    if flags.get("watch"):
        ctx.print("(the kubeplay terminal cannot stream: --watch shows the current state once)")
    return 1 if failures else 0


def _without_managed_fields(obj: dict) -> dict:
    md = obj.get("metadata") or {}
    if "managedFields" not in md:
        return obj
    return {**obj, "metadata": {k: v for k, v in md.items() if k != "managedFields"}}


def _ns(ctx: Ctx, rt: kinds.ResourceType, all_ns: bool) -> str:
    return "" if not rt.namespaced or all_ns else ctx.namespace


def _print_generic(ctx: Ctx, fmt: str, infos: list[Info], *, single: bool, failures: list[str],
                   managed_fields: bool = False) -> None:
    objects = [o for info in infos for o in info.objects]
    if not managed_fields:          # kubectl drops them unless --show-managed-fields
        objects = [_without_managed_fields(o) for o in objects]
    if single and failures:
        return
    if fmt == "name":
        by_kind = {info.rt.kind: info.rt for info in infos}
        for o in objects:
            ctx.print(f"{resolve.kind_string(by_kind[o['kind']])}/{o['metadata']['name']}")
        return
    value = objects[0] if single and len(objects) == 1 else output.as_list(objects)
    value = ctx.in_client_frame(value)
    ctx.write(output.to_yaml(value) if fmt == "yaml" else output.to_json(value))


def _print_tables(ctx: Ctx, infos: list[Info], flags: dict, *, wide: bool, all_ns: bool,
                  failed: bool) -> None:
    with_kind = flags.get("show-kind") or len({i.rt for i in infos}) > 1
    now = ctx.now()
    written = ""
    tw = None
    last_rt = None
    last_columns = None
    printed_headers = False
    separator = False

    def flush():
        nonlocal written, separator
        if tw is None:
            return
        text = tw.getvalue()
        if text:
            if separator:
                text = "\n" + text
                separator = False
            written += text

    for info in infos:
        if info.rt is not last_rt:
            flush()
            tw = TabWriter(*GET)
            if last_rt is not None and not flags.get("no-headers") and written:
                separator = True
            last_rt, last_columns, printed_headers = info.rt, None, False
        table = tables.table(info.rt, info.objects, now=now, resource_version=str(info.rv))
        columns = table["columnDefinitions"]
        headers = not flags.get("no-headers") and not (printed_headers and columns == last_columns)
        last_columns = columns
        if table["rows"]:
            printed_headers = True
        lines = output.table_lines(
            table, wide=wide, with_namespace=all_ns and info.rt.namespaced,
            kind_prefix=resolve.kind_string(info.rt) if with_kind else None,
            show_labels=bool(flags.get("show-labels")), label_columns=flags.get("label-columns") or [],
            headers=headers)
        for line in lines:
            tw.write(line + "\n")
    flush()
    ctx.write(written)
    if not written and not failed:
        if not all_ns and all(i.rt.namespaced for i in infos):
            ctx.print(f"No resources found in {ctx.namespace} namespace.")
        else:
            ctx.print("No resources found")


@command("api-resources", Flag("namespaced", kind="string"), Flag("output", "o"), Flag("no-headers", kind="bool"),
         Flag("api-group"))
def api_resources(ctx: Ctx, args: list[str], flags: dict) -> int:
    tw = TabWriter(*GET)
    if not flags.get("no-headers"):
        tw.write("NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND\n")
    # the create-only review kinds, which discovery lists beside the stored ones
    rows = list(kinds.all_types()) + [kinds.ResourceType(plural, plural[:-1], kind, g, v, plural in reviews.NAMESPACED)
                                  for g, v, plural, kind in reviews.RESOURCES]
    # and the metrics API's (metrics-server's, in a real cluster)
    rows += [kinds.ResourceType(plural, "", kind, metrics.GROUP, metrics.VERSION, namespaced)
             for plural, kind, namespaced in metrics.RESOURCES]
    for rt in sorted(rows, key=lambda r: (r.group, r.name)):
        if flags.get("api-group") is not None and rt.group != flags["api-group"]:
            continue
        if flags.get("namespaced") in ("true", "false") and str(rt.namespaced).lower() != flags["namespaced"]:
            continue
        if flags.get("output") == "name":
            ctx.print(f"{rt.name}.{rt.group}" if rt.group else rt.name)
            continue
        tw.write(f"{rt.name}\t{','.join(rt.short_names)}\t{rt.api_version}\t{str(rt.namespaced).lower()}\t{rt.kind}\n")
    ctx.write(tw.getvalue() if flags.get("output") != "name" else "")
    return 0


@command("version", Flag("client", kind="bool"), Flag("output", "o"))
def version(ctx: Ctx, args: list[str], flags: dict) -> int:
    ctx.print("Client Version: v1.32.0-kubeplay\nKustomize Version: v5.5.0")
    if not flags.get("client"):
        ctx.print("Server Version: v1.32.0-kubeplay")
    return 0
