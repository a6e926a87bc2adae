#!/usr/bin/env python3
"""Validates dumpwalk --json output against dumpwalk.schema.json.

    validate_json.py SCHEMA OUTPUT.json

Exit 0 when valid, 1 with the first errors when not, 77 when the jsonschema
module is missing (python3-jsonschema; tools/setup.sh installs it)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_json: python3 jsonschema module missing")
    sys.exit(77)

schema = json.load(open(sys.argv[1]))
try:
    document = json.load(open(sys.argv[2]))
except ValueError as e:
    print("validate_json: not JSON: %s" % e)
    sys.exit(1)
validator = jsonschema.Draft202012Validator(schema)
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
for e in errors[:5]:
    print("validate_json: %s: %s" % ("/".join(str(p) for p in e.path), e.message))
sys.exit(1 if errors else 0)
