"""How a CSV file is written, worked out from its first bytes: encoding, BOM, delimiter, title rows, header."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from analytics.errors import InputRefused

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Dialect:
    encoding: str  # 'utf-8' or 'latin-1' (DuckDB's names)
    delimiter: str
    records: list[list[str]]  # the records parsed from the sample (the last may be cut short)


def looks_binary(sample: bytes) -> bool:
    """NUL bytes or mostly control characters: not a text file."""
    if not sample:
        return False
    if b"\x00" in sample[:8192]:
        return True
    control = sum(1 for b in sample[:8192] if b < 32 and b not in (9, 10, 13))
    return control > len(sample[:8192]) * 0.05


def decode_sample(sample: bytes) -> tuple[str, str]:
    """(text, encoding), a BOM left out. UTF-8 when the bytes are valid UTF-8 (a cut multi-byte character at the end
    of the sample is allowed), otherwise Latin-1, so "é" is never read as "Ã©"."""
    body = sample.removeprefix(BOM)
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(body) - 3 and len(body) >= SAMPLE_BYTES - 3:
            return body[: e.start].decode("utf-8"), "utf-8"
        return body.decode("latin-1"), "latin-1"


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently (the header usually has the most columns)."""
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_key = ",", (0, 0)
    for d in DELIMITERS:
        counts = [_count_outside_quotes(ln, d) for ln in lines]
        if not counts or max(counts) == 0:
            continue
        top = max(counts)
        # Lines that agree with the widest line count most; title rows above the header have few delimiters.
        key = (sum(1 for c in counts if c == top), top)
        if key > best_key:
            best, best_key = d, key
    return best


def sniff(sample: bytes) -> Dialect:
    if looks_binary(sample):
        raise InputRefused(
            "Not a text file",
            "The file holds binary data, not comma-separated text. Export the extract as CSV (or XLSX) and try again.",
        )
    text, encoding = decode_sample(sample)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= 60:
                break
    except csv.Error:
        pass  # the sample may end inside a quoted field
    return Dialect(encoding, delimiter, records)
