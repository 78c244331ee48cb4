"""Refresh the emulator's copy of the Bot API specification from a file or a URL.

    .venv/bin/python scripts/refresh_bot_api_spec.py [SOURCE] [--into DIR]

SOURCE is an `api.json` in the layout of the PaulSonOfLars/telegram-bot-api-spec repository (a
path, or an http(s) URL; by default that repository's main branch). The new copy must index,
and must still have every method the emulator implements; then it replaces `api.json` in DIR
(default bot/emulator/spec) and the "This copy" section of the README beside it. Run the test
suite afterwards: a call the bot makes that the new version no longer allows fails it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bot.emulator import apispec
from bot.emulator.methods_bot import METHODS

DEFAULT_SOURCE = (
    "https://raw.githubusercontent.com/PaulSonOfLars/telegram-bot-api-spec/main/api.json"
)
SPEC_DIR = apispec.SPEC_PATH.parent
_THIS_COPY = re.compile(r"^## This copy\n.*?(?=^## |\Z)", re.M | re.S)


def read_source(source: str) -> bytes:
    """Return the bytes of a local file or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:
            body: bytes = response.read()
            return body
    return Path(source).read_bytes()


def check(data: bytes) -> apispec.ApiSpec:
    """Index the new copy; raise ValueError if it is not one the emulator can use."""
    try:
        spec = apispec.index(json.loads(data))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"not a telegram-bot-api-spec api.json: {err!r}") from err
    missing = sorted(name for name in METHODS if spec.method(name) is None)
    if missing:
        raise ValueError(f"{spec.version} lacks methods the emulator implements: {missing}")
    return spec


def this_copy(spec: apispec.ApiSpec, source: str, data: bytes) -> str:
    """Render the README section that says which copy is shipped."""
    return (
        "## This copy\n\n"
        f"- Version: {spec.version}, released {spec.release_date}\n"
        f"- Source: {source}\n"
        f"- Retrieved: {datetime.now(UTC):%Y-%m-%d}\n"
        f"- SHA-256 of api.json: {hashlib.sha256(data).hexdigest()}\n\n"
    )


def refresh(source: str, into: Path = SPEC_DIR) -> apispec.ApiSpec:
    """Replace the copy in `into` with the checked one from source; return it indexed."""
    data = read_source(source)
    spec = check(data)
    staged = into / "api.json.new"
    staged.write_bytes(data)
    os.replace(staged, into / "api.json")
    readme = into / "README.md"
    text = readme.read_text("utf-8")
    name = source if "://" in source else Path(source).name
    readme.write_text(_THIS_COPY.sub(lambda _: this_copy(spec, name, data), text), "utf-8")
    return spec


def main(argv: list[str] | None = None) -> int:
    """Refresh the shipped specification; print what it is now, or why it was refused."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", nargs="?", default=DEFAULT_SOURCE)
    parser.add_argument("--into", type=Path, default=SPEC_DIR)
    args = parser.parse_args(argv)
    try:
        spec = refresh(args.source, args.into)
    except (OSError, ValueError) as err:
        print(f"refused: {err}", file=sys.stderr)
        return 1
    print(f"{spec.version} ({spec.release_date}): {len(spec.methods)} methods, "
          f"{len(spec.types)} types")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
