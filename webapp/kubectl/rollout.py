"""`kubectl rollout status|history|undo|pause|resume|restart` for Deployments, after k/kubectl
`pkg/cmd/rollout` and `pkg/polymorphichelpers` (rollout_status.go, history.go, rollback.go,
objectpauser.go, objectresumer.go, objectrestarter.go).

`rollout status` never blocks here: it prints the line kubectl would print for the Deployment's
current state (what `--watch=false` does) and exits 0, or 1 once the progress deadline passed.
"""
from __future__ import annotations

from engine import objects, resources as resource_types
from engine import deployments
from . import resolve
from .cli import Ctx, Flag, UsageError, command
from .describe import Writer, pod_template
from .errors import CommandError

CHANGE_CAUSE = "kubernetes.io/change-cause"


def _workloads(ctx: Ctx, args: list[str], what: str, kinds=(resource_types.DEPLOYMENT,)) -> list[dict]:
    if not args:
        raise UsageError("required resource not specified")
    types, pairs = resolve.type_name_args(args)
    if not pairs:
        raise CommandError("resource(s) were provided, but no name was specified")
    out = []
    for rt, name in pairs:
        if rt not in kinds:
            gk = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
            raise CommandError(f"no {what} has been implemented for {gk}")
        out.append(ctx.store.get(rt, ctx.namespace, name))
    return out


def _deployments(ctx: Ctx, args: list[str], what: str) -> list[dict]:
    return _workloads(ctx, args, what)


def daemonset_status_line(ds: dict) -> tuple[str, bool]:
    name, spec, status = objects.name_of(ds), ds.get("spec") or {}, ds.get("status") or {}
    if ((spec.get("updateStrategy") or {}).get("type") or "RollingUpdate") != "RollingUpdate":
        raise CommandError("rollout status is only available for RollingUpdate strategy type")
    if (ds.get("metadata") or {}).get("generation", 0) <= status.get("observedGeneration", 0):
        updated, desired = status.get("updatedNumberScheduled", 0), status.get("desiredNumberScheduled", 0)
        if updated < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods '
                    "have been updated..."), False
        if status.get("numberAvailable", 0) < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {status.get("numberAvailable", 0)} of '
                    f"{desired} updated pods are available..."), False
        return f'daemon set "{name}" successfully rolled out', True
    return "Waiting for daemon set spec update to be observed...", False


def statefulset_status_line(sts: dict) -> tuple[str, bool]:
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if (strategy.get("type") or "RollingUpdate") != "RollingUpdate":
        raise CommandError("rollout status is only available for RollingUpdate strategy type")
    generation = (sts.get("metadata") or {}).get("generation", 0)
    if not status.get("observedGeneration") or generation > status["observedGeneration"]:
        return "Waiting for statefulset spec update to be observed...", False
    replicas = spec.get("replicas", 1)
    if status.get("readyReplicas", 0) < replicas:
        return f"Waiting for {replicas - status.get('readyReplicas', 0)} pods to be ready...", False
    if strategy.get("rollingUpdate") is not None:
        partition = (strategy["rollingUpdate"] or {}).get("partition")
        if partition is not None and status.get("updatedReplicas", 0) < replicas - partition:
            return (f"Waiting for partitioned roll out to finish: {status.get('updatedReplicas', 0)} out of "
                    f"{replicas - partition} new pods have been updated..."), False
        return f"partitioned roll out complete: {status.get('updatedReplicas', 0)} new pods have been updated...", True
    if status.get("updateRevision") != status.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete {status.get('updatedReplicas', 0)} pods "
                f"at revision {status.get('updateRevision', '')}..."), False
    return (f"statefulset rolling update complete {status.get('currentReplicas', 0)} pods at revision "
            f"{status.get('currentRevision', '')}..."), True


