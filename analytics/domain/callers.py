"""Caller references: how two spellings of one reference are recognised as the same caller.

A caller reference is personal data (DESIGN §5): analysts and above see it, viewers never do. Two references are
the same caller when they are equal ignoring case and white space ("c 000 123" is "C000123"). The key is worked
out once, when a row is loaded (``asb_incidents.caller_key``, indexed), with the SQL expression below; the Python
function gives the same key for a reference typed at the keyboard.
"""

from __future__ import annotations

import re

# White space as both DuckDB's regular expressions (RE2) and Python's see it: ASCII spaces and tabs, line breaks,
# and the no-break space a spreadsheet cell often carries.
_SPACE_CLASS = r"[ \t\n\r\f\v\x{00A0}]"
_PY_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0]")

# SQL over a column named caller_ref; NULL for a blank reference. Identifiers are fixed, nothing comes from users.
_LOWER, _UPPER = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CALLER_KEY_SQL = (f"nullif(translate(regexp_replace(caller_ref, '{_SPACE_CLASS}', '', 'g'), '{_LOWER}', '{_UPPER}'), "
                  "'')")
_TO_UPPER = str.maketrans(_LOWER, _UPPER)


def caller_key(ref: str | None) -> str | None:
    """The matching key of a reference: upper case with every space removed; None when nothing is left.

    Only ASCII letters change case (references are letters, digits and punctuation), so the SQL and this function
    agree on every input, whatever either side's Unicode case tables say.
    """
    if ref is None:
        return None
    text = _PY_SPACE.sub("", ref)
    key = text.translate(_TO_UPPER)
    return key or None
