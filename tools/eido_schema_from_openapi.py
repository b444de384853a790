"""Rebuild src/siaga112/adapters/notify/eido_schema/eido.schema.json from NENA's EIDO
OpenAPI document (NENA911/EIDO-JSON, Schema/openapi.yaml).

    python tools/eido_schema_from_openapi.py ../shared/standards/eido/openapi.yaml

What changes on the way (named in the output's $comment too):
- `#/components/schemas/X` references become `#/$defs/X` (JSON Schema 2020-12);
- references into NIEMComponents/*.yaml (person, organization, vehicle, item details,
  which Siaga112 never sends) become `{}`: anything is accepted there;
- `minItems: 1,` (a typo in AgentType) becomes `minItems: 1`.
Needs PyYAML (a development tool only; the project reads the JSON output).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "src/siaga112/adapters/notify/eido_schema"
SOURCE = ("NENA911/EIDO-JSON, Schema/openapi.yaml, commit 7f62055 (2025-06-13), "
          "NENA-STA-021.1; converted by tools/eido_schema_from_openapi.py: component refs "
          "to $defs, NIEMComponents refs to {} (not sent by Siaga112), AgentType minItems "
          "typo '1,' read as 1")


def convert(node: Any) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not isinstance(node.get("type"), dict):
            if ref.startswith("#/components/schemas/"):
                node = {**node, "$ref": "#/$defs/" + ref.rsplit("/", 1)[1]}
            elif "NIEMComponents" in ref:
                return {"description": node.get("description", ""), "$comment": f"was {ref}"}
        out = {}
        for key, value in node.items():
            if key == "minItems" and isinstance(value, str):
                value = int(value.rstrip(","))
            out[key] = value if key == "$ref" else convert(value)
        return out
    if isinstance(node, list):
        return [convert(v) for v in node]
    return node


def main(openapi: Path) -> None:
    doc = yaml.safe_load(openapi.read_text(encoding="utf-8"))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": SOURCE,
              "$ref": "#/$defs/EmergencyIncidentDataObjectType",
              "$defs": convert(doc["components"]["schemas"])}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "eido.schema.json").write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n",
                                          encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
