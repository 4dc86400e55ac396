"""What a question means, from a distilled word-vector table: the matcher's evidence beyond strings.

String similarity cannot see that "my card hasn't shown up" asks what "the card still hasn't
arrived" asks. A sentence-embedding model can, but it needs PyTorch and milliseconds a
question. `tools/distill_meaning.py` fits, offline, a table of word vectors to such a model
(the teacher): a text's IDF-weighted sum of word vectors lands near the teacher's embedding of
it. Here that table is read in pure Python:

- `WordVectors` loads it and embeds a text (its known words' vectors, IDF-weighted, unit length);
- `MeaningIndex` embeds every phrasing at build time and scores an entry for a question as the
  mean cosine of its `K_NEAREST` closest phrasings (one stray phrasing is weak evidence).

Speed without numpy: each entry keeps one Python integer per dimension holding that dimension
of all its phrasings in 32-bit lanes (offset so that lanes never go negative); the question's
cosines with all of an entry's phrasings are then `dims` big-integer multiply-adds, and one
`struct.unpack` reads them.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import mul, sub
from pathlib import Path

__all__ = ["FORMAT", "TOKEN", "VERSION", "MeaningIndex", "VectorsError", "WordVectors", "dump_vectors", "load_vectors"]

FORMAT = "admissionsbot-word-vectors"
VERSION = 1
TOKEN = re.compile(r"\w+|[^\w\s]")  # words and punctuation marks, as the table was fitted on (lower-cased)
K_NEAREST = 3  # an entry's meaning score averages its closest this many phrasings (1, 3: 3 better on validation)
UNIT = 127  # unit vectors are stored as integers -127..127
LANE_BITS = 32
LANE_OFFSET = 128  # lanes hold value + 128 (0..255): a question's sum over dims stays below 2**32
MAX_DIMS = 512  # with UNIT and LANE_OFFSET: dims x 127 x 255 < 2**32, no 32-bit lane can overflow
WEIGHT_SCALE = 256  # IDF weights as integers (1/256 steps); 64-bit lanes hold any text's weighted sum


class VectorsError(ValueError):
    """A word-vector file that cannot be used; the message names the file and what is wrong."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class WordVectors:
    """Word -> (integer IDF weight, vector packed in 64-bit lanes of value + LANE_OFFSET).

    Packed, a text's weighted sum of word vectors is one C-level `sum(map(mul, ...))`; unpacked
    per word it would cost ~0.1 s per 1,000 phrasings at build time.
    """

    dims: int
    weights: dict[str, int]  # IDF x WEIGHT_SCALE, rounded
    packed: dict[str, int]
    source: str = ""

    def embed(self, text: str) -> list[int] | None:
        """The text's unit vector as integers -UNIT..UNIT, or None when no word of it is in the table."""
        known = [w for w in TOKEN.findall(text.lower()) if w in self.packed]
        if not known:
            return None
        weights = list(map(self.weights.__getitem__, known))
        total = sum(map(mul, map(self.packed.__getitem__, known), weights))
        shift = LANE_OFFSET * sum(weights)
        sums = [v - shift for v in struct.unpack(f"<{self.dims}Q", total.to_bytes(self.dims * 8, "little"))]
        norm = math.sqrt(math.fsum(map(mul, sums, sums)))
        if not norm:
            return None
        f = UNIT / norm
        return [round(v * f) for v in sums]


def dump_vectors(
    path: str | Path, words: Sequence[str], idf: Sequence[float], rows: Sequence[Sequence[int]], **about: object
) -> None:
    """Write a table: one line of JSON (format, version, dims, words, idf, and `about`: where it came
    from), a newline, then the rows (-127..127 each) as signed bytes, row-major."""
    dims = len(rows[0]) if rows else 0
    if len(words) != len(idf) or len(words) != len(rows) or any(len(r) != dims for r in rows):
        raise ValueError("words, idf and rows must have one item per word, rows all the same length")
    header = {"format": FORMAT, "version": VERSION, "dims": dims, "words": list(words),
              "idf": [round(float(x), 4) for x in idf], **about}
    body = struct.pack(f"{len(words) * dims}b", *(v for r in rows for v in r))
    Path(path).write_bytes(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + body)


