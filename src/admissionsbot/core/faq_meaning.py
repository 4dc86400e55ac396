"""The FAQ's word-vector table (`faq/_meaning.vectors`): loaded beside the YAML, checked against it.

The table is optional: without it the matcher works on strings alone. A damaged table is a
warning, not an error: students are still answered (on strings) while someone rewrites it.
Phrasing words the table lacks add no meaning evidence, so they are named too: after the FAQ
gains phrasings with new words, `tools/distill_meaning.py` should be run again.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .faq_problems import Problem
from .meaning import TOKEN, VectorsError, WordVectors, load_vectors

MEANING_FILE = "_meaning.vectors"
REDISTIL = f"tools/distill_meaning.py --faq DIR DIR/{MEANING_FILE}"
_EXAMPLES = 5  # unknown words named in the warning


def load_meaning(root: Path, phrasings: Iterable[str], problems: list[Problem]) -> WordVectors | None:
    """The table in `root`, or None (absent or unusable: a warning says which)."""
    path = root / MEANING_FILE
    if not path.exists():
        return None
    try:
        vectors = load_vectors(path)
    except VectorsError as exc:
        problems.append(Problem(str(path), 0, None, f"{exc.reason} Matching on strings only until it is rewritten "
                                f"({REDISTIL}).", "warning"))
        return None
    unknown = sorted({w for text in phrasings for w in TOKEN.findall(text.lower()) if w.isalnum()}
                     - vectors.packed.keys())
    if unknown:
        named = ", ".join(repr(w) for w in unknown[:_EXAMPLES])
        more = f" and {len(unknown) - _EXAMPLES} more" if len(unknown) > _EXAMPLES else ""
        problems.append(Problem(str(path), 0, None, f"{len(unknown)} word(s) of the phrasings are not in it ({named}"
                                f"{more}): they add no meaning evidence. Run {REDISTIL} again.", "warning"))
    return vectors
