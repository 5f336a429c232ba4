"""`kubectl create job` (also `--from=cronjob/NAME`) and `kubectl create cronjob` for the page's
terminal, building the objects as k/kubectl `pkg/cmd/create/create_job.go` and
`create_cronjob.go` do."""
from __future__ import annotations

from engine import errors, objects, resources as kinds
from .cli import Ctx, Flag, command
from .errors import CommandError
from .workloads import DRY_RUN, OUTPUT, _create, _one_name

INSTANTIATE = "cronjob.kubernetes.io/instantiate"


def _container(name: str, image: str, cmd: list[str] | None) -> dict:
    c: dict = {"name": name, "image": image, "resources": {}}
    if cmd:
        c["command"] = list(cmd)
    return c


def _from_cronjob(ctx: Ctx, name: str, source: str) -> dict:
    """createJobFromCronJob: the CronJob's job template, a manual-instantiation annotation, and
    the CronJob as (non-blocking) controller owner."""
    kind, _, src = source.partition("/")
    if kind not in ("cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch") or not src:
        raise CommandError(f"from must be an existing cronjob: {source}")
    cj = ctx.store.try_get(kinds.CRONJOB, ctx.namespace, src)
    if cj is None:
        raise CommandError(f'cronjobs.batch "{src}" not found')
    jt = (cj.get("spec") or {}).get("jobTemplate") or {}
    jmd = jt.get("metadata") or {}
    annotations = {INSTANTIATE: "manual", **(jmd.get("annotations") or {})}
    md: dict = {"name": name, "annotations": annotations,
                "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": objects.name_of(cj),
                                     "uid": objects.uid_of(cj), "controller": True}]}
    if jmd.get("labels"):
        md["labels"] = dict(jmd["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": md,
            "spec": objects.clone(jt.get("spec") or {}), "status": {}}


@command("create job", Flag("image"), Flag("from"), DRY_RUN, OUTPUT)
def create_job(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    image, source, cmd = flags.get("image"), flags.get("from"), flags.get("--")
    if not image and not source:
        raise CommandError("either --image or --from must be specified")
    if image and source:
        raise CommandError("--image and --from are mutually exclusive")
    if cmd and source:
        raise CommandError("cannot specify --from and command")
    if source:
        job = _from_cronjob(ctx, name, source)
    else:
        job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"creationTimestamp": None, "name": name},
               "spec": {"template": {"metadata": {"creationTimestamp": None},
                                     "spec": {"containers": [_container(name, image, cmd)],
                                              "restartPolicy": "Never"}}},
               "status": {}}
    try:
        _create(ctx, flags, job)
    except errors.ApiError as e:
        raise CommandError(f"failed to create job: {e.message}") from None
    return 0


@command("create cronjob", Flag("image"), Flag("schedule"), Flag("restart"), DRY_RUN, OUTPUT)
def create_cronjob(ctx: Ctx, args: list[str], flags: dict) -> int:
    missing = [f'"{f}"' for f in ("image", "schedule") if not flags.get(f)]
    if missing:
        raise CommandError(f"required flag(s) {', '.join(missing)} not set")
    name = _one_name(args)
    restart = flags.get("restart") or "OnFailure"        # (the apiserver judges other values)
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"creationTimestamp": None, "name": name},
          "spec": {"schedule": flags["schedule"],
                   "jobTemplate": {"metadata": {"creationTimestamp": None, "name": name},
                                   "spec": {"template": {"metadata": {"creationTimestamp": None},
                                                         "spec": {"containers": [_container(name, flags["image"],
                                                                                            flags.get("--"))],
                                                                  "restartPolicy": restart}}}}},
          "status": {}}
    try:
        _create(ctx, flags, cj)
    except errors.ApiError as e:
        raise CommandError(f"failed to create cronjob: {e.message}") from None
    return 0
