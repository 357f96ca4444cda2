"""The embedded media store's HTTP side: signed `PUT /media/<key>` and `GET /media/<key>`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from rally.errors import DomainError, ErrorCode

_STATUS = {ErrorCode.NOT_FOUND: 404, ErrorCode.FORBIDDEN: 403, ErrorCode.BAD_USER_INPUT: 400}


async def media_endpoint(request: Request) -> Response:
    media = request.app.state.container.media
    storage_key = request.path_params["key"]
    try:
        if request.method == "PUT":
            declared = request.headers.get("content-length", "")
            limit = request.app.state.container.settings.upload_max_bytes_video
            if declared.isdigit() and int(declared) > limit:
                return JSONResponse({"error": "file too large"}, status_code=413)
            await media.receive(storage_key, request.query_params.get("expires", ""),
                                request.query_params.get("signature", ""),
                                request.headers.get("content-type", ""), request.stream())
            return Response(status_code=204)
        path, content_type = await media.file(storage_key)
        return FileResponse(path, media_type=content_type,
                            headers={"cache-control": "public, max-age=31536000, immutable"})
    except DomainError as error:
        return JSONResponse({"error": error.message, "code": error.code.value},
                            status_code=_STATUS.get(error.code, 400))
