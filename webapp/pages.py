"""The playground page: one template; everything else it needs is in static/.

The Examples menu's manifests are the YAML files of the repository's examples/ folder (the ones
the README applies with kubectl); the wheel carries them as the package data `webapp/examples`,
and GET /kubeplay/v1/examples hands them to the page, so there is one copy of each."""
from __future__ import annotations

import os

from flask import Blueprint, current_app, jsonify, render_template

bp = Blueprint("pages", __name__)

_HERE = os.path.dirname(os.path.abspath(__file__))


def examples_dir() -> str:
    """Inside the package when installed from a wheel; the repository's examples/ in a checkout
    (an editable install maps the package there without copying)."""
    inside = os.path.join(_HERE, "examples")
    return inside if os.path.isdir(inside) else os.path.join(os.path.dirname(_HERE), "examples")


def read_examples() -> list[dict]:
    """The menu in examples/menu.txt's order: [{id, title, file, yaml}]. Read on each request
    (a few kB) so an edited example shows on the next page load."""
    folder = examples_dir()
    out = []
    with open(os.path.join(folder, "menu.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, title = line.split(None, 1)
            with open(os.path.join(folder, name), encoding="utf-8") as m:
                out.append({"id": os.path.splitext(name)[0], "title": title.strip(), "file": name,
                            "yaml": m.read()})
    return out


@bp.get("/")
def index():
    cluster = current_app.extensions["kubeplay"]
    return render_template("index.html", realistic=cluster.timings.realistic_mode)


@bp.get("/kubeplay/v1/examples")
def examples():
    return jsonify({"examples": read_examples()})
