"""The image catalog (engine/data/images.json): everything the simulated runtime knows about
container images, read from one data file so that adding an image is a data change.

The kubelet asks it which repositories and tags exist (pull rules, engine/kubelet/images.py),
what an image's process does when a pod gives it no command (engine/kubelet/programs.py), which
ports it listens on and how its HTTP server answers (probes), what its filesystem holds (the
container shell); usage.py asks what it uses (kubectl top). docs/images.md describes the format
and the rules. `validate()` is the file's schema check (a test runs it).
"""
from __future__ import annotations

import functools
import json
import os
import re

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "images.json")

DOES = ("serve", "run", "exit")


@functools.cache
def data() -> dict:
    with open(DATA_FILE, encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def _by_repository() -> dict[str, dict]:
    return {e["repository"]: e for e in data()["images"] if not e["repository"].endswith("*")}


@functools.cache
def _wildcards() -> tuple[dict, ...]:
    return tuple(e for e in data()["images"] if e["repository"].endswith("*"))


def lookup(repository: str) -> dict | None:
    """The catalog's entry for a fully qualified repository (`docker.io/library/nginx`), or None."""
    repository = canonical(repository)
    entry = _by_repository().get(repository)
    if entry is not None:
        return entry
    return next((e for e in _wildcards() if repository.startswith(e["repository"][:-1])), None)


def canonical(repository: str) -> str:
    """The repository under its registry's catalog name: k8s.gcr.io/pause is registry.k8s.io/pause
    under its old name (`registries.mirrors`)."""
    for old, new in data()["registries"].get("mirrors", {}).items():
        if repository.startswith(old + "/"):
            return new + repository[len(old):]
    return repository


def entry(repository: str) -> dict:
    """The entry, or the fallback an image the catalog does not know gets."""
    return lookup(repository) or fallback()


def fallback() -> dict:
    return data()["fallback"]


def known_repositories() -> frozenset[str]:
    return frozenset(_by_repository())


def public_registries() -> frozenset[str]:
    return frozenset(data()["registries"]["public"])


def example_domains() -> tuple[str, ...]:
    return tuple(data()["registries"]["example_domains"])


def tag_words() -> frozenset[str]:
    return frozenset(data()["tag_words"])


def tool(name: str) -> dict | None:
    """A URL fetcher (wget, curl): how long it runs and which flag names its output file."""
    row = data()["tools"].get(name)
    return row if isinstance(row, dict) else None


def args_run_as_command(entry: dict, args: list[str]) -> bool:
    """Whether a pod's `args` (no `command`) run as the process: the image has no ENTRYPOINT, or
    one that execs its arguments unless they start with a flag (docker-entrypoint.sh)."""
    if not args or "entrypoint" not in entry:
        return False                       # unknown ENTRYPOINT: the args go to the image's program
    ep = entry["entrypoint"]
    if not ep:
        return True
    return ep[0] in data().get("wrapper_entrypoints", ()) and not args[0].startswith("-")


def repository_of(image: str) -> str:
    """`nginx:1.27` → docker.io/library/nginx; `polinux/stress` → docker.io/polinux/stress;
    `registry.k8s.io/etcd:3.5.1-0` → registry.k8s.io/etcd (the docker reference rules)."""
    name = (image or "").split("@")[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":")[0]
    first, _, rest = name.partition("/")
    if not rest or not ("." in first or ":" in first or first == "localhost"):
        name = "docker.io/" + name
    if name.startswith("docker.io/") and name.count("/") == 1:
        name = "docker.io/library/" + name[len("docker.io/"):]
    return name


# ---- the schema check ------------------------------------------------------------------------

_ENTRY_KEYS = {"repository", "tags", "size", "entrypoint", "cmd", "programs", "ports", "behaviour",
               "usage", "filesystem"}
_BEHAVIOUR_KEYS = {"does", "exit_code", "runs_for", "reads_stdin", "log", "prints", "prints_args", "http",
                   "requires_env", "subcommands", "ports", "port_flags"}
_USAGE_KEYS = {"cpu", "memory", "units", "args"}
_FS_KEYS = {"base", "version", "command", "env", "dirs", "files", "workdir", "shells"}


def validate(doc: dict | None = None) -> list[str]:
    """Problems with the catalog (empty when it is well formed): unknown keys, wrong types,
    regexes that do not compile, behaviours that are not serve/run/exit, bases that do not exist."""
    doc = data() if doc is None else doc
    problems: list[str] = []
    for name, log in (doc.get("logs") or {}).items():
        if not name.startswith("_") and not (isinstance(log, dict) and isinstance(log.get("lines"), list)):
            problems.append(f"log {name!r}: needs lines")
    for key in ("registries", "wrapper_entrypoints", "logs", "tag_words", "tools", "usage", "bases", "variants", "images", "fallback"):
        if key not in doc:
            problems.append(f"missing top-level {key!r}")
    bases = doc.get("bases") or {}
    seen: set[str] = set()

    def behaviour(where: str, b) -> None:
        if not isinstance(b, dict):
            problems.append(f"{where}: behaviour must be an object")
            return
        for k in set(b) - _BEHAVIOUR_KEYS:
            problems.append(f"{where}: unknown behaviour key {k!r}")
        if b.get("does", "serve") not in DOES:
            problems.append(f"{where}: does must be one of {DOES}")
        for k in ("ports",):
            if k in b and not all(isinstance(p, int) and 0 < p < 65536 for p in b[k]):
                problems.append(f"{where}: bad {k}")
        for rule in b.get("http") or ():
            if not (isinstance(rule, dict) and str(rule.get("path", "")).startswith("/")
                    and isinstance(rule.get("status"), int)):
                problems.append(f"{where}: an http rule needs a path and a status")
        for name, sub in (b.get("subcommands") or {}).items():
            behaviour(f"{where} subcommand {name}", sub)
        env = b.get("requires_env")
        if env is not None and not (isinstance(env, dict) and isinstance(env.get("any_of"), list)):
            problems.append(f"{where}: requires_env needs any_of")

    for e in doc.get("images") or ():
        repo = e.get("repository")
        where = f"image {repo!r}"
        if not isinstance(repo, str) or not re.fullmatch(r"[a-z0-9.:_-]+(/[a-z0-9._-]+)+\*?|[a-z0-9./_-]+\*", repo):
            problems.append(f"{where}: repository must be fully qualified (host/path)")
        if repo in seen:
            problems.append(f"{where}: listed twice")
        seen.add(repo)
        for k in set(e) - _ENTRY_KEYS:
            problems.append(f"{where}: unknown key {k!r}")
        tags = e.get("tags") or {}
        if "versions" in tags:
            try:
                re.compile(tags["versions"])
            except re.error as err:
                problems.append(f"{where}: versions regex: {err}")
        if "known" in tags and not all(isinstance(t, str) and t for t in tags["known"]):
            problems.append(f"{where}: known tags must be strings")
        if "size" in e and not (isinstance(e["size"], int) and e["size"] > 0):
            problems.append(f"{where}: size must be a positive number of bytes")
        for k in ("entrypoint", "cmd", "programs"):
            if k in e and not all(isinstance(w, str) for w in e[k]):
                problems.append(f"{where}: {k} must be a list of strings")
        if "ports" in e and not all(isinstance(p, int) and 0 < p < 65536 for p in e["ports"]):
            problems.append(f"{where}: ports must be port numbers")
        behaviour(where, e.get("behaviour", {}))
        use = e.get("usage")
        if use is not None and (set(use) - _USAGE_KEYS or "cpu" not in use or "memory" not in use):
            problems.append(f"{where}: usage needs cpu and memory (and only units/args beside)")
        fs = e.get("filesystem")
        if fs is not None:
            for k in set(fs) - _FS_KEYS:
                problems.append(f"{where}: unknown filesystem key {k!r}")
            if fs.get("base", "debian") not in bases:
                problems.append(f"{where}: no base {fs.get('base')!r}")
    for word, base in (doc.get("variants") or {}).items():
        if base not in bases:
            problems.append(f"variant {word!r}: no base {base!r}")
    behaviour("fallback", (doc.get("fallback") or {}).get("behaviour", {}))
    return problems
