"""Email addresses compared the one way every side uses: sign-in claims, the people table, telemetry.

Normal form is Unicode NFKC then casefold, so ``Ana@Acme.io`` and ``ana@acme.io`` are one person. A
character outside ASCII that this normal form turns into ASCII (the Kelvin sign ``K`` for ``K``, the long
``ſ`` for ``s``, ``ß`` for ``ss``, full-width letters) only *looks* like an address someone else has: such
an address is refused rather than matched.
"""

import unicodedata


def normal_email(value: str) -> str:
    return unicodedata.normalize("NFKC", value.strip()).casefold()


def lookalike(value: str) -> bool:
    """Whether ``value`` holds a non-ASCII character that normalises into ASCII."""
    return any(not char.isascii() and normal_email(char).isascii() for char in value)
