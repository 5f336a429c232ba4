"""The playground page: one template; everything else it needs is in static/."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    cluster = current_app.extensions["kubeplay"]
    return render_template("index.html", realistic=cluster.timings.realistic_mode)
