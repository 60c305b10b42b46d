"""Which conversations have a page open, on this replica or on any replica sharing Redis.

A staff push may land on a replica other than the one holding the citizen's socket. socket.io's Redis
manager carries the message and its acknowledgement between replicas, but its list of a room's sockets
is local. Without a shared list the push could not tell "no page is open" (answer at once: not
delivered) from "the page is on another replica" (wait for its acknowledgement). The shared list is a
Redis hash per conversation, socket id → replica; a replica that dies leaves its entries until the hash
expires, and a push to such a page waits for an acknowledgement that never comes, then reports it
honestly as not delivered.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from socketio import AsyncServer

from bot.channels.common import mask_conversation

logger = logging.getLogger(__name__)


class Presence(Protocol):
    """Join/leave a socket's page to a conversation; ask whether any page of it is open."""

    async def join(self, conversation: str, room: str, sid: str) -> None: ...

    async def leave(self, conversation: str, room: str, sid: str) -> None: ...

    async def any_open(self, conversation: str, room: str) -> bool: ...


class LocalPresence:
    """One replica: socket.io's own room list is the truth."""

    def __init__(self, sio: AsyncServer) -> None:
        self.sio = sio

    async def join(self, conversation: str, room: str, sid: str) -> None:
        """The room membership socket.io keeps is enough."""

    async def leave(self, conversation: str, room: str, sid: str) -> None:
        """The room membership socket.io keeps is enough."""

    async def any_open(self, conversation: str, room: str) -> bool:
        return any(True for _ in self.sio.manager.get_participants("/", room))


class RedisPresence:
    """Several replicas: a Redis hash `{prefix}:pages:{conversation}` of socket id → replica id."""

    def __init__(self, url: str, prefix: str, ttl_seconds: int, host_id: str, client: Any = None) -> None:
        from redis import asyncio as aioredis

        self.redis = client or aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.ttl = max(int(ttl_seconds), 60)
        self.host_id = host_id

    def _key(self, conversation: str) -> str:
        return f"{self.prefix}:pages:{conversation}"

    async def join(self, conversation: str, room: str, sid: str) -> None:
        key = self._key(conversation)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.hset(key, sid, self.host_id).expire(key, self.ttl).execute()
        except Exception as exc:  # the page still works on this replica; a push then waits for its ack
            logger.warning("web chat presence of %s not recorded: %s", mask_conversation(conversation), exc)

    async def leave(self, conversation: str, room: str, sid: str) -> None:
        try:
            await self.redis.hdel(self._key(conversation), sid)
        except Exception as exc:
            logger.warning("web chat presence of %s not cleared: %s", mask_conversation(conversation), exc)

    async def any_open(self, conversation: str, room: str) -> bool:
        """Unknown (Redis unreachable) counts as open: the push then waits for an acknowledgement."""
        try:
            return bool(await self.redis.hlen(self._key(conversation)))
        except Exception as exc:
            logger.warning("web chat presence of %s unknown: %s", mask_conversation(conversation), exc)
            return True
