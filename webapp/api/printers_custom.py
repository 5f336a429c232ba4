"""Server-side Table columns of custom resources (apiextensions-apiserver's tableconvertor): NAME,
then the version's additionalPrinterColumns — or, with none, the default Age column — each cell
read by its jsonPath from the object. `date` cells are shown as ages (ConvertToHumanReadableDateType),
missing values as null (kubectl prints `<none>`), several values comma-separated."""
from __future__ import annotations

import json

from engine import ResourceType, crd_paths, crds

from . import printers

NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some resources "
            "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
            "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")

# v1 CRD defaulting: a version without additionalPrinterColumns gets this one
_DEFAULT = ({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},)


def _printer_columns(rt: ResourceType) -> list[dict]:
    return crds.printer_columns(rt) or list(_DEFAULT)


def columns(rt: ResourceType) -> tuple[dict, ...]:
    out = [{"name": "Name", "type": "string", "format": "name", "description": NAME_DOC, "priority": 0}]
    for col in _printer_columns(rt):
        out.append({"name": col.get("name", ""), "type": col.get("type", "string"), "format": col.get("format", ""),
                    "description": col.get("description", ""), "priority": int(col.get("priority") or 0)})
    return tuple(out)


def _cell(value, type_: str, now: float):
    if type_ == "date":
        return printers.translate_timestamp_since(value if isinstance(value, str) else None, now)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return value


def cells(rt: ResourceType, obj: dict, now: float) -> list:
    out: list = [(obj.get("metadata") or {}).get("name", "")]
    for col in _printer_columns(rt):
        values = crd_paths.read(obj, str(col.get("jsonPath", "")))
        type_ = str(col.get("type", "string"))
        if not values:
            out.append(None)
        elif len(values) == 1:
            out.append(_cell(values[0], type_, now))
        else:
            out.append(",".join(str(_cell(v, type_, now)) for v in values))
    return out
