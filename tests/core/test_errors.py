"""Each error class carries how every face renders it: the CLI's exit code, the API's status and id."""

from __future__ import annotations

import pytest

from tokentui.core.access.bearer import InvalidCredentials
from tokentui.core.errors import (
    Conflict,
    InvalidInput,
    LimitReached,
    NotAllowed,
    NotFound,
    StoreError,
    TokentuiError,
)


@pytest.mark.parametrize(
    ("error", "exit_code", "status", "error_id"),
    [
        (InvalidInput, 2, 422, "ValidationFailed"),
        (NotAllowed, 3, 403, "AccessDenied"),
        (NotFound, 4, 404, "NotFound"),
        (LimitReached, 5, 403, "AccessDenied"),
        (Conflict, 6, 409, "Conflict"),
        (StoreError, 7, 503, "ServiceUnavailable"),
        (InvalidCredentials, 1, 401, "AccessTokenInvalid"),
        (TokentuiError, 1, 400, "BadRequest"),
    ],
)
def test_error_class_carries_the_readmes_exit_code_and_the_apis_status(
    error: type[TokentuiError], exit_code: int, status: int, error_id: str
) -> None:
    assert (error.exit_code, error.http_status, error.api_error) == (exit_code, status, error_id)
