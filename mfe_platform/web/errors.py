"""JSON errors for every app: `{"error": code, "message": ..., "details": [...]}`, never HTML."""

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from shared_contracts.errors import ContractError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error an endpoint raises on purpose, with its status and reason code."""

    def __init__(self, status: int, code: str, message: str, details: list | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def error_response(status: int, code: str, message: str, details: list | None = None):
    """A JSON error response."""
    response = jsonify({"error": code, "message": message, "details": details or []})
    response.status_code = status
    return response


# Read and dropped before a 413 is answered, at most: a client still sending a body the server
# closed on gets a broken pipe instead of the answer (3 MB failed 4 times in 10, 8 MB always).
DRAIN_LIMIT = 16 * 1024 * 1024
DRAIN_CHUNK = 64 * 1024


def drain_body() -> None:
    """Read what is left of a refused request's body (up to DRAIN_LIMIT), so its sender can
    read the 413; a body larger than that still gets the connection closed on it."""
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return
    left = request.content_length
    left = DRAIN_LIMIT if left is None else min(left, DRAIN_LIMIT)
    try:
        while left > 0:
            chunk = stream.read(min(DRAIN_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
    except (OSError, ValueError):
        # The client gave up first: nothing to answer to.
        pass


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-").replace("'", "")


def init_app(app: Flask) -> None:
    """Register the JSON error handlers."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(ContractError)
    def contract_error(error: ContractError):
        return error_response(422, error.reason, error.message, error.details)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 413:
            drain_body()
        response = error_response(error.code or 500, _slug(error.name), error.description or "")
        # Keep headers such as Allow on 405.
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal-server-error", InternalServerError.description)
