"""Reading a request's JSON object strictly: no NaN, no Infinity, no silent coercion."""

import json
import math

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from mfe_platform.web.errors import ApiError


def _bad(message: str) -> ApiError:
    return ApiError(400, "bad-json", message)


def _no_constants(name: str):
    # Python's json accepts NaN and Infinity; JSON does not.
    raise _bad(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        # 1e309 is valid JSON grammar but no double holds it.
        raise _bad(f"the number {text} is out of range")
    return value


def json_object() -> dict:
    """The request body as a JSON object, or a 400/413 JSON error."""
    # 400 rather than 415: the design's list of statuses has no 415, and the host answers the
    # same way for a body that is not JSON.
    if not request.is_json:
        raise _bad("send the body as JSON, with Content-Type: application/json")
    # get_data raises 413 itself when Content-Length is over MAX_CONTENT_LENGTH.
    raw = request.get_data(cache=False)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body has no Content-Length: werkzeug stops reading at the limit and
        # hands over the first `limit` bytes, which may parse as JSON although the body does
        # not. A body that reaches the limit is too large, never silently cut.
        raise RequestEntityTooLarge()
    try:
        body = json.loads(raw, parse_constant=_no_constants, parse_float=_finite_float)
    except ApiError:
        raise
    except (ValueError, RecursionError) as error:
        raise _bad(f"the body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    return body
