"""`kubectl auth whoami` and `kubectl auth can-i` in the page's terminal, answering as the
terminal's user — the kubeconfig's admin (webapp/api/authz.py ADMIN) — from the stored RBAC rules,
as the self-review resources do (webapp/api/reviews.py). Texts are kubectl's
(staging/src/k8s.io/kubectl/pkg/cmd/auth/whoami.go, cani.go); `can-i --list` is not here."""
from __future__ import annotations

from engine import objects, rbac
from engine import resources as kinds
from webapp.api import reviews
from webapp.api.authz import ADMIN

from .cli import Ctx, Flag, UsageError, command
from .errors import CommandError
from .output import to_json, to_yaml
from .tabwriter import TabWriter

# isKnownResourceVerb / isKnownNonResourceVerb (cani.go)
RESOURCE_VERBS = {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
                  "use", "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"}
NON_RESOURCE_VERBS = {"get", "put", "post", "head", "options", "delete", "patch", "*"}
NON_STANDARD_RESOURCES = {"users", "groups"}      # no REST resource, still asked about as is


def _warn(ctx: Ctx, message: str) -> None:
    # cani.go's messages end in "\n" and its WarningPrinter adds one more: a blank line follows
    ctx.print(f"Warning: {message}\n")


@command("auth whoami", Flag("output", "o"))
def whoami(ctx: Ctx, args: list[str], flags: dict) -> int:
    user = ADMIN
    info: dict = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    info["groups"] = list(user.groups)
    output = flags.get("output") or ""
    if output in ("json", "yaml"):
        review = {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                  "metadata": {"creationTimestamp": objects.iso(ctx.now())}, "status": {"userInfo": info}}
        review = ctx.in_client_frame(review)
        ctx.write(to_json(review) if output == "json" else to_yaml(review))
        return 0
    if output:
        raise CommandError(f'unable to match a printer suitable for the output format "{output}", '
                           "allowed formats are: json,yaml")
    w = TabWriter(minwidth=0, padding=3)
    w.write("ATTRIBUTE\tVALUE\n")
    w.write(f"Username\t{user.name}\n")
    if user.uid:
        w.write(f"UID\t{user.uid}\n")
    w.write("Groups\t[" + " ".join(user.groups) + "]\n")
    ctx.write(w.getvalue())
    return 0


def _resource_for(ctx: Ctx, arg: str) -> tuple[str, str, bool | None]:
    """(group, resource, namespaced or None when unknown): the RESTMapper's answer, or the
    argument as typed with kubectl's warning."""
    if arg == "*":
        return "", "*", None
    name, _, group = arg.lower().partition(".")
    for r in kinds.all_types():
        if (not group or r.group == group) and (name in (r.name, r.singular, r.kind.lower()) or name in r.short_names):
            return r.group, r.name, r.namespaced
    for g, _v, plural, _kind in reviews.RESOURCES:
        if (not group or g == group) and name in (plural, plural[:-1]):
            return g, plural, plural in reviews.NAMESPACED
    if arg.lower() not in NON_STANDARD_RESOURCES:
        where = f" in group '{group}'" if group else ""
        _warn(ctx, f"the server doesn't have a resource type '{name}'{where}")
    return "", arg, None


@command("auth can-i", Flag("all-namespaces", "A", "bool"), Flag("subresource"), Flag("quiet", "q", "bool"),
         Flag("list", kind="bool"), Flag("no-headers", kind="bool"))
def can_i(ctx: Ctx, args: list[str], flags: dict) -> int:
    if flags.get("list"):
        raise CommandError("the kubeplay terminal does not list rules (kubectl auth can-i --list); "
                           "run it with the real kubectl")
    if len(args) != 2:
        raise UsageError("you must specify two arguments: verb resource or verb resource/resourceName.")
    verb, target = args
    subresource = flags.get("subresource") or ""
    namespace = "" if flags.get("all-namespaces") else ctx.namespace
    if target.startswith("/"):
        if subresource:
            raise CommandError("--subresource can not be used with NonResourceURL")
        if verb not in NON_RESOURCE_VERBS:
            _warn(ctx, f"verb '{verb}' is not a known verb")
        attrs = rbac.Attributes(user=ADMIN, verb=verb, path=target, resource_request=False)
    else:
        type_arg, _, name = target.partition("/")
        group, resource, namespaced = _resource_for(ctx, type_arg)
        if flags.get("no-headers"):
            raise CommandError("--no-headers cannot be set without --list specified")
        if namespaced is False and not flags.get("all-namespaces"):
            where = f" in group '{group}'" if group else ""
            _warn(ctx, f"resource '{resource}' is not namespace scoped{where}")
        if verb not in RESOURCE_VERBS:
            _warn(ctx, f"verb '{verb}' is not a known verb")
        attrs = rbac.Attributes(user=ADMIN, verb=verb, resource=resource, subresource=subresource, name=name,
                                namespace=namespace, api_group=group)
    allowed, _reason = rbac.authorize(ctx.store, attrs)
    if not flags.get("quiet"):
        ctx.print("yes" if allowed else "no")
    return 0 if allowed else 1
