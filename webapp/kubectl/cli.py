"""The command line: split it as a shell would, parse flags as pflag does, dispatch as cobra does.

Every command is a function `fn(ctx, args, flags) -> exit code` registered with `@command`;
it writes what kubectl would print (stdout and stderr interleaved, in order) through `ctx`.
Errors are raised and printed here once, as kubectl's CheckErr prints them:

- `CommandError("text")` → `error: text`;
- `UsageError` → `error: text` + `See 'kubectl <cmd> -h' for help and examples`;
- `FlagError` → `error: text` + `See 'kubectl <cmd> --help' for usage.`;
- `engine.errors.ApiError` → `Error from server (Reason): message` / the Invalid layout.
"""
from __future__ import annotations

import contextvars
import logging
import shlex
from dataclasses import dataclass, field
from typing import Callable

from engine import api_warnings, errors
from webapp.api import timeshift
from .errors import CommandError, render

log = logging.getLogger("kubeplay.terminal")

# The seconds the real kubectl's timestamps are moved back by (webapp/api/timeshift.py): describe
# prints absolute times as kubectl receives them (ages, now - then, are the same in either frame).
# Set for each command by run().
FRAME_SHIFT: contextvars.ContextVar[int] = contextvars.ContextVar("frame_shift", default=0)

# Every top-level command real kubectl has: unknown ones get cobra's suggestions from this list,
# known but unsupported ones a plain explanation.
KUBECTL_COMMANDS = (
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale",
    "autoscale", "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint",
    "describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug", "events",
    "diff", "apply", "patch", "replace", "wait", "kustomize", "label", "annotate", "completion",
    "alpha", "api-resources", "api-versions", "config", "plugin", "version", "options")


class UsageError(CommandError):
    """A mistake in how the command was called (cmdutil.UsageErrorf)."""


class FlagError(CommandError):
    """pflag's parse errors (cobra prints them as `Error: ...`)."""


class PrintedError(CommandError):
    """An error kubectl prints as is (an aggregate: one line per error, no `error: ` prefix)."""


class UnknownCommand(CommandError):
    """cobra's `unknown command` for kubectl itself (printed as `Error: ...`)."""


@dataclass(frozen=True)
class Flag:
    name: str
    short: str = ""
    kind: str = "string"          # "bool" | "string" | "int" | "list" | "array" (StringArray: no comma split)
    default: object = None


GLOBAL_FLAGS = (
    Flag("namespace", "n"), Flag("context"), Flag("cluster"), Flag("user"), Flag("kubeconfig"),
    Flag("request-timeout"), Flag("v", "v"), Flag("server", "s"), Flag("insecure-skip-tls-verify", kind="bool"),
)


@dataclass
class Command:
    path: str                                  # "get", "rollout status", "create deployment"
    fn: Callable
    flags: tuple[Flag, ...]


COMMANDS: dict[str, Command] = {}


def command(path: str, *flags: Flag):
    def register(fn):
        COMMANDS[path] = Command(path, fn, flags)
        return fn
    return register


@dataclass
class Result:
    output: str
    exit_code: int


@dataclass
class Ctx:
    cluster: object
    namespace: str                     # effective namespace (-n, else the request's)
    explicit_namespace: bool
    path: str = ""
    out: list[str] = field(default_factory=list)
    # The apiserver's warnings for this command's writes (engine/api_warnings.py); kubectl's
    # warning handler prints each as `Warning: <text>` when the response arrives, so before
    # whatever the command prints next.
    warnings: api_warnings.Collected | None = None
    warned: int = 0

    @property
    def store(self):
        return self.cluster.store

    def flush_warnings(self) -> None:
        if self.warnings is not None:
            for text in self.warnings.texts[self.warned:]:
                self.out.append(f"Warning: {text}\n")
            self.warned = len(self.warnings.texts)

    def now(self) -> float:
        return self.cluster.clock.now()

    def in_client_frame(self, value):
        """An object as the real kubectl receives it: timestamps in its frame (timeshift.py)."""
        return timeshift.shifted(value, timeshift.clock_shift(self.cluster.clock))

    def print(self, text: str = "") -> None:
        """One line (or several) of output; a newline is added."""
        self.flush_warnings()
        self.out.append(text + "\n")

    def write(self, text: str) -> None:
        self.flush_warnings()
        self.out.append(text)


# ---------------------------------------------------------------------------------------------

