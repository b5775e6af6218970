"""Admin console states: users (roles, activation, pages), audit log, email log, dashboard."""

from __future__ import annotations

from sqlmodel import Session, select

from tests.conftest import make_user
from tests.state.test_auth_state import run, signed_in_tree, sub
from tests.state.test_webinar_states import toasts
from webinar_app.models import EmailLog, User
from webinar_app.services import accounts
from webinar_app.state.admin import PAGE_SIZE, AdminUsersState
from webinar_app.state.admin_audit import AdminAuditState
from webinar_app.state.admin_dashboard import AdminDashboardState
from webinar_app.state.admin_emails import AdminEmailsState


def admin_tree(session: Session):
    return signed_in_tree(session, "root", role="admin")


def fresh_user(session: Session, user_id: int) -> User:
    session.expire_all()
    found = session.get(User, user_id)
    assert found is not None
    return found


def test_change_role_and_deactivate_from_the_users_page(session: Session) -> None:
    root, _ = admin_tree(session)
    alice = make_user(session, "alice")
    state = sub(root, AdminUsersState)
    run(AdminUsersState.load.fn(state))
    events = run(AdminUsersState.change_role.fn(state, alice.id, "admin"))
    assert "Role set to admin" in toasts(events)
    assert fresh_user(session, alice.id).role == "admin"
    assert {u.username: u.role for u in state.users}["alice"] == "admin"

    run(AdminUsersState.set_active.fn(state, alice.id, False))
    assert not fresh_user(session, alice.id).is_active
    assert not {u.username: u.active for u in state.users}["alice"]
    run(AdminUsersState.set_active.fn(state, alice.id, True))
    assert fresh_user(session, alice.id).is_active


def test_refusals_are_toasts_and_change_nothing(session: Session) -> None:
    root, me = admin_tree(session)
    state = sub(root, AdminUsersState)
    run(AdminUsersState.load.fn(state))
    assert "cannot deactivate yourself" in toasts(run(AdminUsersState.set_active.fn(state, me.id, False)))
    assert "cannot change your own role" in toasts(
        run(AdminUsersState.change_role.fn(state, me.id, "student"))
    )
    assert fresh_user(session, me.id).is_active and fresh_user(session, me.id).role == "admin"
    assert [u.is_me for u in state.users if u.username == "root"] == [True]


def test_students_cannot_act_through_the_handlers(session: Session) -> None:
    root, alice = signed_in_tree(session, "alice")
    bob = make_user(session, "bob")
    state = sub(root, AdminUsersState)
    events = run(AdminUsersState.change_role.fn(state, bob.id, "admin"))
    assert "Admin access required" in toasts(events)
    assert fresh_user(session, bob.id).role == "student" and not state.allowed
    run(AdminUsersState.set_active.fn(state, bob.id, False))
    assert fresh_user(session, bob.id).is_active


def test_users_are_paged_and_searched(session: Session) -> None:
    root, _ = admin_tree(session)
    for i in range(PAGE_SIZE + 2):
        session.add(
            User(username=f"p{i}", username_key=f"p{i}", email=f"p{i}@x.test", email_key=f"p{i}@x.test")
        )
    session.commit()
    state = sub(root, AdminUsersState)
    run(AdminUsersState.load.fn(state))
    assert state.total == PAGE_SIZE + 3 and state.pages == 2 and len(state.users) == PAGE_SIZE
    run(AdminUsersState.next_page.fn(state))
    assert state.page == 2 and len(state.users) == 3
    run(AdminUsersState.next_page.fn(state))  # past the end: stays on the last page
    assert state.page == 2 and len(state.users) == 3
    run(AdminUsersState.run_search.fn(state, {"search": "P1"}))
    assert state.page == 1 and {u.username for u in state.users} >= {"p1", "p10", "p11"}


def test_audit_page_filters(session: Session) -> None:
    root, admin = admin_tree(session)
    alice = make_user(session, "alice")
    accounts.update_role(session, admin, alice.id, "admin")
    accounts.set_active(session, admin, alice.id, False)
    state = sub(root, AdminAuditState)
    run(AdminAuditState.load.fn(state))
    assert [e.action for e in state.entries] == ["user.deactivate", "user.role"]
    assert state.action_choices == ["any", "user.deactivate", "user.role"]
    run(AdminAuditState.set_action_filter.fn(state, "user.role"))
    [entry] = state.entries
    assert entry.actor == "root" and entry.target == f"user #{alice.id}" and '"admin"' in entry.after
    run(AdminAuditState.apply_filters.fn(state, {"actor": "nobody", "since": "", "until": ""}))
    assert state.entries == [] and state.total == 0


def test_audit_page_refuses_students(session: Session) -> None:
    root, _ = signed_in_tree(session, "alice")
    state = sub(root, AdminAuditState)
    run(AdminAuditState.load.fn(state))
    assert state.loaded and not state.allowed and state.entries == []


