"""A Redis lock store whose tickets are issued and released atomically (Lua), for several Rasa replicas.

Rasa open source's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and updates it by
read-modify-write: two replicas that take a ticket at the same moment both read the old value and one
ticket is lost, so two turns of one conversation run at once and one tracker save overwrites the other
(messages vanish from the tracker); it also re-polls once per second. Here every step is one Lua script,
so Redis runs it alone:

- **issue**: `INCR` a per-conversation counter (the ticket is the arrival order at Redis, whichever
  replica received the message) and add the ticket to a sorted set of waiting tickets;
- **acquire**: drop expired tickets, then the lowest live ticket is the holder; a waiter polls every
  `poll_interval` (20 ms) and each poll renews its own, short, expiry (`waiter_ttl`), so a replica that
  died while waiting frees its place within seconds;
- **hold**: the holder's ticket lives on a short lease (`holder_lease`, 10 s) that the holding replica renews
  every third of it while the turn runs, never beyond `lock_lifetime` from acquisition (60 s, Rasa's
  `TICKET_LOCK_LIFETIME`): a replica that dies holding the lock blocks the conversation for at most the lease
  (its in-flight turns, re-sent by the load balancer, continue on another replica within seconds), and a
  turn that hangs is cut off at the lifetime;
- **release**: remove the ticket.

Time is Redis's own clock (`TIME` inside the script), so replicas' clocks need not agree. The lifetime must
exceed the slowest turn, or a second turn would start while the first still runs; our actions' calls are
bounded by the court-data and desk clients' timeouts (a few seconds each, docs/cluster.md), far below it.

When Redis cannot be reached the store fails closed: `lock()` raises `LockError` (bot/store_guard.py answers
the citizen: refused, send again, or 12368) and logs why, rather than running the turn unlocked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 0.02
DEFAULT_WAITER_TTL = 10.0
DEFAULT_HOLDER_LEASE = 10.0
DEFAULT_SOCKET_TIMEOUT = 2.0

_NOW_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

_DROP_EXPIRED = """
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, d in ipairs(dead) do
  redis.call('ZREM', KEYS[2], d)
  redis.call('ZREM', KEYS[3], d)
end
"""

_KEEP_KEYS = """
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[#ARGV]) end
"""

# KEYS: counter, queue (ticket by number), expiry (ticket by deadline). ARGV: waiter ttl ms, key ttl ms.
ISSUE = (
    _NOW_MS
    + """
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), ticket)
"""
    + _KEEP_KEYS
    + "return ticket"
)

# ARGV: ticket, waiter ttl ms, holder lease ms, key ttl ms. Returns {1, now} acquired (Redis time, ms),
# {0, ahead} waiting, {-1, 0} the ticket is gone (it expired).
ACQUIRE = (
    _NOW_MS
    + _DROP_EXPIRED
    + """
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {-1, 0} end
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
"""
    + _KEEP_KEYS
    + """
if head == ARGV[1] then
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
  return {1, now}
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
return {0, redis.call('ZRANK', KEYS[2], ARGV[1])}
"""
)

# ARGV: ticket, lease ms, cap (absolute deadline, ms), key ttl ms. Extends the holder's deadline to now + lease,
# never past the cap. Returns 1 while the ticket holds the lock, 0 once it has expired or lost it.
RENEW = (
    _NOW_MS
    + """
local deadline = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not deadline or tonumber(deadline) < now then return 0 end
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] ~= ARGV[1] then return 0 end
local want = math.min(now + tonumber(ARGV[2]), tonumber(ARGV[3]))
if want > tonumber(deadline) then redis.call('ZADD', KEYS[3], want, ARGV[1]) end
"""
    + _KEEP_KEYS
    + "return 1"
)

# ARGV: ticket. Returns 1 if the ticket was still live, 0 if it had expired (gone or past its deadline).
RELEASE = (
    _NOW_MS
    + """
