"""The access log is one inert line per request: nothing a client sends can forge a line, a field or an escape."""

from __future__ import annotations

import pytest

from tests.api.conftest import RunningApi, pat
from tests.conftest import Org
from tokentui.api.middleware import TARGET_LOG_LIMIT

FORGED = '10.0.0.9 "DELETE /users/me/access_tokens/all" 200 1.0ms token=admin [forged]'


def access_lines(logs: str) -> list[str]:
    return [line for line in logs.splitlines() if line.startswith("INFO tokentui.api.access: ")]


def test_a_newline_in_the_query_or_path_cannot_write_a_log_line(api: RunningApi, org: Org) -> None:
    bearer = pat(org, org.developer)

    api.request("GET", "/users/me?x=%0a" + FORGED.replace(" ", "%20"), secret=bearer)
    api.request("GET", "/users/me/%0d%0a" + FORGED.replace(" ", "%20"), secret=bearer)
    api.request("GET", "/users/me?x=%e2%80%a8" + FORGED.replace(" ", "%20"), secret=bearer)

    logs = api.logs()
    assert not [line for line in logs.splitlines() if line.startswith(FORGED)]
    lines = access_lines(logs)
    assert len(lines) == 3
    assert "?x=\\x0a10.0.0.9 \\x22DELETE /users/me/access_tokens/all\\x22 200" in lines[0]
    assert "/users/me/\\x0d\\x0a10.0.0.9" in lines[1]
    assert "?x=\\u202810.0.0.9" in lines[2]


def test_escape_bytes_from_the_query_and_forwarded_for_are_shown_not_written(
    api: RunningApi, org: Org
) -> None:
    bearer = pat(org, org.developer)

    api.request("GET", "/users/me?x=%1b]52;c;SGFja2Vk%07%1b[41mRED%c2%9b31m", secret=bearer)
    api.request("GET", "/users/me", secret=bearer, headers={"X-Forwarded-For": "\x1b[2J\x1b[41m203.0.113.9"})
    api.request("GET", "/users/me", secret=bearer, headers={"X-Forwarded-For": '203.0.113.9 "GET /" 200'})

    logs = api.logs()
    assert "\x1b" not in logs and "\x07" not in logs and "\x9b" not in logs
    first, second, third = access_lines(logs)
    assert "?x=\\x1b]52;c;SGFja2Vk\\x07\\x1b[41mRED\\x9b31m" in first
    assert "tokentui.api.access: \\x1b[2J\\x1b[41m203.0.113.9 " in second
    # Outside the quoted target a space or a quote would start a field of the client's own.
    assert 'tokentui.api.access: 203.0.113.9\\x20\\x22GET\\x20/\\x22\\x20200 "GET /users/me" 200' in third


def test_a_huge_query_is_one_bounded_line_marked_as_cut(api: RunningApi, org: Org) -> None:
    bearer = pat(org, org.developer)
    query = "x=" + "A" * 60_000

    api.request("GET", "/users/me?" + query, secret=bearer)

    (line,) = access_lines(api.logs())
    assert len(line) < TARGET_LOG_LIMIT + 200
    assert f"...[cut: {len('/users/me?' + query)} characters sent]" in line
    assert '" 200 ' in line


@pytest.mark.parametrize("glue", ["", "X", "7", "%0a"])
def test_a_secret_cut_by_the_bound_is_still_redacted(api: RunningApi, org: Org, glue: str) -> None:
    bearer = pat(org, org.developer)
    # The secret straddles the bound: the part before the cut must not reach the log either.
    padding = "A" * (TARGET_LOG_LIMIT - len("/users/me?x=") - 20)

    api.request("GET", f"/users/me?x={padding}{glue}{bearer}&y={'B' * 200}", secret=bearer)

    logs = api.logs()
    assert bearer[4:24] not in logs
    assert "[cut: " in access_lines(logs)[0]


def test_a_traceback_quoting_a_request_cannot_write_a_log_line(
    api: RunningApi, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    bearer = pat(org, org.owner)

    def broken(email: str) -> None:
        raise RuntimeError(f"no organization named 'x\nINFO tokentui.api.access: {FORGED}'")

    monkeypatch.setattr(api.service, "organizations", broken)

    assert api.request("GET", "/organizations", secret=bearer).status_code == 500

    logs = api.logs()
    assert "unexpected error" in logs
    assert len(access_lines(logs)) == 1
    assert f"    INFO tokentui.api.access: {FORGED}'" in logs
