"""The scan's walk and match (no store), and the batch lookup of found secrets (issue 21)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import Org
from tokentui.core import scan
from tokentui.core.errors import InvalidInput
from tokentui.core.scan import Scan, Sighting, check_paths
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import TokenKind


def _secret(kind: TokenKind = TokenKind.PERSONAL) -> str:
    return secret_format.generate(kind)


def _where(sightings: list[Sighting], root: Path) -> list[tuple[str, int]]:
    return [(str(Path(s.path).relative_to(root)), s.line) for s in sightings]


def _run(*paths: Path, **options: Any) -> tuple[list[Sighting], list[tuple[str, str]], Scan]:
    warnings: list[tuple[str, str]] = []
    scanning = Scan([str(p) for p in paths], warn=lambda path, why: warnings.append((path, why)), **options)
    return list(scanning), warnings, scanning


def test_each_secret_is_found_with_its_line_kind_hash_and_last_four_never_the_text(tmp_path: Path) -> None:
    first, second = _secret(), _secret(TokenKind.DELIVERY)
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe\xe9 odd bytes\n" + f"x{first}{second}y\n\n{first}".encode())
    found, warnings, _ = _run(tmp_path)
    assert warnings == []
    assert _where(found, tmp_path) == [("a.txt", 2), ("a.txt", 2), ("a.txt", 4)]
    assert [s.kind for s in found] == [TokenKind.PERSONAL, TokenKind.DELIVERY, TokenKind.PERSONAL]
    assert found[0].secret_hash == secret_format.hash_secret(first) and found[0].last4 == first[-4:]
    assert all(first not in repr(s) and second not in repr(s) for s in found)


def test_a_bad_checksum_is_no_secret_and_hides_none_beginning_inside_it(tmp_path: Path) -> None:
    real = _secret()
    broken = real[:-1] + ("A" if real[-1] != "A" else "B")
    # A candidate that fails its checksum, whose last characters start a real secret.
    glued = "ttp_" + "A" * (secret_format.BODY_LENGTH + secret_format.CHECKSUM_LENGTH - 3) + real
    (tmp_path / "a.txt").write_text(f"{broken}\n{glued}\n")
    found, _, _ = _run(tmp_path)
    assert _where(found, tmp_path) == [("a.txt", 2)]
    assert found[0].secret_hash == secret_format.hash_secret(real)


def test_a_secret_across_two_chunks_is_found_once_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "CHUNK", 64)
    secrets = [_secret() for _ in range(5)]
    lines = [f"{'-' * (i * 7)}{s}" for i, s in enumerate(secrets)]
    (tmp_path / "a.txt").write_text("\n".join(["start", *lines, "end"]))
    found, _, _ = _run(tmp_path)
    assert _where(found, tmp_path) == [("a.txt", n) for n in range(2, 7)]
    assert [s.secret_hash for s in found] == [secret_format.hash_secret(s) for s in secrets]


def test_vcs_folders_binary_files_and_symlinks_are_left_out(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    outside = tmp_path / "outside"
    for folder in (root / ".git", root / ".hg", root / ".svn", root / "src", outside):
        folder.mkdir(parents=True)
    for folder in (".git", ".hg", ".svn"):
        (root / folder / "config").write_text(_secret())
    (root / "blob.bin").write_bytes(b"\0" + _secret().encode())
    (outside / "leak.txt").write_text(_secret())
    (root / "src" / "out").symlink_to(outside)  # leaves the tree
    (root / "src" / "loop").symlink_to(root)  # would never end
    (root / "src" / "ok.txt").write_text(_secret())
    os.link(root / "src" / "ok.txt", root / "hard-link.txt")  # one file, two names: read once
    found, warnings, scanning = _run(root)
    assert _where(found, root) == [("hard-link.txt", 1)] and warnings == []
    tally = scanning.tally
    assert (tally.files, tally.binary, tally.links) == (1, 1, 2)
    # Named on the command line, a link is followed: the user chose it.
    named, _, _ = _run(root / "src" / "out")
    assert _where(named, root / "src" / "out") == [("leak.txt", 1)]


def test_too_large_is_left_out_of_a_walk_with_a_warning_but_read_when_named(tmp_path: Path) -> None:
    big = tmp_path / "big.log"
    big.write_text("x" * scan.MIB + "\n" + _secret())
    walked, warnings, scanning = _run(tmp_path, max_size=scan.MIB)
    assert walked == [] and scanning.tally.too_large == 1
    assert warnings == [(str(big), "skipped, larger than 1 MiB (name it to scan it)")]
    named, warnings, _ = _run(big, max_size=scan.MIB)
    assert [s.line for s in named] == [2] and warnings == []


def test_an_unreadable_folder_is_one_warning_and_the_walk_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a" / "locked").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "key.txt").write_text(_secret())
    real_scandir = os.scandir

    def scandir(path: str) -> Any:
        # What a folder without read permission does to anyone but root.
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(scan.os, "scandir", scandir)
    found, warnings, scanning = _run(tmp_path)
    assert warnings == [(str(tmp_path / "a" / "locked"), "permission denied")]
    assert _where(found, tmp_path) == [("b/key.txt", 1)] and scanning.tally.unreadable == 1


def test_a_missing_path_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file or folder"):
        check_paths([str(tmp_path), str(tmp_path / "nope")])
    with pytest.raises(InvalidInput):
        check_paths([])


@pytest.mark.both_databases
def test_many_secrets_are_looked_up_in_one_query_by_the_find_rule(org: Org) -> None:
    svc = org.service
    made = [
        svc.create_token(org.developer, "personal", name=f"t{i}", scopes=["content_management_read"])
        for i in range(5)
    ]
    admins = svc.create_token(org.admin, "personal", name="admin's", scopes=["content_management_read"])
    wanted = {secret_format.hash_secret(m.secret): TokenKind.PERSONAL for m in [*made, admins]}
    wanted[secret_format.hash_secret(_secret())] = TokenKind.PERSONAL  # no token has it
    # The right hash under another kind's prefix is not that token.
    wanted[secret_format.hash_secret(made[0].secret)] = TokenKind.OAUTH
    statements: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "secret_hash IN" in statement:
            statements.append(statement)

    event.listen(svc.store.engine, "before_cursor_execute", keep)
    try:
        by_owner = svc.find_secret_hashes(org.owner, wanted)
    finally:
        event.remove(svc.store.engine, "before_cursor_execute", keep)
    assert len(statements) == 1
    assert {t.name for t in by_owner.values()} == {"t1", "t2", "t3", "t4", "admin's"}
    by_member = svc.find_secret_hashes(org.content_manager, wanted)
    assert by_member == {}
    by_author = svc.find_secret_hashes(org.developer, wanted)
    assert {t.name for t in by_author.values()} == {"t1", "t2", "t3", "t4"}


def test_stop_ends_the_walk_before_the_next_file_and_the_next_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"{_secret()}\n")
    scanning = Scan([str(tmp_path)], progress=lambda tally: scanning.stop())
    found = list(scanning)
    # Stopped once the first file was read: its secret is given, the other files are not opened.
    assert _where(found, tmp_path) == [("a.txt", 1)]
    assert scanning.stopped and scanning.tally.files == 1

    # A large file is left at its next chunk: the secret at its end is never reached.
    monkeypatch.setattr(scan, "CHUNK", 64)
    big = tmp_path / "big.txt"
    big.write_text(f"{_secret()}\n" + "x" * 64 * 20 + f"\n{_secret()}\n")
    chunks = Scan([str(big)])
    given = iter(chunks)
    first = next(given)
    chunks.stop()
    assert first.line == 1 and list(given) == []
    assert chunks.tally.bytes < big.stat().st_size // 4