def test_email_log_retry_puts_a_failed_mail_back_in_the_queue(session: Session) -> None:
    root, admin = admin_tree(session)
    failed = EmailLog(
        kind="account",
        template="t",
        to_address="x@example.com",
        subject="Hi",
        status="failed",
        attempts=5,
        last_error="SMTP 550 no such user",
    )
    sent = EmailLog(kind="account", template="t", to_address="y@example.com", subject="Yo", status="sent")
    session.add_all([failed, sent])
    session.commit()
    state = sub(root, AdminEmailsState)
    run(AdminEmailsState.load.fn(state))
    assert state.failed == 1
    rows = {r.recipient: r for r in state.rows}
    assert rows["x@example.com"].failed and rows["x@example.com"].error == "SMTP 550 no such user"
    assert not rows["y@example.com"].failed

    assert "Queued" in toasts(run(AdminEmailsState.retry.fn(state, failed.id)))
    session.expire_all()
    row = session.exec(select(EmailLog).where(EmailLog.id == failed.id)).one()
    assert row.status == "pending" and state.failed == 0
    assert "Only failed emails" in toasts(run(AdminEmailsState.retry.fn(state, sent.id)))
    run(AdminEmailsState.set_status_filter.fn(state, "sent"))
    assert [r.recipient for r in state.rows] == ["y@example.com"]


def test_email_log_refuses_students(session: Session) -> None:
    root, _ = signed_in_tree(session, "alice")
    state = sub(root, AdminEmailsState)
    row = EmailLog(kind="account", template="t", to_address="x@example.com", subject="Hi", status="failed")
    session.add(row)
    session.commit()
    assert "Admin access required" in toasts(run(AdminEmailsState.retry.fn(state, row.id)))
    session.expire_all()
    assert session.get(EmailLog, row.id).status == "failed"  # type: ignore[union-attr]


def test_dashboard_state_loads_for_admins_only(session: Session) -> None:
    root, _ = admin_tree(session)
    make_user(session, "alice")
    state = sub(root, AdminDashboardState)
    run(AdminDashboardState.load.fn(state))
    assert state.allowed and state.users == 2 and len(state.registrations_per_day) == 30
    assert state.by_status == {"upcoming": 0, "live": 0, "completed": 0, "cancelled": 0}

    root, _ = signed_in_tree(session, "bob")
    state = sub(root, AdminDashboardState)
    run(AdminDashboardState.load.fn(state))
    assert state.loaded and not state.allowed


def test_registrants_table_promote_attend_and_remove(session: Session) -> None:
    from tests.state.test_webinar_states import seed
    from webinar_app.models import AuditLog, Registration
    from webinar_app.services import registrations
    from webinar_app.state.webinar_admin import WebinarAdminState

    root, admin = admin_tree(session)
    webinar = seed(session, admin, capacity=1)
    alice, bob = make_user(session, "alice"), make_user(session, "bob")
    registrations.register(session, alice, webinar.id)
    registrations.register(session, bob, webinar.id)
    page = sub(root, WebinarAdminState)
    run(WebinarAdminState.load.fn(page))
    run(WebinarAdminState.show_registrants.fn(page, webinar.id))
    ids = {r.username: r.id for r in page.registrants}

    # full webinar: even an admin cannot push someone past capacity
    assert "full" in toasts(run(WebinarAdminState.promote_registrant.fn(page, ids["bob"])))
    assert {r.username: r.status for r in page.registrants} == {"alice": "confirmed", "bob": "waitlisted"}

    run(WebinarAdminState.set_registrant_attended.fn(page, ids["alice"], True))
    assert {r.username: r.attended for r in page.registrants} == {"alice": True, "bob": False}

    assert "removed" in toasts(run(WebinarAdminState.remove_registrant.fn(page, ids["alice"])))
    # the freed seat went to the first in the queue
    assert {r.username: r.status for r in page.registrants} == {"bob": "confirmed"}
    assert "Only waitlisted" in toasts(run(WebinarAdminState.promote_registrant.fn(page, ids["bob"])))
    session.expire_all()
    assert session.get(Registration, ids["alice"]) is None
    actions = [e.action for e in session.exec(select(AuditLog).order_by(AuditLog.id))]  # type: ignore[arg-type]
    assert actions[-2:] == ["registration.attended", "registration.remove"]


def test_students_cannot_promote_or_remove(session: Session) -> None:
    from tests.state.test_webinar_states import seed
    from webinar_app.models import Registration
    from webinar_app.services import registrations
    from webinar_app.state.webinar_admin import WebinarAdminState

    admin = make_user(session, "root", role="admin")
    webinar = seed(session, admin, capacity=1)
    root, alice = signed_in_tree(session, "alice")
    bob = make_user(session, "bob")
    registrations.register(session, alice, webinar.id)
    bob_reg = registrations.register(session, bob, webinar.id).registration
    page = sub(root, WebinarAdminState)
    page.registrants_for = webinar.id  # a forged client can set anything it likes
    assert "Only admins" in toasts(run(WebinarAdminState.promote_registrant.fn(page, bob_reg.id)))
    run(WebinarAdminState.remove_registrant.fn(page, bob_reg.id))
    session.expire_all()
    reg = session.get(Registration, bob_reg.id)
    assert reg is not None and reg.status == "waitlisted"
