"""422 bodies that say what is wrong without sending the caller's input back: a field of
megabytes must not come back as megabytes."""

from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MAX_ECHO_CHARS = 200


def _short_input(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) <= MAX_ECHO_CHARS:
            return value
        return value[:MAX_ECHO_CHARS] + f"… ({len(value)} characters)"
    if isinstance(value, int | float | bool) or value is None:
        return value
    shown = repr(value)
    return value if len(shown) <= MAX_ECHO_CHARS else f"<{type(value).__name__} not shown>"


def compact_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for item in error.errors():
        item = dict(item)
        if "input" in item:
            item["input"] = _short_input(item["input"])
        if len(repr(item.get("ctx"))) > MAX_ECHO_CHARS:
            item.pop("ctx")
        errors.append(item)
    return errors


def validation_error_response(error: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": jsonable_encoder(compact_errors(error))}, status_code=422)