def status_line(d: dict, revision: int = 0) -> tuple[str, bool]:
    """DeploymentStatusViewer.Status: (message, done); raises CommandError as kubectl errors."""
    name = objects.name_of(d)
    if revision > 0:
        current = deployments.revision_of(d) or 0
        if revision != current:
            raise CommandError(f"desired revision ({revision}) is different from the running revision ({current})")
    md, status = d.get("metadata") or {}, d.get("status") or {}
    if md.get("generation", 0) <= status.get("observedGeneration", 0):
        cond = deployments.get_condition(status, deployments.PROGRESSING)
        if cond and cond.get("reason") == deployments.TIMED_OUT:
            raise CommandError(f'deployment "{name}" exceeded its progress deadline')
        replicas, updated = deployments.replicas(d), status.get("updatedReplicas", 0)
        if updated < replicas:
            return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} new '
                    "replicas have been updated..."), False
        if status.get("replicas", 0) > updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {status["replicas"] - updated} old '
                    "replicas are pending termination..."), False
        if status.get("availableReplicas", 0) < updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {status.get("availableReplicas", 0)} '
                    f"of {updated} updated replicas are available..."), False
        return f'deployment "{name}" successfully rolled out', True
    return "Waiting for deployment spec update to be observed...", False


@command("rollout status", Flag("revision", kind="int", default=0), Flag("watch", "w", "bool", True),
         Flag("timeout"))
def rollout_status(ctx: Ctx, args: list[str], flags: dict) -> int:
    if flags["revision"] < 0:
        raise CommandError(f"revision must be a positive integer: {flags['revision']}")
    for obj in _workloads(ctx, args, "status viewer", (resource_types.DEPLOYMENT, resource_types.STATEFULSET, resource_types.DAEMONSET)):
        if obj["kind"] == "StatefulSet":
            text, _ = statefulset_status_line(obj)
        elif obj["kind"] == "DaemonSet":
            text, _ = daemonset_status_line(obj)
        else:
            text, _ = status_line(obj, flags["revision"])
        ctx.print(text)
    return 0


def _owned_replica_sets(ctx: Ctx, d: dict) -> list[dict]:
    items, _ = ctx.store.list(resource_types.REPLICASET, objects.namespace_of(d))
    return [rs for rs in items if (objects.controller_of(rs) or {}).get("uid") == objects.uid_of(d)]


@command("rollout history", Flag("revision", kind="int", default=0), Flag("output", "o"))
def rollout_history(ctx: Ctx, args: list[str], flags: dict) -> int:
    if flags["revision"] < 0:
        raise CommandError(f"revision must be a positive integer: {flags['revision']}")
    for d in _deployments(ctx, args, "history viewer"):
        history: dict[int, dict] = {}
        for rs in _owned_replica_sets(ctx, d):
            rev = deployments.revision_of(rs)
            if rev is None:
                continue
            template = objects.clone((rs.get("spec") or {}).get("template") or {})
            cause = ((rs.get("metadata") or {}).get("annotations") or {}).get(CHANGE_CAUSE)
            if cause:
                template.setdefault("metadata", {}).setdefault("annotations", {})[CHANGE_CAUSE] = cause
            history[rev] = template
        if not history:
            text = "No rollout history found."
        elif flags["revision"] > 0:
            if flags["revision"] not in history:
                raise CommandError("unable to find the specified revision")
            w = Writer(tabbed=False)
            pod_template(w, history[flags["revision"]])
            text = w.text()
        else:
            w = Writer()
            w.write(0, "REVISION\tCHANGE-CAUSE\n")
            for rev in sorted(history):
                cause = ((history[rev].get("metadata") or {}).get("annotations") or {}).get(CHANGE_CAUSE) or "<none>"
                w.write(0, f"{rev}\t{cause}\n")
            text = w.text()
        with_revision = f"with revision #{flags['revision']}" if flags["revision"] > 0 else ""
        ctx.print(f"deployment.apps/{objects.name_of(d)} {with_revision}\n{text}")
    return 0


