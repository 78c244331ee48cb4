"""DATABASE_URL, a secret: checked, and described without its password for messages."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

SCHEMES = ("postgresql", "postgres")


def url_problem(url: str) -> str | None:
    """Say briefly what is wrong with a PostgreSQL URL, never repeating it; None if it is fine."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        return "is malformed"
    if parts.scheme not in SCHEMES:
        return "must start with postgresql://"
    if not parts.path.strip("/"):
        return "must name a database (postgresql://user@host:5432/DATABASE)"
    return None


def describe(url: str) -> str:
    """Name the database a URL points at, for messages: database, host and port, no secret."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    host = parts.hostname or "localhost"
    database = unquote(parts.path.strip("/")) or "?"
    return f"PostgreSQL database {database!r} on {host}:{port} (DATABASE_URL)"


def without_password(url: str) -> str:
    """Return the URL with its password taken out (libpq then reads PGPASSWORD or ~/.pgpass)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{user}@{host}").geturl()


def password(url: str) -> str | None:
    """Return the URL's password, decoded, or None."""
    found = urlsplit(url).password
    return None if found is None else unquote(found)


def scrub(error: BaseException, url: str) -> str:
    """Describe an error in one line, with the URL's password blanked wherever it appears."""
    text = f"{type(error).__name__}: {error}".splitlines()[0]
    secret = urlsplit(url).password
    for form in {secret, None if secret is None else unquote(secret)}:
        if form:
            text = text.replace(form, "***")
    return text
