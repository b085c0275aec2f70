"""The one `Settings` of the platform, read from `LGSP_*` environment variables."""

import socket
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bus.kafka_access import KafkaLogin


def _default_instance() -> str:
    return socket.gethostname().split(".")[0].lower() or "gw"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LGSP_", env_file=".env", extra="ignore")

    # storage
    data_dir: Path = Path(".lgsp")
    database_url: str | None = None
    warehouse_url: str | None = None
    warehouse_embedded: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="run the warehouse sink inside `lgsp up`: `auto` does on the in-process bus (nothing else "
        "can read it) and with --demo; on Kafka it leaves the sink to `lgsp warehouse run`; `off` when the "
        "sink runs elsewhere, `on` to run it here on Kafka too",
    )

    # event bus: in-process unless a Kafka bootstrap is given
    kafka_bootstrap: str | None = None
    kafka_idempotence: bool = True
    kafka_partitions: int = Field(
        default=12,
        ge=1,
        description="partitions of each topic this platform creates: a service's consumer group (its connector "
        "processes) has at most this many useful members; raise one service's with `lgsp bus partitions`",
    )
    # topics this platform creates: 3 on a cluster of three or more brokers (with min.insync.replicas=2)
    kafka_replication_factor: int = Field(default=1, ge=1)
    # SASL/SCRAM login on a broker that authenticates clients (one user per component; see `lgsp bus acls`)
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    instance_id: str = Field(
        default_factory=_default_instance,
        pattern=r"^[a-z0-9][a-z0-9-]{0,62}$",
        description="names this gateway's log chain; unique among running gateways (a second one with a live id "
        "refuses to start); the default, the host name, is unique per container",
    )
    instance_heartbeat_seconds: float = Field(
        default=5.0,
        gt=0,
        description="the instance id's heartbeat; an id is free again 3 heartbeats after it stops",
    )
    registry_refresh_seconds: float = Field(
        default=30.0,
        gt=0,
        description="every gateway rebuilds its registry view this often, so a change whose registry event was "
        "lost reaches it within this bound (events make it immediate otherwise)",
    )

    # bootstrap admin, a client of the operating agency
    demo: bool = False
    operator_agency: str = "H50"
    operator_name: str = "Đơn vị vận hành nền tảng LGSP"
    admin_client_id: str | None = None
    admin_client_secret: SecretStr | None = None

    # client secrets: Argon2id cost (RFC 9106 low-memory defaults)
    secret_hash_time_cost: int = Field(default=3, ge=1)
    secret_hash_memory_kib: int = Field(default=65_536, ge=8)

    # OAuth2
    issuer: str = "http://localhost:8080"
    audience: str = "lgsp"
    token_ttl_seconds: int = 3600

    # exchange path
    reply_timeout_seconds: float = 10.0
    max_body_bytes: int = 1_048_576
    max_contract_bytes: int = 262_144
    capture_key: SecretStr | None = None
    backend_networks: list[str] = Field(
        default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
        description="CIDRs HTTP backends may live in (JSON list); link-local and the gateway's own listener "
        "are refused whatever it says",
    )
    backend_secret_key: SecretStr | None = Field(
        default=None, description="Fernet key sealing backend secrets; else one kept in the data directory"
    )
    log_batch_size: int = 256
    log_queue_size: int = Field(
        default=10_000, ge=1, description="records waiting for the log writer; beyond it callers get 503"
    )
    log_write_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="a log write taking longer fails; the log then answers 503 until it is back",
    )

    # coverage
    coverage_target: float = 0.6
    coverage_window_days: int = 30
    province: str = "H50"
    dashboard_error_threshold: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="a fraction: a service whose error rate in the last 24 hours is above it stands out in red on "
        "the dashboard",
    )

    # rate limits: grant rates and the security throttles below
    rate_limit_storage: str | None = Field(
        default=None,
        pattern=r"^rediss?://",
        description="where rate limits count: unset, in each gateway's memory (a limit per gateway); "
        "redis://host:6379/0 shares them across every gateway of the platform",
    )
    # security (README "Security"): throttles count failures only, per gateway unless rate_limit_storage is set
    token_failures_per_client_per_minute: int = Field(default=20, ge=1)
    token_failures_per_source_per_minute: int = Field(default=100, ge=1)
    anonymous_calls_per_source_per_minute: int = Field(default=60, ge=1)
    public_cache_seconds: float = Field(default=30.0, ge=0)  # freshness of /metrics coverage and /dashboard
    docs_enabled: bool = True  # /docs, /redoc and /openapi.json; turn off in production if wanted
    cors_origins: list[str] = Field(default_factory=list)  # CORS is off unless origins are listed

    # warehouse health (README "At scale")
    warehouse_lag_degraded_seconds: float = Field(
        default=300.0,
        gt=0,
        description="/readyz says degraded (still 200) while a share accepted this long ago is not acknowledged "
        "by the warehouse",
    )

    # authentic bus messages (docs/security.md "Authentic messages on the bus")
    bus_signatures: Literal["auto", "required", "off"] = Field(
        default="auto",
        description="replies and share acknowledgements must be signed by a registered key of the right "
        "client: `auto` requires it on Kafka and skips it on the in-process bus (one process, nothing "
        "outside can publish) and in demo mode (its sample connectors hold no keys); `off` only for trials",
    )
    warehouse_client_id: str | None = Field(
        default=None,
        description="the warehouse's own client: only acknowledgements signed by one of its keys are believed",
    )
    message_key_file: Path | None = Field(
        default=None,
        description="a connector's or the warehouse's private JWK (`lgsp client key generate`), to sign its "
        "replies or acknowledgements",
    )
    request_freshness_seconds: float = Field(
        default=300.0,
        gt=0,
        description="a connector refuses a request whose signed time is further than this from now",
    )

    # federation (docs/federation.md): the national tier and its members
    tier: Literal["province", "ministry", "national"] = Field(
        default="province",
        description="`national` keeps the federation (members, the signed directory); a `province` or "
        "`ministry` joins it through LGSP_NATIONAL_URL",
    )
    national_url: str | None = Field(default=None, pattern=r"^https?://")
    member_code: str | None = Field(
        default=None,
        pattern=r"^[A-Y][0-9]{2}(?:\.[0-9A-Z]+)*$",
        description="this platform's code in the federation (its agency code); LGSP_PROVINCE when unset",
    )
    national_key_file: Path | None = Field(
        default=None,
        description="the national tier's public key (a JWK or JWK Set), pinned: only a directory it signed "
        "is believed",
    )
    federation_key_file: Path | None = Field(
        default=None,
        description="this platform's federation key (a private JWK, made on first use); every gateway of the "
        "platform must use the same one; `federation-key.jwk` in LGSP_DATA_DIR when unset",
    )
    federation_refresh_seconds: float = Field(
        default=60.0, gt=0, description="a member fetches the federation directory this often"
    )
    federation_report_seconds: float = Field(
        default=86_400.0,
        gt=0,
        description="a member sends its signed coverage report to the national tier this often; the national "
        "tier flags a member whose last report is older than two periods",
    )
    federation_directory_validity_seconds: float = Field(
        default=86_400.0,
        gt=0,
        description="how long a directory the national tier signs stays valid: a member keeps using its last "
        "good copy while the national tier is unreachable, until then",
    )

    @cached_property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'lgsp.db'}"

    @property
    def runs_embedded_warehouse(self) -> bool:
        if self.warehouse_embedded == "auto":
            return self.kafka_bootstrap is None or self.demo
        return self.warehouse_embedded == "on"

    def requires_signatures(self, *, in_process: bool) -> bool:
        """Whether replies and acknowledgements must be signed (`bus_signatures`) on a bus of that kind."""
        if (
            self.bus_signatures == "auto"
        ):  # the demo's sample connectors run in the gateway's process, keyless
            return not in_process and not self.demo
        return self.bus_signatures == "required"

    @property
    def seen_requests_file(self) -> Path:
        """Where a connector remembers the request ids it answered, so replays are refused across restarts."""
        return self.data_dir / "connector-seen.sqlite3"

    def kafka_login(self) -> KafkaLogin | None:
        if self.kafka_username is None:
            return None
        password = self.kafka_password.get_secret_value() if self.kafka_password else ""
        return KafkaLogin(self.kafka_username, password, self.kafka_sasl_mechanism)

    @cached_property
    def effective_warehouse_url(self) -> str:
        return self.warehouse_url or f"sqlite+aiosqlite:///{self.data_dir / 'warehouse.db'}"

    @property
    def effective_member_code(self) -> str:
        return self.member_code or self.province

    @property
    def effective_federation_key_file(self) -> Path:
        """This platform's federation signing key (private JWK, mode 600), made on first use."""
        return self.federation_key_file or self.data_dir / "federation-key.jwk"

    @property
    def federation_directory_file(self) -> Path:
        """A member's last good copy of the signed federation directory."""
        return self.data_dir / "federation-directory.jws"
