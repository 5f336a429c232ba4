"""Reading manifests as kubectl's `-f` does, for the editor: multi-document YAML through PyYAML's
SafeLoader, from the composed node tree so every value keeps its line and column.

- Values come out as JSON values (kubectl converts YAML to JSON first): timestamps and `!!binary`
  stay strings, mapping keys become strings.
- Limits make sure no input can hang the server: text size, number of documents, and the number
  of nodes the documents expand to once aliases are resolved (the "billion laughs"); recursive
  aliases and over-deep nesting are refused.
- `line_of_field` maps an apiserver field path (`spec.template.spec.containers[0].image`) to the
  1-based line of that key in the text, or of its deepest ancestor that is there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from webapp.kubectl import yamlhints

MAX_BYTES = 1_000_000          # editor text
MAX_DOCUMENTS = 200
MAX_NODES = 200_000            # after alias expansion, all documents together
SOURCE = "STDIN"               # what kubectl calls text given with `-f -`


class Refusal(Exception):
    """A request-level error: HTTP code and the `error` body."""

    def __init__(self, code: int, body: dict):
        super().__init__(body.get("message"))
        self.code, self.body = code, body


# ---------------------------------------------------------------------------------------------
# Reading the YAML

class _Loader(yaml.SafeLoader):
    """SafeLoader that yields only JSON values, as kubectl's YAML→JSON step does: timestamps
    and binary stay strings, keys become strings (so `1:` and `true:` stay two keys)."""

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, MappingNode):
            return super().construct_mapping(node, deep)
        self.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (dict, list, set)):
                raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                        "found unhashable key", key_node.start_mark)
            mapping[_json_key(key)] = self.construct_object(value_node, deep=deep)
        return mapping


def _as_text(loader, node):
    return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
_Loader.add_constructor("tag:yaml.org,2002:binary", lambda loader, n: "".join(loader.construct_scalar(n).split()))


@dataclass
class Document:
    index: int              # position in the text, empty documents counted
    node: Node
    obj: object
    first_line: int = field(init=False)

    def __post_init__(self):
        self.first_line = self.node.start_mark.line + 1


def syntax_error(problem: str, mark, context: str | None = None) -> Refusal:
    body = {"message": problem, "line": mark.line + 1 if mark else None,
            "column": mark.column + 1 if mark else None}
    hint = yamlhints.hint_for(problem, context)
    if hint:
        body["hint"] = hint          # plain words beside the parser's own text
    return Refusal(400, body)


def parse_documents(text: str) -> list[Document]:
    """Every non-empty document with its node tree. Raises Refusal on syntax errors or limits."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise Refusal(413, {"message": f"the YAML is too large (limit {MAX_BYTES} bytes)", "line": None})
    from webapp.api.bodies import too_deep_for_yaml
    if too_deep_for_yaml(text):
        raise Refusal(400, {"message": "the YAML is nested too deeply", "line": None, "column": None})
    try:
        nodes = []
        for node in yaml.compose_all(text, Loader=_Loader):
            nodes.append(node)
            if len(nodes) > MAX_DOCUMENTS:
                raise Refusal(400, {"message": f"too many documents (limit {MAX_DOCUMENTS})", "line": None})
        _check_expansion(nodes)
        docs = []
        for i, node in enumerate(nodes):
            if node is None:
                continue
            obj = _json_value(_Loader("").construct_document(node))
            if obj is not None:
                docs.append(Document(i, node, obj))
        return docs
    except yaml.MarkedYAMLError as e:
        raise syntax_error(e.problem or e.context or "invalid YAML", e.problem_mark or e.context_mark,
                           e.context) from None
    except yaml.YAMLError as e:
        raise Refusal(400, {"message": str(e), "line": None, "column": None}) from None
    except RecursionError:
        raise Refusal(400, {"message": "the YAML is nested too deeply", "line": None, "column": None}) from None


def _check_expansion(roots: list) -> None:
    """Refuse documents whose aliases would expand past MAX_NODES, or that refer to themselves.
    Iterative and memoised: each distinct node is visited once whatever the aliasing."""
    size: dict[int, int] = {}
    total = 0
    for root in roots:
        if root is None:
            continue
        stack: list[tuple[Node, bool]] = [(root, False)]
        active: set[int] = set()
        while stack:
            node, done = stack.pop()
            nid = id(node)
            if done:
                active.discard(nid)
                n = 1 + sum(size[id(c)] for c in _children(node))
                size[nid] = min(n, MAX_NODES + 1)
                continue
            if nid in size:
                continue
            if nid in active:
                raise syntax_error("recursive alias: a node refers to itself", node.start_mark)
            active.add(nid)
            stack.append((node, True))
            for child in _children(node):
                if id(child) not in size:
                    if id(child) in active:
                        raise syntax_error("recursive alias: a node refers to itself", child.start_mark)
                    stack.append((child, False))
        total += size[id(root)]
        if total > MAX_NODES:
            raise syntax_error(f"the YAML expands to more than {MAX_NODES} nodes (too many aliases)",
                               root.start_mark)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _json_value(v):
    if isinstance(v, dict):
        return {_json_key(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, set):
        return {_json_key(k): None for k in v}
    return v


def _json_key(k) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    return str(k)


# ---------------------------------------------------------------------------------------------
# Field path → line

_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")


def parse_field_path(path: str) -> list[str]:
    """`spec.template.spec.containers[0].image` → ['spec', 'template', 'spec', 'containers',
    '[0]', 'image']; bracketed parts (indexes or map keys such as `[cpu]`) keep their brackets."""
    out = []
    for m in _SEGMENT.finditer(path or ""):
        out.append(m.group(1) if m.group(1) is not None else f"[{m.group(2)}]")
    return out


def line_of_field(node: Node, path: str) -> int | None:
    """1-based line of the key (or list item) the field path names, else of its deepest
    ancestor present in the text; None when not even the first segment is there."""
    best = None
    cur = node
    for seg in parse_field_path(path):
        key = seg[1:-1] if seg.startswith("[") else seg
        if isinstance(cur, MappingNode):
            for k, v in cur.value:
                if isinstance(k, ScalarNode) and k.value == key:
                    best, cur = k.start_mark.line + 1, v
                    break
            else:
                return best
        elif isinstance(cur, SequenceNode) and seg.startswith("[") and key.isdigit() \
                and int(key) < len(cur.value):
            cur = cur.value[int(key)]
            best = cur.start_mark.line + 1
        else:
            return best
    return best


def document_line(doc: Document, path: str | None) -> int:
    if path:
        line = line_of_field(doc.node, path)
        if line is not None:
            return line
    return doc.first_line
