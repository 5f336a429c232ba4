"""The simulated image registry: which image references pull, and how a failed pull reads.

The facts are data — the image catalog, engine/data/images.json (engine/image_catalog.py reads
it); docs/images.md states the rules:

* The reference must parse (docker reference grammar: lowercase repository path, optional
  `:tag`, optional `@sha256:<64 hex>`); otherwise the container waits in `InvalidImageName`.
* A repository the catalog knows (nginx, busybox, agnhost, etcd, the stress images, ...) pulls
  a tag that exists: one the entry lists (`known`), or a tag of the usual shape — a version of
  one to three numeric parts with an optional `v`, or a word from `tag_words`, optionally followed
  by `-`-separated words or distro versions (`1.27.3-alpine3.20`) — whose version the entry's
  `versions` pattern allows. Anything else (`nginx:1.2.3.4`, `nginx:99.99`, `nginx:lates`) is
  "not found". A digest always exists. Every repository under an example domain (`*.example`,
  `example.com`, ... — the pizza demo's `registry.example/pizza/...`) exists with such tags.
* A repository the catalog does not know, on a public registry, pulls if it is plausible —
  unless its name is a typo of a known one (edit distance ≤ 2, less for short names: `ngnix`,
  `busybx`), which fails with containerd's "pull access denied, repository does not exist".
  Any other registry host fails with "no such host".

Messages are containerd 1.7's, as kubelet v1.32 shows them in events and container statuses.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from .. import image_catalog

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$")
_VERSION = re.compile(r"^v?\d+(?:\.\d+){0,2}$")
_SUFFIX = re.compile(r"^(?:[a-z]+\d+(?:\.\d+)*|\d+(?:\.\d+){0,2}|(?:rc|alpha|beta)(?:\.?\d+)?)$")


@dataclass(frozen=True)
class ImageRef:
    """A container image reference as the runtime resolves it. (One instance per spelling,
    parse() being cached: its derived names are worked out once, not at every status built.)"""
    spec: str                 # as written in the pod spec
    valid: bool
    domain: str = ""
    path: str = ""
    tag: str = ""
    digest: str = ""

    @functools.cached_property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}"

    @functools.cached_property
    def name(self) -> str:
        """Fully qualified name as containerd reports it (`docker.io/library/nginx:1.27`)."""
        if self.digest and not self.tag:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag}"

    @property
    def short(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @functools.cached_property
    def image_id(self) -> str:
        """`<repository>@sha256:<digest>` — a stable fake digest per reference."""
        if self.digest:
            return f"{self.repository}@{self.digest}"
        h = hashlib.sha256(self.name.encode()).hexdigest()
        return f"{self.repository}@sha256:{h}"

    @property
    def size(self) -> int:
        known = image_catalog.lookup(self.repository)
        if known is not None and known.get("size"):
            return int(known["size"])
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
    return any(host == d or host.endswith("." + d) for d in image_catalog.example_domains())


def tag_exists(tag: str, entry: dict | None = None) -> bool:
    """Whether `tag` exists on a repository (the catalog's `entry` for it, when it has one)."""
    tags = (entry or {}).get("tags") or {}
    if tag in tags.get("known", ()):
        return True
    if "known" in tags and "versions" not in tags:
        return False                       # only the listed tags exist
    words = image_catalog.tag_words()
    first, *rest = tag.split("-")
    if not (_VERSION.match(first) or first in words):
        return False
    if not all(part in words or _SUFFIX.match(part) for part in rest):
        return False
    if _VERSION.match(first) and "versions" in tags:
        return re.match(tags["versions"], first) is not None or re.match(tags["versions"], tag) is not None
    return True


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (`ngnix` → `nginx`)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@functools.lru_cache(maxsize=1024)
def typo_of(repository: str) -> str | None:
    """The known repository `repository` looks like a typo of: same registry, a name within two
    edits (one for names of four letters or fewer, so `app` is not `php`)."""
    domain, _, path = image_catalog.canonical(repository).partition("/")
    for known in sorted(image_catalog.known_repositories()):
        k_domain, _, k_path = known.partition("/")
        if k_domain != domain or k_path == path:
            continue
        a, b = path.rsplit("/", 1)[-1], k_path.rsplit("/", 1)[-1]
        if path.rsplit("/", 1)[0] != k_path.rsplit("/", 1)[0] and "/" in path + k_path:
            continue                       # another namespace: bitnami/redis is not library/redis
        if _distance(a, b) <= min(2, max(1, (len(b) - 1) // 2)):
            return known
    return None


def pull_error(ref: ImageRef) -> str | None:
    """None if the image pulls; else the runtime's error text (containerd 1.7)."""
    name = ref.name
    prefix = f'failed to pull and unpack image "{name}": failed to resolve reference "{name}"'
    known = image_catalog.lookup(ref.repository)
    if is_example_domain(ref.domain) or known is not None:
        if ref.digest or tag_exists(ref.tag, known):
            return None
        return f"rpc error: code = NotFound desc = {prefix}: {name}: not found"
    if ref.domain in image_catalog.public_registries():
        if typo_of(ref.repository) is None:
            return None                    # plausible: we cannot know its tags, so any pulls
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