local deadline = redis.call('ZSCORE', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[2], KEYS[3]) end
if deadline and tonumber(deadline) >= now then return 1 end
return 0
"""
)

# Returns the live tickets as a flat list: number, deadline (ms), number, deadline, ...
PEEK = _NOW_MS + _DROP_EXPIRED + "return redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')"


class _LocalTickets:
    """This process's live tickets per conversation. A waiter with an earlier ticket of the same
    conversation in this process cannot be served before it, so it waits for that one to end instead
    of polling Redis: when one replica queues a burst of one conversation (the load balancer keeps a
    conversation on one replica), only the first waiter polls, and the others cost nothing."""

    def __init__(self) -> None:
        self.tickets: dict[str, set[int]] = {}
        self.changed: dict[str, asyncio.Event] = {}

    def add(self, conversation_id: str, ticket: int) -> None:
        self.tickets.setdefault(conversation_id, set()).add(ticket)

    def remove(self, conversation_id: str, ticket: int) -> None:
        live = self.tickets.get(conversation_id)
        if live is not None:
            live.discard(ticket)
            if not live:
                del self.tickets[conversation_id]
        event = self.changed.pop(conversation_id, None)
        if event is not None:
            event.set()  # the waiters behind it look again

    def behind_local(self, conversation_id: str, ticket: int) -> bool:
        return any(other < ticket for other in self.tickets.get(conversation_id, ()))

    async def wait_change(self, conversation_id: str, timeout: float) -> None:
        event = self.changed.setdefault(conversation_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis, issued and released atomically; see the module docstring for why.

    Built by Rasa from endpoints.yml (`lock_store: type: bot.lockstore.AtomicRedisLockStore` with `url`,
    `port`, `db`, `username`, `password`, `key_prefix`, `use_ssl`, and optionally `lock_lifetime`,
    `holder_lease`, `waiter_ttl`, `poll_interval`, `socket_timeout` in seconds) or directly with keyword arguments.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **options: Any) -> None:
        if endpoint_config is not None:
            options = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **options}
        self.lifetime = float(options.pop("lock_lifetime", None) or LOCK_LIFETIME)
        self.waiter_ttl = min(float(options.pop("waiter_ttl", DEFAULT_WAITER_TTL)), self.lifetime)
        self.holder_lease = min(float(options.pop("holder_lease", DEFAULT_HOLDER_LEASE)), self.lifetime)
        self.poll_interval = min(float(options.pop("poll_interval", DEFAULT_POLL_INTERVAL)), 0.05)
        self.key_prefix = _prefix(options.pop("key_prefix", None))
        self.red = redis.Redis(
            host=options.pop("host", "localhost"),
            port=int(options.pop("port", 6379)),
            db=int(options.pop("db", 1)),
            username=options.pop("username", None) or None,
            password=options.pop("password", None) or None,
            ssl=bool(options.pop("use_ssl", False)),
            socket_timeout=float(options.pop("socket_timeout", DEFAULT_SOCKET_TIMEOUT)),
            socket_connect_timeout=DEFAULT_SOCKET_TIMEOUT,
        )
        if options:
            logger.warning("lock store: ignoring unknown settings %s", sorted(options))
        self._issue = self.red.register_script(ISSUE)
        self._acquire = self.red.register_script(ACQUIRE)
        self._release = self.red.register_script(RELEASE)
        self._renew = self.red.register_script(RENEW)
        self._local = _LocalTickets()
        self._peek = self.red.register_script(PEEK)
        super().__init__()
        try:
            self.red.ping()
        except redis.RedisError as error:
            logger.error(
                "lock store: Redis %s unreachable at start (%s); turns fail until it answers",
                self._where(),
                error,
            )

    def _where(self) -> str:
        kwargs = self.red.connection_pool.connection_kwargs
        return f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db')}"

    def _keys(self, conversation_id: str) -> list[str]:
        # one hash tag for the three keys: they stay in one slot on a Redis Cluster, as scripts require
        base = f"{self.key_prefix}{{{conversation_id}}}"
        return [base + ":seq", base + ":queue", base + ":expiry"]

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    def _key_ttl(self) -> int:
        return self._ms(self.lifetime + self.waiter_ttl)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Take the next ticket of the conversation (atomic: one INCR in one script)."""
        try:
            args = [self._ms(self.waiter_ttl), self._key_ttl()]
            return int(self._issue(keys=self._keys(conversation_id), args=args))
        except redis.RedisError as error:
            logger.error(
                "lock store: cannot issue a ticket for conversation %s, Redis %s: %s; the message is refused",
                conversation_id,
                self._where(),
                error,
            )
            raise LockError(
                f"lock store unavailable for conversation '{conversation_id}': {error}"
            ) from error

    def try_acquire(self, conversation_id: str, ticket: int) -> tuple[int, int]:
        """One atomic poll: (1, Redis time in ms) acquired, (0, ahead) still waiting, (-1, 0) the ticket
        has expired."""
        args = [ticket, self._ms(self.waiter_ttl), self._ms(self.holder_lease), self._key_ttl()]
        status, ahead = self._acquire(keys=self._keys(conversation_id), args=args)
        return int(status), int(ahead)

    async def _wait_for_turn(self, conversation_id: str, ticket: int, poll: float) -> tuple[int, int]:
        """The ticket that got the lock (a new one if the first expired) and when, in Redis time (ms)."""
        try:
            return await self._wait_in_line(conversation_id, ticket, poll)
        except BaseException:  # refused or cancelled: no longer in this process's line
            self._local.remove(conversation_id, ticket)
            raise

    async def _wait_in_line(self, conversation_id: str, ticket: int, poll: float) -> tuple[int, int]:
        while True:
            if self._local.behind_local(conversation_id, ticket):
                # an earlier ticket of this process goes first: wait for it, then poll once — which also
                # renews this waiter's place (waiter_ttl) when the wait is long
                await self._local.wait_change(conversation_id, self.waiter_ttl / 3)
            try:
                status, ahead = self.try_acquire(conversation_id, ticket)
            except redis.RedisError as error:
                logger.error(
                    "lock store: lost Redis %s while conversation %s waited: %s; the message is refused",
                    self._where(),
                    conversation_id,
                    error,
                )
                raise LockError(f"lock store unavailable for conversation '{conversation_id}'") from error
            if status == 1:
                return ticket, ahead
            if status == -1:
                # this process did not poll for waiter_ttl (a stalled event loop): queue again at the end
                logger.warning(
                    "lock store: ticket %s of %s expired while waiting; queued again", ticket, conversation_id
                )
                self._local.remove(conversation_id, ticket)
                ticket = self.issue_ticket(conversation_id)
                self._local.add(conversation_id, ticket)
                continue
            logger.debug("lock store: %s waits behind %s ticket(s)", conversation_id, ahead)
            if not self._local.behind_local(conversation_id, ticket):
                await asyncio.sleep(poll)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock for the block; waits in order of arrival, polling every ≤ 50 ms.

        `lock_lifetime` is ignored (the store's `lock_lifetime` setting applies to every caller, Rasa's
        callers never pass one) and `wait_time_in_seconds` is capped at `poll_interval`."""
        ticket = self.issue_ticket(conversation_id)
        self._local.add(conversation_id, ticket)
        keeper: asyncio.Task | None = None
        try:
            ticket, acquired_ms = await self._wait_for_turn(
                conversation_id, ticket, min(wait_time_in_seconds, self.poll_interval)
            )
            cap_ms = acquired_ms + self._ms(self.lifetime)
            keeper = asyncio.create_task(self._keep_lease(conversation_id, ticket, cap_ms))
            yield TicketLock(conversation_id, deque([Ticket(ticket, time.time() + self.lifetime)]))
        finally:
            if keeper is not None:
                keeper.cancel()
            self.finish_serving(conversation_id, ticket)
            self._local.remove(conversation_id, ticket)

    async def _keep_lease(self, conversation_id: str, ticket: int, cap_ms: int) -> None:
        """Renew the holder's lease every third of it while the turn runs (cancelled at release)."""
        args = [ticket, self._ms(self.holder_lease), cap_ms, self._key_ttl()]
        while True:
            await asyncio.sleep(self.holder_lease / 3)
            try:
                if not self._renew(keys=self._keys(conversation_id), args=args):
                    return  # expired (the release reports it) or past the cap
            except redis.RedisError as error:  # the next renewal may get through; the lease covers two misses
                logger.warning("lock store: cannot renew %s ticket %s: %s", conversation_id, ticket, error)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Give the turn to the next ticket. A failure here is logged, not raised: the turn is done, and
        the ticket expires by itself."""
        try:
            if not self._release(keys=self._keys(conversation_id), args=[ticket_number]):
                logger.error(
                    "lock store: ticket %s of %s expired before its turn ended (longer than lock_lifetime %ss, "
                    "or its %ss lease went unrenewed); another turn of this conversation may have run at the "
                    "same time",
                    ticket_number,
                    conversation_id,
                    self.lifetime,
                    self.holder_lease,
                )
        except redis.RedisError as error:
            logger.error("lock store: cannot release %s ticket %s: %s", conversation_id, ticket_number, error)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Release the ticket (the release script deletes the lock when nobody waits)."""
        self.finish_serving(conversation_id, ticket_number)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's live tickets, read-only (for Rasa's `is_someone_waiting` and debugging)."""
        flat = self._peek(keys=self._keys(conversation_id))
        if not flat:
            return None
        pairs = zip(flat[::2], flat[1::2])
        tickets = deque(Ticket(int(number), float(deadline) / 1000) for number, deadline in pairs)
        return TicketLock(conversation_id, deque(sorted(tickets, key=lambda t: t.number)))

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (reading does so atomically)."""
        self.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Forget every ticket of the conversation."""
        self._log_deletion(conversation_id, bool(self.red.delete(*self._keys(conversation_id))))

    def save_lock(self, lock: TicketLock) -> None:
        """Not supported: writing a whole lock back is the lost-update race this store exists to avoid."""
        raise NotImplementedError("AtomicRedisLockStore changes tickets only through its scripts")


def _prefix(key_prefix: Any) -> str:
    if key_prefix is None or key_prefix == "":
        return "lock:"
    if not (isinstance(key_prefix, str) and key_prefix.replace("_", "").replace("-", "").isalnum()):
        raise ValueError(f"lock store key_prefix must be letters, digits, '-' or '_', got {key_prefix!r}")
    return f"{key_prefix}:lock:"
