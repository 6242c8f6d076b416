"""Expiry reminders: who gets one and when, exactly once, through a real SMTP server or the outbox."""

from __future__ import annotations

import mailbox
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import DEVELOPER, OWNER, Clock, Org, run_cli
from tests.reminders.conftest import SmtpServer
from tokentui.core.service import Service
from tokentui.core.store import Store
from tokentui.mail import Mailer
from tokentui.mail import SmtpServer as Server

pytestmark = pytest.mark.both_databases

MANAGE = ["content_management_manage"]


def _mailer(smtp: SmtpServer, tmp_path) -> Mailer:
    return Mailer(Server.parse(smtp.address), tmp_path / "outbox.mbox", "tokentui <tokentui@acme.test>")


def test_a_token_is_reminded_seven_days_before_it_expires_then_one_day_before(
    org: Org, clock: Clock, smtp: SmtpServer, tmp_path
) -> None:
    made = org.service.create_token(org.developer, "personal", name="CI deploy", expires="30d", scopes=MANAGE)
    mailer = _mailer(smtp, tmp_path)
    assert org.service.send_reminders(mailer) == []
    clock.advance(days=23, seconds=-1)
    assert org.service.send_reminders(mailer) == []  # one second before the window opens
    clock.advance(seconds=1)
    [outcome] = org.service.send_reminders(mailer)
    assert outcome.sent and outcome.reminder.window_days == 7
    assert smtp.inbox.recipients == [[DEVELOPER]]
    message = smtp.inbox.messages[0]
    assert message["To"] == DEVELOPER
    assert message["From"] == "tokentui <tokentui@acme.test>"
    assert (
        message["Subject"]
        == f'Your personal access token "CI deploy" (…{made.token.last4}) expires in 7 days'
    )
    assert message.get_content() == (
        "Hello,\n\n"
        f'your personal access token "CI deploy" (ending …{made.token.last4}) expires on 2026-12-22 12:00 UTC, '
        "in 7 days. It stops working at that instant.\n\n"
        "  Kind:     Personal access token\n"
        "  Space:    -\n"
        "  Scopes:   content_management_manage\n"
        "  Expires:  2026-12-22 12:00 UTC\n\n"
        "To keep whatever uses it working, create a replacement before then and switch to it:\n\n"
        "  In the console: run `tokentui`, press n (new token) and choose Personal access token.\n"
        "  From the CLI:   tokentui tokens create --kind personal --name 'CI deploy' "
        "--scope content_management_manage --expires 30d\n\n"
        f"Then revoke the old one: r in the console, or `tokentui tokens revoke {made.token.id}`.\n"
        "The secret of a token is shown only once, so the old one cannot be renewed in place.\n\n"
        "-- tokentui\n"
    )
    assert org.service.send_reminders(mailer) == []  # never twice for one window
    clock.advance(days=6)
    [second] = org.service.send_reminders(mailer)
    assert second.reminder.window_days == 1
    assert smtp.inbox.messages[1]["Subject"].endswith("expires in 24 hours")
    clock.advance(hours=23)
    assert org.service.send_reminders(mailer) == [] and len(smtp.inbox.messages) == 2


def test_space_tokens_name_their_space_and_the_command_that_replaces_them(
    org: Org, clock: Clock, smtp: SmtpServer, tmp_path
) -> None:
    org.service.create_token(
        org.space_admin, "management", name="cms", space="Website", scopes=["read"], expires="10d"
    )
    clock.advance(days=4)
    [outcome] = org.service.send_reminders(_mailer(smtp, tmp_path))
    body = smtp.inbox.messages[0].get_content()
    assert outcome.reminder.recipient == "spaceadmin@acme.test"
    assert "  Space:    Website\n" in body and " in Acme expires on" in body
    assert (
        "tokentui tokens create --kind management --name cms --scope read --space Website --expires 30d"
        in body
    )


def test_tokens_living_under_a_day_get_no_reminder(
    org: Org, clock: Clock, smtp: SmtpServer, tmp_path
) -> None:
    org.service.create_token(org.developer, "personal", name="short", expires="20h", scopes=MANAGE)
    clock.advance(hours=19)
    assert org.service.send_reminders(_mailer(smtp, tmp_path)) == []
    assert smtp.inbox.messages == []


def test_a_five_day_token_gets_only_the_one_day_reminder(
    org: Org, clock: Clock, smtp: SmtpServer, tmp_path
) -> None:
    org.service.create_token(org.developer, "personal", name="five", expires="5d", scopes=MANAGE)
    mailer = _mailer(smtp, tmp_path)
    assert org.service.send_reminders(mailer) == []
    clock.advance(days=4, hours=1)
    [outcome] = org.service.send_reminders(mailer)
    assert outcome.reminder.window_days == 1


def test_revoked_expired_and_switched_off_tokens_get_no_reminder(
    org: Org, clock: Clock, smtp: SmtpServer, tmp_path
) -> None:
    revoked = org.service.create_token(org.developer, "personal", name="gone", expires="8d", scopes=MANAGE)
    org.service.revoke(org.developer, revoked.token.id)
    org.service.create_token(
        org.space_admin,
        "management",
        name="quiet",
        space="Website",
        scopes=["read"],
        expires="8d",
        notify=False,
    )
    org.service.create_token(org.developer, "personal", name="lapsed", expires="2d", scopes=MANAGE)
    clock.advance(days=3)
    assert org.service.send_reminders(_mailer(smtp, tmp_path)) == []


