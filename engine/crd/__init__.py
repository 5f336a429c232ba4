"""CustomResourceDefinitions (apiextensions.k8s.io/v1) and the custom resources they serve.

- `definitions.py`: the served custom types (registered in engine.resources while their CRD is
  Established), their versions, schemas, printer columns, subresources;
- `validation_crd.py`: ValidateCustomResourceDefinition's rules and texts;
- `admission.py`: CRD defaulting/strategy/establishing, and custom objects' admission;
- `structural.py`: a custom object against its structural schema: defaulting, pruning, validation;
- `subresources.py`: the scale subresource's paths and JSONPath reads (printer columns too);
- `cel.py`, `cel_functions.py`: the CEL subset of x-kubernetes-validations rules;
- `cel_rules.py`: the rules applied to custom objects' writes; `crd_rule_checks.py`: the rules
  checked and compiled when a CRD is written (docs/crd-validation-rules.md).

The CRD finalizer's cleanup is a controller: engine/controllers/crd_cleanup.py."""
