"""LISTEN/NOTIFY: the server-wide table of who listens where, and delivery after commit.

A transaction collects its notifications (``Transaction.notifies``, duplicates folded as
PostgreSQL folds them) and its LISTEN/UNLISTEN actions; both take effect only when it
commits, and the protocol hands them here once the commit is durable, so listeners see
notifications in commit order and never those of a transaction that rolled back.

Actor changes notify by themselves on ``actors`` and ``actors:<actor_type>``; the executor
records them only while someone listens on one of those channels, so an unwatched write
path pays one attribute read per statement.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from orbit_pg import errors

ACTORS_CHANNEL = "actors"
ACTORS_TYPE_PREFIX = "actors:"
# PostgreSQL: channel names are identifiers (NAMEDATALEN - 1 bytes); payloads up to NOTIFY_PAYLOAD_MAX_LENGTH - 1.
MAX_CHANNEL_BYTES = 63
MAX_PAYLOAD_BYTES = 7999

Notification = tuple[str, str]  # (channel, payload)


class Listener(Protocol):
    """What a connection offers the registry."""

    def notification(self, process_id: int, channel: str, payload: str) -> None: ...


class NotifyRegistry:
    """Channels and the connections listening on them, shared by all connections of a server."""

    def __init__(self) -> None:
        self.channels: dict[str, set[Listener]] = {}
        self.listening: dict[Listener, set[str]] = {}
        self._actor_channels = 0  # channels named actors or actors:<type> with a listener
        self.watching_actors = False

    def listen(self, listener: Listener, channel: str) -> None:
        listeners = self.channels.setdefault(channel, set())
        if not listeners and _is_actor_channel(channel):
            self._count_actor_channels(1)
        listeners.add(listener)
        self.listening.setdefault(listener, set()).add(channel)

    def unlisten(self, listener: Listener, channel: str | None) -> None:
        """UNLISTEN channel, or UNLISTEN * with ``None``."""
        mine = self.listening.get(listener)
        if not mine:
            return
        for name in list(mine) if channel is None else [channel] if channel in mine else []:
            mine.discard(name)
            listeners = self.channels[name]
            listeners.discard(listener)
            if not listeners:
                del self.channels[name]
                if _is_actor_channel(name):
                    self._count_actor_channels(-1)
        if not mine:
            del self.listening[listener]

    def apply(self, listener: Listener, actions: Iterable[tuple[bool, str | None]]) -> None:
        """A committed transaction's LISTEN (True, channel) and UNLISTEN (False, channel or None)."""
        for listen, channel in actions:
            if listen:
                assert channel is not None
                self.listen(listener, channel)
            else:
                self.unlisten(listener, channel)

    def publish(self, process_id: int, notifications: Iterable[Notification]) -> None:
        """Hand a committed transaction's notifications to every connection listening there."""
        channels = self.channels
        for channel, payload in notifications:
            for listener in channels.get(channel, ()):
                listener.notification(process_id, channel, payload)

    def _count_actor_channels(self, delta: int) -> None:
        self._actor_channels += delta
        self.watching_actors = self._actor_channels > 0


def _is_actor_channel(channel: str) -> bool:
    return channel == ACTORS_CHANNEL or channel.startswith(ACTORS_TYPE_PREFIX)


def actor_change(notifies: dict[Notification, None], op: str, actor_id: str, actor_type: str) -> None:
    """Record an actor change on ``actors`` and ``actors:<actor_type>`` in a transaction's notifications."""
    payload = json.dumps({"op": op, "actor_id": actor_id, "actor_type": actor_type}, ensure_ascii=False)
    notifies[(ACTORS_CHANNEL, payload)] = None
    notifies[(ACTORS_TYPE_PREFIX + actor_type, payload)] = None


def pg_notify(session: Any, channel: str | None, payload: str | None) -> str:
    """pg_notify(channel, payload), NOTIFY's function form (not strict: NULL reads as empty)."""
    channel = channel or ""
    payload = payload or ""
    if not channel:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "channel name cannot be empty")
    if len(channel.encode()) > MAX_CHANNEL_BYTES:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "channel name too long")
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "payload string too long")
    session.transaction.notifies[(channel, payload)] = None
    return ""  # void
