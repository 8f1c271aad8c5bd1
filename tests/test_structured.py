"""The structured-output pipeline (with the scripted FakeBackend) and the grammar-friendly schema."""

from __future__ import annotations

import json
import math
from typing import Any, Literal

import jsonschema
import pytest
from pydantic import ValidationError
from pydantic import BaseModel, Field

from reviewer.backends.base import CompletionRequest, Message, Probe, probe_choices
from reviewer.backends.factory import backend_from_config
from reviewer.backends.fake import FakeBackend, FakeOptions
from reviewer.backends.none import NoneBackend
from reviewer.backends.structured import complete_structured, parse_structured, schema_for, tightened
from reviewer.config import BackendConfig
from reviewer.errors import BackendError, BackendResponseError, ConfigError, StructuredOutputError


class Location(BaseModel):
    path: str
    line: int = Field(ge=1)


class Issue(BaseModel):
    title: str
    severity: Literal["low", "medium", "high"]
    confidence: int = Field(ge=1, le=5)
    where: Location
    tags: list[str] = Field(default_factory=list)
    note: str | None = None


class Review(BaseModel):
    summary: str = Field(max_length=2000)
    issues: list[Issue]
    also: list[Location] = Field(default_factory=list, max_length=3)


VALID = {
    "summary": "ok",
    "issues": [{"title": "sqli", "severity": "high", "confidence": 4, "where": {"path": "a.py", "line": 3}}],
}


def _request() -> CompletionRequest:
    return CompletionRequest(messages=[Message(role="system", content="You review code."),
                                       Message(role="user", content="Review a.py")])


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_walk(item))
    return found


def test_valid_answer_is_returned_with_its_completion() -> None:
    backend = FakeBackend(FakeOptions(replies=[json.dumps(VALID)], json_schema=True))
    review, completion = complete_structured(backend, _request(), Review)
    assert review.issues[0].where == Location(path="a.py", line=3)
    assert completion.backend == "fake" and completion.text == json.dumps(VALID)
    sent = backend.requests[0]
    assert sent.json_schema == schema_for(Review)
    assert sent.messages == _request().messages  # a schema-capable backend gets no extra instruction


def test_backend_without_schema_support_gets_an_instruction() -> None:
    backend = FakeBackend(FakeOptions(replies=[json.dumps(VALID)], json_schema=False))
    complete_structured(backend, _request(), Review)
    sent = backend.requests[0]
    assert sent.json_schema is None
    assert sent.messages[-1].role == "user"
    assert sent.messages[-1].content.startswith("Review a.py")
    assert '"maxItems"' in sent.messages[-1].content


def test_fenced_answer_is_accepted() -> None:
    backend = FakeBackend()
    backend.script("```json\n" + json.dumps(VALID, indent=2) + "\n```\n")
    review, _ = complete_structured(backend, _request(), Review)
    assert review.summary == "ok"
    assert len(backend.requests) == 1


def test_no_guesswork_beyond_the_fence() -> None:
    with pytest.raises(ValueError):
        parse_structured("Here it is: " + json.dumps(VALID), Review)


def test_a_raw_newline_inside_a_string_is_read_and_nothing_else_is_repaired() -> None:
    raw = json.dumps(VALID).replace('"ok"', '"ok\nthen"')
    assert "\n" in raw and parse_structured(raw, Review).summary == "ok\nthen"
    with pytest.raises(ValidationError):  # still a validation error: the caller re-asks
        parse_structured(raw[:-1], Review)


def test_invalid_then_valid_reasks_once_with_the_errors() -> None:
    bad = {**VALID, "issues": [{**VALID["issues"][0], "confidence": 9}]}
    backend = FakeBackend(FakeOptions(replies=[json.dumps(bad), json.dumps(VALID)]))
    review, completion = complete_structured(backend, _request(), Review)
    assert review.issues[0].confidence == 4
    assert completion.text == json.dumps(VALID)
    assert len(backend.requests) == 2
    reask = backend.requests[1].messages
    assert reask[-2].role == "assistant" and reask[-2].content == json.dumps(bad)
    assert "issues.0.confidence" in reask[-1].content


def test_invalid_twice_raises_with_the_raw_text() -> None:
    backend = FakeBackend(FakeOptions(replies=["not json", '{"summary": "x"}']))
    with pytest.raises(StructuredOutputError) as caught:
        complete_structured(backend, _request(), Review)
    assert caught.value.raw == '{"summary": "x"}'
    assert "issues" in caught.value.errors
    assert caught.value.backend == "fake" and caught.value.model == "fake-model"
    assert len(backend.requests) == 2


