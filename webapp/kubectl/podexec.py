"""`kubectl exec POD [-c CONTAINER] -- COMMAND [args...]` in the page's terminal: the command runs
in the container's shell (engine/kubelet/shell) and its output is printed once it ends, with
kubectl's `command terminated with exit code N`. The terminal has no keyboard stream, so `-t`
gets kubectl's own warning for a stdin that is not a terminal and the command runs without one;
a command still running after RUN_LIMIT seconds is stopped (say `sleep 1000`)."""
from __future__ import annotations

import threading

from engine import errors, objects, resources as kinds

from .cli import Ctx, Flag, UsageError, command
from .errors import CommandError

RUN_LIMIT = 10.0          # wall seconds a terminal command may run


@command("exec", Flag("container", "c"), Flag("stdin", "i", "bool"), Flag("tty", "t", "bool"),
         Flag("quiet", "q", "bool"))
def exec_(ctx: Ctx, args: list[str], flags: dict) -> int:
    argv = list(flags.get("--") or [])
    if not args:
        raise UsageError("expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'.\n"
                         "POD or TYPE/NAME is a required argument for the exec command")
    if not argv:
        raise UsageError("you must specify at least one command for the container")
    target = args[0].split("/", 1)[1] if args[0].startswith(("pod/", "pods/", "po/")) else args[0]
    try:
        pod = ctx.store.get(kinds.POD, ctx.namespace, target)
    except errors.NotFound:
        raise CommandError(f'error from server (NotFound): pods "{target}" not found in namespace '
                           f'"{ctx.namespace}"') from None
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CommandError(f"cannot exec into a container in a completed pod; current phase is {phase}")
    names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or ()]
    container = flags.get("container")
    if not container:
        default = ((pod.get("metadata") or {}).get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
        container = default if default in names else (names[0] if names else "")
        if len(names) > 1 and not flags.get("quiet"):
            ctx.print(f'Defaulted container "{container}" out of: {", ".join(names)}')
    if flags.get("tty"):
        ctx.print("Unable to use a TTY - input is not a terminal or the right kind of file")
    kubelet = ctx.cluster.controller("kubelet")
    try:
        proc = kubelet.exec(ctx.namespace, objects.name_of(pod), container, argv, tty=False, stdin=False)
    except errors.ApiError as e:
        if getattr(e, "plain_text", False):
            raise CommandError(f"unable to upgrade connection: {e.message}") from None
        raise
    if proc.failure:
        raise CommandError(f"Internal error occurred: {proc.failure}")
    out = bytearray()
    lock = threading.Lock()

    def write(data: bytes) -> None:
        with lock:
            out.extend(data)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(proc.run(write, write)), daemon=True)
    worker.start()
    worker.join(RUN_LIMIT)
    if worker.is_alive():
        proc.cancel()
        worker.join(2)
    text = out.decode(errors="replace")
    ctx.write(text)
    if not result:
        ctx.print(f"(the kubeplay terminal stopped the command after {RUN_LIMIT:g} seconds)")
        return 130
    code = result[0]
    if code:
        ctx.print(f"command terminated with exit code {code}")
    return code
