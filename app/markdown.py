"""User-controlled text (names, team names, notes, task fingerprints, claims) made inert for Markdown.

Streamlit renders Markdown in titles, captions, alerts and ``st.markdown``, with GitHub's extensions
(tables, bare ``www.``/``https://`` links) and its own ``:material/icon:`` and ``:red[…]`` directives; the
Markdown review is read by other Markdown renderers. ``text`` backslash-escapes whatever could start
any of those (CommonMark lets every ASCII punctuation character be escaped), and keeps it on one line,
so a person named ``![x](https://evil/pixel)`` is shown as exactly that and nothing loads or links.
"""

import re

# Markup characters always; "." and ":" only before a non-space, non-digit (www.evil.io, https://, :red[),
# and "-", "+" only where they would start a list, so "1.5 h", "2026-07" and "Cycle time: 20 h" stay readable.
_MARKUP = re.compile(r"[\\`*_{}\[\]()<>#|~$!&@^]|[.:](?=[^\s\d])")
_LIST_MARKER = re.compile(r"^(\d*)([-+.)])(?=\s|$)")  # "- x", "+ x", "1. x", "1) x" would start a list


def text(value: object) -> str:
    """``value`` as literal text in Markdown, on one line."""
    line = " ".join(str(value).split())
    return _LIST_MARKER.sub(r"\1\\\2", _MARKUP.sub(r"\\\g<0>", line))
