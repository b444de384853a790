"""Checks an EIDO document as a receiving agency would: the NENA-STA-021 JSON schema (the
copy in src/siaga112/adapters/notify/eido_schema/), every `$ref` pointing at a component
of the same document, and every timestamp a real RFC 3339 date-time."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

TIME_FIELDS = ("lastUpdateTimeStamp", "callStartTimestamp", "answerDate", "eta",
               "vehicleRelationshipTimeStamp", "startTimestamp")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("siaga112.adapters.notify").joinpath(
        "eido_schema/eido.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _walk(node: Any, ids: set[str], refs: list[str], times: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$id" and isinstance(value, str):
                ids.add(value)
            elif key == "$ref" and isinstance(value, str):
                refs.append(value)
            elif key in TIME_FIELDS and isinstance(value, str):
                times.append(value)
            _walk(value, ids, refs, times)
    elif isinstance(node, list):
        for item in node:
            _walk(item, ids, refs, times)


def eido_problems(document: dict[str, Any]) -> list[str]:
    """Empty when the document is a valid EIDO whose references all resolve."""
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                for e in _validator().iter_errors(document)]
    ids: set[str] = set()
    refs: list[str] = []
    times: list[str] = []
    _walk(document, ids, refs, times)
    problems += [f"$ref to a missing component: {r}" for r in refs if r not in ids]
    for value in times:
        try:
            if datetime.fromisoformat(value).tzinfo is None:
                problems.append(f"timestamp without zone: {value}")
        except ValueError:
            problems.append(f"not a date-time: {value}")
    return problems
