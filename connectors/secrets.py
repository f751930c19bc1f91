"""Credentials kept out of every message Payoff prints or stores, in every form they travel in.

A server's error body can echo a key as it is, inside the header value it came in (``Bearer <key>``), or
as HTTP Basic credentials: base64 of ``user:key`` (Jira's ``email:token``, Cursor's ``key:``). ``forms``
lists all of those for a set of credentials and header values; ``scrub`` replaces each with ``***``.
"""

import base64
import binascii
from collections.abc import Iterable
from itertools import product

SHORTEST = 6  # shorter strings are scheme words or separators, not credentials
HIDDEN = "***"


def _encodings(text: str) -> set[str]:
    encoded = base64.b64encode(text.encode()).decode()
    urlsafe = base64.urlsafe_b64encode(text.encode()).decode()
    return {encoded, encoded.rstrip("="), urlsafe, urlsafe.rstrip("=")}


def _basic(word: str) -> list[str]:
    """``user:password`` and its parts when ``word`` is a Basic credential, else nothing."""
    try:
        decoded = base64.b64decode(word + "=" * (-len(word) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return []
    return [decoded, *decoded.split(":", 1)] if ":" in decoded else []


def forms(values: Iterable[str | None]) -> list[str]:
    """Every form of the credentials and header values in ``values``, longest first (so that a whole
    header value is replaced before a part of it)."""
    found: set[str] = set()
    for value in filter(None, values):
        found.add(value)
        for word in value.split():
            found.update([word, *_basic(word)])
    secrets = {text for text in found if len(text) >= SHORTEST}
    for user, secret in product({"", *found}, secrets):
        found |= _encodings(f"{user}:{secret}") | _encodings(f"{secret}:{user}") | _encodings(secret)
    return sorted((text for text in found if len(text) >= SHORTEST), key=len, reverse=True)


def scrub(text: str, known: list[str]) -> str:
    """``text`` with every form in ``known`` (from ``forms``) replaced by ``***``."""
    for secret in known:
        text = text.replace(secret, HIDDEN)
    return text
