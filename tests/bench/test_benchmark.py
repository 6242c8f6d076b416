"""The shipped benchmark runs end to end on a small store and reports every metric.

Only the shape and the counts are checked here: speed is the benchmark's business
(benchmarks/RESULTS.md), never a timed assertion in the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tokentui.core.listing.queries import SortKey

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
DEMO_BASE_TOKENS = 355  # tokens the demo organization holds before any bulk ones

METRICS = {
    "machine_python_loop",
    "demo_build",
    "first_paint",
    "first_rows",
    "search_keystroke_p50",
    "search_keystroke_p95",
    "jump_to_last_row",
    "jump_to_last_row_any_sort",
    "scroll_to_middle_any_sort",
    "scrollbar_drag_settled",
    "console_peak_memory",
    "verify_throughput",
    "verify_latency_p99",
    "verify_vs_floor",
    "list_json_throughput",
    "list_json_peak_memory",
    "audit_verify",
    "audit_question_first_page_p95",
    "findings_counts",
    "users_overview",
    "audit_last_24h_page",
    "export_csv_throughput",
    "export_csv_peak_memory",
    "http_verify_keepalive",
    "http_verify_new_connection",
    "http_list_tokens",
    "http_create_token",
    "http_org_tokens",
    "http_verify_workers",
}
HTTP = {m for m in METRICS if m.startswith("http_")}
WITH_BASELINE = {
    "first_paint",
    "first_rows",
    "search_keystroke_p50",
    "search_keystroke_p95",
    "console_peak_memory",
    "list_json_peak_memory",
    "verify_vs_floor",
    "export_csv_peak_memory",
    *HTTP,
}


def test_the_benchmark_reports_every_metric_as_one_json_line(tmp_path: Path) -> None:
    tokens, secrets = 1500, 100
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            *("--tokens", str(tokens), "--store", str(tmp_path)),
            *("--paint-runs", "1", "--keys", "12"),
            *("--verify-seconds", "0.3", "--verify-secrets", str(secrets)),
            *("--audit-events", "2000", "--audit-rounds", "1"),
            *("--http-seconds", "0.4", "--http-secrets", "200"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    found = {line["metric"]: line for line in lines}
    assert len(found) == len(lines) and set(found) == METRICS

    for name, line in found.items():
        assert isinstance(line["value"], int | float) and line["value"] > 0, name
        assert line["unit"], name
        if line["target"] is not None:
            assert isinstance(line["pass"], bool), name
        if name in WITH_BASELINE:
            assert line["baseline"] > 0
            assert abs(line["ratio"] - line["value"] / line["baseline"]) < 0.01, name

    assert found["demo_build"]["tokens"] == tokens
    assert found["search_keystroke_p95"]["keystrokes"] == 12
    # The top rows are painted no later than the frame that shows their total too.
    assert found["first_rows"]["value"] <= found["first_rows"]["first_total_ms"]
    assert found["search_keystroke_p95"]["value"] >= found["search_keystroke_p50"]["value"]
    assert set(found["jump_to_last_row_any_sort"]["by_sort"]) == {key.value for key in SortKey}
    assert set(found["scroll_to_middle_any_sort"]["by_sort"]) == {key.value for key in SortKey}
    # Every token of the big store is streamed: the demo's and the bulk ones. verify's own
    # were issued in a copy, which is gone: the kept store stays as it was built.
    assert found["list_json_throughput"]["rows"] == DEMO_BASE_TOKENS + tokens
    assert found["export_csv_throughput"]["rows"] == DEMO_BASE_TOKENS + tokens
    # Every question of SPEC.md's audit table the token table answers, and every finding.
    assert len(found["audit_question_first_page_p95"]["by_question_ms"]) == 14
    assert found["verify_throughput"]["calls"] > 0
    assert found["audit_verify"]["events"] == 2000
    assert (tmp_path / f"big-{tokens}.db").exists()
    assert not list(tmp_path.glob("verify-scratch*"))
    # Every HTTP request was answered, by both servers, and nothing holding a secret is left.
    for name in HTTP:
        assert found[name]["errors"] == 0, found[name]
    assert not list(tmp_path.glob("http-*"))

    # --only runs the sections named (by section or metric) on the stores already built.
    again = subprocess.run(
        [
            *(sys.executable, str(BENCHMARK), "--tokens", str(tokens), "--store", str(tmp_path)),
            *("--only", "verify_vs_floor,audit", "--verify-seconds", "0.2", "--audit-events", "2000"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    only = {json.loads(line)["metric"] for line in again.stdout.splitlines()}
    assert only == {
        "machine_python_loop",
        "verify_throughput",
        "verify_latency_p99",
        "verify_vs_floor",
        "audit_verify",
    }
