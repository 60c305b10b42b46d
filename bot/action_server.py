"""The action server, internal only: rasa-sdk's Sanic app behind a shared secret.

`python -m bot.cli run actions [--actions actions] [--port 5055]` runs this instead of `rasa run actions`.
The actions use the bot's court-data key, so nobody but the Rasa server may call them:

- binds ACTION_SERVER_HOST (default 127.0.0.1; set an address only for a split deployment);
- every request except `GET /health` must carry `Authorization: Bearer <ACTION_SERVER_TOKEN>`, the header
  Rasa sends from `action_endpoint.headers` in endpoints.yml; compared in constant time, else 401 JSON;
- request bodies are capped at ACTION_SERVER_MAX_BODY_BYTES (default 1 MB, Sanic's REQUEST_MAX_SIZE: 413);
  compressed bodies (any Content-Encoding but identity) are refused with 415, so nothing is inflated;
- `POST /webhook` takes a JSON object only (400 otherwise);
- an error answer never echoes the request (rasa-sdk's own 500 handler returns `request_body`).

The token is required in every mode (demo and COURT_MODE=production): without one, or with one shorter
than MIN_TOKEN_CHARS, the server refuses to start. `make run` generates it into var/run.env.

The actions' own settings (court data, work orders, limits: actions/settings.py) belong to the actions
package, which this module knows only by the name given on the command line, as rasa-sdk does: before it
serves a package, the server calls the package's optional `start_problems()` and refuses to start when it
names any (a malformed number, or in production a missing DESK_API_TOKEN / COURT_API_KEY).
"""

from __future__ import annotations

import argparse
import hmac
import importlib
import logging
import os
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
DEFAULT_MAX_BODY_BYTES = 1_000_000
MIN_TOKEN_CHARS = 16
TOKEN_ENV = "ACTION_SERVER_TOKEN"
OPEN_PATHS = frozenset({"/health"})
STATUS_TEXTS = {
    400: "bad request",
    401: "unauthorized",
    404: "not found",
    405: "method not allowed",
    408: "request timeout",
    413: "request body too large",
    415: "unsupported content encoding",
}


class ConfigurationError(RuntimeError):
    """The server must not start with these settings; the message says why."""


@dataclass(frozen=True)
class ActionServerSettings:
    """The server's own values (ACTION_SERVER_*, COURT_MODE), read once by `main`."""

    token: str = ""
    host: str = DEFAULT_HOST
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    production: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ActionServerSettings:
        """Read ACTION_SERVER_TOKEN/HOST/MAX_BODY_BYTES and COURT_MODE; a malformed size names the variable."""
        env = dict(os.environ if env is None else env)
        raw_size = (env.get("ACTION_SERVER_MAX_BODY_BYTES") or "").strip()
        try:
            max_body_bytes = int(raw_size) if raw_size else DEFAULT_MAX_BODY_BYTES
        except ValueError:
            raise ConfigurationError(
                f"ACTION_SERVER_MAX_BODY_BYTES must be a whole number, got {raw_size!r}"
            ) from None
        return cls(
            token=(env.get(TOKEN_ENV) or "").strip(),
            host=(env.get("ACTION_SERVER_HOST") or "").strip() or DEFAULT_HOST,
            max_body_bytes=max_body_bytes,
            production=(env.get("COURT_MODE") or "").strip().lower() == "production",
        )

    def check(self) -> None:
        """Raise ConfigurationError unless the server may start (the same rule in demo and production)."""
        mode = "production" if self.production else "demo"
        if not self.token:
            raise ConfigurationError(
                f"{TOKEN_ENV} is not set ({mode} mode): the action server does not start "
                "without the shared secret that Rasa sends (endpoints.yml)"
            )
        if len(self.token) < MIN_TOKEN_CHARS:
            raise ConfigurationError(f"{TOKEN_ENV} is shorter than {MIN_TOKEN_CHARS} characters")
        if self.max_body_bytes < 1024:
            raise ConfigurationError("ACTION_SERVER_MAX_BODY_BYTES must be at least 1024")


def _refuse(status: int, reason: str, **headers: str) -> HTTPResponse:
    return response.json(
        {"error": STATUS_TEXTS.get(status, "error"), "reason": reason}, status=status, headers=headers or None
    )


def _authorized(request: Request, expected: bytes) -> bool:
    given = request.headers.get("Authorization") or ""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected)


