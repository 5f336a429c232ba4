"""The apiserver's warnings beside the editor's Apply result (issue 15): each printed as kubectl
prints it, `Warning: <text>`, before the object's own line."""
from __future__ import annotations

from playwright.sync_api import expect

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: odd
spec:
  selector:
    app: odd
  externalName: example.com
  ports:
  - port: 80
"""


def test_apply_shows_the_apiservers_warnings(playground):
    p = playground
    p.type_yaml(SERVICE)
    p.apply()
    expect(p.message()).to_have_text(
        'Warning: spec.externalName is ignored when spec.type is not "ExternalName" service/odd created')
    p.check_clean()
