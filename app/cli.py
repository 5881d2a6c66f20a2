"""The `cooc` command: serve, migrate, import content and employees, manage tokens.

Operators' scripts depend on these command names and options: keep them stable.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

import app.models  # noqa: F401 - every table is known before a command touches the database (foreign keys resolve)
from app.config import Settings, get_settings

cli = typer.Typer(
    help="cooc: corporate online open course and reverse mentoring.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _password(prompt: str) -> str:
    password = os.environ.get("COOC_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        _fail("set COOC_PASSWORD or run the command in a terminal to be prompted")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (Alembic upgrade to head)."""
    from app.migrations import upgrade_to_head

    settings = get_settings()
    upgrade_to_head(settings)
    typer.echo(f"database is up to date: {_safe_url(settings)}")


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


@cli.command("import-modules")
def import_modules(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="a modules folder, or one module's folder")] = Path("modules"),
    draft: Annotated[bool, typer.Option("--draft", help="store new content as drafts to publish later")] = False,
) -> None:
    """Check, render and publish course modules; a broken module is reported and the live one kept."""
    from app.actor import Actor
    from app.catalog.files import MODULE_FILE, ModuleLimits, discover_module_folders
    from app.db import Database
    from app.publishing.service import import_module_folders

    if not path.is_dir():
        _fail(f"{path} is not a folder")
    folders = [path] if (path / MODULE_FILE).exists() else discover_module_folders(path)
    if not folders:
        _fail(f"{path} holds no module (a module is a folder with a {MODULE_FILE})")
    settings = get_settings()
    with Database(settings).session() as session:
        limits = ModuleLimits.from_settings(settings)
        report = import_module_folders(session, Actor.command_line(), folders, limits=limits, publish=not draft)
    for outcome in report.outcomes:
        typer.echo(f"{outcome.slug}: version {outcome.version_number} {outcome.status}{' (draft)' if draft else ''}")
    _exit_on_rejected(report.rejected, "rejected, the published version stays live")


@cli.command("rerender-modules")
def rerender_modules() -> None:
    """After an upgrade: render every live module again from its kept sources; changed ones go live as new versions."""
    from app.actor import Actor
    from app.db import Database
    from app.publishing.service import rerender_live_modules

    with Database(get_settings()).session() as session:
        report = rerender_live_modules(session, Actor.command_line())
    for saved in report.republished:
        typer.echo(f"{saved.slug}: rendered again as version {saved.number}, now live")
    for slug in report.unchanged:
        typer.echo(f"{slug}: unchanged")
    _exit_on_rejected(report.rejected, "not rendered again, the live version stays")


def _exit_on_rejected(rejected: Mapping[str, Sequence[object]], outcome: str) -> None:
    """Print each refused module with its problems (file and line) and exit 1, so scripts and CI stop."""
    for slug, problems in rejected.items():
        typer.secho(f"{slug}: {outcome}", fg=typer.colors.RED, err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
    if rejected:
        raise typer.Exit(code=1)


@cli.command("check-modules")
def check_modules(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="a modules folder, or one module's folder")] = Path("modules"),
) -> None:
    """Check modules without touching the database (for authors and CI)."""
    from app.catalog.files import MODULE_FILE, ModuleFormatError, ModuleLimits, discover_module_folders, read_module_folder
    from app.catalog.loader import load_module

    folders = [path] if (path / MODULE_FILE).exists() else discover_module_folders(path)
    limits = ModuleLimits.from_settings(get_settings())
    failed = False
    for folder in folders:
        try:
            source = load_module(read_module_folder(folder, limits))
        except ModuleFormatError as error:
            failed = True
            typer.secho(f"{folder.name}: {len(error.problems)} problem(s)", fg=typer.colors.RED, err=True)
            for problem in error.problems:
                typer.echo(f"  {problem}", err=True)
            continue
        typer.echo(f"{source.slug}: ok ({len(source.lessons)} lessons, {len(source.quiz)} questions)")
    if failed:
        raise typer.Exit(code=1)


