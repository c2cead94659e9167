"""A socket.io client spoken by hand (Engine.IO 4 over a WebSocket), for the server-side web tests.

Written by hand rather than with python-socketio's client so a failure points at the server, and
so a test can send exactly what an attacker would: any session id, any cookie, any header.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

import websockets

QUERY = "?EIO=4&transport=websocket"


def run_async(coro):
    """Runs a coroutine on its own loop in a worker thread, whatever loop this thread has."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def ws_url(http_url: str) -> str:
    return http_url.rstrip("/").replace("http://", "ws://", 1) + "/socket.io/" + QUERY


def event(frame: str) -> Optional[Tuple[str, Any]]:
    """('name', data) for a socket.io event frame ('42[...]'), else None."""
    if not frame.startswith("42"):
        return None
    name, *args = json.loads(frame[2:])
    return name, (args[0] if args else None)


def is_event(name: str) -> Callable[[str], bool]:
    return lambda frame: (event(frame) or ("",))[0] == name


async def recv_until(ws, predicate, timeout: float = 30.0) -> str:
    """Frames until one satisfies `predicate`; answers Engine.IO pings on the way."""
    seen = []

    async def loop():
        while True:
            frame = await ws.recv()
            if frame == "2":
                await ws.send("3")
                continue
            seen.append(frame)
            if predicate(frame):
                return frame

    try:
        return await asyncio.wait_for(loop(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"no matching frame in {timeout}s; got {seen}") from None


class SioClient:
    """One socket.io connection: open it, ask for a session, say things, collect what comes."""

    def __init__(self, ws):
        self.ws = ws
        self.frames: List[str] = []  # every frame received, in order (pings answered, not kept)

    @classmethod
    async def open(cls, base_url: str, origin: Optional[str] = None,
                   headers: Optional[Dict[str, str]] = None) -> "SioClient":
        origin = origin or base_url.rstrip("/")
        ws = await websockets.connect(ws_url(base_url), origin=origin, open_timeout=10,
                                      extra_headers=headers or {})
        client = cls(ws)
        await client.until(lambda f: f.startswith("0"))
        await ws.send("40")
        connected = await client.until(lambda f: f.startswith("40") or f.startswith("44"))
        if connected.startswith("44"):
            await ws.close()
            raise ConnectionRefusedError(connected)
        return client

    async def until(self, predicate, timeout: float = 30.0) -> str:
        def keep(frame: str) -> bool:
            self.frames.append(frame)
            return predicate(frame)

        return await recv_until(self.ws, keep, timeout)

    async def emit(self, name: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([name, data]))

    async def request_session(self, session_id: Optional[str] = None) -> Any:
        await self.emit("session_request", {"session_id": session_id})
        return event(await self.until(is_event("session_confirm")))[1]

    async def say(self, message: str, session_id: Optional[str] = None, language: str = "en") -> List[Dict]:
        """Sends a message and returns the bot's messages up to the turn's turn_state event."""
        start = len(self.frames)
        await self.emit("user_uttered", {"message": message, "session_id": session_id,
                                         "metadata": {"language": language}})
        await self.until(is_event("turn_state"))
        return [event(f)[1] for f in self.frames[start:] if is_event("bot_uttered")(f)]

    async def quiet(self, seconds: float) -> List[str]:
        """Whatever arrives within `seconds` (the test then checks it is nothing it must not see)."""
        start = len(self.frames)
        try:
            await self.until(lambda f: False, timeout=seconds)
        except AssertionError:
            pass
        return self.frames[start:]

    def bot_texts(self) -> List[str]:
        return [(event(f)[1] or {}).get("text") or "" for f in self.frames if is_event("bot_uttered")(f)]

    async def close(self) -> None:
        await self.ws.close()