def run(cluster, line: str, namespace: str = "default") -> Result:
    """Run one kubectl command line against the cluster, in-process."""
    ctx = Ctx(cluster, namespace or "default", False)
    ctx.warnings, token = api_warnings.begin()
    shift = FRAME_SHIFT.set(timeshift.clock_shift(cluster.clock))
    try:
        code = _run(ctx, line)
    except errors.ApiError as e:
        ctx.print(render(e))
        code = 1
    except FlagError as e:
        ctx.print(f"Error: {e}\nSee '{_cmd_name(ctx)} --help' for usage.")
        code = 1
    except UnknownCommand as e:
        ctx.print(f"Error: {e}")
        code = 1
    except PrintedError as e:
        ctx.print(str(e))
        code = 1
    except UsageError as e:
        ctx.print(f"error: {e}\nSee '{_cmd_name(ctx)} -h' for help and examples")
        code = 1
    except CommandError as e:
        ctx.print(render(e))
        code = 1
    except RecursionError:
        ctx.print("error: the command is nested too deeply")
        code = 1
    except Exception as e:          # a bug here must not look like a server failure to the page
        log.exception("terminal command failed: %r", line)
        ctx.print(f"error: the kubeplay terminal failed on this command ({type(e).__name__}: {e})")
        code = 1
    finally:
        api_warnings.end(token)
        FRAME_SHIFT.reset(shift)
    ctx.flush_warnings()
    return Result("".join(ctx.out), code)


def _cmd_name(ctx: Ctx) -> str:
    return f"kubectl {ctx.path}".rstrip()


def _run(ctx: Ctx, line: str) -> int:
    try:
        tokens = shlex.split(line)
    except ValueError as e:
        raise CommandError(f"cannot parse the command line: {e}") from None
    if tokens and tokens[0] == "kubectl":
        tokens = tokens[1:]
    if not tokens or tokens[0] in ("-h", "--help", "help"):
        ctx.write(HELP)
        return 0
    head, rest = _split_command(tokens)
    if head is None:
        raise UnknownCommand(f'unknown command "{rest[0]}" for "kubectl"')
    cmd = COMMANDS.get(head)
    if cmd is None:
        group = [p for p in COMMANDS if p.startswith(head + " ")]
        if group:                  # `kubectl rollout` alone or with an unknown subcommand
            ctx.path = head
            sub = next((t for t in rest if not t.startswith("-")), None)
            if sub is None:
                ctx.write(GROUP_HELP.get(head, f"Usage:\n  kubectl {head} SUBCOMMAND [options]\n"))
                return 0
            raise UsageError(f'unknown command "{sub}"')
        if head in ("apply", "replace", "edit"):
            raise CommandError(f'"kubectl {head}" works on files: paste the YAML in the editor and press '
                               "Apply (or run kubectl against the playground's API from your own shell)")
        if head in KUBECTL_COMMANDS:
            raise CommandError(f'"kubectl {head}" is not available in the kubeplay terminal; '
                               "try kubectl against the playground's API from your own shell")
        raise UnknownCommand(f'unknown command "{head}" for "kubectl"' + _suggest(head, KUBECTL_COMMANDS))
    ctx.path = head
    if "-h" in rest or "--help" in rest:
        ctx.print(f"Usage: kubectl {head} [options]\n\nFlags: "
                  + ", ".join(f"--{f.name}" for f in cmd.flags) if cmd.flags else f"Usage: kubectl {head}")
        return 0
    args, values = parse_flags(rest, cmd.flags + GLOBAL_FLAGS)
    if values.get("namespace"):
        ctx.namespace, ctx.explicit_namespace = values["namespace"], True
    code = cmd.fn(ctx, args, values)
    return code or 0


def _split_command(tokens: list[str]) -> tuple[str | None, list[str]]:
    """The command path (`get`, `rollout status`) and the remaining tokens. Global flags may
    come before the command (`kubectl -n dev get pods`)."""
    i, lead = 0, []
    while i < len(tokens) and tokens[i].startswith("-") and tokens[i] != "--":
        lead.append(tokens[i])
        name = tokens[i].lstrip("-").split("=", 1)[0]
        takes_value = any(f.kind != "bool" and name in (f.name, f.short) for f in GLOBAL_FLAGS)
        if takes_value and "=" not in tokens[i] and not (tokens[i].startswith("-") and not tokens[i].startswith("--")
                                                         and len(tokens[i]) > 2):
            if i + 1 < len(tokens):
                lead.append(tokens[i + 1])
                i += 1
        i += 1
    if i >= len(tokens):
        return "", lead
    head = tokens[i]
    rest = tokens[i + 1:]
    # Descend while a longer command path exists (`create secret generic`).
    while any(p.startswith(head + " ") for p in COMMANDS):
        for j, t in enumerate(rest):
            if not t.startswith("-") and any(p == f"{head} {t}" or p.startswith(f"{head} {t} ") for p in COMMANDS):
                head, rest = f"{head} {t}", rest[:j] + rest[j + 1:]
                break
            if not t.startswith("-"):
                return head, lead + rest
        else:
            break
    return head, lead + rest


