"""The table of kinds: one complete, consistent KindSpec row per kind (pure, no database)."""

from __future__ import annotations

import pytest

from tokentui.core.tokens.secret_format import PREFIX_LENGTH
from tokentui.core.vocabulary import KINDS, KindSpec, Scope, TokenField, TokenKind
from tokentui.settings import LIMITS


def test_every_kind_has_exactly_its_own_row() -> None:
    assert list(KINDS) == list(TokenKind)
    assert all(spec.kind is kind and kind.spec is spec for kind, spec in KINDS.items())


@pytest.mark.parametrize("attribute", ["label", "short_label", "prefix", "type_name"])
def test_names_and_prefixes_tell_the_kinds_apart(attribute: str) -> None:
    values = [getattr(spec, attribute) for spec in KINDS.values()]
    assert len(set(values)) == len(values)


def test_prefixes_have_the_length_the_secret_format_reads() -> None:
    assert {len(spec.prefix) for spec in KINDS.values()} == {PREFIX_LENGTH}


@pytest.mark.parametrize("kind", list(TokenKind))
def test_a_kinds_scopes_are_fixed_or_chosen_with_a_default_among_the_choices(kind: TokenKind) -> None:
    spec = kind.spec
    assert bool(spec.fixed_scopes) != bool(spec.choosable_scopes)
    assert set(spec.default_scopes) <= set(spec.choosable_scopes)
    assert bool(spec.default_scopes) == bool(spec.choosable_scopes)


@pytest.mark.parametrize("kind", list(TokenKind))
def test_only_space_tokens_take_a_space_and_limits_name_a_known_number(kind: TokenKind) -> None:
    spec = kind.spec
    assert spec.takes(TokenField.SPACE) is not spec.is_user_token
    for limit in (spec.space_limit, spec.user_limit):
        assert limit is None or isinstance(getattr(LIMITS, limit), int)
    assert spec.space_limit is None or not spec.is_user_token
    assert spec.user_limit is None or spec.is_user_token


def test_default_expiry_is_the_limits_default_or_never() -> None:
    assert TokenKind.PERSONAL.spec.default_expiry == f"{LIMITS.default_expiry_days}d"
    assert TokenKind.MANAGEMENT.spec.default_expiry == "never"
    assert TokenKind.DELIVERY.spec.default_expiry == "never"


def test_a_row_with_both_fixed_and_chosen_scopes_is_refused() -> None:
    with pytest.raises(ValueError, match="either choosable or fixed"):
        KindSpec(
            TokenKind.PERSONAL,
            label="x",
            short_label="x",
            prefix="ttx",
            type_name="X",
            is_user_token=True,
            created_by=TokenKind.PERSONAL.spec.created_by,
            choosable_scopes=(Scope.READ,),
            fixed_scopes=(Scope.READ,),
        )
