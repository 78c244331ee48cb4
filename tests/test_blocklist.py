"""The moderation blocklist: spelling variants and scripts hit, ordinary words don't."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bot.hearing.blocklist import BLOCKLIST_DIR, Blocklist, default_blocklist, read_terms
from bot.hearing.screening import content_flags
from bot.model.values import FlagReason

EVAL_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "moderation_eval.py"


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("he is wajib ul qatl", "wajib ul qatl"),
        ("He is WAJIB-UL-QATL!", "wajib ul qatl"),
        ("wajibul qatal hai", "wajib ul qatl"),
        ("wajib_ul_qatl", "wajib ul qatl"),
        ("islamdushman log", "islam dushman"),
        ("islam dushmun log", "islam dushman"),
        ("deen sey kharij", "deen se kharij"),
        ("sar tan say juda", "sar tan se juda"),
        ("یہ واجب القتل ہے", "واجب القتل"),
        ("يه واجب القتل هے", "واجب القتل"),  # Arabic yeh and heh
        ("واجبُ القتل", "واجب القتل"),  # a diacritic
        ("وا\u200cجب القتل", "واجب القتل"),  # a zero-width non-joiner
        ("they deserve to die", "deserve to die"),
    ],
)
def test_variants_are_found(text: str, term: str) -> None:
    assert default_blocklist().find(text) == term


@pytest.mark.parametrize(
    "text",
    [
        "Changes in the law of evidence",
        "The death toll must be published",
        "Voices deserve to be heard",
        "Kafi log mutafiq hain",
        "Qatar airways flights",
        "",
        "   ",
        "🙂🙂",
    ],
)
def test_ordinary_words_are_not(text: str) -> None:
    assert default_blocklist().find(text) is None


def test_files_ignore_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "xx.txt"
    path.write_text("# a comment\n\n  kill them  \n#another\n", encoding="utf-8")
    assert read_terms(path) == ["kill them"]
    assert Blocklist(read_terms(path)).find("they said kill them") == "kill them"
    assert Blocklist([]).find("kill them") is None


def test_every_language_has_a_list() -> None:
    assert sorted(p.name for p in BLOCKLIST_DIR.glob("*.txt")) == [
        "en.txt", "roman_ur.txt", "ur.txt",
    ]  # fmt: skip
    for path in BLOCKLIST_DIR.glob("*.txt"):
        assert len(read_terms(path)) >= 10, path.name


@pytest.mark.parametrize(
    ("text", "reason", "detail"),
    [
        ("call 0300 1234567", FlagReason.PERSONAL_DATA, "number"),
        ("call +92 300 1234567", FlagReason.PERSONAL_DATA, "number"),
        ("cnic 35202-1234567-1", FlagReason.PERSONAL_DATA, "cnic"),
        ("a.b@example.com", FlagReason.PERSONAL_DATA, "email"),
        ("see t.me/somechannel", FlagReason.LINK, None),
    ],
)
def test_content_flags_name_the_kind_never_the_data(
    text: str, reason: FlagReason, detail: str | None
) -> None:
    flags = content_flags(text, default_blocklist())
    assert [(f.reason, f.detail) for f in flags] == [(reason, detail)]


def test_the_measured_precision_and_recall_hold() -> None:
    spec = importlib.util.spec_from_file_location("moderation_eval", EVAL_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    scores, _, _ = module.evaluate(default_blocklist())
    assert set(scores) == {"all", "seed", "en", "ur", "roman"}
    # docs/moderation.md records 0.98 and 0.96; a change to the lists or the matching that
    # costs more than a few examples must be measured and written down again.
    assert scores["all"].precision >= 0.95 and scores["all"].recall >= 0.9
