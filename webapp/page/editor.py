"""The editor's Apply and Delete endpoints (kubectl apply / delete -f semantics are in
webapp/kubectl/yamlapply.py):

    POST /kubeplay/v1/apply   {"yaml": text, "namespace": "default", ["preview": true]}
    POST /kubeplay/v1/delete  {"yaml": text, "namespace": "default"}

Answers:
- 200 `{"results": [{"kind", "name", "namespace", "action", "text", ["warning"], ["warnings"]}]}`
  (`warnings`: the apiserver's warnings for that object's write, as `Warning:` headers carry them), action
  `created` / `configured` / `unchanged` (apply) or `deleted` / `notfound` / `failed` (delete);
- with `"preview": true`, nothing is written: 200 `{"preview": [{"kind", "name", "namespace",
  "action", "diff", "pods": {"create", "delete", "replace", "names", "summary"}}]}` (a server-side
  dry run: webapp/kubectl/applypreview.py), or the refusal the Apply would give;
- YAML syntax error: 400 `{"error": {"message", "line", "column", ["hint"]}}` (1-based, PyYAML's
  mark; `hint` in plain words, webapp/kubectl/yamlhints.py);
- refusal: the error's HTTP code, `{"error": {"message": <as kubectl prints it>, "field",
  "line", "document", "status"}}` where `line` is the line of the failing field's key in that
  document (its nearest existing ancestor when the field is missing, else the document's first
  line).
"""
from __future__ import annotations

import logging

import flask

from engine import errors
from webapp.api import whoasked
from webapp.extension import current_cluster
from webapp.kubectl.errors import render_status
from webapp.kubectl.manifests import MAX_BYTES, Refusal
from webapp.kubectl.applypreview import preview_documents
from webapp.kubectl.yamlapply import apply_documents, delete_documents

bp = flask.Blueprint("yamlapply", __name__)
log = logging.getLogger("kubeplay.apply")


def _previewing() -> bool:
    body = flask.request.get_json(silent=True)
    return isinstance(body, dict) and body.get("preview") is True


def _request() -> tuple[str, str]:
    if (flask.request.content_length or 0) > MAX_BYTES * 2:
        raise Refusal(413, {"message": f"the YAML is too large (limit {MAX_BYTES} bytes)", "line": None})
    body = flask.request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("yaml"), str):
        raise Refusal(400, {"message": 'expected a JSON body {"yaml": "...", "namespace": "default"}',
                            "line": None})
    ns = body.get("namespace") or "default"
    if not isinstance(ns, str):
        raise Refusal(400, {"message": "namespace must be a string", "line": None})
    return body["yaml"], ns


def _handle(work):
    try:
        text, ns = _request()
        results = work(current_cluster().store, text, ns)
    except Refusal as r:
        return flask.jsonify({"error": r.body}), r.code
    except errors.ApiError as e:         # outside any one document (should not happen)
        return flask.jsonify({"error": {"message": render_status(e.status()), "line": None,
                                        "status": e.status()}}), e.code
    except Exception as e:
        log.exception("apply/delete failed")
        return flask.jsonify({"error": {"message": f"error: {type(e).__name__}: {e}", "line": None}}), 500
    if isinstance(results, dict):             # a preview
        return flask.jsonify(results)
    return flask.jsonify({"results": results})


@bp.post("/kubeplay/v1/apply")
def apply_route():
    if _previewing():                 # a dry run writes nothing, so the log has nothing to tell
        return _handle(lambda store, text, ns: {"preview": preview_documents(store, text, ns)})
    flask.g.kubeplay_request_time = current_cluster().clock.now()
    return _told(_handle(apply_documents), "apply")


@bp.post("/kubeplay/v1/delete")
def delete_route():
    flask.g.kubeplay_request_time = current_cluster().clock.now()
    return _told(_handle(delete_documents), "delete")


def _told(resp, verb: str):
    """The reconcile log says who asked for what was applied or deleted (webapp/api/whoasked.py)."""
    body = resp.get_json(silent=True) if hasattr(resp, "get_json") else None
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        try:
            whoasked.page_apply(current_cluster(), flask.request, body["results"], verb)
        except Exception:            # the log line is a courtesy: the apply was made
            log.exception("recording who asked for %s failed", verb)
    return resp
