"""The playground page: one template; everything else it needs is in static/.

The Examples menu's manifests are the YAML files of webapp/examples/ (the repository's top-level
examples/ links there, so the README's `kubectl apply -f examples/login.yaml` reads the same
files); the wheel carries them as package data, and GET /kubeplay/v1/examples hands them to the
page, so there is one copy of each."""
from __future__ import annotations

import os

from flask import Blueprint, jsonify, render_template

from webapp.extension import current_cluster

bp = Blueprint("pages", __name__)

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def examples_dir() -> str:
    return EXAMPLES


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
    cluster = current_cluster()
    return render_template("index.html", realistic=cluster.timings.realistic_mode)


@bp.get("/kubeplay/v1/examples")
def examples():
    return jsonify({"examples": read_examples()})
