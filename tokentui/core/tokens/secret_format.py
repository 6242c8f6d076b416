"""Token secrets and public ids: generation, checksum, one-way hash and the last four characters.

The format follows GitHub's tokens: ``<prefix>_<body><checksum>`` where the prefix
names the kind (so secret scanners can recognise a leaked token), the body is 256
random bits in base62 and the checksum is CRC32 of ``prefix_body`` in base62. A
mistyped or invented token fails the checksum and is rejected without touching
the database. Only :func:`hash_secret` and :func:`last_four` of a secret are kept.
Public ids (:func:`new_id`) are random base62 too, in the same alphabet.
"""

from __future__ import annotations

import hashlib
import re
import secrets as _random
import zlib
from collections.abc import Iterator

from tokentui.core.vocabulary import KINDS, TokenKind

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PREFIX_LENGTH = 3
BODY_LENGTH = 43  # ceil(256 / log2(62))
CHECKSUM_LENGTH = 6  # ceil(32 / log2(62))
# How many of a secret's last characters are kept and shown (``…Ab3x``).
LAST_FOUR_LENGTH = 4
# Each kind's prefix is in its row of KINDS.
PREFIXES: dict[TokenKind, str] = {kind: spec.prefix for kind, spec in KINDS.items()}
KIND_BY_PREFIX = {prefix: kind for kind, prefix in PREFIXES.items()}
assert all(len(prefix) == PREFIX_LENGTH for prefix in KIND_BY_PREFIX), "parse() reads a fixed-length prefix"
SECRET_LENGTH = PREFIX_LENGTH + 1 + BODY_LENGTH + CHECKSUM_LENGTH
_ALPHABET_SET = frozenset(ALPHABET)
# A secret's shape in bytes: a prefix, "_", then a secret's worth of base62. Only a candidate:
# its checksum decides (parse). Bytes, so a file is searched as it is read, in any encoding.
_CANDIDATE = re.compile(
    f"(?:{'|'.join(sorted(KIND_BY_PREFIX))})_[{ALPHABET}]{{{BODY_LENGTH + CHECKSUM_LENGTH}}}".encode("ascii")
)


def new_id(length: int = 22) -> str:
    """A random public identifier in base62, like Contentful's resource ids."""
    return "".join(_random.choice(ALPHABET) for _ in range(length))


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


# Every pair of base62 digits, by its value: a checksum is three pairs, two divisions where a
# digit at a time takes six (verify's hot path makes one checksum per call).
_PAIRS = tuple(high + low for high in ALPHABET for low in ALPHABET)
_PAIR = len(_PAIRS)
assert CHECKSUM_LENGTH == 6 and _PAIR**3 > 2**32, "a CRC32 is three pairs of base62 digits"


def _checksum(head: str) -> str:
    """CRC32 of ``head`` as six base62 digits: :func:`_base62` of it, a pair of digits at a time."""
    rest, low = divmod(zlib.crc32(head.encode("ascii")), _PAIR)
    high, middle = divmod(rest, _PAIR)
    return _PAIRS[high] + _PAIRS[middle] + _PAIRS[low]


def generate(kind: TokenKind) -> str:
    """A new secret for ``kind``: 256 bits from :mod:`secrets`, prefixed and checksummed."""
    body = _base62(_random.randbits(256), BODY_LENGTH)
    head = f"{KINDS[kind].prefix}_{body}"
    return head + _checksum(head)


def parse(secret: str) -> TokenKind | None:
    """The kind named by a well-formed secret, or None when the format or checksum is wrong.

    This is the cheap check that runs before any database lookup.
    """
    if len(secret) != SECRET_LENGTH or secret[PREFIX_LENGTH] != "_":
        return None
    kind = KIND_BY_PREFIX.get(secret[:PREFIX_LENGTH])
    if kind is None:
        return None
    payload = secret[PREFIX_LENGTH + 1 :]
    if not _ALPHABET_SET.issuperset(payload):
        return None
    head, check = secret[:-CHECKSUM_LENGTH], secret[-CHECKSUM_LENGTH:]
    if _checksum(head) != check:
        return None
    return kind


def hash_secret(secret: str) -> str:
    """The one-way hash kept in the store.

    A plain SHA-256 suffices: the secret carries 256 random bits, so there is
    nothing to brute-force, and verify stays one hash and one indexed lookup.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def last_four(secret: str) -> str:
    """The last four characters, kept in the store and shown as the redacted value."""
    return secret[-LAST_FOUR_LENGTH:]


def find_in(text: str) -> list[tuple[int, TokenKind]]:
    """Where each well-formed secret (a prefix and a valid checksum) starts in ``text``, and its kind.

    Whatever surrounds it: a secret glued to letters or digits is found as well,
    because each candidate is the fixed-length run after a prefix and its checksum
    decides, not the characters around it.
    """
    found = []
    for prefix, kind in KIND_BY_PREFIX.items():
        start = text.find(prefix + "_")
        while start != -1:
            if parse(text[start : start + SECRET_LENGTH]) is kind:
                found.append((start, kind))
            start = text.find(prefix + "_", start + 1)
    return sorted(found)


def find_in_bytes(data: bytes, stop: int | None = None) -> Iterator[tuple[int, TokenKind, str]]:
    """Each well-formed secret in ``data`` that starts before ``stop``: its offset, kind and text.

    What :func:`find_in` finds, in raw bytes (one pass of one regex, for files): each
    candidate is checked and the search goes on from the character after its start, so a
    candidate that fails its checksum never hides a secret that begins inside it.
    """
    end = len(data) if stop is None else stop
    match = _CANDIDATE.search(data, 0)
    while match is not None and match.start() < end:
        secret = match.group().decode("ascii")
        kind = parse(secret)
        if kind is not None:
            yield match.start(), kind, secret
        match = _CANDIDATE.search(data, match.start() + 1)
