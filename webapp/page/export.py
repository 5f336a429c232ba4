"""The playground's objects as clean manifests (the page's Export, and what `kubeplay export`
fetches):

    GET /kubeplay/v1/export[?namespace=NS][&output=yaml|json]

Answers 200 with the manifests (engine/portable.py decides which objects and which fields):
`output=yaml` (the default) a multi-document YAML stream, `output=json` a v1 List; both with a
Content-Disposition naming a file, so the page's download saves it. The request must carry the
page's header (X-Kubeplay-Request) although it changes nothing: it reads every object, Secrets
included, and a header no other site's page can send keeps it to the page and to kubeplay's own
CLI, as webapp/guard.py keeps the page's writes."""
from __future__ import annotations

from flask import Blueprint, Response, json, request

from engine import errors, portable, resources as kinds
from webapp.extension import current_cluster
from webapp.guard import PAGE_HEADER
from webapp.kubectl.output import as_list, to_json, to_yaml

bp = Blueprint("export", __name__)


class PageOnly(errors.ApiError):
    """A read only the page and kubeplay's CLI may make (the page's header is missing)."""
    code, reason = 403, "Forbidden"

OUTPUTS = ("yaml", "json")


def cluster_objects(store) -> list[dict]:
    """Every stored object of every kind, as the store holds them (managedFields included: they
    tell the user's fields from the cluster's)."""
    return [o for rt in kinds.all_types() for o in store.list(rt)[0]]


def render(manifests: list[dict], output: str) -> str:
    if output == "json":
        return to_json(as_list(manifests))
    return "".join(("---\n" if i else "") + to_yaml(m) for i, m in enumerate(manifests))


@bp.get("/kubeplay/v1/export")
def export():
    if not request.headers.get(PAGE_HEADER):
        raise PageOnly(f"kubeplay's export answers only its page and its CLI: the request needs the "
                       f"{PAGE_HEADER} header (another site's page cannot send it)", details={"kind": "csrf"})
    output = request.args.get("output", "yaml")
    if output not in OUTPUTS:
        raise errors.BadRequest(f'unable to match a printer suitable for the output format "{output}", '
                                f"allowed formats are: {','.join(OUTPUTS)}")
    namespace = request.args.get("namespace") or None
    store = current_cluster().store
    if namespace is not None and store.try_get(kinds.NAMESPACE, "", namespace) is None:
        raise errors.NotFound("namespaces", "", namespace)
    manifests = portable.select(cluster_objects(store), namespaces=[namespace] if namespace else None)
    name = f"kubeplay-{namespace or 'export'}.{output}"
    return Response(render(manifests, output), mimetype="application/json" if output == "json" else "application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Kubeplay-Objects": json.dumps(len(manifests))})
