"""Structured output that does not trust the model: schema when possible, validation always, one re-ask.

:func:`complete_structured` sends the pydantic model's schema as ``request.json_schema`` when the backend can
constrain its output (``capabilities.json_schema``) and otherwise adds a schema instruction to the prompt. The
answer is *always* validated with the pydantic model; the only cleanup is stripping a Markdown ```json fence.
An invalid answer is re-asked once with the validation errors appended (an answer cut off at ``max_tokens`` is
re-asked for a shorter one instead, under a tightened schema when the backend enforces schemas); a second
failure raises
:class:`~reviewer.errors.StructuredOutputError` carrying the raw text.

:func:`schema_for` makes a schema that llama.cpp's JSON-schema grammar handles well:

* ``$ref`` s are inlined (the grammar converter and small models cope better with one flat tree);
* every free string gets ``maxLength`` and every array ``maxItems``, otherwise a looping model runs until
  ``max_tokens``;
* the grammar ignores ``minimum``/``maximum``: a small bounded integer range becomes an ``enum``; wider ranges
  keep the bounds for documentation and are enforced by pydantic validation.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reviewer.backends.base import Backend, Completion, CompletionRequest, Message
from reviewer.errors import StructuredOutputError

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "DEFAULT_MAX_LENGTH",
    "complete_structured",
    "parse_structured",
    "schema_for",
    "tightened",
]

T = TypeVar("T", bound=BaseModel)

DEFAULT_MAX_LENGTH = 600
DEFAULT_MAX_ITEMS = 20
_MAX_ENUM_SPAN = 20

_FENCE = re.compile(r"\A\s*```[A-Za-z0-9_-]*[ \t]*\n(?P<body>.*?)\n?[ \t]*```\s*\Z", re.DOTALL)

_SCHEMA_INSTRUCTION = (
    "Answer with one JSON object only (no prose, no Markdown) that validates against this JSON schema:\n{schema}"
)
_REASK = (
    "Your previous answer did not validate against the JSON schema. Errors:\n{errors}\n"
    "Answer again with one corrected JSON object only."
)
_REASK_SHORTER = (
    "Your previous answer was cut off at the limit of {max_tokens} tokens, so it was not complete JSON. "
    "Answer again with one complete JSON object that fits well within that limit: fewer items, shorter texts."
)


# --- schema ---------------------------------------------------------------------------------------------
def _inline_refs(node: Any, defs: dict[str, Any], stack: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, defs, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in stack:
            raise ValueError(f"recursive schema through {name!r} cannot be inlined for a grammar")
        if name not in defs:
            raise ValueError(f"unresolved $ref {ref!r}")
        target = _inline_refs(defs[name], defs, (*stack, name))
        siblings = {k: _inline_refs(v, defs, stack) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings}
    return {k: _inline_refs(v, defs, stack) for k, v in node.items() if k != "$defs"}


def _bound(node: dict[str, Any], max_length: int, max_items: int) -> None:
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "string" in kinds and "enum" not in node and "const" not in node:
        node["maxLength"] = min(int(node.get("maxLength", max_length)), max_length)
    if "array" in kinds:
        node["maxItems"] = min(int(node.get("maxItems", max_items)), max_items)
    if "integer" in kinds and "enum" not in node:
        low = node.get("minimum", node["exclusiveMinimum"] + 1 if "exclusiveMinimum" in node else None)
        high = node.get("maximum", node["exclusiveMaximum"] - 1 if "exclusiveMaximum" in node else None)
        if isinstance(low, int) and isinstance(high, int) and 0 <= high - low <= _MAX_ENUM_SPAN:
            node["enum"] = list(range(low, high + 1))


def _walk(node: Any, max_length: int, max_items: int) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, max_length, max_items)
        return
    if not isinstance(node, dict):
        return
    _bound(node, max_length, max_items)
    for key, value in node.items():
        if key in ("properties", "patternProperties"):
            for sub in value.values():
                _walk(sub, max_length, max_items)
        elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "prefixItems", "not"):
            _walk(value, max_length, max_items)


def tightened(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a bounded schema with every ``maxLength`` cut to a third and every ``maxItems`` halved: the
    re-ask after an answer ran past ``max_tokens``. With a grammar the shorter answer is enforced, not hoped
    for; any answer valid under the tighter schema is valid under the original one."""
    out = copy.deepcopy(schema)
    stack: list[Any] = [out]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if isinstance(node.get("maxLength"), int):
                node["maxLength"] = max(min(node["maxLength"], 24), node["maxLength"] // 3,
                                        int(node.get("minLength", 0)))
            if isinstance(node.get("maxItems"), int):
                node["maxItems"] = max(node["maxItems"] // 2, int(node.get("minItems", 0)), 1)
            stack.extend(node.values())
    return out


def schema_for(
    model: type[BaseModel], *, max_length: int = DEFAULT_MAX_LENGTH, max_items: int = DEFAULT_MAX_ITEMS
) -> dict[str, Any]:
    """The model's JSON schema made grammar-friendly: refs inlined, strings/arrays bounded, small int ranges enums."""
    raw = model.model_json_schema()
    schema = _inline_refs(copy.deepcopy(raw), raw.get("$defs", {}), ())
    _walk(schema, max_length, max_items)
    return schema


# --- parsing --------------------------------------------------------------------------------------------
def _strip_fence(text: str) -> str:
    match = _FENCE.match(text)
    return match.group("body") if match else text.strip()


def parse_structured(text: str, model: type[T]) -> T:
    """Validate an answer with the model (only a surrounding ```json fence is removed). Raises ValidationError.

    A raw newline or tab inside a string (strict JSON forbids control characters there, and small models write
    them) is read as the character it is; nothing else is repaired."""
    body = _strip_fence(text)
    try:
        return model.model_validate_json(body)
    except ValidationError as strict:
        try:
            loose = json.loads(body, strict=False)
        except ValueError:
            raise strict from None
        return model.model_validate(loose)


def _describe(exc: ValidationError, limit: int = 10) -> str:
    lines = []
    for err in exc.errors(include_url=False)[:limit]:
        where = ".".join(map(str, err["loc"])) or "(root)"
        lines.append(f"- {where}: {err['msg']}")
    if exc.error_count() > limit:
        lines.append(f"- ... and {exc.error_count() - limit} more")
    return "\n".join(lines)


# --- the pipeline ---------------------------------------------------------------------------------------
def _with_instruction(messages: list[Message], schema: dict[str, Any]) -> list[Message]:
    instruction = _SCHEMA_INSTRUCTION.format(schema=json.dumps(schema, separators=(",", ":")))
    if messages and messages[-1].role == "user":
        last = messages[-1]
        return [*messages[:-1], Message(role="user", content=f"{last.content}\n\n{instruction}")]
    return [*messages, Message(role="user", content=instruction)]


def _first_request(backend: Backend, request: CompletionRequest, schema: dict[str, Any]) -> CompletionRequest:
    if backend.capabilities.json_schema:
        return request.model_copy(update={"json_schema": schema})
    return request.model_copy(update={"json_schema": None, "messages": _with_instruction(request.messages, schema)})


def _reask(first: CompletionRequest, completion: Completion, errors: str) -> CompletionRequest:
    """The one re-ask: the validation errors, or, for an answer cut off at ``max_tokens``, a request for a shorter
    one (without the truncated text, which would only invite the model to continue it)."""
    if completion.finish_reason == "length":
        note = _REASK_SHORTER.format(max_tokens=first.max_tokens)
        if first.json_schema is not None:  # the grammar enforces the shorter answer
            return first.model_copy(update={"json_schema": tightened(first.json_schema),
                                            "messages": [*first.messages, Message(role="user", content=note)]})
        return first.model_copy(update={"messages": [*first.messages, Message(role="user", content=note)]})
    return first.model_copy(update={"messages": [
        *first.messages,
        Message(role="assistant", content=completion.text),
        Message(role="user", content=_REASK.format(errors=errors)),
    ]})


def complete_structured(
    backend: Backend, request: CompletionRequest, model: type[T], *, schema: dict[str, Any] | None = None
) -> tuple[T, Completion]:
    """Ask for an answer that validates against ``model``; re-ask once with the errors, then raise.

    Returns the validated object and the completion it came from (the re-ask's when one was needed).
    Raises StructuredOutputError (with ``raw`` = the last answer's text) when both answers fail validation;
    backend errors propagate unchanged.
    """
    schema = schema if schema is not None else schema_for(model)
    first = _first_request(backend, request, schema)
    completion = backend.complete(first)
    try:
        return parse_structured(completion.text, model), completion
    except ValidationError as exc:
        errors = _describe(exc)
    second = backend.complete(_reask(first, completion, errors))
    try:
        return parse_structured(second.text, model), second
    except ValidationError as exc:
        raise StructuredOutputError(
            f"the answer does not match {model.__name__} even after one re-ask",
            backend=backend.name,
            model=backend.model_name or None,
            raw=second.text,
            errors=_describe(exc),
        ) from exc
