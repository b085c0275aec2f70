"""Apache Kafka for the tests: KRaft brokers resolved from Maven Central and started on free loopback ports.

`tests/kafka/pom.xml` names the broker; Maven resolves it into the local repository (`~/.m2`) and writes its
classpath into a cache outside the repository, once per version. A cluster of one or three combined
broker+controller nodes then runs from that classpath, each node with its own log directory, so a node killed
with SIGKILL starts again on its data. `LGSP_TEST_KAFKA_BOOTSTRAP` names an external broker instead.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.services import ServiceUnavailable, free_port, wait_for_port

HERE = Path(__file__).parent
POM = HERE / "pom.xml"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lgsp-test-kafka"
# Small on purpose: the suite runs on two cores beside PostgreSQL, Chromium and the gateways. The C1-only JIT
# starts fast and compiles little; benchmarks want the full JIT (`quick_start=False`).
JVM_OPTIONS = ["-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:-UsePerfData"]
QUICK_START = ["-XX:TieredStopAtLevel=1"]


def shared_properties(nodes: int) -> dict[str, str]:
    """KRaft and replication settings that `docker-compose.yml` sets too (a test keeps the two equal)."""
    replicas = str(nodes)
    in_sync = str(min(2, nodes))
    return {
        "process.roles": "broker,controller",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "offsets.topic.replication.factor": replicas,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": in_sync,
        "default.replication.factor": replicas,
        "min.insync.replicas": in_sync,
        "group.initial.rebalance.delay.ms": "0",
        # Members may ask for sessions as short as 2 s, so a dead connectors process is noticed quickly.
        "group.min.session.timeout.ms": "2000",
        "num.partitions": "3",
        # The platform creates every topic it uses, with its own partition count; a metadata request for a
        # topic that does not exist must not create it with the broker's default.
        "auto.create.topics.enable": "false",
    }


ADMIN = "admin"
SASL_MECHANISM = "SCRAM-SHA-512"


def sasl_properties(admin_password: str) -> dict[str, str]:
    """Clients log in with SASL/SCRAM and the authorizer allows only what ACLs grant (`lgsp bus acls`).

    The controller listener stays PLAINTEXT: SCRAM credentials live in the metadata the controllers serve, so
    they cannot authenticate with them; its anonymous principal is a super user, and the listener is
    never advertised to clients.
    """
    login = f'username="{ADMIN}" password="{admin_password}";'
    return {
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        "inter.broker.listener.name": "SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": SASL_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SASL_MECHANISM,
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config":
            f"org.apache.kafka.common.security.scram.ScramLoginModule required {login}",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": f"User:{ADMIN};User:ANONYMOUS",
    }  # fmt: skip


# Only for the test machine: fewer threads than a production broker, nothing that changes behaviour.
MACHINE_PROPERTIES = {
    "num.network.threads": "2",
    "num.io.threads": "2",
    "background.threads": "2",
    # A node killed and started again registers anew only once its old session with the controller has
    # expired (9 s by default): the tests' restarts then took 13 s, with these 5.
    "broker.session.timeout.ms": "3000",
    "broker.heartbeat.interval.ms": "500",
}


def kafka_version() -> str:
    text = POM.read_text()
    return text.split("<kafka.version>", 1)[1].split("</kafka.version>", 1)[0].strip()


def classpath() -> str:
    """The broker's classpath, resolved by Maven on first use and cached by the pom's content."""
    java, maven = shutil.which("java"), shutil.which("mvn")
    if java is None or maven is None:
        raise ServiceUnavailable("Apache Kafka needs Java 17 and Maven on the PATH (apt-get install maven)")
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:16]
    cached = CACHE / f"classpath-{digest}.txt"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        done = subprocess.run(
            [maven, "-q", "-B", "-f", str(POM), "dependency:build-classpath", f"-Dmdep.outputFile={partial}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not partial.exists():
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            raise ServiceUnavailable("Maven could not resolve Apache Kafka: " + " | ".join(tail))
        partial.replace(cached)
    return cached.read_text().strip()


@dataclass
class KafkaNode:
    node_id: int
    port: int
    controller_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class KafkaBroker:
    """A KRaft cluster of `len(nodes)` nodes (or an external broker when `nodes` is empty)."""

    bootstrap: str
    nodes: list[KafkaNode] = field(default_factory=list)
    cluster_id: str = ""
    _classpath: str = ""
    _jvm: list[str] = field(default_factory=lambda: [*JVM_OPTIONS, *QUICK_START])
    users: dict[str, str] = field(default_factory=dict)
    """SASL/SCRAM users and their passwords, `admin` among them, when the broker authenticates clients."""

    @property
    def secured(self) -> bool:
        return bool(self.users)

    def client_options(self, user: str = ADMIN) -> dict[str, str]:
        """aiokafka's options to log in as `user` (none on a broker that does not authenticate)."""
        if not self.secured:
            return {}
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": user,
            "sasl_plain_password": self.users[user],
        }

    def kafka_tool(self, main_class: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run one of Kafka's own command-line tools (e.g. `org.apache.kafka.tools.AclCommand`) as admin."""
        config = self.nodes[0].directory / "admin.properties"
        config.write_text(
            f"security.protocol=SASL_PLAINTEXT\nsasl.mechanism={SASL_MECHANISM}\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{self.users[ADMIN]}";\n'
        )
        return subprocess.run(
            ["java", *self._jvm, "-cp", self._classpath, main_class,
             "--bootstrap-server", self.bootstrap, "--command-config", str(config), *arguments],
            capture_output=True, text=True, check=True,
        )  # fmt: skip

    @property
    def external(self) -> bool:
        return not self.nodes

    def _own(self) -> None:
        if self.external:
            raise ServiceUnavailable(
                "an external broker (LGSP_TEST_KAFKA_BOOTSTRAP) cannot be stopped by the tests"
            )

    def kill(self, node: int = 0) -> None:
        """SIGKILL one node, as a crash would; its log directory stays."""
        self._own()
        process = self.nodes[node].process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=30)

    def start(self, node: int = 0) -> None:
        """Start one node again on its own log directory and wait until the cluster answers metadata."""
        self._own()
        self._spawn(self.nodes[node])
        self.wait_ready()

    def restart(self, node: int = 0) -> None:
        self.kill(node)
        self.start(node)

    def stop(self, *, graceful: bool = True) -> None:
        """Stop every node, then remove their files: politely (SIGTERM, a controlled shutdown, up to 30 s a node
        on a cluster that lost a member) or, when nothing will read the cluster again, at once (SIGKILL)."""
        for node in self.nodes:
            if node.alive:
                assert node.process is not None
                node.process.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(timeout=10)
            shutil.rmtree(node.directory, ignore_errors=True)

    def _properties(self, node: KafkaNode) -> str:
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)
        listener = "SASL_PLAINTEXT" if self.secured else "PLAINTEXT"
        properties = (
            shared_properties(len(self.nodes))
            | MACHINE_PROPERTIES
            | (sasl_properties(self.users[ADMIN]) if self.secured else {})
            | {
                "node.id": str(node.node_id),
                "controller.quorum.voters": voters,
                "listeners": f"{listener}://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
                "advertised.listeners": f"{listener}://127.0.0.1:{node.port}",
                "log.dirs": str(node.directory / "data"),
            }
        )
        return "".join(f"{key}={value}\n" for key, value in properties.items())

    def _format(self, node: KafkaNode) -> None:
        config = node.directory / "server.properties"
        config.write_text(self._properties(node))
        done = subprocess.run(
            ["java", *self._jvm, "-cp", self._classpath, "kafka.tools.StorageTool", "format",
             "--cluster-id", self.cluster_id, "--config", str(config), "--ignore-formatted",
             *(f"--add-scram={SASL_MECHANISM}=[name={user},password={password}]"
               for user, password in self.users.items())],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise ServiceUnavailable(
                f"cannot format Kafka storage: {(done.stdout + done.stderr).strip()[-500:]}"
            )

    def _spawn(self, node: KafkaNode) -> None:
        log = (node.directory / "broker.log").open("ab")
        node.process = subprocess.Popen(
            ["java", *self._jvm, f"-Dlog4j2.configurationFile={HERE / 'log4j2.properties'}",
             "-cp", self._classpath, "kafka.Kafka", str(node.directory / "server.properties")],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until every running node is in the cluster's metadata (a node answering is not enough)."""
        expected = {node.node_id for node in self.nodes if node.alive}
        for node in self.nodes:
            if node.alive:
                wait_for_port(node.port, timeout=timeout)
        deadline = time.monotonic() + timeout
        seen: set[int] = set()
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.process is not None and node.process.poll() is not None and node.node_id in expected:
                    raise ServiceUnavailable(f"Kafka node {node.node_id} exited: {self.log_tail(node)}")
            seen = _in_thread(_brokers(self.bootstrap, self.client_options()))
            if expected <= seen:
                return
            time.sleep(0.2)
        raise ServiceUnavailable(
            f"Kafka nodes {sorted(expected - seen)} not in metadata after {timeout:.0f}s"
        )

    @staticmethod
    def log_tail(node: KafkaNode) -> str:
        with contextlib.suppress(OSError):
            return (node.directory / "broker.log").read_text(errors="replace")[-2000:]
        return ""


async def _brokers(bootstrap: str, login: dict[str, str]) -> set[int]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **login)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return {int(broker["node_id"]) for broker in cluster["brokers"]}
    except Exception:
        return set()
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


def _in_thread(coroutine: object) -> set[int]:
    # The fixtures may be set up from inside a running event loop (an async fixture asks for them).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()  # type: ignore[arg-type]


def _cluster_id() -> str:
    cluster_id = "-"
    while cluster_id.startswith("-"):  # the storage tool would read it as an option
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    return cluster_id


def _launch(nodes: int, jvm: list[str], logins: dict[str, str], archive: list[str]) -> KafkaBroker:
    """A new cluster of `nodes`, formatted and ready; `archive`: JVM options of the broker processes only."""
    members = [
        KafkaNode(node_id=i + 1, port=free_port(), controller_port=free_port(),
                  directory=Path(tempfile.mkdtemp(prefix=f"lgsp-kafka-{i + 1}-")))
        for i in range(nodes)
    ]  # fmt: skip
    broker = KafkaBroker(
        bootstrap=",".join(f"127.0.0.1:{node.port}" for node in members),
        nodes=members,
        cluster_id=_cluster_id(),
        _classpath=classpath(),
        _jvm=jvm,
        users=logins,
    )
    try:
        for node in members:
            broker._format(node)
        broker._jvm = [*jvm, *archive]
        for node in members:
            broker._spawn(node)
        broker.wait_ready()
        broker._jvm = jvm
    except BaseException:
        for node in members:
            if node.alive:
                assert node.process is not None
                node.process.kill()
        for node in members:
            shutil.rmtree(node.directory, ignore_errors=True)
        raise
    return broker


def class_archive(jvm: list[str]) -> list[str]:
    """JVM options that load the broker's classes from a class-data-sharing archive (AppCDS), which halves the
    start of every broker and Kafka tool on this machine (about 8 → 4 s a broker under load). The archive is
    made once per classpath, JDK and options, by a broker started and stopped for it (about 10 s), and cached
    beside the classpath; without one (or if the JDK cannot make it) the JVMs start as before."""
    if os.environ.get("LGSP_TEST_KAFKA_CDS", "1") == "0":
        return []
    java = shutil.which("java")
    if java is None:
        return []
    key = "\n".join(
        [classpath(), os.path.realpath(java), str(os.stat(os.path.realpath(java)).st_mtime), *jvm]
    )
    archive = CACHE / f"classes-{hashlib.sha256(key.encode()).hexdigest()[:16]}.jsa"
    if not archive.exists():
        partial = archive.with_suffix(f".{os.getpid()}.part")
        try:
            broker = _launch(1, jvm, {}, [f"-XX:ArchiveClassesAtExit={partial}"])
            broker.stop(graceful=True)  # the archive is written as the JVM exits
            if partial.exists() and partial.stat().st_size > 0:
                partial.replace(archive)
        except (OSError, ServiceUnavailable, subprocess.SubprocessError):
            pass
        finally:
            partial.unlink(missing_ok=True)
    if not archive.exists():
        return []
    # JVM warnings (an archive it cannot map, say) to stderr: the Kafka tools' output stays theirs alone
    return [f"-XX:SharedArchiveFile={archive}", "-Xlog:disable", "-Xlog:all=warning:stderr"]


def start_kafka(
    nodes: int = 1, *, use_external: bool = True, quick_start: bool = True, users: Iterable[str] = ()
) -> KafkaBroker:
    """Apache Kafka on free loopback ports (`nodes` of them), or the broker in `LGSP_TEST_KAFKA_BOOTSTRAP`.

    With `users`, clients must log in (SASL/SCRAM, a random password each, `admin` added) and ACLs apply.
    """
    external = os.environ.get("LGSP_TEST_KAFKA_BOOTSTRAP")
    logins = {user: secrets.token_urlsafe(16) for user in (ADMIN, *users)} if users else {}
    if external and use_external and not logins:
        return KafkaBroker(bootstrap=external)
    jvm = [*JVM_OPTIONS, *(QUICK_START if quick_start else [])]
    jvm += class_archive(jvm)
    return _launch(nodes, jvm, logins, [])
