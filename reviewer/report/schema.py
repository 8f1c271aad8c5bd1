"""JSON Schemas of the published files (``review.json``, ``evidence.json``), generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any, Literal

from reviewer.evidence import Evidence
from reviewer.review.result import ReviewResult

__all__ = ["SCHEMA_IDS", "json_schema", "schema_text"]

SchemaKind = Literal["review", "evidence"]
SCHEMA_IDS: dict[str, str] = {
    "review": "https://json-schema.org/draft/2020-12/schema",
    "evidence": "https://json-schema.org/draft/2020-12/schema",
}


def json_schema(kind: SchemaKind = "review") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12, as pydantic generates it) of a review result or an evidence file."""
    model = ReviewResult if kind == "review" else Evidence
    schema = model.model_json_schema(mode="serialization")
    return {"$schema": SCHEMA_IDS[kind], **schema}


def schema_text(kind: SchemaKind = "review") -> str:
    """The schema as stable, pretty JSON text (sorted keys, trailing newline): what ``reviewer schema`` prints."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
