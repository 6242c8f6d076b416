"""contentful-cli 3.x, unchanged, runs `organization sec-check` against tokentui serve to its report."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.api.clients import NODE_MODULES, need_node_clients
from tests.api.conftest import RunningApi, pat
from tests.conftest import Org


def sec_check(api: RunningApi, home: Path, secret: str, org_id: str) -> dict[str, str]:
    node = need_node_clients()
    (home / ".contentfulrc.json").write_text(json.dumps({"host": f"127.0.0.1:{api.port}", "insecure": True}))
    done = subprocess.run(
        [
            node,
            str(NODE_MODULES / "contentful-cli" / "bin" / "contentful.js"),
            "organization",
            "sec-check",
            "--organization-id",
            org_id,
            "--management-token",
            secret,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        cwd=home,
        check=False,
    )
    statuses = {}
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 4 and cells[3] in ("PASS", "FAIL", "SKIPPED"):
            statuses[cells[1]] = cells[3] + " " + cells[4]
    assert statuses, done.stdout + done.stderr
    return statuses


def test_sec_check_runs_to_the_end_and_flags_a_long_lived_token(
    api: RunningApi, org: Org, tmp_path: Path
) -> None:
    owner = pat(org, org.owner)
    org_id = api.request("GET", "/organizations", secret=owner).json()["items"][0]["sys"]["id"]
    before = sec_check(api, tmp_path, owner, org_id)
    assert before["permission_check"].startswith("PASS"), before
    assert before["active_tokens_with_long_expiry"] == 'PASS {"offendingCount":0}', before

    pat(org, org.developer, name="long lived", expires="730d")
    after = sec_check(api, tmp_path, owner, org_id)
    assert after["active_tokens_with_long_expiry"] == 'FAIL {"offendingCount":1}', after
