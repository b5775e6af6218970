"""Non-interactive commands for scripts and docs: `python -m webinar_app <command>`."""

from __future__ import annotations

import argparse
import sys

from webinar_app.core.config import SettingsError, get_settings
from webinar_app.services.demo import DEMO_ADMIN, DEMO_STUDENT


def _migrate(_: argparse.Namespace) -> int:
    from webinar_app.core.migrations import upgrade_head

    upgrade_head()
    print("database is at the latest migration")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from webinar_app.core.db import session_scope
    from webinar_app.services import accounts
    from webinar_app.services.errors import Invalid

    with session_scope() as session:
        try:
            user = accounts.create_user(
                session,
                None,
                username=args.username,
                email=args.email,
                password=args.password,
                role="admin",
                is_superuser=True,
            )
        except Invalid as exc:
            for field, messages in exc.errors.items():
                print(f"{field}: {' '.join(messages)}", file=sys.stderr)
            return 2
    print(f"created admin {user.username} (id {user.id})")
    return 0


def _seed_demo(_: argparse.Namespace) -> int:
    from webinar_app.core.db import session_scope
    from webinar_app.services import demo

    if get_settings().app_env == "prod":
        print("seed-demo refuses to run in production mode", file=sys.stderr)
        return 2
    with session_scope() as session:
        if not demo.seed(session):
            print("database already has users; demo data not added")
            return 0
    print("demo data created. Sign in with:")
    print(f"  admin:   {DEMO_ADMIN[0]} / {DEMO_ADMIN[2]}")
    print(f"  student: {DEMO_STUDENT[0]} / {DEMO_STUDENT[2]}")
    return 0


def _check_settings(_: argparse.Namespace) -> int:
    settings = get_settings()
    print(f"settings OK (env={settings.app_env}, database={settings.database_url.split('@')[-1]})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webinar_app")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply every database migration").set_defaults(run=_migrate)
    admin = sub.add_parser("create-admin", help="create a superuser admin account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.set_defaults(run=_create_admin)
    sub.add_parser("seed-demo", help="demo users and data on an empty database").set_defaults(
        run=_seed_demo
    )
    sub.add_parser("check-settings", help="validate settings and exit").set_defaults(
        run=_check_settings
    )
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
