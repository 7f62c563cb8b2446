"""Settings from the environment: under HTTPS_ONLY the session key must be given, and strong."""

from __future__ import annotations

import pytest

from hub.settings import MIN_SECRET_KEY_CHARS, Settings, SettingsError

HTTPS = {"COUNCIL_HUB_HTTPS_ONLY": "true"}


def test_https_only_needs_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="COUNCIL_HUB_SECRET_KEY is not set"):
        Settings.from_env(HTTPS)
    with pytest.raises(SettingsError, match=f"at least {MIN_SECRET_KEY_CHARS} characters"):
        Settings.from_env({**HTTPS, "COUNCIL_HUB_SECRET_KEY": "x" * (MIN_SECRET_KEY_CHARS - 1)})
    key = "x" * MIN_SECRET_KEY_CHARS
    settings = Settings.from_env({**HTTPS, "COUNCIL_HUB_SECRET_KEY": key})
    assert settings.https_only and settings.secret_key == key


def test_the_local_demo_still_runs_without_a_key() -> None:
    # Plain http on 127.0.0.1: a random key, sessions that end at a restart, is fine.
    settings = Settings.from_env({})
    assert not settings.https_only and len(settings.secret_key) >= MIN_SECRET_KEY_CHARS
    with pytest.raises(SettingsError, match="at least"):
        Settings.from_env({"COUNCIL_HUB_SECRET_KEY": "short"})
