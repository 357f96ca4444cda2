"""The one error mapping: domain errors keep their code, anything else becomes INTERNAL.

Responses never carry a stack trace, SQL or secret; an unexpected error is logged once,
with the request id that the response also shows.
"""

from __future__ import annotations

from typing import Any

import structlog
from graphql import GraphQLError

from rally.errors import DomainError, ErrorCode

log = structlog.get_logger("rally.graphql")


def error_code(error: GraphQLError) -> ErrorCode:
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code
    if original is None or error.path is None:
        # Not raised by a resolver: parsing, validation, variable coercion, limits.
        preset = (error.extensions or {}).get("code")
        return ErrorCode(preset) if isinstance(preset, str) and preset in ErrorCode.__members__ \
            else ErrorCode.BAD_USER_INPUT
    return ErrorCode.INTERNAL


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    code = error_code(error)
    original = error.original_error
    extensions: dict[str, Any] = {"code": code.value}
    if isinstance(original, DomainError):
        message = original.message
        extensions.update(original.extensions)
    elif code is ErrorCode.INTERNAL:
        message = f"internal error (request id {request_id})"
        extensions["requestId"] = request_id
        log.error("unexpected error", request_id=request_id, path=error.path,
                  exc_info=original)
    else:
        message = error.message
        extensions.update({k: v for k, v in (error.extensions or {}).items() if k != "code"})
    formatted: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = error.path
    return formatted
