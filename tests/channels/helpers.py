"""Serve a real Sanic app in the test's event loop on a free loopback port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sanic import Sanic


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[str]:
    """Runs `app` in this event loop on a free loopback port; yields its base URL."""
    sock = free_socket()
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
            conn.close()  # open websockets too
        await asyncio.sleep(0.05)
        await srv.after_stop()
        sock.close()
