"""Processes: start and stop them as groups, find the servers among a script's children, and read
their memory and CPU from /proc (Linux), sampled while the load runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Dict, List, Optional

CLK_TCK = os.sysconf("SC_CLK_TCK")
BASE_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONHASHSEED": "0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_http(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).read()
        return True
    except urllib.error.HTTPError:
        return True  # it answered, even if with 401/404
    except Exception:
        return False


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _stat_fields(pid: int) -> Optional[List[str]]:
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from "state" on (index 0 = field 3)


def children_map() -> Dict[int, List[int]]:
    kids: Dict[int, List[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            f = _stat_fields(int(name))
            if f:
                kids.setdefault(int(f[1]), []).append(int(name))
    return kids


def descendants(pid: int, kids: Optional[Dict[int, List[int]]] = None) -> List[int]:
    kids = kids if kids is not None else children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cmdline(pid: int) -> List[str]:
    return [a for a in (_read(f"/proc/{pid}/cmdline") or "").split("\0") if a]


def rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    text = _read(f"/proc/{pid}/status") or ""
    for line in text.splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    f = _stat_fields(pid)
    return (int(f[11]) + int(f[12])) / CLK_TCK if f else 0.0  # utime + stime


def process_start_epoch(pid: int) -> Optional[float]:
    f = _stat_fields(pid)
    stat = _read("/proc/stat") or ""
    btime = next((int(line.split()[1]) for line in stat.splitlines() if line.startswith("btime")), None)
    if not f or btime is None:
        return None
    return btime + int(f[19]) / CLK_TCK  # field 22: starttime in clock ticks after boot


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (every core)."""
    fields = (_read("/proc/stat") or "cpu 0").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in (fields + ["0"] * 8)[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def own_cpu_seconds() -> float:
    """This benchmark process (the simulated patients): every thread."""
    return cpu_seconds(os.getpid())


def _port_of(argv: List[str]) -> Optional[str]:
    return argv[argv.index("--port") + 1] if "--port" in argv and argv.index("--port") + 1 < len(argv) else None


def server_roles(root: int) -> Dict[str, int]:
    """The servers among `root`'s descendants, by command line: "rasa", "action server" and
    "coordinator", with ":port" added when there are several of a kind (replicas)."""
    found: Dict[str, List[tuple]] = {}
    for pid in descendants(root):
        argv = cmdline(pid)
        joined = " ".join(argv)
        if "bot.action_server" in joined or "rasa_sdk" in joined:
            kind = "action server"
        elif "serve-coordinator" in joined:
            kind = "coordinator"
        elif "run" in argv and any(a.endswith("/rasa") or a == "rasa" for a in argv):
            kind = "rasa"
        else:
            continue
        found.setdefault(kind, []).append((_port_of(argv), pid))
    roles: Dict[str, int] = {}
    for kind, entries in found.items():
        ports = {port for port, _ in entries}
        for port, pid in entries:
            name = kind if len(ports) == 1 else f"{kind} :{port}"
            roles.setdefault(name, pid)  # the first found is the server; its children are counted with it
    return roles


def pid_on_port(root: int, port: int) -> int:
    """The `rasa run` among `root`'s descendants that serves `port`."""
    for pid in descendants(root):
        argv = cmdline(pid)
        if _port_of(argv) == str(port) and "run" in argv and any(a.endswith("/rasa") for a in argv):
            return pid
    raise RuntimeError(f"no rasa run on port {port} among the stack's processes")


class MemoryPoller:
    """Polls VmRSS (each server plus its children) every `interval` s. `roles` is asked again every
    5 s, so replicas that are killed and restarted are followed."""

    def __init__(self, roles: Callable[[], Dict[str, int]], interval: float = 0.2):
        self.roles = roles
        self.interval = interval
        self.peak_kb: Dict[str, int] = {}
        self.samples = 0
        self._trees: Dict[str, List[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._refresh()

    def _refresh(self) -> None:
        kids = children_map()
        self._trees = {name: descendants(pid, kids) for name, pid in self.roles().items()}
        for name in self._trees:
            self.peak_kb.setdefault(name, 0)

    def current_mb(self) -> Dict[str, float]:
        self._refresh()
        return {name: sum(rss_kb(p) for p in pids) / 1024.0 for name, pids in self._trees.items()}

    def sample(self) -> None:
        if self.samples and self.samples % 25 == 0:
            self._refresh()
        for name, pids in self._trees.items():
            self.peak_kb[name] = max(self.peak_kb.get(name, 0), sum(rss_kb(p) for p in pids))
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> "MemoryPoller":
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()
        return self

    def stop(self) -> Dict[str, float]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return {name: kb / 1024.0 for name, kb in self.peak_kb.items()}

    def lifetime_peaks_mb(self) -> Dict[str, float]:
        """VmHWM: each process's own peak since it started (children added at their peak)."""
        self._refresh()
        return {name: sum(rss_kb(p, "VmHWM") for p in pids) / 1024.0 for name, pids in self._trees.items()}

    def cpu_seconds(self) -> Dict[str, float]:
        return {name: sum(cpu_seconds(p) for p in pids) for name, pids in self._trees.items()}


class ProcessGroup:
    """A subprocess in its own session, stopped with `signal_` to the group (SIGKILL after a grace period)."""

    def __init__(self, argv: List[str], *, cwd: Path, env: Dict[str, str], log: Path, stop_signal: int = signal.SIGINT):
        self.log = open(log, "w")
        self.started = time.time()
        self.stop_signal = stop_signal
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace: float = 60.0) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, self.stop_signal)
                self.proc.wait(timeout=grace)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        try:  # anything left in the group (a child that ignored the signal)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str, group: Optional[ProcessGroup] = None,
               step: float = 0.1) -> float:
    """Polls `check` until true; returns the epoch time it first was. Fails early if `group` died."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return time.time()
        if group is not None and not group.alive():
            raise RuntimeError(f"{what}: the process exited (code {group.proc.returncode}); see {group.log.name}")
        time.sleep(step)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f}s")


def child_env(**extra: str) -> Dict[str, str]:
    """This environment for a server, without settings of ours the caller did not ask for."""
    env = {**os.environ, **BASE_ENV, **extra}
    for name in ("ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "BIND_HOST", "SMTP_HOST", "SMTP_PORT",
                 "COORDINATOR_EMAIL", "MODEL", "RASA_API_TOKEN", "TRACKER_STORE_URL", "LOCK_STORE_URL",
                 "DATABASE_URL", "LEADS_KEY", "CONVERSATION_RETENTION_DAYS", "RASA_REPLICA_PORTS",
                 "ACTION_REPLICA_PORTS", "SCALED_DIR"):
        if name not in extra:
            env.pop(name, None)
    return env


def timed_run(argv: List[str], *, cwd: Path, env: Dict[str, str], log: Path, timeout: float = 900) -> float:
    start = time.perf_counter()
    with open(log, "w") as f:
        proc = subprocess.run(argv, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, timeout=timeout,
                              start_new_session=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... failed with {proc.returncode}; see {log}")
    return took
