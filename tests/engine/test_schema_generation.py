"""The committed schema data (engine/admission/api_schema.json.gz, webapp/api/protobuf_schema.py) is
what tools/gen_schemas.py makes from the pinned upstream inputs, and agrees with itself and with
the tables that still live elsewhere."""
from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path


from engine import patch
from engine import resources as resource_types
from engine.admission import schema

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_schemas", ROOT / "tools" / "gen_schemas.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _committed() -> dict:
    return json.loads(gzip.decompress((ROOT / "engine/admission/api_schema.json.gz").read_bytes()))


def test_openapi_part_is_what_the_generator_makes_from_kubernetes_validate():
    """Re-runs the OpenAPI half of the generator on the pinned kubernetes-validate copy of v1.32's
    definitions (a test dependency) and compares with the committed data."""
    gen = _generator()
    roots, _, schemas = gen.openapi_part(gen.load_definitions(gen.default_definitions_path()))
    data = _committed()
    assert [row[:4] for row in data["kinds"]] == roots
    assert data["schemas"] == schemas


def test_committed_bytes_are_deterministic():
    gen = _generator()
    raw = (ROOT / "engine/admission/api_schema.json.gz").read_bytes()
    assert gzip.decompress(gen.dump_data(_committed())) == gzip.decompress(raw)


def test_decode_tables_match_the_openapi_properties():
    """Every decoded struct knows exactly the fields its OpenAPI definition has."""
    schemas = schema.openapi_schemas()
    kinds = {(g, v, k): d for g, v, k, d in schema.openapi_kinds()}
    for rt in resource_types.all_types():
        if rt.kind in schema.OPENAPI_ONLY_KINDS:     # (the CRD: tools/gen_crd_schema.py)
            continue
        defname = kinds[(rt.group, rt.version, rt.kind)]
        assert schema.known_fields(rt.kind) == set(schemas[defname]["properties"]), rt.kind
    pod_spec = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]
    assert schema.known_fields("PodSpec") == set(pod_spec)


def test_a_served_kind_decodes_strictly_once_it_is_served():
    assert set(schema.KINDS) == {rt.kind for rt in resource_types.all_types()} - schema.OPENAPI_ONLY_KINDS


def test_go_type_names_come_through_for_error_wording():
    leaves, kids = schema.TYPES["PodSpec"]
    assert leaves["restartPolicy"] == "v1.RestartPolicy"
    assert leaves["activeDeadlineSeconds"] == "int64"          # *int64: the pointer is dropped
    assert kids["containers"] == "[]Container"
    assert schema.TYPES["ResourceRequirements"][0]["limits"] == "v1.ResourceList"
    assert schema.TYPES["ObjectMeta"][0]["uid"] == "types.UID"
    assert schema.TYPES["discovery.EndpointPort"][0]["protocol"] == "v1.Protocol"


def test_engine_patch_table_agrees_with_upstream_patch_strategies():
    """engine/patch.py still keeps its strategic-merge table by hand; wherever it says something,
    upstream's x-kubernetes-patch-strategy / merge-key say the same."""
    for rt in resource_types.all_types():
        upstream = schema.patch_strategies(rt.group, rt.version, rt.kind)
        for path, strategy in patch.schema_for(rt.group, rt.kind).items():
            assert upstream.get(path) == strategy, (rt.kind, path, strategy, upstream.get(path))

