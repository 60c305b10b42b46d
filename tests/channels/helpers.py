"""Serve a real Sanic app in the test's event loop on a free loopback port."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sanic import Sanic


@asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[str]:
    """Runs `app` on 127.0.0.1:<free port>; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    srv = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await srv.startup()
    await srv.before_start()
    await srv.after_start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await srv.before_stop()
        srv.close()
        for conn in list(srv.connections):
            conn.close()
        await srv.after_stop()
        sock.close()
