"""Which lock store Rasa uses, from the environment, so one endpoints.yml serves both set-ups.

Rasa processes one conversation's messages one at a time with a ticket lock. One Rasa process
needs only Rasa's `InMemoryLockStore`; replicas must share Rasa's `RedisLockStore`, or two of them
could work on the same conversation at once. `LOCK_STORE_URL` chooses:

    LOCK_STORE_URL=redis://127.0.0.1:6379/1        # Rasa's RedisLockStore, database 1
    LOCK_STORE_URL=rediss://:password@host:6380/1  # with TLS and a password

Unset: the in-memory lock store (one Rasa process). A lock outlives a replica killed mid-turn
for `TICKET_LOCK_LIFETIME` seconds (Rasa's setting, 60 by default); set it a little above the
longest turn (the channels give up after `TURN_TIMEOUT_S`, 20 s) so such a conversation is free
again soon.
"""

from __future__ import annotations

import os
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

URL_ENV = "LOCK_STORE_URL"


def redis_settings(url: str) -> dict:
    """RedisLockStore's arguments for a redis:// or rediss:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"{URL_ENV} must look like redis://host:6379/1, not {parts.scheme}://...")
    db = (parts.path or "/1").lstrip("/") or "1"
    return {
        "host": parts.hostname,
        "port": parts.port or 6379,
        "db": int(db),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }


class LockStoreFromEnv:
    """`type: bot.lock_store.LockStoreFromEnv` in endpoints.yml; Rasa calls it with the endpoint
    configuration and gets Rasa's own RedisLockStore or InMemoryLockStore back."""

    def __new__(cls, endpoint_config: Optional[Any] = None) -> LockStore:  # type: ignore[misc]
        url = os.environ.get(URL_ENV, "").strip() or (getattr(endpoint_config, "url", None) or "")
        if not url:
            return InMemoryLockStore()
        settings = redis_settings(url)
        kwargs = dict(getattr(endpoint_config, "kwargs", None) or {})
        return RedisLockStore(**settings, **{k: v for k, v in kwargs.items() if k in ("key_prefix", "socket_timeout")})
