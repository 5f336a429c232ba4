"""kubectl's printers: server-side Tables as aligned columns, and `-o yaml|json|name`.

Tables follow k/cli-runtime `pkg/printers/tableprinter.go`: headers are the column names
upper-cased (priority >= 1 columns only with `-o wide`), no header when a table has no rows,
`NAMESPACE` first with `-A`, `kind/` before each name when several kinds are printed, label
columns (`-L`) then `LABELS` (`--show-labels`) last; cells separated by tabs and aligned by the
tabwriter (minwidth 6, padding 3). `-o json` is Go's MarshalIndent with four spaces; `-o yaml`
is sigs.k8s.io/yaml (keys sorted, strings that need quoting in double quotes, multi-line strings
as literal blocks).
"""
from __future__ import annotations

import json

import yaml
from yaml.emitter import Emitter
from yaml.representer import SafeRepresenter
from yaml.resolver import Resolver
from yaml.serializer import Serializer

from webapp.api import printers


# ---- -o yaml / -o json ------------------------------------------------------------------------

class _GoEmitter(Emitter):
    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


class _Representer(SafeRepresenter):
    def ignore_aliases(self, data) -> bool:
        return True         # objects share read-only subtrees (managedFields sets): never &id001


def _str(representer, value: str):
    style = "|" if "\n" in value and not value.startswith(" ") and " \n" not in value else None
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Representer.add_representer(str, _str)


class _Dumper(_GoEmitter, Serializer, _Representer, Resolver):
    def __init__(self, stream, **kw):
        _GoEmitter.__init__(self, stream, canonical=None, indent=None, width=kw.get("width"),
                            allow_unicode=True, line_break=None)
        Serializer.__init__(self, encoding=None, explicit_start=None, explicit_end=None,
                            version=None, tags=None)
        _Representer.__init__(self, default_style=None, default_flow_style=False, sort_keys=True)
        Resolver.__init__(self)


def to_yaml(obj) -> str:
    return yaml.dump(obj, Dumper=_Dumper, width=1 << 30)


def to_json(obj) -> str:
    text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def as_list(objects: list[dict]) -> dict:
    return {"apiVersion": "v1", "items": list(objects), "kind": "List", "metadata": {"resourceVersion": ""}}


# ---- tables -----------------------------------------------------------------------------------

def cell_text(cell) -> str:
    """fmt.Sprint of a decoded JSON cell."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def table_lines(table: dict, *, wide: bool, with_namespace: bool, kind_prefix: str | None,
                show_labels: bool, label_columns: list[str], headers: bool) -> list[str]:
    """The tab-separated lines one Table prints (header first unless `headers` is False)."""
    rows = table.get("rows") or []
    cols = table.get("columnDefinitions") or []
    visible = [i for i, c in enumerate(cols) if wide or not c.get("priority")]
    name_col = next((i for i, c in enumerate(cols) if c.get("format") == "name" and c.get("type") == "string"),
                    None) if kind_prefix else None
    lines = []
    if headers and rows:
        names = [cols[i]["name"].upper() for i in visible]
        names += [k.rsplit("/", 1)[-1].upper() for k in label_columns]
        if show_labels:
            names.append("LABELS")
        if with_namespace:
            names.insert(0, "NAMESPACE")
        lines.append("\t".join(names))
    for row in rows:
        cells = row.get("cells") or []
        md = ((row.get("object") or {}).get("metadata") or {})
        out = []
        for i in visible:
            text = cell_text(cells[i] if i < len(cells) else None)
            if i == name_col:
                text = f"{kind_prefix}/{text}"
            out.append(text)
        labels = md.get("labels") or {}
        out += [labels.get(k, "") for k in label_columns]
        if show_labels:
            out.append(printers.format_labels(labels))
        if with_namespace:
            out.insert(0, md.get("namespace", ""))
        lines.append("\t".join(out))
    return lines
