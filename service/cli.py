"""Command line: ``python -m service serve | migrate``.

Set-up problems (a port in use, a data directory that cannot be written, a store that
does not come up) end the command with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import socket
import sys

import uvicorn
from pydantic import ValidationError

from service.app import create_app
from service.errors import SetupError
from service.logging_setup import configure_logging
from service.metrics import Metrics
from service.runtime import Runtime
from service.settings import Settings

logger = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    """Start the store, then answer HTTP until interrupted; stop the store on the way out."""
    _check_port_free(settings.host, settings.port)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            lifespan="off",
            log_level=settings.log_level.lower(),
        )
        logger.info("GraphQL at http://%s:%d/graphql", settings.host, settings.port)
        await uvicorn.Server(config).serve()


async def migrate(settings: Settings) -> None:
    """Apply pending migrations (starting the embedded store if needed) and exit."""
    runtime = await Runtime.start(
        settings.model_copy(update={"load_example_data": False}), Metrics()
    )
    await runtime.stop()


def _check_port_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise SetupError(
                    f"port {port} is already in use; pick another with PORT=..."
                ) from None
            raise SetupError(
                f"cannot listen on {host}:{port} ({error.strerror}); check HOST and PORT"
            ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="evidence-graph", description=__doc__)
    parser.add_argument("command", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()
        )
        print(f"error: invalid setting: {problems}", file=sys.stderr)  # noqa: T201
        return 2
    configure_logging(settings.log_level)
    command = serve if args.command == "serve" else migrate
    try:
        asyncio.run(command(settings))
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        pass
    return 0
