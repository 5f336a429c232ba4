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


def _expanded_size(node, memo: dict) -> int:
    """Nodes the document has once aliases are expanded, counted without expanding them."""
    got = memo.get(id(node))
    if got is not None:
        return got
    memo[id(node)] = 1                      # a cycle counts once; the constructor refuses it later
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(v, memo) for v in node.value)
    memo[id(node)] = size
    return size


def load_yaml(raw: bytes | str):
    """YAML as the apiserver accepts it, refusing alias bombs (billion laughs) before expanding them."""
    loader = yaml.SafeLoader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            raise errors.BadRequest("error converting YAML to JSON: yaml: document contains excessive aliasing")
        return loader.construct_document(node)
    except yaml.YAMLError as e:
        raise errors.BadRequest(f"error converting YAML to JSON: {e}")
    except RecursionError:
        raise errors.BadRequest("the YAML document is nested too deeply")
    finally:
        loader.dispose()