def secure(app: Sanic, settings: ActionServerSettings) -> Sanic:
    """Put the guard, the size limit and an error handler that echoes nothing on rasa-sdk's app."""
    settings.check()
    app.config.REQUEST_MAX_SIZE = settings.max_body_bytes
    expected = f"Bearer {settings.token}".encode()

    @app.signal("http.lifecycle.exception")
    async def failed(request: Request, exception: BaseException) -> None:
        # Sanic runs request middleware again before its error handler (and for a body over the limit,
        # before any body was read): the guard then only checks the token.
        if request is not None:
            request.ctx.failed = True

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        if not _authorized(request, expected):
            logger.warning(
                "action server: refused a %s %s without the right token", request.method, request.path
            )
            return _refuse(
                401,
                "missing or wrong action server token (Authorization: Bearer …)",
                **{"WWW-Authenticate": "Bearer"},
            )
        if getattr(request.ctx, "failed", False):
            return None
        encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            return _refuse(415, "compressed request bodies are not accepted")
        if request.method == "POST" and request.path == "/webhook":
            try:
                call = request.json
            except SanicException:
                call = None
            if not isinstance(call, dict):
                return _refuse(400, "the body must be a JSON object (an action call)")
        return None

    async def errors(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            status = int(getattr(exception, "status_code", 500) or 500)
            if status < 500:
                return _refuse(status, STATUS_TEXTS.get(status, "request refused"))
        logger.error(
            "action server: error on %s %s",
            request.method if request else "?",
            request.path if request else "?",
            exc_info=exception,
        )
        return response.json(
            {"error": "internal error", "reason": "the action failed; see the server log"}, status=500
        )

    app.error_handler.add(Exception, errors)  # replaces rasa-sdk's handler, which echoes request_body
    return app


def package_problems(actions: str | types.ModuleType) -> list[str]:
    """What the actions package says stops the start: its optional `start_problems()` (actions/settings.py).

    The package is imported by its name, as rasa-sdk imports it to register the actions: the server serves
    any package and imports none statically (the processes share only the kernel)."""
    module = importlib.import_module(actions) if isinstance(actions, str) else actions
    check = getattr(module, "start_problems", None)
    return list(check()) if callable(check) else []


def create_app(
    actions: str | types.ModuleType, settings: ActionServerSettings, auto_reload: bool = False
) -> Sanic:
    """rasa-sdk's app (no CORS origin: no browser calls it) with `secure` applied, once the server's and
    the actions package's settings allow the start."""
    from rasa_sdk.endpoint import create_app as sdk_app

    settings.check()
    problems = package_problems(actions)
    if problems:
        raise ConfigurationError("; ".join(problems))
    return secure(sdk_app(actions, cors_origins="", auto_reload=auto_reload), settings)


def _parser() -> argparse.ArgumentParser:
    from rasa_sdk import utils
    from rasa_sdk.cli.arguments import action_arg

    parser = argparse.ArgumentParser(
        prog="python -m bot.cli run actions", description="the court assistant's action server (internal)"
    )
    parser.add_argument("--actions", type=action_arg, default="actions", help="package of the actions")
    parser.add_argument("-p", "--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--auto-reload", action="store_true")
    parser.add_argument(
        "--ssl-certificate", default=None, help="certificate file, for TLS on a split deployment"
    )
    parser.add_argument("--ssl-keyfile", default=None)
    utils.add_logging_level_option_arguments(parser)
    utils.add_logging_file_arguments(parser)
    return parser


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> None:
    """Parse the arguments, configure logging as rasa-sdk does (masked), check the settings, serve."""
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_ssl_context
    from rasa_sdk.plugin import plugin_manager

    from kernel import logmask

    args = _parser().parse_args(argv)
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    logmask.install()  # again: the handlers above are new
    try:
        settings = ActionServerSettings.from_env(env)
        app = create_app(args.actions, settings, auto_reload=args.auto_reload)
    except ConfigurationError as exc:
        print(f"action server not started: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile)
    scheme = "https" if ssl_context else "http"
    logger.info("action server on %s://%s:%s (token required)", scheme, settings.host, args.port)
    run_kwargs: dict[str, Any] = {"ssl": ssl_context, "workers": utils.number_of_sanic_workers()}
    app.run(settings.host, args.port, **run_kwargs)
