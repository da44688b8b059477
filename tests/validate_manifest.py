#!/usr/bin/env python3
"""validate_manifest.py SCHEMA MANIFEST... -- validate golden-vector manifests
against spec/vectors.schema.json (JSON Schema 2020-12, python3-jsonschema).
Prints at most five errors per manifest, each with its JSON path; exit 1 if
any manifest is invalid."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    for e in errors[:5]:
        print(f"{path}: {'/'.join(map(str, e.path)) or '(top)'}: {e.message[:200]}")
    bad += len(errors)
sys.exit(1 if bad else 0)
