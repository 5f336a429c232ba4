"""Request bodies as kubectl and the Python client send them: JSON (also with no Content-Type),
YAML, and the Protobuf envelope kubectl ≥ 1.32 uses for typed creates. Hostile bodies (too big,
too deep, alias bombs) become a 4xx, never a hang or a 500."""
from __future__ import annotations

import json

import yaml

from engine import errors

from . import protobuf

MAX_BODY = 3 * 1024 * 1024         # the apiserver's own request-size limit is 3 MiB
MAX_YAML_NODES = 100_000


def read_json_like(raw: bytes, content_type: str | None):
    ct = (content_type or "").split(";")[0].strip().lower()
    if len(raw) > MAX_BODY:
        raise errors.RequestEntityTooLarge("the request is too large (limit 3 MiB)")
    if ct == "application/vnd.kubernetes.protobuf":
        return protobuf.decode(raw)
    if ct in ("application/yaml", "application/apply-patch+yaml") :
        return load_yaml(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.BadRequest("the request body is not valid UTF-8")
    if not text.strip():
        raise errors.BadRequest("the request body is empty")
    try:
        return json.loads(text)
    except RecursionError:
        raise errors.BadRequest("the request body is nested too deeply")
    except json.JSONDecodeError as e:
        raise errors.BadRequest(f"error decoding JSON: {e.msg} at line {e.lineno} column {e.colno}")


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents expanding to too many nodes (billion-laughs)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._nodes = 0

    def construct_object(self, node, deep=False):
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise errors.BadRequest("the YAML document is too large (alias expansion limit reached)")
        return super().construct_object(node, deep)


def load_yaml(raw: bytes | str):
    try:
        return yaml.load(raw, Loader=_BoundedLoader)
    except yaml.YAMLError as e:
        raise errors.BadRequest(f"error converting YAML to JSON: {e}")
    except RecursionError:
        raise errors.BadRequest("the YAML document is nested too deeply")
