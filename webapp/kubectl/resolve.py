"""Resource names as kubectl's RESTMapper understands them: plural, singular, short name or kind
(any case), optionally qualified by group (`deployments.apps`, `deploy.apps`); `all` is the
category. Also the `TYPE NAME...` / `TYPE/NAME...` argument forms of ResourceTypeOrNameArgs."""
from __future__ import annotations

from engine import resources as kinds
from .errors import CommandError


def lookup(token: str) -> list[kinds.ResourceType]:
    """The resource types a (single) type token names; `all` expands to its category."""
    t = token.strip().lower()
    if t == "all":
        return [r for r in kinds.all_types() if "all" in r.categories]
    name, _, group = t.partition(".")
    for r in kinds.all_types():
        if group and r.group != group and not r.group.startswith(group):
            continue
        if name in (r.name, r.singular, r.kind.lower()) or name in r.short_names:
            return [r]
    raise CommandError(f'the server doesn\'t have a resource type "{token}"')


def one(token: str) -> kinds.ResourceType:
    return lookup(token)[0]


def kind_string(rt: kinds.ResourceType) -> str:
    """`deployment.apps` / `pod`: the lower-case GroupKind kubectl prints before `/name`."""
    return f"{rt.kind.lower()}.{rt.group}" if rt.group else rt.kind.lower()


def type_name_args(args: list[str]) -> tuple[list[kinds.ResourceType], list[tuple[kinds.ResourceType, str]]]:
    """ResourceTypeOrNameArgs: either `TYPE[,TYPE...] [NAME...]` → (types, []) when no names, or
    (…, [(type, name), …]); or `TYPE/NAME ...` pairs. Raises CommandError as kubectl does."""
    if not args:
        return [], []
    if "/" in args[0]:
        pairs = []
        for a in args:
            if "/" not in a:
                raise CommandError("there is no need to specify a resource type as a separate argument "
                                   "when passing arguments in resource/name form (e.g. 'kubectl get "
                                   "resource/<resource_name>' instead of 'kubectl get resource "
                                   "resource/<resource_name>'")
            t, _, name = a.partition("/")
            if not name:
                raise CommandError("arguments in resource/name form must have a single resource and name")
            pairs.append((one(t), name))
        return [], pairs
    if len(args) > 1 and any("/" in a for a in args[1:]):
        raise CommandError("there is no need to specify a resource type as a separate argument when "
                           "passing arguments in resource/name form (e.g. 'kubectl get "
                           "resource/<resource_name>' instead of 'kubectl get resource "
                           "resource/<resource_name>'")
    types: list[kinds.ResourceType] = []
    for tok in args[0].split(","):
        if tok:
            for r in lookup(tok):
                if r not in types:
                    types.append(r)
    names = args[1:]
    if not names:
        return types, []
    return types, [(r, n) for r in types for n in names]
