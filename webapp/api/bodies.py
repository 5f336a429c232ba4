"""Request bodies as kubectl and the Python client send them: JSON (also with no Content-Type),
YAML, and the Protobuf envelope kubectl ≥ 1.32 uses for typed creates. Hostile bodies (too big,
too deep, alias bombs) become a 4xx, never a hang or a 500."""
from __future__ import annotations

import base64
import datetime
import json

import yaml

from engine import errors

from . import protobuf

MAX_BODY = 3 * 1024 * 1024         # the apiserver's own request-size limit is 3 MiB
MAX_YAML_NODES = 100_000


def read_json_like(raw: bytes, content_type: str | None, duplicates: list[str] | None = None):
    """The body as a JSON value. `duplicates`, when given, receives what fieldValidation=Strict
    refuses: for JSON the paths of keys given twice in one object (`spec.replicas`); for YAML
    go-yaml's own lines (`line 12: key "replicas" already set in map`), as upstream words each."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if len(raw) > MAX_BODY:
        raise errors.RequestEntityTooLarge("the request is too large (limit 3 MiB)")
    if ct == "application/vnd.kubernetes.protobuf":
        return protobuf.decode(raw)
    if ct in ("application/yaml", "application/apply-patch+yaml"):
        return load_yaml(raw, duplicates)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.BadRequest("the request body is not valid UTF-8")
    if not text.strip():
        raise errors.BadRequest("the request body is empty")
    dups: dict[int, list[str]] = {}
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=_finite_float,
                           object_pairs_hook=lambda pairs: _object(pairs, dups))
    except RecursionError:
        raise errors.BadRequest("the request body is nested too deeply")
    except json.JSONDecodeError as e:
        raise errors.BadRequest(f"error decoding JSON: {e.msg} at line {e.lineno} column {e.colno}")
    except _NumberError as e:
        raise errors.BadRequest(f"error decoding JSON: {e}")
    value = _valid_text(value)
    if dups and duplicates is not None:
        duplicates.extend(_duplicate_paths(value, dups))
    return value


class _NumberError(ValueError):
    pass


def _no_constant(name: str):
    # Python's json takes NaN and Infinity; JSON (and Go's decoder) does not.
    raise _NumberError(f"invalid character '{name[0]}' looking for beginning of value")


MAX_INT_DIGITS = 20         # int64 has 19 digits; a longer integer fits no Kubernetes field


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _NumberError(f"the number {digits[:24]}... is out of range for any field")
    return int(digits)


def _finite_float(text: str) -> float:
    v = float(text)
    if v in (float("inf"), float("-inf")):
        raise _NumberError(f"the number {text[:24]} is out of range for any field")
    return v


def _object(pairs: list, dups: dict) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen, twice = set(), []
        for k, _ in pairs:
            if k in seen and k not in twice:
                twice.append(k)
            seen.add(k)
        dups[id(out)] = twice
    return out


def _duplicate_paths(value, dups: dict, prefix: str = "", depth: int = 0) -> list[str]:
    out = []
    if depth > 200:
        return out
    if isinstance(value, dict):
        out.extend(f"{prefix}{k}" for k in dups.get(id(value), ()))
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                out.extend(_duplicate_paths(v, dups, f"{prefix}{k}.", depth + 1))
    elif isinstance(value, list):
        base = prefix[:-1] if prefix.endswith(".") else prefix
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                out.extend(_duplicate_paths(v, dups, f"{base}[{i}].", depth + 1))
    return out


def _valid_text(value):
    """A lone UTF-16 surrogate ("\\ud800") decodes to a str that cannot be written as UTF-8;
    Go's decoder turns it into U+FFFD, and so do we (only when one is there)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        return _replace_surrogates(value)


def _replace_surrogates(v):
    if isinstance(v, str):
        return v.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(v, list):
        return [_replace_surrogates(x) for x in v]
    if isinstance(v, dict):
        return {_replace_surrogates(k): _replace_surrogates(x) for k, x in v.items()}
    return v


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


