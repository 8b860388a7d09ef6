"""Validate request bodies against Discord's official OpenAPI spec (a preview).

Validators are built lazily, one per (method, path template), and cached.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_SPEC_URI = "urn:discord-openapi"
_METHODS = ("get", "put", "post", "patch", "delete")


def _pointer_escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _patch_spec_quirks(spec: dict[str, Any]) -> None:
    """Loosen the spec where Discord accepts more than the spec says (narrowly)."""
    schemas = spec["components"]["schemas"]
    # The spec types every snowflake as a decimal *string*, but Discord accepts JSON
    # integers too, and discord.py sends them (allowed_mentions.users/roles,
    # attachments[].id = 0, 1, ..., recipient_id, channel_id of scheduled events).
    snowflake = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0}]}


class _Operation:
    def __init__(self, template: str, regex: re.Pattern[str], pointer: str | None) -> None:
        self.template = template
        self.regex = regex
        self.pointer = pointer  # JSON pointer to the request body schema, None = no body
        self.validator: Draft202012Validator | None = None


class SpecValidator:
    """``validate(method, path, body) -> list[str]``; unknown paths land in ``unknown``."""

    def __init__(self, spec_path: str | Path) -> None:
        spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
        _patch_spec_quirks(spec)
        self.spec: dict[str, Any] = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._ops: dict[str, list[_Operation]] = {m.upper(): [] for m in _METHODS}
        self.unknown: list[str] = []
        self._index()

    def _index(self) -> None:
        for template, item in self.spec["paths"].items():
            regex = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))
            for method in _METHODS:
                op = item.get(method)
                if op is None:
                    continue
                self._ops[method.upper()].append(
                    _Operation(template, regex, self._body_pointer(template, method, op))
                )
        # Prefer literal segments ("/messages/@original") over placeholders ("{message_id}").
        for ops in self._ops.values():
            ops.sort(key=lambda o: (o.template.count("{"), -len(o.template)))

    @staticmethod
    def _body_pointer(template: str, method: str, op: dict[str, Any]) -> str | None:
        content = op.get("requestBody", {}).get("content", {})
        # multipart bodies carry the same JSON object in ``payload_json``; the JSON
        # schema describes it without the files[n] parts.
        for ctype in ("application/json", "multipart/form-data"):
            if ctype in content and "schema" in content[ctype]:
                parts = ["paths", template, method, "requestBody", "content", ctype, "schema"]
                return "/" + "/".join(_pointer_escape(p) for p in parts)
        return None

    def find(self, method: str, path: str) -> _Operation | None:
        for op in self._ops.get(method.upper(), []):
            if op.regex.fullmatch(path):
                return op
        return None

    def validate(self, method: str, path: str, body: Any) -> list[str]:
        op = self.find(method, path)
        if op is None:
            self.unknown.append(f"{method.upper()} {path}")
            return []
        if op.pointer is None or body is None:
            return []
        if op.validator is None:
            schema = {"$ref": f"{_SPEC_URI}#{op.pointer}"}
            op.validator = Draft202012Validator(schema, registry=self._registry)
        problems = []
        for error in op.validator.iter_errors(copy.deepcopy(body)):
            problems.append(self._describe(method, path, error))
        return problems

    @staticmethod
    def _describe(method: str, path: str, error: ValidationError) -> str:
        detail = _most_relevant(error)
        pointer = "/" + "/".join(str(p) for p in detail.absolute_path)
        message = detail.message
        if detail.validator in ("maxLength", "minLength") and isinstance(detail.instance, str):
            limit = f"{detail.validator} {detail.validator_value}"
            message = f"length {len(detail.instance)} violates {limit}"
        elif len(message) > 200:
            message = message[:200] + "..."
        return f"{method.upper()} {path}: {pointer}: {message}"


def _most_relevant(error: ValidationError) -> ValidationError:
    """anyOf/oneOf errors only say "not valid under any"; pick the branch that was meant.

    Discord's unions are discriminated by a field such as ``type`` or ``entity_type``:
    prefer branches whose discriminating enum/const matched, then branches of the
    instance's JSON type, then the deepest errors.
    """
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)

        def score(errors: list[ValidationError]) -> tuple[bool, bool, int]:
            discriminator_failed = any(
                e.validator in ("enum", "const") and len(e.relative_path) == 1 for e in errors
            )
            wrong_json_type = any(e.validator == "type" and not e.relative_path for e in errors)
            depth = max(len(e.absolute_path) for e in errors)
            return (not discriminator_failed, not wrong_json_type, depth)

        best = max(branches.values(), key=score)
        error = max(best, key=lambda e: len(e.absolute_path))
    return error
