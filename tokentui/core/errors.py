"""Domain errors raised by the core and rendered once by each face."""

from __future__ import annotations


class TokentuiError(Exception):
    """Base of every refusal the core makes; its message is shown to the user as is."""

    code = "error"


class InvalidInput(TokentuiError):
    """The request is malformed: a bad name, date, scope or option."""

    code = "invalid_input"


class NotFound(TokentuiError):
    """The named token, user, space or organization does not exist (for this actor)."""

    code = "not_found"


class NotAllowed(TokentuiError):
    """The actor's role does not permit the operation."""

    code = "not_allowed"


class LimitReached(TokentuiError):
    """A per-space or per-user limit would be exceeded."""

    code = "limit_reached"


class Conflict(TokentuiError):
    """The operation clashes with the current state (already revoked, already a member...)."""

    code = "conflict"


class StoreError(TokentuiError):
    """The database cannot be opened or used: corrupt, read-only, newer, unreachable."""

    code = "store_error"
