"""`/graphql` over HTTP, per the GraphQL-over-HTTP spec.

`application/graphql-response+json` when the client accepts it (4xx for requests that fail
before execution), `application/json` otherwise (200 with `errors`). GET runs queries only;
a mutation over GET is 405. Batching is off: a JSON array body is refused.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
import structlog
from graphql import ExecutionResult, GraphQLError, execute
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.execution import optimized_is_awaitable
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema import Schema

from api import metrics
from api.community.lean import lean_execution_context
from api.context import Context
from api.documents import DocumentCache
from api.errors import error_code, format_error
from api.limits import limit_violation, measure
from api.response_cache import ResponseCache
from api.suspension import write_refused
from rally.errors import ErrorCode

log = structlog.get_logger("rally.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_PARAMETERS = ("query", "variables", "operationName", "extensions")


class RequestError(Exception):
    """The request is malformed before any GraphQL happens."""

    def __init__(self, message: str, status: int = 400, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.status, self.headers = message, status, headers or {}


def _negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither."""
    if not accept:
        return JSON
    best: tuple[float, str] | None = None
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media == GRAPHQL_RESPONSE:
            candidate = GRAPHQL_RESPONSE
        elif media in (JSON, "application/*", "*/*"):
            candidate = JSON
        else:
            continue
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, candidate)
    return best[1] if best else None