def test_a_refusing_server_leaves_the_reminder_pending_for_the_next_run(
    org: Org, clock: Clock, smtp: SmtpServer, tmp_path
) -> None:
    org.service.create_token(org.developer, "personal", name="retry", expires="3d", scopes=MANAGE)
    clock.advance(days=2, hours=1)
    smtp.inbox.refuse = True
    [failed] = org.service.send_reminders(_mailer(smtp, tmp_path))
    assert not failed.sent and "550" in (failed.error or "")
    smtp.inbox.refuse = False
    [sent] = org.service.send_reminders(_mailer(smtp, tmp_path))
    assert sent.sent and smtp.inbox.recipients == [[DEVELOPER]]


def _due_store(db_url: str, count: int) -> Service:
    """A store whose ``count`` tokens entered their 7-day window, by the real clock (for subprocesses)."""
    past = datetime.now(UTC) - timedelta(days=25)
    service = Service(Store(db_url), lambda: past)
    service.init_org("Acme", OWNER)
    owner = service.actor(OWNER)
    service.add_member(owner, DEVELOPER, "member")
    developer = service.actor(DEVELOPER)
    for n in range(count):
        service.create_token(developer, "personal", name=f"due {n}", expires="30d", scopes=MANAGE)
    return service


def test_notify_command_sends_through_smtp_and_reports(db_url: str, smtp: SmtpServer) -> None:
    _due_store(db_url, 3)
    result = run_cli("notify", "--smtp", smtp.address, db=db_url)
    assert result.code == 0, result.err
    assert f"Sent 3 reminder(s) to SMTP server {smtp.address}." in result.out
    assert sorted(m["Subject"].split('"')[1] for m in smtp.inbox.messages) == ["due 0", "due 1", "due 2"]
    again = run_cli("notify", "--smtp", smtp.address, "--json", db=db_url)
    assert again.code == 0 and again.out.strip() == "[]"


def test_overlapping_notify_runs_send_each_reminder_once(db_url: str, smtp: SmtpServer) -> None:
    _due_store(db_url, 12)
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db_url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tokentui", "notify", "--smtp", smtp.address],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), results
    subjects = [m["Subject"] for m in smtp.inbox.messages]
    assert len(subjects) == 12 and len(set(subjects)) == 12


def test_a_refused_send_exits_non_zero_with_one_line_per_failure(db_url: str, smtp: SmtpServer) -> None:
    _due_store(db_url, 2)
    smtp.inbox.refuse = True
    result = run_cli("notify", "--smtp", smtp.address, db=db_url)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 2 and all("not sent" in line and "stays pending" in line for line in lines)
    assert "Traceback" not in result.err
    smtp.inbox.refuse = False
    assert run_cli("notify", "--smtp", smtp.address, db=db_url).code == 0
    assert len(smtp.inbox.messages) == 2


def test_an_unreachable_server_is_reported_and_nothing_is_marked_sent(db_url: str) -> None:
    from tests.reminders.conftest import free_port

    _due_store(db_url, 1)
    result = run_cli("notify", "--smtp", f"127.0.0.1:{free_port()}", db=db_url)
    assert result.code == 1 and "not sent" in result.err and "Traceback" not in result.err
    assert "1 reminder(s) due" in run_cli("notify", "--dry-run", db=db_url).out


def test_without_a_server_reminders_go_to_the_mbox_outbox(db_url: str, tmp_path) -> None:
    _due_store(db_url, 2)
    data = tmp_path / "data"
    result = run_cli("notify", db=db_url, env={"TOKENTUI_DATA_DIR": str(data)})
    assert result.code == 0 and f"the outbox {data / 'outbox.mbox'}" in result.out
    box = mailbox.mbox(data / "outbox.mbox")
    assert sorted(m["To"] for m in box) == [DEVELOPER, DEVELOPER]
    assert (data / "outbox.mbox").stat().st_mode & 0o777 == 0o600


def test_a_bad_smtp_address_is_one_clear_error(db_url: str) -> None:
    _due_store(db_url, 1)
    result = run_cli("notify", "--smtp", "mail.example:notaport", db=db_url)
    assert result.code == 2 and result.err.strip() == (
        "tokentui: error: not an SMTP server address (HOST:PORT): 'mail.example:notaport'"
    )


def test_expiry_is_recorded_once_even_when_two_sweeps_overlap(db_url: str) -> None:
    service = _due_store(db_url, 0)
    past = datetime.now(UTC) - timedelta(days=3)
    service.clock = lambda: past
    developer = service.actor(DEVELOPER)
    for n in range(6):
        service.create_token(developer, "personal", name=f"lapsing {n}", expires="2d", scopes=MANAGE)
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db_url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tokentui", "expire", "--json"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for run in runs:
        run.communicate(timeout=120)
        assert run.returncode == 0
    events = service.audit(service.actor(OWNER), action="token.expire", limit=100)
    assert len(events) == 6 and len({e.target_id for e in events}) == 6
