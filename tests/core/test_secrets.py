"""The secret format: kind prefix, 256 random bits, checksum; only hash and last four kept."""

from __future__ import annotations

import pytest

from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import TokenKind


@pytest.mark.parametrize("kind", list(TokenKind))
def test_secret_names_its_kind_and_passes_its_checksum(kind: TokenKind) -> None:
    secret = secret_format.generate(kind)
    assert secret.startswith(secret_format.PREFIXES[kind] + "_")
    assert len(secret) == secret_format.SECRET_LENGTH
    assert secret_format.parse(secret) is kind


def test_secrets_carry_at_least_256_random_bits() -> None:
    import math

    assert secret_format.BODY_LENGTH * math.log2(62) >= 256
    assert len({secret_format.generate(TokenKind.PERSONAL) for _ in range(2000)}) == 2000


def test_every_single_character_typo_fails_the_checksum() -> None:
    secret = secret_format.generate(TokenKind.PERSONAL)
    for index in range(4, len(secret)):
        for replacement in "0aZ":
            if secret[index] == replacement:
                continue
            typo = secret[:index] + replacement + secret[index + 1 :]
            assert secret_format.parse(typo) is None, (index, replacement)


def test_transposed_characters_fail_the_checksum() -> None:
    secret = secret_format.generate(TokenKind.DELIVERY)
    swaps = [
        secret[:i] + secret[i + 1] + secret[i] + secret[i + 2 :]
        for i in range(4, len(secret) - 1)
        if secret[i] != secret[i + 1]
    ]
    assert all(secret_format.parse(s) is None for s in swaps)


@pytest.mark.parametrize("presented", ["", "ttp_", "ghp_" + "a" * 49, "ttp-" + "a" * 49, "ttp_" + "!" * 49])
def test_malformed_secrets_are_rejected_without_a_lookup(presented: str) -> None:
    assert secret_format.parse(presented) is None


def test_hash_is_one_way_and_last_four_is_the_tail() -> None:
    secret = secret_format.generate(TokenKind.MANAGEMENT)
    digest = secret_format.hash_secret(secret)
    assert len(digest) == 64 and secret not in digest
    assert secret_format.last_four(secret) == secret[-4:]


def test_a_secret_issued_before_keeps_its_checksum() -> None:
    """The checksum is CRC32 in six base62 digits, however it is computed: secrets already out pass."""
    issued = "ttp_Ab3xAb3xAb3xAb3xAb3xAb3xAb3xAb3xAb3xAb3xAb3021DrZ"
    assert secret_format.parse(issued) is TokenKind.PERSONAL
    assert secret_format.parse(issued[:-1] + "Y") is None


@pytest.mark.parametrize("crc", [0, 1, 61, 62, 3843, 3844, 62**3, 62**4 - 1, 2**31, 2**32 - 1])
def test_the_checksum_is_the_crc_in_six_base62_digits(crc: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secret_format.zlib, "crc32", lambda _data: crc)
    digits = secret_format._checksum("anything")
    assert len(digits) == 6
    assert sum(secret_format.ALPHABET.index(d) * 62**i for i, d in enumerate(reversed(digits))) == crc
