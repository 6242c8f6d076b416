"""Demo data: a believable organization with every kind and status."""

from __future__ import annotations

import pytest

from tokentui.core.demo import DEMO_OWNER, fill_demo
from tokentui.core.errors import Conflict
from tokentui.core.kinds import Status, TokenKind
from tokentui.core.service import Service


def test_demo_fills_a_believable_organization_with_every_kind_and_status(service: Service) -> None:
    summary = fill_demo(service)
    owner = service.actor(DEMO_OWNER)
    tokens = list(service.iter_tokens(owner))
    assert 200 <= len(tokens) <= 1000
    assert {t.kind for t in tokens} == set(TokenKind)
    assert {t.status for t in tokens} == set(Status)
    assert len(service.members(owner)) >= 30
    assert len(service.spaces(owner)) >= 5
    assert "Northwind Media" in summary


def test_demo_twice_is_refused(service: Service) -> None:
    fill_demo(service)
    with pytest.raises(Conflict, match="already"):
        fill_demo(service)


def test_demo_adds_bulk_tokens_on_request(service: Service) -> None:
    fill_demo(service, tokens=500)
    owner = service.actor(DEMO_OWNER)
    assert service.count_tokens(owner) >= 500
