"""Start, watch and stop the federation demo's processes: one `lgsp up` per platform, each with its own data
directory, embedded database and in-process bus; their output goes to `<data dir>/<seed>.log`."""

import contextlib
import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import httpx

from federation.demo.platforms import DEMO_PROVINCE, Platform, environment

READY_SECONDS = 180.0
STOP_SECONDS = 15.0
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Linux: a child gets SIGTERM if the demo itself is killed outright, so no platform is left behind
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Child:
    def __init__(self, platform: Platform, env: dict[str, str], log: Path) -> None:
        self.platform, self.env, self.log = platform, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def lgsp(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            # its own session: a Ctrl+C reaches the demo alone, which stops each child once
            return subprocess.Popen(
                [sys.executable, "-m", "gateway", *args], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent,
            )  # fmt: skip

    def seed(self) -> subprocess.Popen[bytes] | None:
        """`lgsp seed province` before the first `up` of a platform other than the demo province."""
        if self.platform.seed == DEMO_PROVINCE:
            return None  # `lgsp up --demo` seeds it
        return self.lgsp("seed", "province", self.platform.seed)

    def start(self) -> None:
        # the demo province runs its sample connectors; the national tier answers its contracts' examples
        demo = ("--demo",) if self.platform.seed == DEMO_PROVINCE or self.platform.national else ()
        self.process = self.lgsp("up", *demo, "--port", str(self.platform.port))

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.platform.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Federation:
    def __init__(self, platforms: list[Platform], pinned: Path, secret: str, root: Path) -> None:
        national = platforms[0]
        self.children = [
            Child(p, environment(p, national, pinned, secret), root / f"{p.seed}.log") for p in platforms
        ]
        self.stopping = False

    def start(self, say: Callable[[str], None]) -> None:
        for child in self.children:
            child.platform.directory.mkdir(parents=True, exist_ok=True)
        seeding = [(child, child.seed()) for child in self.children]
        for child, process in seeding:
            if process is not None and process.wait() != 0:
                raise StartFailed(child, f"seeding exited with {process.returncode}")
        for child in self.children:
            child.start()
        deadline = time.monotonic() + READY_SECONDS
        waiting = list(self.children)
        while waiting:
            for child in waiting:
                if child.exited is not None:
                    raise StartFailed(child, f"exited with {child.exited}")
            waiting = [child for child in waiting if not child.ready()]
            if waiting and time.monotonic() > deadline:
                raise StartFailed(waiting[0], f"not ready after {READY_SECONDS:g}s")
            if waiting:
                time.sleep(0.3)
        say(f"all {len(self.children)} platforms answer")

    def stop(self) -> None:
        """SIGTERM to each child (a graceful stop), then SIGKILL to any still running after STOP_SECONDS."""
        self.stopping = True
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def watch(self) -> "Child | None":
        """Wait until a signal asks to stop (None) or a child exits by itself (that child)."""
        interrupted: list[int] = []

        def handler(signum: int, _frame: FrameType | None) -> None:
            interrupted.append(signum)

        previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not interrupted:
                for child in self.children:
                    if child.exited is not None:
                        return child
                time.sleep(0.3)
            return None
        finally:
            for signum, old in previous.items():
                signal.signal(signum, old)


class StartFailed(Exception):
    def __init__(self, child: Child, why: str) -> None:
        super().__init__(f"{child.platform.code} ({child.platform.url}) {why}; its log {child.log}")
        self.child = child
