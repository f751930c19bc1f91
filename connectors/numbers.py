"""Numbers as vendors send them: JSON numbers, or the same written as strings ("3.5", "1754879994000")."""


def number(value) -> float | int | None:
    """``value`` as an int or float; None when absent, blank, a boolean or not a number (kept raw elsewhere)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return None
    return None
