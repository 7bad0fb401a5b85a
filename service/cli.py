"""Command line: ``python -m service serve | migrate | keys ... | import ...``.

Set-up problems (a port in use, a data directory that cannot be written, a store that
does not come up) end the command with one line on stderr and exit code 2. ``keys`` and
``import`` attach to the embedded store of a service running on the same DATA_DIR, or
start one of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError

from service.app import create_app
from service.auth.api_keys import ApiKeyRequestError, issue_key, list_keys, revoke_key
from service.auth.principal import Scope
from service.errors import SetupError
from service.http_server import bind_listener, server_config
from service.imports.pipeline import run_import
from service.imports.readers import (
    CsvImportFile,
    CsvTable,
    ImportFile,
    JsonImportFile,
    UnreadableFile,
)
from service.logging_setup import configure_logging
from service.metrics import Metrics
from service.runtime import Runtime
from service.settings import Settings
from service.store import Store
from service.worker_process import run_worker
from service.workers import serve_workers
from service.writes.outcome import Writer

logger = logging.getLogger(__name__)


class CommandFailed(Exception):
    """The command could not do what was asked; the message says why (exit code 1)."""


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (not on Windows), as uvicorn's own command
    line picks it (see service/http_server.py for what it saves). None: asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _out(text: str) -> None:
    print(text)  # noqa: T201  (a command's answer goes to stdout)


async def serve(settings: Settings, _: argparse.Namespace) -> None:
    """Start the store, then answer HTTP until interrupted; stop the store on the way out.

    With more than one worker, a parent process runs the store and the workers
    (service/workers.py); with one, this process does everything.
    """
    if settings.worker_count > 1:
        await serve_workers(settings)
        return
    _check_port_free(settings.host, settings.port)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        config = server_config(app, settings)
        logger.info("GraphQL at http://%s:%d/graphql", settings.host, settings.port)
        await uvicorn.Server(config).serve()


async def migrate(settings: Settings, _: argparse.Namespace) -> None:
    """Apply pending migrations (starting the embedded store if needed) and exit."""

    async def nothing_more(_: Store) -> None:
        return None

    await _with_store(settings, nothing_more)


async def keys(settings: Settings, args: argparse.Namespace) -> None:
    async def run(store: Store) -> None:
        try:
            if args.action == "issue":
                issued = await issue_key(
                    store, name=args.name, agency_id=args.agency, scopes=args.scope
                )
                _out(f"key id: {issued.key_id}")
                _out(f"key:    {issued.token}")
                _out(
                    "Store the key now: it is shown only once. Send it as 'Authorization: Bearer <key>'."
                )
            elif args.action == "revoke":
                await revoke_key(store, key_id=args.key_id)
                _out(f"revoked {args.key_id}")
            else:
                for row in await list_keys(store):
                    state = f"revoked {row['revokedAt']:%Y-%m-%d}" if row["revokedAt"] else "active"
                    _out(
                        f"{row['id']}  {row['name']}  agency={row['agencyId']}  "
                        f"scopes={','.join(row['scopes'])}  {state}"
                    )
        except ApiKeyRequestError as error:
            raise CommandFailed(str(error)) from None

    await _with_store(settings, run)


async def import_file(settings: Settings, args: argparse.Namespace) -> None:
    path = Path(args.file)
    if not path.is_file():
        raise CommandFailed(f"no file at {path}")
    is_csv = args.table is not None or path.suffix.lower() == ".csv"
    if is_csv and args.table is None:
        raise CommandFailed(
            f"a CSV import names its table: --table {'|'.join(t.value for t in CsvTable)}"
        )
    source: ImportFile = (
        CsvImportFile(path, CsvTable(args.table)) if is_csv else JsonImportFile(path)
    )

    async def run(store: Store) -> None:
        try:
            report = await run_import(
                store,
                source,
                writer=Writer(client=args.client, agency=args.agency),
                max_rejections=settings.import_max_rejections,
                timeout=settings.import_timeout,
                progress=_ProgressBar(),
                dry_run=args.dry_run,
            )
        except UnreadableFile as error:
            raise CommandFailed(str(error)) from None
        print(file=sys.stderr)  # noqa: T201  (end the progress line)
        _out(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        if report.status == "rejected":
            raise CommandFailed(f"rejected: {report.rejected_total} problems; nothing was written")

    await _with_store(settings, run)


class _ProgressBar:
    """One self-rewriting line on stderr: phase, a bar when the total is known, counts."""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total:
            filled = int(30 * done / total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {100 * done // total:3d}% "
        else:
            bar = ""
        sys.stderr.write(f"\r{phase:<24} {bar}{done:,}{f'/{total:,}' if total else ''} records   ")
        sys.stderr.flush()


async def _with_store(settings: Settings, work: Callable[[Store], Awaitable[None]]) -> None:
    runtime = await Runtime.start(
        settings.model_copy(update={"load_example_data": False}), Metrics(), attach=True
    )
    try:
        await work(runtime.store)
    finally:
        await runtime.stop()


def _check_port_free(host: str, port: int) -> None:
    bind_listener(host, port).close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m service", description="Evidence Graph service and tools."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the GraphQL service")
    worker = commands.add_parser(
        "worker", help="one worker process of `serve` (started by serve itself, not by hand)"
    )
    worker.add_argument("--listen-fd", type=int, required=True)
    worker.add_argument("--ready-fd", type=int, required=True)
    commands.add_parser("migrate", help="apply pending migrations and exit")
    key_parser = commands.add_parser("keys", help="issue, revoke and list API keys")
    key_actions = key_parser.add_subparsers(dest="action", required=True)
    issue = key_actions.add_parser("issue", help="issue a key (shown once)")
    issue.add_argument(
        "--name", required=True, help="the client's name, recorded on everything it writes"
    )
    issue.add_argument("--agency", required=True, help="id of the Agency the client belongs to")
    issue.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=[s.value for s in Scope],
        help="repeat for several scopes",
    )
    revoke = key_actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    key_actions.add_parser("list", help="list keys (never the secrets)")
    importer = commands.add_parser(
        "import", help="import a JSON graph file or a CSV table, all or nothing"
    )
    importer.add_argument("file")
    importer.add_argument(
        "--table", choices=[t.value for t in CsvTable], help="the CSV table (for .csv files)"
    )
    importer.add_argument(
        "--client", default="cli-import", help="recorded as the writer (default cli-import)"
    )
    importer.add_argument("--agency", default=None, help="agency id recorded in the change log")
    importer.add_argument(
        "--dry-run",
        action="store_true",
        help="check and report what the import would do; write nothing",
    )
    return parser


_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, None]]] = {
    "serve": serve,
    "worker": run_worker,
    "migrate": migrate,
    "keys": keys,
    "import": import_file,
}


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()
        )
        print(f"error: invalid setting: {problems}", file=sys.stderr)  # noqa: T201
        return 2
    configure_logging(settings.log_level if args.command in ("serve", "worker") else "WARNING")
    # SIGTERM ends the command as Ctrl-C does, through every clean-up on the way out (uvicorn
    # raises the signal again once it has stopped serving: the store must still be stopped).
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
            runner.run(_COMMANDS[args.command](settings, args))
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except CommandFailed as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 1
    except KeyboardInterrupt:
        pass
    return 0
