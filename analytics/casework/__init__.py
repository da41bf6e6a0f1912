"""Casework: repeat callers, the caller lookup, repeat locations and the ASB Case Review register."""
