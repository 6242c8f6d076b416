"""Redaction of secret-shaped text, for logs and error messages.

A secret is shown once, in the answer to create; anything else that might carry
one (an access-log line with a pasted secret in a URL, an error message quoting
what a client sent) goes through :func:`redact` first. The match is on the
shape of a secret (a known prefix, an underscore, a run of base62), not on its
checksum, so a mistyped or truncated secret is hidden as well; and it is found
wherever it starts, glued to a letter or a digit as much as after a space, so
``X<secret>`` hides the secret too. Every whole secret (a prefix and a valid
checksum) therefore matches, since the shape is all it needs.
"""

from __future__ import annotations

import re

from tokentui.core.tokens.secret_format import KIND_BY_PREFIX

# Twenty characters of base62 after a prefix is far more than any word or id
# that is not a secret, and fewer than any secret that lost a few characters.
# No boundary before the prefix: text glued in front must not hide a secret.
_SECRET_SHAPE = re.compile("(" + "|".join(sorted(KIND_BY_PREFIX)) + r")_[0-9A-Za-z]{20,}")
REDACTED = "[REDACTED]"


def redact(text: str) -> str:
    """``text`` with every secret-shaped run replaced by its prefix and ``[REDACTED]``."""
    return _SECRET_SHAPE.sub(lambda match: f"{match.group(1)}_{REDACTED}", text)


def looks_secret(text: str) -> bool:
    """Whether ``text`` contains something shaped like a secret."""
    return _SECRET_SHAPE.search(text) is not None