@cli.command("create-user")
def create_user(
    employee_id: Annotated[str, typer.Option("--employee-id", metavar="ID")],
    name: Annotated[str, typer.Option("--name", metavar="NAME")],
    email: Annotated[str, typer.Option("--email", metavar="EMAIL")],
    department: Annotated[str, typer.Option("--department", metavar="DEPARTMENT")],
    language: Annotated[str, typer.Option("--language", metavar="LANGUAGE", help="en, fr or nl")] = "en",
    role: Annotated[
        list[str] | None, typer.Option("--role", metavar="ROLE", help="learner, mentor, editor or admin; repeat for several")
    ] = None,
) -> None:
    """Create an employee who can sign in (password from COOC_PASSWORD, else prompted)."""
    from app.accounts.people import AccountError, EmployeeRecord, normalise_email, parse_roles
    from app.accounts.people import create_user as create
    from app.actor import Actor
    from app.db import Database

    settings = get_settings()
    try:
        record = EmployeeRecord(
            employee_id.strip(),
            name.strip(),
            normalise_email(email),
            department.strip(),
            language,
            parse_roles(";".join(role or ["learner"])),
        )
        password = _password("Password")
        with Database(settings).session() as session:
            user = create(session, settings, Actor.command_line(), record, password)
    except AccountError as error:
        _fail(str(error))
    typer.echo(f"created {user.employee_id} <{user.email}> with roles {', '.join(sorted(record.roles))}")


@cli.command("set-password")
def set_password(employee_id: Annotated[str, typer.Option("--employee-id", metavar="ID")]) -> None:
    """Set an employee's password (COOC_PASSWORD, else prompted); signs out their sessions."""
    from app.accounts.people import AccountError
    from app.accounts.people import set_password as change
    from app.actor import Actor
    from app.db import Database

    settings = get_settings()
    try:
        with Database(settings).session() as session:
            change(session, settings, Actor.command_line(), employee_id, _password("New password"))
    except AccountError as error:
        _fail(str(error))
    typer.echo(f"password changed for {employee_id}")


