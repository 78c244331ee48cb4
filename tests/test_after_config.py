"""The after-the-hearing settings: OVERSIGHT_IDS and MIN_GROUP_SIZE."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.oversight_ids == frozenset() and settings.min_group_size == 5


def test_both_are_read() -> None:
    settings = Settings.from_env({"OVERSIGHT_IDS": "11, 12;13", "MIN_GROUP_SIZE": "8"})
    assert settings.oversight_ids == frozenset({11, 12, 13}) and settings.min_group_size == 8


@pytest.mark.parametrize(
    ("key", "value"),
    [("OVERSIGHT_IDS", "alice"), ("MIN_GROUP_SIZE", "1001"), ("MIN_GROUP_SIZE", "five")],
)
def test_bad_values_name_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key) as caught:
        Settings.from_env({key: value})
    assert value not in str(caught.value)