MAX_FLOW_DEPTH = 1000
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def too_deep_for_yaml(raw: bytes | str) -> bool:
    """True when brackets nest deeper than MAX_FLOW_DEPTH. PyYAML's scanner does work per open
    flow level for every token (quadratic: 20 000 nested `[` take seconds of CPU); no manifest
    nests near this deep, so such text is refused before parsing. Brackets inside quoted
    strings are counted too: the bound is loose enough for that not to matter."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    depth = 0
    for b in data.translate(None, _NOT_BRACKETS):
        depth += 1 if b in (0x5B, 0x7B) else -1
        if depth > MAX_FLOW_DEPTH:
            return True
    return False


def load_yaml(raw: bytes | str, duplicates: list[str] | None = None):
    """YAML as the apiserver accepts it, refusing alias bombs (billion laughs) before expanding
    them. `duplicates`, when given, receives a line per key given twice in one mapping, as
    go-yaml's strict mode (UnmarshalStrict) words it."""
    if too_deep_for_yaml(raw):
        raise errors.BadRequest("error converting YAML to JSON: the YAML document is nested too deeply")
    try:
        loader = yaml.SafeLoader(raw)       # reads (and may refuse) the first bytes already
    except yaml.YAMLError as e:
        raise errors.BadRequest(f"error converting YAML to JSON: {e}")
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            raise errors.BadRequest("error converting YAML to JSON: yaml: document contains excessive aliasing")
        if duplicates is not None:
            duplicates.extend(_yaml_duplicate_keys(node))
        return _as_json(loader.construct_document(node))
    except yaml.YAMLError as e:
        raise errors.BadRequest(f"error converting YAML to JSON: {e}")
    except RecursionError:
        raise errors.BadRequest("the YAML document is nested too deeply")
    finally:
        loader.dispose()


def _yaml_duplicate_keys(root) -> list[str]:
    """`line N: key "k" already set in map` for each scalar key repeated in one mapping (N is the
    repeat's line, 1-based), in document order. The walk visits each node once, so aliases cost
    nothing extra."""
    out: list[str] = []
    seen_nodes: set[int] = set()
    stack = [root]
    found: list[tuple[int, int, str]] = []
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in keys:
                        found.append((k.start_mark.line, k.start_mark.column, _go_yaml_key(k)))
                    keys.add(k.value)
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    for line, _, key in sorted(found):
        out.append(f"line {line + 1}: key {key} already set in map")
    return out


def _go_yaml_key(node) -> str:
    # go-yaml prints the key with %#v: a string quoted, a bool or number bare.
    if node.tag.endswith((":bool", ":int", ":float", ":null")):
        return node.value
    return json.dumps(node.value)


def _as_json(v, depth: int = 0):
    """A YAML document as JSON data, the way sigs.k8s.io/yaml converts it: scalar keys become
    strings (`1: a` → `"1"`), timestamps their text, binary its base64; a key that is a map or a
    list, and NaN or infinities, are refused."""
    if depth > 1000:
        raise errors.BadRequest("the YAML document is nested too deeply")
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            out[_yaml_key(k)] = _as_json(x, depth + 1)
        return out
    if isinstance(v, list):
        return [_as_json(x, depth + 1) for x in v]
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        raise errors.BadRequest("error converting YAML to JSON: json: unsupported value: " + repr(v))
    if isinstance(v, int) and not isinstance(v, bool) and len(str(abs(v))) > MAX_INT_DIGITS:
        raise errors.BadRequest("error converting YAML to JSON: a number is out of range for any field")
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat().replace("+00:00", "Z")
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, set):
        return {_yaml_key(k): None for k in v}
    return v


def _yaml_key(k) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, (int, float)):
        return str(k)
    if isinstance(k, (datetime.date, datetime.datetime)):
        return k.isoformat()
    raise errors.BadRequest(f"error converting YAML to JSON: yaml: invalid map key: {k!r}"[:300])
