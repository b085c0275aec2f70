"""`lgsp federation up --demo`: start the platforms, make them a federation, print how to use it, and stop
every process on Ctrl+C or SIGTERM."""

import signal
from pathlib import Path
from types import FrameType

import typer

from federation.demo.platforms import DEMO_PROVINCE, Platform, admin_secret, pin_national_key, platforms
from federation.demo.run import Federation, StartFailed
from federation.demo.setup import (
    CROSSING,
    NATIONAL_CROSSING,
    NATIONAL_REQUEST,
    NATIONAL_SERVICES,
    Operator,
    SetupFailed,
    call_across,
    consumer,
    grant_crossing,
    join_all,
    publish,
)


def run_demo(base_port: int, data_dir: Path) -> None:
    root = data_dir.resolve()
    _same_ports(root, base_port)
    found = platforms(root, base_port)
    secret = admin_secret(root)
    federation = Federation(found, pin_national_key(found[0], root), secret, root)

    def terminate(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # a SIGTERM while starting stops everything, as Ctrl+C does

    signal.signal(signal.SIGTERM, terminate)
    failure = None
    try:
        typer.echo(f"starting {len(found)} platforms under {root} (logs: <seed>.log there)")
        federation.start(typer.echo)
        secrets = _federate(found, secret)
        _banner(found, secrets, root)
        exited = federation.watch()
        if exited is not None:
            failure = f"{exited.platform.code} exited with {exited.exited}; its log {exited.log}"
    except KeyboardInterrupt:
        pass
    except StartFailed as exc:
        failure = f"{exc}\n{exc.child.tail()}"
    except SetupFailed as exc:
        failure = str(exc)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        typer.echo("stopping every platform")
        federation.stop()
    if failure:
        typer.echo(f"error: {failure}", err=True)
        raise typer.Exit(1)
    typer.echo("stopped")


def _federate(found: list[Platform], secret: str) -> dict[str, str]:
    operators = [Operator(platform, secret) for platform in found]
    try:
        national, members = operators[0], operators[1:]
        join_all(national, members)
        provider = next(o for o in members if o.platform.seed == DEMO_PROVINCE)
        shared = publish(provider)
        typer.echo(f"published nationally by {provider.platform.code}: {', '.join(shared)}")
        shared = publish(national, NATIONAL_SERVICES)
        typer.echo(f"published nationally by the national tier {national.platform.code}: {', '.join(shared)}")
        secrets = {o.platform.code: consumer(o) for o in operators}
        origins = [o for o in members if o is not provider]
        for origin in origins:
            grant_crossing(provider, origin)
        for origin in origins:
            exchange = call_across(origin, secrets[origin.platform.code])
            typer.echo(f"{origin.platform.code} → {CROSSING} across the federation: exchange {exchange}")
        # a national database's service, answered at the national tier by its own connector
        origin = origins[0]
        grant_crossing(national, origin, NATIONAL_CROSSING)
        exchange = call_across(origin, secrets[origin.platform.code], NATIONAL_CROSSING, NATIONAL_REQUEST)
        typer.echo(f"{origin.platform.code} → {NATIONAL_CROSSING} across the federation: exchange {exchange}")
        return secrets
    finally:
        for operator in operators:
            operator.close()


def _banner(found: list[Platform], secrets: dict[str, str], root: Path) -> None:
    typer.echo("")
    typer.echo("LGSP Mock — federation demo: the national tier and four provinces")
    for platform in found:
        role = "national tier" if platform.national else "province     "
        typer.echo(f"{role}  {platform.code:<4} {platform.url}  {platform.name}")
    typer.echo(f"admin of every platform: federation-admin, secret in {root / 'admin-secret'}")
    for platform in found:
        typer.echo(f"consumer of {platform.code}: client {platform.consumer}, secret (shown this once):")
        typer.echo(secrets[platform.code])  # alone on its line
    typer.echo(f"national dashboard  {found[0].url}/dashboard")
    typer.echo(f"each other province's consumer may call {CROSSING} on its own gateway (POST /exchange/…)")
    typer.echo("Ctrl+C stops them all")


def _same_ports(root: Path, base_port: int) -> None:
    """The members joined with their URLs: a second start on other ports would leave the directory naming the old
    ones, so it is refused (one line) rather than started half-broken."""
    recorded = root / "base-port"
    if recorded.exists() and recorded.read_text().strip() != str(base_port):
        raise typer.BadParameter(
            f"{root} holds a federation started with --base-port {recorded.read_text().strip()}: "
            "start it on that port, or use another --data-dir"
        )
    root.mkdir(parents=True, exist_ok=True)
    recorded.write_text(str(base_port))
