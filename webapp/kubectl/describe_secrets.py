"""`kubectl describe secret` and `kubectl describe serviceaccount`, as k/kubectl pkg/describe
(SecretDescriber, ServiceAccountDescriber) write them: a Secret's values are never shown, only
their sizes (a service-account token excepted, as upstream)."""
from __future__ import annotations

import base64
import binascii

from engine import resources as kinds
from .cli import Ctx
from .describe import Writer, annotations_multiline, events_section, labels_multiline

SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"


def _size(value) -> int:
    try:
        return len(base64.b64decode(str(value or "")))
    except (binascii.Error, ValueError):
        return 0


def describe_secret(ctx: Ctx, secret: dict) -> str:
    w = Writer()
    md = secret.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for k in sorted(data):
        if k == "token" and secret.get("type") == SA_TOKEN_TYPE:
            w.write(0, f"{k}:\t{base64.b64decode(data[k] or '').decode('utf-8', 'replace')}\n")
        else:
            w.write(0, f"{k}:\t{_size(data[k])} bytes\n")
    return w.text()


def describe_service_account(ctx: Ctx, sa: dict) -> str:
    w = Writer()
    md = sa.get("metadata") or {}
    ns, name = md.get("namespace") or "", md.get("name") or ""
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Namespace:\t{ns}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    secrets = {s["metadata"]["name"]: s for s in ctx.store.list(kinds.SECRET, ns)[0]}
    tokens = [n for n, s in secrets.items() if s.get("type") == SA_TOKEN_TYPE
              and ((s["metadata"].get("annotations") or {}).get(SA_NAME_ANNOTATION) == name)]
    rows = {"Image pull secrets:": [(r or {}).get("name", "") for r in sa.get("imagePullSecrets") or ()],
            "Mountable secrets: ": [(r or {}).get("name", "") for r in sa.get("secrets") or ()],
            "Tokens:            ": tokens}
    for header in sorted(rows):
        names = rows[header]
        if not names:
            w.write(0, f"{header}\t<none>\n")
            continue
        prefix = header
        for n in names:
            w.write(0, f"{prefix}\t{n}{'' if n in secrets else ' (not found)'}\n")
            prefix = " " * 19
    events_section(ctx, w, sa)
    return w.text()
