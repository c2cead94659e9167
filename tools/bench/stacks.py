"""The three set-ups the benchmark drives, each started the way a person would start it:

- `OurStack`: scripts/run.sh (`make run`), the durable default: conversations in a SQLite file;
- `ScaledStack`: scripts/run-scaled.sh (`make run-scaled`): two Rasa replicas and two action
  servers behind nginx, conversations in PostgreSQL, locks in Redis;
- `ReferenceStack`: Rasa's starter bot (`rasa init`), the yardstick.

Each runs on free loopback ports with throwaway databases and keys, as its own process group."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from tools.bench.conversations import (
    BenchClient,
    Conversation,
    channel_failure_texts,
    make_case,
    moodbot_chat,
    screening,
)
from tools.bench.procs import (
    MemoryPoller,
    ProcessGroup,
    answers_http,
    child_env,
    free_port,
    pid_on_port,
    process_start_epoch,
    server_roles,
    timed_run,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).parent / "rasa")


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}"


class _Stack:
    name = "?"

    def __init__(self, args: Any, tmp: Path, logs: Path):
        self.args, self.tmp, self.logs = args, tmp, logs
        self.group: Optional[ProcessGroup] = None
        self.poller: Optional[MemoryPoller] = None
        self.client: Optional[BenchClient] = None
        self.env: Dict[str, str] = {}
        self.lead_store: Any = None

    def conversation(self, turns: int) -> Callable[[int, str], Conversation]:
        def one(i: int, sender: str) -> Conversation:
            return screening(self.client, make_case(i), sender)

        return one

    def find_lead(self, sender: str) -> Optional[Dict[str, Any]]:
        """The lead a conversation left, read from the stack's database as the coordinator's inbox does."""
        if self.lead_store is None:
            from bot.leads.store import LeadStore

            self.lead_store = LeadStore(self.env["DATABASE_URL"], self.env["LEADS_KEY"])
        return self.lead_store.get_lead_by_conversation(sender)

    def warm_up(self) -> None:
        warm = screening(self.client, make_case(0), f"bench-warmup-{uuid.uuid4().hex[:6]}")
        if warm.error:
            raise RuntimeError(f"{self.name}: the warm-up screening failed: {warm.error}")

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()
        if self.lead_store is not None:
            self.lead_store.close()
            self.lead_store = None
        if self.group is not None:
            self.group.stop()


class OurStack(_Stack):
    """scripts/run.sh: its SQLite conversation store and lead database in a temporary directory."""

    name = "ours"

    def start(self, figures: Dict[str, Any]) -> None:
        from cryptography.fernet import Fernet

        ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "COORDINATOR_PORT": free_port(),
                 "WEB_PORT": free_port()}
        token = secrets.token_hex(16)
        env = child_env(**{k: str(v) for k, v in ports.items()}, RASA_API_TOKEN=token,
                        DATABASE_URL=f"sqlite:///{self.tmp / 'leads.db'}", LEADS_KEY=Fernet.generate_key().decode(),
                        TRACKER_STORE_URL=f"sqlite:///{self.tmp / 'conversations.db'}",
                        MODEL=str(self.args.model), **dict(kv.split("=", 1) for kv in self.args.stack_env))
        base = f"http://127.0.0.1:{ports['RASA_PORT']}"
        print(f"Starting scripts/run.sh (Rasa on {base}, log {self.logs / 'stack.log'}) ...", flush=True)
        self.group = group = ProcessGroup(["scripts/run.sh"], cwd=ROOT, env=env, log=self.logs / "stack.log")
        rasa_up = wait_until(lambda: answers_http(base + "/"), 300, "Rasa", group)
        wait_until(lambda: answers_http(f"http://127.0.0.1:{ports['ACTION_PORT']}/health"), 60, "action server", group)
        wait_until(lambda: answers_http(f"http://127.0.0.1:{ports['COORDINATOR_PORT']}/"), 60, "coordinator", group)
        roles = server_roles(group.proc.pid)
        missing = {"rasa", "action server", "coordinator"} - set(roles)
        if missing:
            raise RuntimeError(f"could not find {missing} among run.sh's children")
        rasa_start = process_start_epoch(roles["rasa"])
        figures["ours_stack_ready_s"] = time.time() - group.started
        figures["ours_rasa_run_to_ready_s"] = rasa_up - rasa_start if rasa_start else None
        print(f"  up in {figures['ours_stack_ready_s']:.1f}s (rasa run -> / answers: "
              f"{_fmt(figures['ours_rasa_run_to_ready_s'])}s); pids {roles}", flush=True)
        self.env = env
        self.client = BenchClient(base, token, channel_failure_texts(), require_reply=True, think=self.args.think)
        self.warm_up()
        self.poller = MemoryPoller(lambda: server_roles(group.proc.pid))


class ScaledStack(_Stack):
    """scripts/run-scaled.sh with its own PostgreSQL cluster, Redis and nginx on free ports."""

    name = "scaled"

    def start(self, figures: Dict[str, Any]) -> None:
        from cryptography.fernet import Fernet

        self.replicas = [free_port(), free_port()]
        actions = [free_port(), free_port()]
        pg_port = free_port()
        directory = self.tmp / "scaled"
        directory.mkdir()
        directory.chmod(0o755)  # the postgres user keeps its cluster in there
        self.tmp.chmod(0o711)
        token = secrets.token_hex(16)
        nginx = free_port()
        env = child_env(RASA_PORT=str(nginx), ACTION_PORT=str(free_port()), COORDINATOR_PORT=str(free_port()),
                        WEB_PORT=str(free_port()), REDIS_PORT=str(free_port()), SCALED_PG_PORT=str(pg_port),
                        RASA_REPLICA_PORTS=" ".join(map(str, self.replicas)),
                        ACTION_REPLICA_PORTS=" ".join(map(str, actions)), SCALED_DIR=str(directory),
                        RASA_API_TOKEN=token, LEADS_KEY=Fernet.generate_key().decode(), MODEL=str(self.args.model))
        base = f"http://127.0.0.1:{nginx}"
        print(f"Starting scripts/run-scaled.sh (nginx on {base}, Rasa replicas on {self.replicas}, "
              f"log {self.logs / 'scaled.log'}) ...", flush=True)
        self.group = group = ProcessGroup(["scripts/run-scaled.sh"], cwd=ROOT, env=env, log=self.logs / "scaled.log",
                                          stop_signal=signal.SIGTERM)
        for port in self.replicas:
            wait_until(lambda port=port: answers_http(f"http://127.0.0.1:{port}/"), 420, f"Rasa replica {port}", group)
        wait_until(lambda: answers_http(base + "/"), 60, "nginx", group)
        figures["scaled_stack_ready_s"] = time.time() - group.started
        print(f"  up in {figures['scaled_stack_ready_s']:.1f}s; pids {server_roles(group.proc.pid)}", flush=True)
        self.env = {**env, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{pg_port}/leads",
                    "TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:{pg_port}/conversations",
                    "LOCK_STORE_URL": f"redis://127.0.0.1:{env['REDIS_PORT']}/1"}
        self.client = BenchClient(base, token, channel_failure_texts(), require_reply=True, think=self.args.think)
        self.warm_up()
        self.poller = MemoryPoller(lambda: server_roles(group.proc.pid))

    def replica_pid(self, port: int) -> int:
        return pid_on_port(self.group.proc.pid, port)


class ReferenceStack(_Stack):
    """Rasa's starter bot: `rasa init --no-prompt` (which trains it), then `rasa run --enable-api`."""

    name = "reference"

    def __init__(self, args: Any, tmp: Path, logs: Path):
        super().__init__(args, tmp, logs)
        self.model: Optional[Path] = None

    def prepare(self, figures: Dict[str, Any]) -> Path:
        project = Path(self.args.reference_dir).resolve() if self.args.reference_dir else self.tmp / "starter"
        model = latest_model(project / "models") if project.exists() else None
        if model is not None:
            print(f"Reusing the starter bot in {project} ({model.name}); its training is not timed", flush=True)
            figures["reference_train_s"] = None
            self.model = model
            return model
        project.mkdir(parents=True, exist_ok=True)
        print(f"rasa init --no-prompt (the starter bot, trained as part of init) into {project} ...", flush=True)
        took = timed_run([RASA, "init", "--no-prompt", "--init-dir", str(project)], cwd=self.tmp,
                         env=child_env(RASA_CACHE_DIRECTORY=str(self.tmp / "reference-cache")),
                         log=self.logs / "reference-init.log")
        figures["reference_train_s"] = took
        print(f"  took {took:.1f}s", flush=True)
        self.model = latest_model(project / "models")
        if self.model is None:
            raise RuntimeError(f"rasa init left no model in {project / 'models'}; see {self.logs / 'reference-init.log'}")
        return self.model

    def start(self, figures: Dict[str, Any]) -> None:
        port = free_port()
        token = secrets.token_hex(16)
        base = f"http://127.0.0.1:{port}"
        print(f"Starting the starter bot (rasa run --enable-api on {base}) ...", flush=True)
        self.group = group = ProcessGroup(
            [RASA, "run", "--model", str(self.model), "--enable-api", "--auth-token", token, "--interface",
             "127.0.0.1", "--port", str(port), "--credentials", "credentials.yml"],
            cwd=self.model.parent.parent, env=child_env(), log=self.logs / "reference.log")
        up = wait_until(lambda: answers_http(base + "/"), 300, "starter bot", group)
        started = process_start_epoch(group.proc.pid) or group.started
        figures["reference_rasa_run_to_ready_s"] = up - started
        print(f"  up: rasa run -> / answers in {up - started:.1f}s", flush=True)
        self.client = BenchClient(base, token, think=self.args.think)
        moodbot_chat(self.client, 8, f"bench-warmup-{uuid.uuid4().hex[:6]}")
        self.poller = MemoryPoller(lambda: {"rasa": group.proc.pid})

    def conversation(self, turns: int) -> Callable[[int, str], Conversation]:
        def one(i: int, sender: str) -> Conversation:
            return moodbot_chat(self.client, turns, sender)

        return one


AGENT_LOAD_CODE = r"""
import asyncio, json, sys, time
t0 = time.perf_counter()
from rasa.core.agent import Agent
t1 = time.perf_counter()
async def load():
    return Agent.load(sys.argv[1])
agent = asyncio.run(load())
t2 = time.perf_counter()
assert agent.is_ready()
print("BENCH " + json.dumps({"import_s": t1 - t0, "agent_load_s": t2 - t1}))
"""


def agent_load_times(model: Path, cwd: Path, log: Path) -> Dict[str, float]:
    with open(log, "w") as f:
        proc = subprocess.run([sys.executable, "-c", AGENT_LOAD_CODE, str(model)], cwd=cwd,
                              env=child_env(), stdout=subprocess.PIPE, stderr=f, text=True, timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"Agent.load of {model} failed; see {log}")


def latest_model(directory: Path) -> Optional[Path]:
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None
