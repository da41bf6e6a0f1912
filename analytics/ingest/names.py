"""The rule for source names, one for the command line and the Upload page.

A source name is what keeps figures apart ("sources are never added together"), so it must be a real name:
not blank, short, printable, and for a force extract never the police.uk source under another spelling (its rows
would join the police.uk figures).
"""

from __future__ import annotations

import unicodedata

from analytics.domain.definitions import FORCE_SOURCE, POLICE_UK_SOURCE, normalise_key
from analytics.errors import InputRefused
from analytics.ingest.messages import clip

MAX_SOURCE_NAME = 60
POLICE_UK_FORMAT = "police-uk"
POLICE_UK_FORMATS = (POLICE_UK_FORMAT, "police-uk-outcomes")  # street-level and outcomes files


def default_source(fmt: str) -> str:
    """The source a file of format ``fmt`` loads under when no name is given."""
    return POLICE_UK_SOURCE if fmt in POLICE_UK_FORMATS else FORCE_SOURCE


def check_source_name(name: str | None, fmt: str | None) -> str:
    """The source name a file of format ``fmt`` ('police-uk', 'police-uk-outcomes', 'asb', 'crime'; None when not
    yet known) loads
    under: ``name`` without surrounding spaces, or the format's default when ``name`` is None.

    Refused (InputRefused): a blank name, one longer than MAX_SOURCE_NAME characters or holding control
    characters, and for a force extract any spelling of police.uk ("Police.UK", "police-uk")."""
    if name is None:
        return default_source(fmt or "")
    text = name.strip()
    if not text:
        raise InputRefused("Blank source name", "The source name is blank. Give the source a name (for example "
                           f"{FORCE_SOURCE!r} for the force's extracts), or leave it out to use the default.")
    if len(text) > MAX_SOURCE_NAME:
        raise InputRefused("Source name too long", f"The source name {clip(text)!r} is {len(text)} characters "
                           f"long; a source name has at most {MAX_SOURCE_NAME}.")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InputRefused("Source name not printable", f"The source name {clip(text)!r} holds a line break, "
                           "tab or other control character. Use letters, digits, spaces and punctuation only.")
    if fmt not in (None, *POLICE_UK_FORMATS) and normalise_key(text) == normalise_key(POLICE_UK_SOURCE):
        raise InputRefused(
            "Source name taken by police.uk",
            f"The source name {clip(text)!r} is the police.uk source's: a force extract loaded under it would be "
            "added to the police.uk figures. Give the force extract a source name of its own (for example "
            f"{FORCE_SOURCE!r}).",
        )
    return text
