"""The playground page: one template; everything else it needs is in static/."""
from __future__ import annotations

from flask import Blueprint, render_template

from webapp.extension import current_cluster

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    cluster = current_cluster()
    return render_template("index.html", realistic=cluster.timings.realistic_mode)
