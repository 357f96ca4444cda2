"""The signed download behind `exportMyData`: plain HTTP, so a browser or a phone's share
sheet can fetch it without a token."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from rally.errors import NotFound


async def download_export(request: Request) -> Response:
    rights = request.app.state.container.privacy
    try:
        document = await rights.download(request.path_params["token"])
    except NotFound as error:
        return Response(error.message, status_code=404, media_type="text/plain; charset=utf-8")
    return Response(
        orjson.dumps(document, option=orjson.OPT_INDENT_2), media_type="application/json",
        headers={"content-disposition": 'attachment; filename="rally-export.json"',
                 "cache-control": "no-store"})