def load_vectors(path: str | Path) -> WordVectors:
    """Read a table written by tools/distill_meaning.py; VectorsError says what is wrong with it."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise VectorsError(p, f"cannot be read ({exc.strerror}).") from None
    head, sep, body = data.partition(b"\n")
    try:
        header = json.loads(head.decode("utf-8")) if sep else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise VectorsError(p, "not a word-vector file (write it with tools/distill_meaning.py).")
    if header.get("version") != VERSION:
        raise VectorsError(p, f"version {header.get('version')!r}, this bot reads version {VERSION}.")
    words, idf, dims = header.get("words"), header.get("idf"), header.get("dims")
    if (not isinstance(words, list) or not isinstance(idf, list) or len(words) != len(idf)
            or not isinstance(dims, int) or not 0 < dims <= MAX_DIMS):
        raise VectorsError(p, "its header is damaged (words, idf and dims do not agree).")
    if len(body) != len(words) * dims:
        raise VectorsError(p, f"{len(body)} bytes of vectors where {len(words)} words x {dims} dims need "
                           f"{len(words) * dims}: the file is cut short or damaged.")
    if not all(isinstance(w, str) for w in words) or not all(isinstance(x, (int, float)) and 0 < x < 100 for x in idf):
        raise VectorsError(p, "its header is damaged (a word is not text or an IDF is out of range).")
    fmt = f"<{dims}Q"
    packed = {}
    for i, w in enumerate(words):
        row = struct.unpack_from(f"{dims}b", body, i * dims)
        packed[w] = int.from_bytes(struct.pack(fmt, *map(LANE_OFFSET.__add__, row)), "little")
    weights = {w: max(1, round(x * WEIGHT_SCALE)) for w, x in zip(words, idf, strict=True)}
    return WordVectors(dims, weights, packed, str(p))


class MeaningIndex:
    """Every phrasing's meaning, packed per entry, to score the candidate entries of a question."""

    def __init__(self, vectors: WordVectors, texts: Sequence[str], entries: Sequence[int], n_entries: int) -> None:
        self.vectors = vectors
        members: list[list[list[int]]] = [[] for _ in range(n_entries)]
        for text, e in zip(texts, entries, strict=True):
            v = vectors.embed(text)
            if v is not None:
                members[e].append(v)
        self._sizes = [len(m) for m in members]
        # per entry and dimension: that dimension of all its phrasings, one 32-bit lane each
        self._packed: list[tuple[int, ...]] = [_pack_columns(m) if m else () for m in members]

    def scores(self, question: list[int], entries: Iterable[int]) -> list[float | None]:
        """Per entry: the mean cosine (-1..1) of the question with its K_NEAREST closest phrasings
        (None for an entry none of whose phrasings has a word in the table: no evidence either way)."""
        # lanes hold no signs: the question's positive and negative values are applied apart
        positive = [q > 0 for q in question]
        negative = [q < 0 for q in question]
        up_values = list(compress(question, positive))
        down_values = [-q for q in compress(question, negative)]
        shift = LANE_OFFSET * sum(question)
        out: list[float | None] = []
        for entry in entries:
            n = self._sizes[entry]
            if not n:
                out.append(None)
                continue
            columns = self._packed[entry]
            up = sum(map(mul, compress(columns, positive), up_values))
            down = sum(map(mul, compress(columns, negative), down_values))
            fmt = f"<{n}I"
            dots = map(sub, _unpack(up, fmt, n), _unpack(down, fmt, n))
            nearest = heapq.nlargest(K_NEAREST, dots)
            out.append((sum(nearest) - shift * len(nearest)) / (len(nearest) * UNIT * UNIT))
        return out


def _pack_columns(vectors: list[list[int]]) -> tuple[int, ...]:
    """One integer per dimension, lane i holding phrasing i's value + LANE_OFFSET (little-endian lanes)."""
    fmt = f"<{len(vectors)}I"
    return tuple(int.from_bytes(struct.pack(fmt, *map(LANE_OFFSET.__add__, column)), "little")
                 for column in zip(*vectors, strict=True))


def _unpack(packed: int, fmt: str, n: int) -> tuple[int, ...]:
    return struct.unpack(fmt, packed.to_bytes(n * LANE_BITS // 8, "little"))

