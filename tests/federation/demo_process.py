"""`lgsp federation up --demo` as a real process on free ports, for the demo's test and its benchmark."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from federation.demo.platforms import SEEDS
from registry.demo import load_seed_province
from tests.faults.topology import ROOT
from tests.services import free_port

READY = "Ctrl+C stops them all"
START_SECONDS = 300.0


@dataclass
class Demo:
    process: subprocess.Popen[bytes]
    root: Path
    output: Path
    base_port: int
    children: list[int]

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def url(self, seed: str) -> str:
        return f"http://127.0.0.1:{self.base_port + SEEDS.index(seed)}"

    def token(self, seed: str) -> str:
        """An access token of the platform's printed consumer client."""
        code = load_seed_province(seed).code
        answer = httpx.post(
            f"{self.url(seed)}/oauth/token", data={"grant_type": "client_credentials"},
            auth=(f"lien-thong-{code.lower()}", self.consumer_secret(code)), timeout=30,
        )  # fmt: skip
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def consumer_secret(self, code: str) -> str:
        lines = self.text().splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith(f"consumer of {code}:"))
        return lines[at + 1].strip()


def free_block(size: int) -> int:
    """A port with the next `size - 1` free too (the demo takes consecutive ports)."""
    for _ in range(50):
        base = free_port()
        if base + size > 65535:
            continue
        try:
            for port in range(base, base + size):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no block of free ports")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextmanager
def federation_demo() -> Iterator[Demo]:
    """The demo started and ready (its banner printed); on leaving, stopped, no child left running."""
    root = Path(tempfile.mkdtemp(prefix="lgsp-federation-demo-"))
    output = root / "output.txt"
    base_port = free_block(len(SEEDS))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    with output.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "federation", "up", "--demo", "--base-port", str(base_port),
             "--data-dir", str(root / "data")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    found = Demo(process, root, output, base_port, [])
    try:
        deadline = time.monotonic() + START_SECONDS
        while READY not in found.text():
            assert process.poll() is None, found.text()
            assert time.monotonic() < deadline, found.text()
            time.sleep(0.5)
        found.children = children_of(process.pid)
        yield found
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in children_of(process.pid) + found.children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)