class GraphQLHTTP:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._graphql_schema = schema._schema
        self._execution_context_class = lean_execution_context(schema.execution_context_class)
        self._documents: DocumentCache | None = None
        self.responses = ResponseCache(self._graphql_schema)
        self._graphiql = get_graphql_ide_html("graphiql")

    def documents(self, context: Context) -> DocumentCache:
        if self._documents is None:
            self._documents = DocumentCache(self._graphql_schema, context.settings)
        return self._documents

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        container = request.app.state.container
        accept = request.headers.get("accept")
        if request.method == "GET" and "text/html" in (accept or "") and "query" not in request.query_params:
            return HTMLResponse(self._graphiql)
        media = _negotiate(accept)
        if media is None:
            return _plain(406, f"accept {GRAPHQL_RESPONSE} or {JSON}")
        context = Context(container, request, request.headers.get("authorization"))
        operation_name = "invalid"
        try:
            if context.authorization:
                await context.authenticate()
            params = await self._read_params(request)
            operation_name, status, body = await self._run(request, context, params, media)
        except RequestError as error:
            status = error.status
            body = {"errors": [{"message": error.message,
                                "extensions": {"code": ErrorCode.BAD_USER_INPUT.value}}]}
            if error.status in (405, 413, 415):
                return _plain(error.status, error.message, error.headers)
        # bytes: a whole answer from the response cache (never one with errors)
        codes = [] if isinstance(body, bytes) else [e["extensions"]["code"]
                                                    for e in body.get("errors", ())]
        metrics.observe_request(operation_name, time.perf_counter() - started, codes)
        if codes:
            # One line per refused operation; never the query text, variables or tokens.
            log.info("operation refused", operation=operation_name, codes=codes, status=status,
                     request_id=context.request_id, member_id=context.viewer_id)
        return Response(body if isinstance(body, bytes) else orjson.dumps(body),
                        status_code=status,
                        media_type=f"{media}; charset=utf-8",
                        headers={"x-request-id": context.request_id})

    async def _read_params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            params: dict[str, Any] = dict(request.query_params)
            for name in ("variables", "extensions"):
                if name in params and params[name] != "":
                    try:
                        params[name] = orjson.loads(params[name])
                    except orjson.JSONDecodeError as exc:
                        raise RequestError(f"{name} is not valid JSON") from exc
            return self._check_params(params)
        content_type = request.headers.get("content-type", "")
        media, _, rest = content_type.partition(";")
        if media.strip().lower() != JSON:
            raise RequestError(f"send the request as {JSON}", status=415)
        charset = rest.strip().lower()
        if charset.startswith("charset=") and charset[8:].strip('"') not in ("utf-8", "utf8"):
            raise RequestError("only utf-8 request bodies are accepted", status=415)
        limit = request.app.state.container.settings.max_body_bytes
        body = await _read_body(request, limit)
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise RequestError("request body is not valid JSON") from exc
        if isinstance(params, list):
            raise RequestError("batched requests are not supported; send one operation per request")
        if not isinstance(params, dict):
            raise RequestError("request body must be a JSON object")
        return self._check_params(params)

    @staticmethod
    def _check_params(params: dict[str, Any]) -> dict[str, Any]:
        query = params.get("query")
        if not isinstance(query, str) or not query.strip():
            raise RequestError("the query parameter must be a non-empty string")
        if params.get("operationName") is not None and not isinstance(params["operationName"], str):
            raise RequestError("operationName must be a string")
        for name in ("variables", "extensions"):
            value = params.get(name)
            if value == "" and name == "variables":
                params[name] = None
            elif value is not None and not isinstance(value, dict):
                raise RequestError(f"{name} must be a JSON object")
        return params

    async def _run(self, request: Request, context: Context, params: dict[str, Any],
                   media: str) -> tuple[str, int, dict[str, Any] | bytes]:
        request_error = 400 if media == GRAPHQL_RESPONSE else 200
        prepared = self.documents(context).prepare(params["query"])
        if prepared.document is None:
            return "invalid", request_error, self._errors(prepared.errors, context)
        operation = prepared.operation(params.get("operationName"))
        if operation is None:
            message = ("unknown operationName" if params.get("operationName")
                       else "the document has several operations: name one with operationName")
            return "invalid", request_error, self._errors([GraphQLError(message)], context)
        name = operation.name.value if operation.name else "anonymous"
        kind = operation.operation.value
        if request.method == "GET" and kind != "query":
            raise RequestError(f"{kind}s are only allowed over POST", status=405,
                               headers={"allow": "POST"})
        if kind == "subscription":
            return name, request_error, self._errors(
                [GraphQLError("subscriptions are served over WebSocket on /graphql")], context)
        if kind == "mutation":
            refusal = await write_refused(context, operation)
            if refusal is not None:
                error = GraphQLError(refusal.message, original_error=refusal)
                return name, request_error, self._errors([error], context)
        variables = params.get("variables")
        found = prepared.measures.get(operation.name.value if operation.name else None)
        if found is None or variables:
            found = measure(self._graphql_schema, operation, prepared.fragments, variables,
                            context.settings.default_page_size)
            if not variables:
                prepared.measures[operation.name.value if operation.name else None] = found
        violation = limit_violation(found, context.settings)
        if violation:
            error = GraphQLError(violation, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})
            return name, request_error, self._errors([error], context)
        cache_key = self.responses.key(prepared, operation, params["query"],
                                       params.get("operationName"), variables,
                                       context.services.leaderboards.today)
        computing = False
        if cache_key is not None:
            cached, computing = await self.responses.lookup(
                cache_key, context.services.leaderboards.boards.versions)
            if cached is not None:
                return name, 200, cached
        try:
            return await self._execute(context, prepared, params, variables, media, name,
                                       cache_key if computing else None)
        finally:
            if computing and cache_key is not None:
                self.responses.done(cache_key, context, None)  # no-op once answered

    async def _execute(self, context: Context, prepared: Any, params: dict[str, Any],
                       variables: dict[str, Any] | None, media: str, name: str,
                       cache_key: tuple[Any, ...] | None) -> tuple[str, int, dict[str, Any] | bytes]:
        result = execute(
            self._graphql_schema,
            prepared.document,
            context_value=context,
            variable_values=variables,
            operation_name=params.get("operationName"),
            executor_class=self._execution_context_class,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a TypeGuard in graphql-core's stub
        )
        if optimized_is_awaitable(result):
            result = await result  # type: ignore[misc]
        assert isinstance(result, ExecutionResult)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e, context.request_id) for e in result.errors]
        status = 200 if result.data is not None or media == JSON else 400
        if cache_key is not None and not result.errors and result.data is not None:
            serialized = orjson.dumps(body)
            self.responses.done(cache_key, context, serialized)
            return name, status, serialized
        return name, status, body

    @staticmethod
    def _errors(errors: list[GraphQLError], context: Context) -> dict[str, Any]:
        return {"errors": [format_error(e, context.request_id) for e in errors]}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestError(f"request body is larger than {limit} bytes", status=413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(f"request body is larger than {limit} bytes", status=413)
        chunks.append(chunk)
    if size == 0:
        raise RequestError("the request body is empty")
    return b"".join(chunks)


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps({"errors": [{"message": message}]}), status_code=status,
                    media_type="application/json; charset=utf-8", headers=headers)


__all__ = ["GraphQLHTTP", "error_code"]
