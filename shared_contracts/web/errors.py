"""JSON errors for every app: `{"error": code, "message": ..., "details": [...]}`, never HTML."""

import logging

from flask import Flask, jsonify
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