def test_schema_bounds_every_string_and_array_and_inlines_refs() -> None:
    schema = schema_for(Review, max_length=300, max_items=7)
    assert "$defs" not in json.dumps(schema) and "$ref" not in json.dumps(schema)
    nodes = _walk(schema)
    strings = [n for n in nodes if n.get("type") == "string"]
    arrays = [n for n in nodes if n.get("type") == "array"]
    assert len(strings) >= 4 and len(arrays) == 3
    for node in strings:
        assert "maxLength" in node or "enum" in node or "const" in node, node
    assert all(n["maxLength"] <= 300 for n in strings if "maxLength" in n)
    assert sorted(n["maxItems"] for n in arrays) == [3, 7, 7]
    confidence = schema["properties"]["issues"]["items"]["properties"]["confidence"]
    assert confidence["enum"] == [1, 2, 3, 4, 5]
    jsonschema.validate(VALID, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**VALID, "summary": "x" * 301}, schema)


def test_recursive_models_are_refused() -> None:
    class Node(BaseModel):
        children: list["Node"]

    with pytest.raises(ValueError, match="recursive"):
        schema_for(Node)


def test_fake_records_requests_and_uses_a_responder() -> None:
    backend = FakeBackend(FakeOptions(responder=lambda r: r.messages[-1].content.upper()))
    assert backend.complete(_request()).text == "REVIEW A.PY"
    backend.respond_with(None)
    with pytest.raises(BackendResponseError, match="exhausted"):
        backend.complete(_request())
    assert len(backend.requests) == 2


def test_none_backend_does_not_generate() -> None:
    backend = NoneBackend()
    assert backend.capabilities.generates is False
    with pytest.raises(BackendError, match="no model is configured"):
        backend.complete(_request())


def test_factory_applies_flags_over_config() -> None:
    config = BackendConfig(name="fake", model="from-config", options={"replies": ["a"]})
    assert backend_from_config(config).model_name == "from-config"
    assert backend_from_config(config, model="flag").model_name == "flag"
    none = backend_from_config(config, name="none", base_url="http://x")  # fake's options do not leak
    assert isinstance(none, NoneBackend) and none.options.model is None
    with pytest.raises(ConfigError, match="backend.options.bogus"):
        backend_from_config(BackendConfig(name="fake", options={"bogus": 1}))


def test_an_answer_cut_off_at_max_tokens_is_reasked_shorter_without_the_fragment() -> None:
    long = {**VALID, "summary": " ".join(["word"] * 80)}
    backend = FakeBackend(FakeOptions(replies=[json.dumps(long), json.dumps(VALID)]))
    request = _request().model_copy(update={"max_tokens": 40})
    review, completion = complete_structured(backend, request, Review)
    assert review.summary == "ok" and completion.finish_reason == "stop"
    reask = backend.requests[1].messages
    assert [m.role for m in reask] == ["system", "user", "user"]  # the truncated fragment is not sent back
    assert "cut off at the limit of 40 tokens" in reask[-1].content


def test_fake_cuts_off_at_max_tokens_like_a_model() -> None:
    backend = FakeBackend(FakeOptions(replies=["one two three four"]))
    completion = backend.complete(_request().model_copy(update={"max_tokens": 2}))
    assert (completion.text, completion.finish_reason, completion.usage.completion_tokens) == ("one two", "length", 2)


def test_a_cut_off_answer_is_reasked_under_a_tightened_schema_when_schemas_are_enforced() -> None:
    long = {**VALID, "summary": " ".join(["word"] * 80)}
    backend = FakeBackend(FakeOptions(replies=[json.dumps(long), json.dumps(VALID)], json_schema=True))
    complete_structured(backend, _request().model_copy(update={"max_tokens": 40}), Review)
    first, second = backend.requests
    assert first.json_schema is not None and second.json_schema is not None
    assert second.json_schema["properties"]["summary"]["maxLength"] == first.json_schema["properties"]["summary"][
        "maxLength"] // 3
    assert second.json_schema["properties"]["also"]["maxItems"] == 1  # 3 halved, at least 1


def test_tightened_schema_accepts_only_answers_the_original_accepts() -> None:
    schema = schema_for(Review)
    tight = tightened(schema)
    short = {**VALID, "summary": "s" * 10}
    jsonschema.validate(short, tight)
    jsonschema.validate(short, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**VALID, "summary": "s" * 700}, tight)


def test_probe_reads_the_choice_where_the_answer_is_given() -> None:
    probe = Probe(after='"answer"', choices=["yes", "no"])
    steps = [('{"reason": "', {}), ("no", {"yes": 0.0, "no": 5.0}), (' timeout", "answer": "', {}),
             ("yes", {"yes": 2.0, "no": 1.0}), ('"}', {})]
    probs = probe_choices(probe, steps)
    assert probs is not None and probs["yes"] == pytest.approx(math.exp(1) / (math.exp(1) + 1))
    assert sum(probs.values()) == pytest.approx(1.0)
    assert probe_choices(probe, steps[:3]) is None  # cut off before the answer: nothing to say
    assert probe_choices(probe, [('"answer": "', {}), ("yes", {"yes": 0.0})])["no"] < 1e-20  # not among the top