def parse_flags(tokens: list[str], flags: tuple[Flag, ...]) -> tuple[list[str], dict]:
    """pflag with interspersed arguments: returns (positional args, values by long name).
    Tokens after `--` are positional and listed under values['--']."""
    by_long = {f.name: f for f in flags}
    by_short = {f.short: f for f in flags if f.short}
    values: dict = {f.name: ([] if f.kind in ("list", "array") else f.default) for f in flags}
    given: set[str] = set()
    args: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok == "--":
            values["--"] = tokens[i:]
            break
        if tok.startswith("--") and len(tok) > 2:
            name, eq, value = tok[2:].partition("=")
            f = by_long.get(name)
            if f is None:
                raise FlagError(f"unknown flag: --{name}")
            if not eq and f.kind != "bool":
                if i >= len(tokens):
                    raise FlagError(f"flag needs an argument: --{name}")
                value = tokens[i]
                i += 1
            _set(values, f, value if (eq or f.kind != "bool") else "true", f"--{name}")
            given.add(f.name)
        elif tok.startswith("-") and len(tok) > 1:
            j = 1
            while j < len(tok):
                c = tok[j]
                f = by_short.get(c)
                if f is None:
                    raise FlagError(f"unknown shorthand flag: '{c}' in {tok}")
                if f.kind == "bool":
                    if tok[j + 1:j + 2] == "=":
                        _set(values, f, tok[j + 2:], f"-{c}, --{f.name}")
                        break
                    _set(values, f, "true", f"-{c}, --{f.name}")
                    j += 1
                    continue
                value = tok[j + 1:]
                if value.startswith("="):
                    value = value[1:]
                elif not value:
                    if i >= len(tokens):
                        raise FlagError(f"flag needs an argument: '{c}' in -{c}")
                    value = tokens[i]
                    i += 1
                _set(values, f, value, f"-{c}, --{f.name}")
                given.add(f.name)
                break
        else:
            args.append(tok)
    values["__given__"] = given
    return args, values


def _set(values: dict, f: Flag, raw: str, shown: str) -> None:
    if f.kind == "bool":
        low = raw.lower()
        if low in ("1", "t", "true"):
            values[f.name] = True
        elif low in ("0", "f", "false"):
            values[f.name] = False
        else:
            raise FlagError(f'invalid argument "{raw}" for "{shown}" flag: strconv.ParseBool: '
                            f'parsing "{raw}": invalid syntax')
    elif f.kind == "int":
        try:
            values[f.name] = int(raw, 10)
        except ValueError:
            raise FlagError(f'invalid argument "{raw}" for "{shown}" flag: strconv.ParseInt: '
                            f'parsing "{raw}": invalid syntax') from None
    elif f.kind == "list":
        values[f.name] = values[f.name] + [v for v in raw.split(",")] if raw else values[f.name]
    elif f.kind == "array":
        values[f.name] = values[f.name] + [raw]
    else:
        values[f.name] = raw


def given(values: dict, name: str) -> bool:
    return name in values.get("__given__", ())


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca.lower() != cb.lower())))
        prev = cur
    return prev[-1]


def _suggest(typed: str, candidates) -> str:
    """cobra's `Did you mean this?` (Levenshtein distance <= 2, or a prefix)."""
    found = [c for c in candidates if _levenshtein(typed, c) <= 2 or c.startswith(typed.lower())]
    if not found:
        return ""
    return "\n\nDid you mean this?\n" + "".join(f"\t{c}\n" for c in found).rstrip("\n")


GROUP_HELP = {
    "rollout": """Manage the rollout of one or many resources.

 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets

Available Commands:
  history       View rollout history
  pause         Mark the provided resource as paused
  restart       Restart a resource
  resume        Resume a paused resource
  status        Show the status of the rollout
  undo          Undo a previous rollout

Usage:
  kubectl rollout SUBCOMMAND [options]
""",
    "set": """Configure application resources.

 These commands help you make changes to existing application resources.

Available Commands:
  image           Update the image of a pod template

Usage:
  kubectl set SUBCOMMAND [options]
""",
}

HELP = """kubectl controls the kubeplay cluster (in-page subset).

Basic Commands:
  create          Create a deployment, namespace, secret, service account or token (create deployment NAME --image=IMG)
  expose          Expose a deployment, replica set or pod as a new service
  run             Run a particular image on the cluster (a bare pod)
  set             Set a new image on a deployment (set image deployment/NAME c=img)
  get             Display one or many resources
  delete          Delete resources by type and name, or by label selector

Deploy Commands:
  rollout         Manage the rollout of a deployment (status, history, undo, pause, resume, restart)
  scale           Set a new size for a deployment or replica set

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Cluster Management Commands:
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  events          List events

Other Commands:
  api-resources   Print the supported API resources on the server
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]
"""
