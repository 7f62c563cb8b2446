"""The participant cookie, written and read with the signing key derived once
(hub/web/participants.py): the same cookie itsdangerous writes, and every cookie it wrote (or
refuses) read as it reads it."""

from __future__ import annotations

import pytest
from itsdangerous import BadSignature, URLSafeSerializer

from hub.web.participants import _SALT, cookie_value, new_participant, read_cookie

SECRET = "test-secret-" + "x" * 20
OTHER = "other-secret-" + "y" * 20


def _itsdangerous(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def test_written_as_itsdangerous_writes_it() -> None:
    for _ in range(2000):
        participant = new_participant()
        assert cookie_value(participant, SECRET) == _itsdangerous(SECRET).dumps(participant)


def test_existing_cookies_stay_valid() -> None:
    for value in [new_participant() for _ in range(200)] + ["é" * 20, "a" * 64, "x" * 200]:
        raw = _itsdangerous(SECRET).dumps(value)
        assert read_cookie(raw, SECRET) == value
    # A compressed payload (itsdangerous compresses what shrinks): read as it reads it.
    raw = _itsdangerous(SECRET).dumps("a" * 64)
    assert raw.startswith(".")
    assert read_cookie(raw, SECRET) == "a" * 64


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-dot",
        "InBhcnRpY2lwYW50Ig.",
        "InBhcnRpY2lwYW50Ig.AAAA",
        "InBhcnRpY2lwYW50Ig.é",
        cookie_value("someone-elses-participant-id", OTHER),
        cookie_value("a-participant-id-of-ours-0001", SECRET)[:-1],
        cookie_value("a-participant-id-of-ours-0001", SECRET) + "x",
    ],
)
def test_refused_as_itsdangerous_refuses(raw: str) -> None:
    with pytest.raises(BadSignature):
        _itsdangerous(SECRET).loads(raw)
    with pytest.raises(BadSignature):
        read_cookie(raw, SECRET)


def test_another_spelling_of_a_valid_signature_is_left_to_itsdangerous() -> None:
    """itsdangerous ignores what is not ASCII in a signature; so does this, by asking it."""
    raw = cookie_value("a-participant-id-of-ours-0001", SECRET)
    odd = raw + "\xe9"
    assert _itsdangerous(SECRET).loads(odd) == read_cookie(odd, SECRET)
