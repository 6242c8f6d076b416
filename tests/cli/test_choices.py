"""The CLI's choices are the core's vocabulary, in its order: no list is typed twice."""

from __future__ import annotations

from enum import StrEnum

import click
import pytest

from tokentui.cli import cli
from tokentui.core.listing.queries import SortKey
from tokentui.core.vocabulary import Action, OrgRole, SpaceRole, Status, TokenKind


def _choices(path: tuple[str, ...], option: str) -> tuple[str, ...]:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    param = next(p for p in command.params if p.name == option)
    assert isinstance(param.type, click.Choice)
    return tuple(param.type.choices)


@pytest.mark.parametrize(
    ("path", "option", "enum"),
    [
        (("tokens", "create"), "kind", TokenKind),
        (("tokens", "list"), "kinds", TokenKind),
        (("tokens", "list"), "statuses", Status),
        (("tokens", "list"), "sort", SortKey),
        (("users", "add"), "role", OrgRole),
        (("spaces", "grant"), "role", SpaceRole),
        (("verify",), "action", Action),
    ],
)
def test_a_choice_lists_the_core_enum(path: tuple[str, ...], option: str, enum: type[StrEnum]) -> None:
    assert _choices(path, option) == tuple(member.value for member in enum)