@command("rollout undo", Flag("to-revision", kind="int", default=0), Flag("dry-run"))
def rollout_undo(ctx: Ctx, args: list[str], flags: dict) -> int:
    to = flags["to-revision"]
    for d in _deployments(ctx, args, "rollbacker"):
        name = objects.name_of(d)
        if to < 0:
            raise CommandError(f"unable to find specified revision {to} in history")
        rss = _owned_replica_sets(ctx, d)
        target = None
        if to > 0:
            target = next((rs for rs in rss if deployments.revision_of(rs) == to), None)
            if target is None:
                raise CommandError(f"unable to find specified revision {to} in history")
        else:
            ranked = sorted((rs for rs in rss if deployments.revision_of(rs) is not None), key=deployments.revision_of, reverse=True)
            if len(ranked) < 2:
                raise CommandError(f'no rollout history found for deployment "{name}"')
            target = ranked[1]
        if (d.get("spec") or {}).get("paused"):
            raise CommandError("you cannot rollback a paused deployment; resume it first with "
                               "'kubectl rollout resume' and try again")
        template = (target.get("spec") or {}).get("template") or {}
        if deployments.equal_ignore_hash(template, (d.get("spec") or {}).get("template") or {}):
            ctx.print(f"deployment.apps/{name} skipped rollback (current template already matches "
                      f"revision {deployments.revision_of(target)})")
            continue
        template = objects.clone(template)
        (template.get("metadata") or {}).get("labels", {}).pop(deployments.HASH_LABEL, None)
        annotations = {k: v for k, v in ((d.get("metadata") or {}).get("annotations") or {}).items()
                       if k in deployments.ANNOTATIONS_TO_SKIP}
        annotations.update({k: v for k, v in ((target.get("metadata") or {}).get("annotations") or {}).items()
                            if k not in deployments.ANNOTATIONS_TO_SKIP})
        if flags.get("dry-run") not in ("client", "true"):
            ctx.store.patch(resource_types.DEPLOYMENT, objects.namespace_of(d), name, "json", [
                {"op": "replace", "path": "/spec/template", "value": template},
                {"op": "replace", "path": "/metadata/annotations", "value": annotations}],
                dry_run=flags.get("dry-run") == "server", manager="kubectl")     # undo names no manager
        ctx.print(f"deployment.apps/{name} rolled back")
    return 0


def _set_paused(ctx: Ctx, args: list[str], paused: bool) -> int:
    failures = []
    for d in _deployments(ctx, args, "pauser" if paused else "resumer"):
        name = objects.name_of(d)
        if bool((d.get("spec") or {}).get("paused")) == paused:
            failures.append(f'error: deployments.apps "{name}" {"is already paused" if paused else "is not paused"}')
            continue
        ctx.store.patch(resource_types.DEPLOYMENT, objects.namespace_of(d), name, "strategic",
                        {"spec": {"paused": True if paused else None}}, manager="kubectl-rollout")
        ctx.print(f"deployment.apps/{name} {'paused' if paused else 'resumed'}")
    for f in failures:
        ctx.print(f)
    return 1 if failures else 0


@command("rollout pause")
def rollout_pause(ctx: Ctx, args: list[str], flags: dict) -> int:
    return _set_paused(ctx, args, True)


@command("rollout resume")
def rollout_resume(ctx: Ctx, args: list[str], flags: dict) -> int:
    return _set_paused(ctx, args, False)


@command("rollout restart")
def rollout_restart(ctx: Ctx, args: list[str], flags: dict) -> int:
    for obj in _workloads(ctx, args, "restarter", (resource_types.DEPLOYMENT, resource_types.STATEFULSET, resource_types.DAEMONSET)):
        rt, name = resource_types.of(obj), objects.name_of(obj)
        if (obj.get("spec") or {}).get("paused"):
            raise CommandError(f'deployments.apps "{name}" can\'t restart paused deployment '
                               "(run rollout resume first)")
        ctx.store.patch(rt, objects.namespace_of(obj), name, "strategic", {"spec": {"template": {"metadata": {
            "annotations": {"kubectl.kubernetes.io/restartedAt": objects.iso(ctx.now())}}}}}, manager="kubectl-rollout")
        ctx.print(f"{resolve.kind_string(rt)}/{name} restarted")
    return 0
