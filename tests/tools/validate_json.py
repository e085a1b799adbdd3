#!/usr/bin/env python3
"""validate_json.py: check a JSON document against a JSON Schema, standard library only.

    validate_json.py SCHEMA.json DOCUMENT.json

Implements the subset of JSON Schema (draft 2020-12 / draft-07) that
docs/report.schema.json uses: type (a name or a list of names), required,
properties, items (one schema for every element), enum, minimum, and $ref to
"#/..." JSON pointers inside the schema (for $defs / definitions). Annotation
keywords (title, description, $comment, ...) are ignored. Any other keyword is
refused, so the schema cannot quietly grow past what this checks.

The document is parsed strictly: NaN/Infinity and duplicate object keys are errors.

Exit status: 0 valid, 1 invalid (each problem printed as "PATH: message"),
2 usage error, unreadable file, JSON syntax error, or unsupported schema.
"""
import json
import sys

ANNOTATIONS = {"$schema", "$id", "$comment", "$defs", "definitions", "title",
               "description", "default", "examples", "deprecated", "readOnly",
               "writeOnly"}
ASSERTIONS = {"type", "required", "properties", "items", "enum", "minimum", "$ref"}
TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


class SchemaError(Exception):
    pass


def _strict_object(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError("duplicate key %r" % k)
        obj[k] = v
    return obj


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")  # strict: invalid UTF-8 is an error
    return json.loads(text, object_pairs_hook=_strict_object,
                      parse_constant=_reject_constant)


def type_ok(value, name):
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    raise SchemaError("unknown type %r" % name)


def json_equal(a, b):
    # JSON equality: 1 == 1.0, but true != 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return type(a) is type(b) and a == b or \
        (isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == b)


def pointer_name(path):
    return "/" + "/".join(str(p) for p in path) if path else "(root)"


class Validator:
    def __init__(self, root):
        self.root = root
        self.errors = []

    def resolve(self, ref):
        if not ref.startswith("#"):
            raise SchemaError("only local $ref is supported: %r" % ref)
        node = self.root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise SchemaError("unresolvable $ref %r" % ref)
            node = node[part]
        return node

    def check(self, schema, value, path, depth=0):
        if depth > 100:
            raise SchemaError("$ref loop")
        if schema is True:
            return
        if schema is False:
            self.errors.append("%s: no value is allowed here" % pointer_name(path))
            return
        if not isinstance(schema, dict):
            raise SchemaError("schema at %s is not an object" % pointer_name(path))
        for key in schema:
            if key not in ASSERTIONS and key not in ANNOTATIONS:
                raise SchemaError("unsupported keyword %r" % key)
        where = pointer_name(path)
        if "$ref" in schema:
            self.check(self.resolve(schema["$ref"]), value, path, depth + 1)
        if "type" in schema:
            names = schema["type"]
            names = names if isinstance(names, list) else [names]
            for n in names:
                if n not in TYPES:
                    raise SchemaError("unknown type %r" % n)
            if not any(type_ok(value, n) for n in names):
                self.errors.append("%s: expected %s, got %s" % (
                    where, " or ".join(names), json.dumps(value)[:80]))
                return
        if "enum" in schema:
            if not any(json_equal(value, e) for e in schema["enum"]):
                self.errors.append("%s: %s is not one of %s" % (
                    where, json.dumps(value)[:80], json.dumps(schema["enum"])))
        if "minimum" in schema and type_ok(value, "number"):
            if value < schema["minimum"]:
                self.errors.append("%s: %r is less than the minimum %r" % (
                    where, value, schema["minimum"]))
        if isinstance(value, dict):
            for name in schema.get("required", []):
                if name not in value:
                    self.errors.append("%s: missing required property %r" % (where, name))
            for name, sub in schema.get("properties", {}).items():
                if name in value:
                    self.check(sub, value[name], path + [name], depth)
        if isinstance(value, list) and "items" in schema:
            for i, item in enumerate(value):
                self.check(schema["items"], item, path + [i], depth)


def validate(schema, document):
    """Returns the list of problems (empty when valid). Raises SchemaError."""
    v = Validator(schema)
    v.check(schema, document, [])
    return v.errors


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: validate_json.py SCHEMA.json DOCUMENT.json\n")
        return 2
    try:
        schema = load(argv[1])
    except (OSError, ValueError) as e:
        sys.stderr.write("%s: cannot read schema: %s\n" % (argv[1], e))
        return 2
    try:
        document = load(argv[2])
    except (OSError, ValueError) as e:
        sys.stderr.write("%s: not valid JSON: %s\n" % (argv[2], e))
        return 2
    try:
        errors = validate(schema, document)
    except SchemaError as e:
        sys.stderr.write("%s: unsupported schema: %s\n" % (argv[1], e))
        return 2
    for e in errors:
        print("%s: %s" % (argv[2], e))
    if errors:
        print("%s: INVALID (%d problem%s)" % (argv[2], len(errors), "" if len(errors) == 1 else "s"))
        return 1
    print("%s: valid" % argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
