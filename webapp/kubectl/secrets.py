"""`kubectl create secret generic`, `create serviceaccount` and `create token` in the page's
terminal (k/kubectl pkg/cmd/create: create_secret.go, create_serviceaccount.go, create_token.go).
The terminal has no files, so a Secret's values come from `--from-literal` only."""
from __future__ import annotations

import base64
import re

from engine import tokens
from .cli import Ctx, Flag, command
from .errors import CommandError
from .workloads import DRY_RUN, OUTPUT, _create, _one_name

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")
_UNIT = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}


@command("create secret generic", Flag("from-literal", kind="list"), Flag("type"), DRY_RUN, OUTPUT)
def create_secret_generic(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    data: dict[str, str] = {}
    for literal in flags.get("from-literal") or ():
        key, sep, value = literal.partition("=")
        if not sep or not key:
            raise CommandError(f"invalid literal source {literal}, expected key=value")
        if key in data:
            raise CommandError(f'cannot add key {key}, another key by that name already exists in Data for Secret "{name}"')
        data[key] = base64.b64encode(value.encode()).decode()
    secret: dict = {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": name, "creationTimestamp": None}}
    if data:
        secret["data"] = data
    if flags.get("type"):
        secret["type"] = flags["type"]
    _create(ctx, flags, secret)
    return 0


def _create_service_account(ctx: Ctx, args: list[str], flags: dict) -> int:
    _create(ctx, flags, {"kind": "ServiceAccount", "apiVersion": "v1",
                         "metadata": {"name": _one_name(args), "creationTimestamp": None}})
    return 0


command("create serviceaccount", DRY_RUN, OUTPUT)(_create_service_account)
command("create sa", DRY_RUN, OUTPUT)(_create_service_account)


def _duration_seconds(text: str) -> int:
    """A Go duration (1h, 90m, 2h30m) as whole seconds, as `--duration` takes it."""
    if not text or _DURATION.sub("", text) != "":
        raise CommandError(f'invalid argument "{text}" for "--duration" flag: time: invalid duration "{text}"')
    seconds = sum(float(n) * _UNIT[u] for n, u in _DURATION.findall(text))
    if seconds != int(seconds):
        raise CommandError("--duration must be positive")
    return int(seconds)


@command("create token", Flag("duration"), Flag("audience", kind="list"))
def create_token(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    spec: dict = {}
    if flags.get("audience"):
        spec["audiences"] = list(flags["audience"])
    if flags.get("duration"):
        seconds = _duration_seconds(flags["duration"])
        if seconds <= 0:
            raise CommandError("--duration must be positive")
        spec["expirationSeconds"] = seconds
    answer = tokens.request_token(ctx.store, ctx.now(), ctx.namespace, name,
                                  {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec})
    ctx.print(answer["status"]["token"])
    return 0