@cli.command("import-employees")
def import_employees(
    file: Annotated[
        Path, typer.Argument(metavar="FILE.csv", help="HR directory CSV: employee_id,name,email,department,language,role")
    ],
) -> None:
    """Create or update employees from an HR CSV; nothing is applied if any row is bad."""
    from app.accounts.directory import EmployeeImportError, decode_directory
    from app.accounts.directory import import_employees as run_import
    from app.accounts.people import AccountError
    from app.actor import Actor
    from app.db import Database

    try:
        text = decode_directory(file.read_bytes())
    except (OSError, AccountError) as error:
        _fail(f"cannot read {file}: {error}")

    def show_progress(done: int, total: int) -> None:
        typer.echo(f"\r{done}/{total} rows", nl=done == total, err=True)

    try:
        with Database(get_settings()).session() as session:
            summary = run_import(session, Actor.command_line(), text, source=f"file {file.name}", on_progress=show_progress)
    except EmployeeImportError as error:
        for problem in error.problems:
            typer.echo(f"{file}:{problem}", err=True)
        _fail(str(error))
    except AccountError as error:
        _fail(f"{file}: {error}")
    typer.echo(f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged")


@cli.command("create-token")
def create_token(
    name: Annotated[str, typer.Option("--name", metavar="NAME")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", metavar="SCOPE", help="catalog:read or reports:read; repeat for several"),
    ],
) -> None:
    """Create an API token for a machine and print it once; only its hash is stored."""
    from app.accounts.people import AccountError
    from app.accounts.tokens import create_api_token
    from app.actor import Actor
    from app.db import Database

    try:
        with Database(get_settings()).session() as session:
            _, raw = create_api_token(session, Actor.command_line(), name, scope)
    except AccountError as error:
        _fail(str(error))
    typer.echo(raw)


@cli.command()
def serve(
    host: Annotated[str, typer.Option("--host", metavar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT")] = 8000,
    workers: Annotated[int, typer.Option("--workers", metavar="N")] = 1,
    setup: Annotated[bool, typer.Option("--setup/--no-setup", help="migrate and import modules/ first")] = True,
) -> None:
    """Serve cooc. By default it first migrates the database and imports the shipped course."""
    import uvicorn

    settings = get_settings()
    if setup:
        migrate()
        try:
            import_modules(settings.modules_dir)
        except typer.Exit:
            typer.secho("serving the last good version of the rejected module(s)", fg=typer.colors.YELLOW, err=True)
        _bootstrap_admin(settings)
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        access_log=settings.access_log,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def _bootstrap_admin(settings: Settings) -> None:
    """On an empty database, create one admin so the platform can be used at once."""
    from app.accounts.models import Role
    from app.accounts.people import EmployeeRecord, has_users
    from app.accounts.people import create_user as create
    from app.actor import Actor
    from app.db import Database

    if not settings.bootstrap_admin:
        return
    with Database(settings).session() as session:
        if has_users(session):
            return
        password = os.environ.get("COOC_PASSWORD") or secrets.token_urlsafe(12)
        record = EmployeeRecord(
            "admin",
            "Administrator",
            "admin@example.com",
            "Digital",
            settings.default_language,
            frozenset({Role.admin, Role.learner}),
        )
        create(session, settings, Actor.system("first run"), record, password)
    typer.secho(
        f"first run: sign in as admin@example.com with password {password} (change it: cooc set-password --employee-id admin)",
        fg=typer.colors.GREEN,
    )


@cli.command()
def invite(
    employee_id: Annotated[str | None, typer.Option("--employee-id", metavar="ID", help="one employee")] = None,
    department: Annotated[str | None, typer.Option("--department", metavar="DEPARTMENT", help="everyone in it")] = None,
    all_without_password: Annotated[bool, typer.Option("--all-without-password", help="everyone who has none")] = False,
) -> None:
    """E-mail invitations to choose a password (they leave through the worker; on SQLite, `cooc serve` runs one)."""
    from app.accounts.password_links import InvitationTarget
    from app.accounts.password_links import invite as send
    from app.accounts.people import AccountError
    from app.actor import Actor
    from app.db import Database

    chosen = [(InvitationTarget.employee, employee_id), (InvitationTarget.department, department)]
    targets = [(target, value) for target, value in chosen if value] + (
        [(InvitationTarget.all_without_password, "")] if all_without_password else []
    )
    if len(targets) != 1:
        _fail("say whom to invite: exactly one of --employee-id, --department or --all-without-password")
    settings = get_settings()
    try:
        with Database(settings).session() as session:
            count = send(session, settings, Actor.command_line(), *targets[0])
    except AccountError as error:
        _fail(str(error))
    typer.echo(f"{count} invitation(s) queued; the worker sends them")


@cli.command()
def worker() -> None:
    """Drain the outbox (e-mails, xAPI statements) until SIGTERM; run several side by side on PostgreSQL."""
    import logging
    import signal

    from app.consumers import housekeeping_chores, outbox_consumers
    from app.db import Database
    from app.events.worker import OutboxWorker, WorkerPolicy

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = get_settings()
    db = Database(settings)
    outbox_worker = OutboxWorker(
        db, outbox_consumers(settings, db), WorkerPolicy.from_settings(settings), housekeeping_chores(settings, db)
    )
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda _signum, _frame: outbox_worker.stop())
    outbox_worker.run()
    db.dispose()


@cli.command()
def audit(
    since: Annotated[
        str | None, typer.Option("--since", metavar="ISO-DATE", help="ISO date or date-time (UTC when no zone is given)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Print the audit log, oldest first: who did what to which subject, and when."""
    import json
    from datetime import UTC, datetime

    from app.db import Database
    from app.events.service import audit_events_since

    start: datetime | None = None
    if since:
        try:
            given = datetime.fromisoformat(since)
        except ValueError:
            _fail(f"--since {since!r} is not an ISO date such as 2026-12-01 or 2026-12-01T08:00")
        start = given if given.tzinfo else given.replace(tzinfo=UTC)
    db = Database(get_settings())
    with db.engine.connect() as connection:
        events = audit_events_since(connection, start)
    db.dispose()
    for event in events:
        if as_json:
            line = {"at": event.at.isoformat(), "actor": str(event.actor), "action": event.action, "subject": event.subject}
            typer.echo(json.dumps({**line, "payload": event.payload}, ensure_ascii=False))
        else:
            typer.echo(f"{event.at:%Y-%m-%d %H:%M:%S}  {event.actor!s:<30} {event.action:<28} {event.subject}")


wave_cli = typer.Typer(
    help="Reverse-mentoring waves: create, take in survey answers, confirm training, match.", no_args_is_help=True
)
cli.add_typer(wave_cli, name="wave")
WaveArgument = Annotated[str, typer.Argument(metavar="WAVE", help="the wave's name or id")]


@wave_cli.command("create")
def wave_create(
    name: Annotated[str, typer.Option("--name", metavar="NAME")],
    planned_meetings: Annotated[int, typer.Option("--planned-meetings", metavar="N")] = 8,
    same_department_allowed: Annotated[bool, typer.Option("--same-department-allowed")] = False,
) -> None:
    """A new wave, in its questionnaire stage; by default a mentee is never paired within their own department."""
    from app.actor import Actor
    from app.db import Database
    from app.mentoring.service import WaveError, create_wave

    with Database(get_settings()).session() as session:
        try:
            wave = create_wave(
                session,
                Actor.command_line(),
                name,
                planned_meetings=planned_meetings,
                same_department_allowed=same_department_allowed,
            )
        except WaveError as error:
            _fail(str(error))
    typer.echo(f"wave {wave.name} created (id {wave.id})")


@wave_cli.command("import-answers")
def wave_import_answers(wave: WaveArgument, file: Annotated[Path, typer.Argument(metavar="FILE.csv")]) -> None:
    """Answers of a survey already run: employee_id,side,languages,capacity and one 0-5 column per module slug; all or nothing."""
    from app.accounts.directory import decode_directory
    from app.actor import Actor
    from app.db import Database
    from app.mentoring.service import AnswersRefused, WaveError, find_wave, import_answers

    if not file.is_file():
        _fail(f"{file} is not a file")
    with Database(get_settings()).session() as session:
        try:
            count = import_answers(session, Actor.command_line(), find_wave(session, wave), decode_directory(file.read_bytes()))
        except AnswersRefused as refused:
            for problem in refused.problems:
                typer.echo(f"  {problem}", err=True)
            _fail("nothing was imported")
        except WaveError as error:
            _fail(str(error))
    typer.echo(f"{count} people's answers imported")


@wave_cli.command("confirm-training")
def wave_confirm_training(wave: WaveArgument, employee_id: Annotated[str, typer.Option("--employee-id", metavar="ID")]) -> None:
    """The mentor attended the classroom training, so they may be matched."""
    from app.actor import Actor
    from app.db import Database
    from app.mentoring.service import WaveError, confirm_training, find_wave

    with Database(get_settings()).session() as session:
        try:
            confirm_training(session, Actor.command_line(), find_wave(session, wave), employee_id)
        except WaveError as error:
            _fail(str(error))
    typer.echo(f"{employee_id}: training confirmed")


@wave_cli.command("match")
def wave_match(
    wave: WaveArgument,
    fair: Annotated[bool, typer.Option("--fair", help="first the best worst-off pair, then the best total")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Propose pairs for the wave (nothing is stored): each with its score broken down, each person left out with why."""
    import json

    from app.db import Database
    from app.mentoring.service import WaveError, find_wave, propose_wave_pairs

    with Database(get_settings()).session() as session:
        try:
            proposal = propose_wave_pairs(session.connection(), find_wave(session, wave), fair=fair)
        except WaveError as error:
            _fail(str(error))
    if as_json:
        typer.echo(json.dumps(proposal.as_json(), ensure_ascii=False))
        return
    for pair in proposal.pairs:
        typer.echo(f"{pair.mentor} -> {pair.mentee}: {pair.score}")
    for person in proposal.unmatched:
        typer.echo(f"{person.employee_id} ({person.side}) unmatched: {person.reason.text}")
    typer.echo(f"{len(proposal.pairs)} pairs, total {proposal.total}")


def main() -> None:
    cli()
