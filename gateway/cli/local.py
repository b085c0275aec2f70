"""The platform's own database, for the commands that open it directly (`lgsp log verify`, `lgsp keys rotate`):
found, or one line saying where it was looked for and how to point elsewhere."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gateway.cli.errors import CliError
from gateway.settings import Settings

ELSEWHERE = (
    "run the command in the folder where `lgsp up` ran, or set LGSP_DATA_DIR to that folder "
    "(or LGSP_DATABASE_URL to the database)"
)


def platform_database(settings: Settings) -> str:
    """The database URL; for the embedded default, only once its file is known to exist."""
    if settings.database_url is None:
        path = Path(settings.data_dir) / "lgsp.db"
        if not path.is_file():
            raise CliError(f"no platform database at {path.resolve()}: {ELSEWHERE}")
    return settings.effective_database_url


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """A database that cannot be opened or has no schema, as one line (the URL without its password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        hint = "; create it with `lgsp db upgrade`" if "table" in reason or "relation" in reason else ""
        raise CliError(f"cannot use the platform database {shown}: {reason}{hint}") from None
