"""The simulated image registry: which image references pull, and how a failed pull reads.

The rule (so a typo'd image fails like the real thing, and the playground needs no network):

* The reference must parse (docker reference grammar: lowercase repository path, optional
  `:tag`, optional `@sha256:<64 hex>`); otherwise the container waits in `InvalidImageName`.
* Repositories that exist: a short list of well-known Docker Hub images (`KNOWN_REPOSITORIES`:
  nginx, busybox, redis, postgres, httpd, node, python, alpine, ubuntu, ...), a few
  registry.k8s.io images, and *every* repository under an example domain (`*.example`,
  `example.com`/`.org`/`.net` and their subdomains — the pizza demo's `registry.example/pizza/...`).
  Any other repository on a public registry fails with containerd's "pull access denied,
  repository does not exist" error; any other registry host fails with "no such host".
* Tags that exist on those repositories: a version of one to three numeric parts with an
  optional `v` (`1`, `1.27`, `v1.2.3`), or a well-known word (`latest`, `stable`, `alpine`,
  `bookworm`, `slim`, ...), optionally followed by `-`-separated words or distro versions
  (`1.27.3-alpine3.20`, `3.12-slim-bookworm`, `1.0.0-rc.1`). Anything else —
  `nginx:1.2.3.4.5`, `nginx:lates`, `nginx:1.27typo` — is "not found". A digest always exists.

Messages are containerd 1.7's, as kubelet v1.32 shows them in events and container statuses.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

KNOWN_REPOSITORIES = frozenset({
    "docker.io/library/" + n for n in (
        "nginx", "busybox", "redis", "postgres", "httpd", "node", "python", "alpine", "ubuntu",
        "debian", "mysql", "mariadb", "mongo", "memcached", "rabbitmq", "traefik", "golang",
        "caddy", "haproxy", "registry", "hello-world", "openjdk", "eclipse-temurin", "php",
        "wordpress", "ruby", "perl", "rust", "centos", "fedora", "amazonlinux", "nats", "vault",
        "consul", "elasticsearch", "kibana", "grafana", "cassandra", "zookeeper")
} | {
    "docker.io/curlimages/curl", "docker.io/nicolaka/netshoot", "docker.io/hashicorp/http-echo",
    "docker.io/kennethreitz/httpbin", "docker.io/bitnami/redis", "docker.io/bitnami/nginx",
    "docker.io/polinux/stress", "docker.io/vish/stress", "gcr.io/google-samples/node-hello",
    "registry.k8s.io/goproxy",
    "docker.io/bitnami/postgresql", "docker.io/grafana/grafana", "docker.io/prom/prometheus",
    "registry.k8s.io/pause", "registry.k8s.io/e2e-test-images/agnhost", "registry.k8s.io/busybox", "registry.k8s.io/etcd",
    "registry.k8s.io/nginx-slim", "registry.k8s.io/echoserver", "registry.k8s.io/hpa-example",
    "registry.k8s.io/kube-apiserver", "registry.k8s.io/kube-controller-manager",
    "registry.k8s.io/kube-scheduler", "registry.k8s.io/kube-proxy", "registry.k8s.io/coredns/coredns",
    "gcr.io/google-samples/hello-app", "ghcr.io/stefanprodan/podinfo", "quay.io/prometheus/prometheus",
})
PUBLIC_REGISTRIES = frozenset({"docker.io", "registry.k8s.io", "gcr.io", "ghcr.io", "quay.io",
                               "mcr.microsoft.com", "public.ecr.aws", "k8s.gcr.io", "registry.gitlab.com"})
TAG_WORDS = frozenset({
    "latest", "stable", "mainline", "alpine", "slim", "bookworm", "bullseye", "buster", "trixie",
    "jammy", "noble", "focal", "lts", "edge", "perl", "otel", "musl", "glibc", "uclibc", "current",
    "unstable", "jre", "jdk", "fpm", "apache", "management", "debian", "ubuntu", "windowsservercore",
    "nanoserver", "git", "dev", "nonroot", "distroless", "rootless",
})

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$")
_VERSION = re.compile(r"^v?\d+(?:\.\d+){0,2}$")
_SUFFIX = re.compile(r"^(?:[a-z]+\d+(?:\.\d+)*|\d+(?:\.\d+){0,2}|(?:rc|alpha|beta)(?:\.?\d+)?)$")

# Image sizes (bytes) reported in "Successfully pulled" events; others get a stable pseudo-size.
_SIZES = {"nginx": 72_099_501, "busybox": 2_166_797, "redis": 45_139_329, "postgres": 158_537_431,
          "httpd": 58_091_478, "node": 403_227_182, "python": 382_731_612, "alpine": 3_626_897,
          "ubuntu": 29_754_290, "debian": 48_494_272, "mysql": 172_374_816, "hello-world": 3_208}


@dataclass(frozen=True)
class ImageRef:
    """A container image reference as the runtime resolves it."""
    spec: str                 # as written in the pod spec
    valid: bool
    domain: str = ""
    path: str = ""
    tag: str = ""
    digest: str = ""

    @property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def name(self) -> str:
        """Fully qualified name as containerd reports it (`docker.io/library/nginx:1.27`)."""
        if self.digest and not self.tag:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag}"

    @property
    def short(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def image_id(self) -> str:
        """`<repository>@sha256:<digest>` — a stable fake digest per reference."""
        if self.digest:
            return f"{self.repository}@{self.digest}"
        h = hashlib.sha256(self.name.encode()).hexdigest()
        return f"{self.repository}@sha256:{h}"

    @property
    def size(self) -> int:
        if self.domain == "docker.io" and self.path.startswith("library/") and self.short in _SIZES:
            return _SIZES[self.short]
        h = int(hashlib.sha256(self.repository.encode()).hexdigest()[:8], 16)
        return 8_000_000 + h % 120_000_000


@functools.lru_cache(maxsize=4096)
def parse(image: str) -> ImageRef:
    m = _REFERENCE.match(image or "")
    if not m:
        return ImageRef(image, False)
    domain, path = m.group("domain"), m.group("path")
    if domain is None or ("." not in domain and ":" not in domain and domain != "localhost"):
        # The first component is part of the path, not a registry host.
        path = f"{domain}/{path}" if domain else path
        domain = "docker.io"
    if domain == "docker.io" and "/" not in path:
        path = "library/" + path
    tag, digest = m.group("tag") or "", m.group("digest") or ""
    if not tag and not digest:
        tag = "latest"
    return ImageRef(image, True, domain.lower(), path, tag, digest)


def is_example_domain(domain: str) -> bool:
    host = domain.split(":")[0]
    return (host == "example" or host.endswith(".example") or
            any(host == d or host.endswith("." + d) for d in ("example.com", "example.org", "example.net")))


def tag_exists(tag: str) -> bool:
    first, *rest = tag.split("-")
    if not (_VERSION.match(first) or first in TAG_WORDS):
        return False
    return all(part in TAG_WORDS or _SUFFIX.match(part) for part in rest)


def pull_error(ref: ImageRef) -> str | None:
    """None if the image pulls; else the runtime's error text (containerd 1.7)."""
    name = ref.name
    prefix = f'failed to pull and unpack image "{name}": failed to resolve reference "{name}"'
    if is_example_domain(ref.domain) or ref.repository in KNOWN_REPOSITORIES:
        if ref.digest or tag_exists(ref.tag):
            return None
        return f"rpc error: code = NotFound desc = {prefix}: {name}: not found"
    if ref.domain in PUBLIC_REGISTRIES:
        return (f"rpc error: code = Unknown desc = {prefix}: pull access denied, repository does not "
                f"exist or may require authorization: server message: insufficient_scope: authorization failed")
    host = ref.domain.split(":")[0]
    ref_part = ref.tag or ref.digest
    return (f'rpc error: code = Unknown desc = {prefix}: failed to do request: Head '
            f'"https://{ref.domain}/v2/{ref.path}/manifests/{ref_part}": dial tcp: lookup {host}: no such host')


def invalid_message(image: str) -> str:
    return f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": invalid reference format'


def pull_policy(container: dict, ref: ImageRef) -> str:
    """imagePullPolicy as defaulted: Always for `:latest` or no tag, else IfNotPresent."""
    policy = container.get("imagePullPolicy")
    if policy:
        return policy
    return "Always" if (ref.tag == "latest" and not ref.digest) else "IfNotPresent"
