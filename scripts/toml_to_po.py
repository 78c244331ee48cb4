"""Convert the TOML text catalogues (content/<lang>.toml) to gettext .po (content/locale/).

A one-off: it was run once when the catalogues moved to .po, and is kept to show how the .po
files were made. Each text becomes one message: msgctxt = its dotted key, msgid = the English
text, msgstr = the text in the catalogue's language (English in en.po). Usage:

    .venv/bin/python scripts/toml_to_po.py content content/locale en ur
"""

from __future__ import annotations

import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

HEADER = """\
hearing-bot: every text the bot shows, in {name}.
msgctxt is the key the code asks for; msgid the English text; msgstr the text shown.
Values are Telegram HTML; {{placeholders}} are filled in by the code (python-brace-format).
See content/README.md for the rules (right-to-left marks in Urdu).{draft}"""
DRAFT = """
DRAFT: a machine-assisted translation that no native reader has reviewed yet."""


def flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    """Turn nested TOML tables into dotted keys."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise ValueError(f"text {name!r} must be a string")
    return flat


def read_toml(path: Path) -> dict[str, str]:
    """Read a TOML catalogue as dotted keys."""
    with path.open("rb") as handle:
        return flatten(tomllib.load(handle))


def convert(source: Path, target: Path, language: str) -> int:
    """Write <target>/<language>.po from <source>/<language>.toml; return the number of texts."""
    english = read_toml(source / "en.toml")
    own = read_toml(source / f"{language}.toml")
    name = {"en": "English", "ur": "Urdu"}.get(language, language)
    catalog = Catalog(
        locale=language,
        project="hearing-bot",
        fuzzy=False,
        revision_date=datetime.now(UTC),
        last_translator="hearing-bot: machine-assisted draft" if language != "en" else "",
        header_comment="\n".join(
            f"# {line}"
            for line in HEADER.format(
                name=name, draft=DRAFT if language != "en" else ""
            ).splitlines()
        ),
    )
    for key, text in english.items():
        if key not in own:
            continue
        catalog.add(
            text,
            own[key],
            context=key,
            # Lets msgfmt --check and translators' tools compare the placeholders.
            flags=("python-brace-format",) if "{" in text else (),
        )
    with (target / f"{language}.po").open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, include_lineno=False)
    return len(catalog)


def main(argv: list[str]) -> int:
    """Convert the catalogues named on the command line."""
    source, target, *languages = argv
    for language in languages:
        count = convert(Path(source), Path(target), language)
        print(f"{language}: {count} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
