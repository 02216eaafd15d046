"""A small validator for Amazon's Swagger 2.0 models (no jsonschema dependency).

Checks ``$ref``, ``type``, ``required``, ``enum``, ``properties``, ``items``, ``minItems``,
``maxItems``, ``minLength``, ``maxLength``, ``pattern``, ``minimum``, ``maximum`` and
``format: date-time`` recursively and returns the list of problems (empty when valid).
"""

import datetime
import json
import os
import re

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
MODELS = os.path.join(FIXTURES, "spapi-models")  # Amazon's models, copied unchanged

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
}


def load_model(name):
    """One of Amazon's models (``orders_2026-01-01.json``, ``sellers.json`` ...)."""
    with open(os.path.join(MODELS, name), encoding="utf-8") as handle:
        return json.load(handle)


def load_fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


def _type_ok(value, kind):
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    expected = _TYPES.get(kind)
    return expected is None or isinstance(value, expected)


def validate(value, schema, model, path="$"):
    definitions = model.get("definitions", {})
    problems = []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return validate(value, definitions[name], model, path)
    kind = schema.get("type")
    if kind and not _type_ok(value, kind):
        return [f"{path}: expected {kind}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in {schema['enum']}")
    problems.extend(_bound_problems(value, schema, path))
    if schema.get("format") == "date-time" and isinstance(value, str):
        try:
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"{path}: {value!r} is not a date-time")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{path}: missing required {name}")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                problems.extend(validate(item, properties[name], model, f"{path}.{name}"))
            elif properties and not schema.get("additionalProperties", True):
                problems.append(f"{path}: unexpected property {name}")
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{path}: more than {schema['maxItems']} items")
        for index, item in enumerate(value):
            problems.extend(validate(item, schema.get("items", {}), model, f"{path}[{index}]"))
    return problems


def _bound_problems(value, schema, path):
    """``minLength``, ``maxLength`` and ``pattern`` of a string, ``minimum`` and ``maximum`` of
    a number, ``minItems`` of an array."""
    problems = []
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{path}: {value} below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{path}: {value} above the maximum {schema['maximum']}")
    if isinstance(value, list) and len(value) < schema.get("minItems", 0):
        problems.append(f"{path}: fewer than {schema['minItems']} items")
    if not isinstance(value, str):
        return problems
    if len(value) < schema.get("minLength", 0):
        problems.append(f"{path}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{path}: longer than {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"{path}: {value!r} does not match {schema['pattern']}")
    return problems


def validate_definition(value, model, definition):
    return validate(value, {"$ref": f"#/definitions/{definition}"}, model)
