"""``tokentui scan``: leaked secrets in a tree, the tokens behind them, and revoking them (issue 21)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CONTENT_MANAGER, DEVELOPER, OWNER, CliResult, Org, run_cli, run_cli_on_a_terminal
from tests.store_state import store_state
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import Status, TokenKind

MANAGE = ["content_management_manage"]
EVIL_NAME = "notes\x1b]52;c;aGk=\x07\x1b[2J.txt"


@dataclass
class Tree:
    """A work tree with leaks in it, and every secret written anywhere under it."""

    root: Path
    pat_id: str  # the developer's active personal access token, in config/app.env
    delivery_id: str  # the developer's active delivery token, in the file with the hostile name
    revoked_id: str  # the developer's revoked token, in src/old.py
    secrets: list[str]


def _bad_checksum(secret: str) -> str:
    return secret[:-1] + ("A" if secret[-1] != "A" else "B")


@pytest.fixture
def tree(org: Org, tmp_path: Path) -> Tree:
    svc = org.service
    pat = svc.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="never")
    delivery = svc.create_token(
        org.developer, "delivery", name="site", space="Website", environment="production"
    )
    old = svc.create_token(org.developer, "personal", name="old", scopes=MANAGE, expires="never")
    svc.revoke(org.developer, old.token.id)
    unknown = secret_format.generate(TokenKind.MANAGEMENT)
    look_alike = _bad_checksum(secret_format.generate(TokenKind.PERSONAL))
    in_git = svc.create_token(org.developer, "personal", name="in git", scopes=MANAGE, expires="never")
    in_binary = svc.create_token(org.developer, "personal", name="in binary", scopes=MANAGE, expires="never")

    root = tmp_path / "work"
    (root / "config").mkdir(parents=True)
    (root / "src").mkdir()
    (root / ".git").mkdir()
    (root / "config" / "app.env").write_text(f"# settings\nAPI_URL=https://x.test\nTOKEN={pat.secret}\n")
    # Latin-1 bytes and broken UTF-8 around it: the scan never decodes them.
    (root / "src" / "old.py").write_bytes(b"caf\xe9 \xff\xfe\n\n" + f'KEY = "{old.secret}"\n'.encode())
    (root / "src" / "vendor.txt").write_text(f"x{unknown}y\nnothing {look_alike} here\n")
    (root / EVIL_NAME).write_text(delivery.secret)
    (root / ".git" / "config").write_text(f"url = https://{in_git.secret}@git.test/\n")
    (root / "image.png").write_bytes(b"\x89PNG\0\0" + in_binary.secret.encode())
    secrets = [pat.secret, delivery.secret, old.secret, unknown, look_alike, in_git.secret, in_binary.secret]
    return Tree(root, pat.token.id, delivery.token.id, old.token.id, secrets)


def _scan(tree: Tree, *args: str, db: str, actor: str) -> CliResult:
    result = run_cli("scan", str(tree.root), *args, db=db, actor=actor)
    for secret in tree.secrets:
        assert secret not in result.out + result.err
        assert secret[: secret_format.SECRET_LENGTH // 2] not in result.out + result.err
    assert "Traceback" not in result.err
    return result


def _findings(result: CliResult, root: Path) -> dict[str, dict[str, object]]:
    return {str(Path(str(f["path"])).relative_to(root)): f for f in json.loads(result.out)}


@pytest.mark.both_databases
def test_an_owner_learns_each_token_found_its_status_and_the_exit_is_1(tree: Tree, db_url: str) -> None:
    result = _scan(tree, "--json", db=db_url, actor=OWNER)
    assert result.code == 1, result.err
    found = _findings(result, tree.root)
    # Not the look-alike (bad checksum), not the binary file, not .git/.
    assert set(found) == {"config/app.env", "src/old.py", "src/vendor.txt", EVIL_NAME}
    pat = found["config/app.env"]
    assert pat["line"] == 3 and pat["kind"] == "personal" and pat["status"] == "active"
    assert isinstance(pat["token"], dict)
    assert (pat["token"]["id"], pat["token"]["name"], pat["token"]["author"]) == (
        tree.pat_id,
        "ci",
        DEVELOPER,
    )
    assert pat["last4"] == pat["token"]["last4"] and "token" not in pat["token"]
    old = found["src/old.py"]
    assert (old["line"], old["status"]) == (3, "revoked")
    assert isinstance(old["token"], dict) and old["token"]["id"] == tree.revoked_id
    unknown = found["src/vendor.txt"]
    assert (unknown["kind"], unknown["token"], unknown["status"], unknown["line"]) == (
        "management",
        None,
        "unknown",
        1,
    )
    assert set(pat) == {"path", "line", "kind", "last4", "token", "status"}  # "revoked" only with --revoke


def test_the_report_prints_file_names_inert_and_exits_0_when_nothing_is_active(
    org: Org, tree: Tree, db_url: str
) -> None:
    text = _scan(tree, db=db_url, actor=OWNER)
    assert text.code == 1
    assert "\x1b" not in text.out + text.err and "\x07" not in text.out
    assert "notes\\x1b]52;c;aGk=\\x07\\x1b[2J.txt:1" in text.out
    assert re.search(r"config/app\.env:3 .* ci .* dev@acme\.test +active", text.out)
    assert re.search(r"src/vendor\.txt:1 .* unknown to the store", text.out)
    assert "Found 4 secrets in 4 files" in text.out and "Skipped: 1 binary file." in text.out
    org.service.revoke(org.developer, tree.pat_id)
    org.service.revoke(org.developer, tree.delivery_id)
    # The management secret no token has may still work somewhere: the gate stays red.
    assert _scan(tree, db=db_url, actor=OWNER).code == 1
    (tree.root / "src" / "vendor.txt").unlink()
    assert _scan(tree, db=db_url, actor=OWNER).code == 0


@pytest.mark.both_databases
def test_revoke_revokes_what_the_rules_allow_and_reports_each_refusal(
    org: Org, tree: Tree, db_url: str
) -> None:
    result = _scan(tree, "--revoke", "--json", db=db_url, actor=OWNER)
    # An owner revokes the space's delivery token; another user's personal token only its author may.
    assert org.service.get_token(org.owner, tree.delivery_id).status is Status.REVOKED
    assert org.service.get_token(org.owner, tree.pat_id).status is Status.ACTIVE
    assert result.code == 3
    refusals = result.err.strip().splitlines()
    assert len(refusals) == 1 and tree.pat_id in refusals[0] and "only its author" in refusals[0]
    found = _findings(result, tree.root)
    assert found[EVIL_NAME]["revoked"] is True and found[EVIL_NAME]["status"] == "active"
    assert found["config/app.env"]["revoked"] is False
    assert found["src/old.py"]["revoked"] is False and found["src/vendor.txt"]["revoked"] is False

    mine = _scan(tree, "--revoke", db=db_url, actor=DEVELOPER)
    assert mine.code == 1 and mine.err == ""
    assert "active, revoked now" in mine.out
    assert org.service.get_token(org.developer, tree.pat_id).status is Status.REVOKED
    # Every token of theirs is revoked now; the unknown management secret keeps the exit at 1.
    again = _scan(tree, "--revoke", "--json", db=db_url, actor=DEVELOPER)
    assert again.code == 1 and {f["status"] for f in json.loads(again.out)} == {"revoked", "unknown"}


@pytest.mark.both_databases
def test_a_member_learns_nothing_of_anothers_secret_and_revokes_nothing(
    org: Org, tree: Tree, db_url: str
) -> None:
    before = store_state(db_url)
    result = _scan(tree, "--revoke", "--json", db=db_url, actor=CONTENT_MANAGER)
    # Red, as for any secret that may still work, which tells them no more than "unknown".
    assert result.code == 1 and result.err == ""
    for finding in _findings(result, tree.root).values():
        assert (finding["token"], finding["status"], finding["revoked"]) == (None, "unknown", False)
    text = _scan(tree, db=db_url, actor=CONTENT_MANAGER)
    assert tree.pat_id not in text.out and DEVELOPER not in text.out
    assert text.out.count("unknown to the store") == 5  # four rows and the summary
    assert store_state(db_url) == before


def test_bad_input_is_one_line_exit_2_and_changes_nothing(tree: Tree, db_url: str) -> None:
    before = store_state(db_url)
    missing = run_cli("scan", str(tree.root), str(tree.root / "nope"), "--revoke", db=db_url, actor=OWNER)
    assert missing.code == 2 and missing.out == ""
    assert missing.err.strip().splitlines() == [
        f"tokentui: error: no such file or folder: '{tree.root / 'nope'}'"
    ]
    nothing = run_cli("scan", db=db_url, actor=OWNER)
    assert nothing.code == 2 and len(nothing.err.strip().splitlines()) == 1
    assert store_state(db_url) == before


def test_a_file_too_large_for_the_walk_is_named_on_stderr_and_read_when_named(
    org: Org, tmp_path: Path, db_url: str
) -> None:
    made = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="never")
    big = tmp_path / "big.log"
    big.write_bytes(b"x" * (2 * 1024 * 1024) + f"\n{made.secret}\n".encode())
    walked = run_cli("scan", str(tmp_path), "--max-size", "1", db=db_url, actor=DEVELOPER)
    assert walked.code == 0
    assert walked.err.strip().splitlines() == [
        f"tokentui: warning: {big}: skipped, larger than 1 MiB (name it to scan it)"
    ]
    named = run_cli("scan", str(big), "--max-size", "1", "--json", db=db_url, actor=DEVELOPER)
    assert named.code == 1 and json.loads(named.out)[0]["line"] == 2
    assert made.secret not in walked.out + walked.err + named.out + named.err


def test_an_unreadable_file_is_one_warning_and_the_scan_goes_on(
    tree: Tree, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    from tokentui.core import scan

    locked = tree.root / "config" / "app.env"

    def denying_open(path: str, *args: object, **kwargs: object) -> object:
        # What chmod 000 does to anyone but root (the tests may run as root).
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return builtins.open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(scan, "open", denying_open, raising=False)
    result = _scan(tree, db=db_url, actor=OWNER)
    assert result.err.strip().splitlines() == [f"tokentui: warning: {locked}: permission denied"]
    assert "src/old.py:3" in result.out and "config/app.env" not in result.out
    assert "Skipped: 1 binary file, 1 unreadable." in result.out


def test_on_a_terminal_scan_shows_files_and_rate_and_piped_it_is_quiet(tree: Tree, db_url: str) -> None:
    code, out, seen = run_cli_on_a_terminal("scan", str(tree.root), db=db_url, actor=OWNER)
    assert code == 1
    assert re.search(r"4 files · [\d.]+ MiB · [\d.,]+ MiB/s", seen.decode()), seen
    assert "MiB/s" not in out
    piped = run_cli("scan", str(tree.root), db=db_url, actor=OWNER)
    assert "MiB/s" not in piped.err + piped.out and piped.err == ""


def test_a_secret_in_a_file_name_is_redacted_too(org: Org, tmp_path: Path, db_url: str) -> None:
    made = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="never")
    (tmp_path / f"backup-{made.secret}.env").write_text(made.secret)
    for args in ((), ("--json",)):
        result = run_cli("scan", str(tmp_path), *args, db=db_url, actor=DEVELOPER)
        assert result.code == 1 and "backup-ttp_[REDACTED].env" in result.out
        assert made.secret not in result.out + result.err
