"""Domain errors raised by the core and rendered once by each face.

Each class carries what every face needs to render it, so no face keeps a table
of the others' codes: ``exit_code`` for the CLI (and the console's exit on a
store error), ``http_status`` and ``api_error`` (the Contentful error id) for
the API. A subclass inherits its parent's, unless it says otherwise.
"""

from __future__ import annotations


class TokentuiError(Exception):
    """Base of every refusal the core makes; its message is shown to the user as is."""

    code = "error"
    exit_code = 1
    http_status = 400
    api_error = "BadRequest"


class InvalidInput(TokentuiError):
    """The request is malformed: a bad name, date, scope or option."""

    code = "invalid_input"
    exit_code = 2
    http_status = 422
    api_error = "ValidationFailed"


class NotFound(TokentuiError):
    """The named token, user, space or organization does not exist (for this actor)."""

    code = "not_found"
    exit_code = 4
    http_status = 404
    api_error = "NotFound"


class NotAllowed(TokentuiError):
    """The actor's role does not permit the operation."""

    code = "not_allowed"
    exit_code = 3
    http_status = 403
    api_error = "AccessDenied"


class LimitReached(TokentuiError):
    """A per-space or per-user limit would be exceeded."""

    code = "limit_reached"
    exit_code = 5
    http_status = 403
    api_error = "AccessDenied"


class Conflict(TokentuiError):
    """The operation clashes with the current state (already revoked, already a member...)."""

    code = "conflict"
    exit_code = 6
    http_status = 409
    api_error = "Conflict"


class StoreError(TokentuiError):
    """The database cannot be opened or used: corrupt, read-only, newer, unreachable."""

    code = "store_error"
    exit_code = 7
    http_status = 503
    api_error = "ServiceUnavailable"
