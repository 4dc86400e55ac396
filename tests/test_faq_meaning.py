"""An FAQ's word-vector table (faq/_meaning.vectors): optional, checked, never a reason not to start."""

from __future__ import annotations

import random
from pathlib import Path

from faq_fixtures import write_faq

from admissionsbot.cli import main
from admissionsbot.core.answering import Answerer
from admissionsbot.core.faq_meaning import MEANING_FILE
from admissionsbot.core.faq_watch import FaqWatch
from admissionsbot.core.knowledge import check_faq, load_knowledge
from admissionsbot.core.meaning import TOKEN, dump_vectors


def faq_words(directory: Path) -> list[str]:
    kb = load_knowledge(directory)
    return sorted({w for _, text in kb.phrasings() for w in TOKEN.findall(text.lower())})


def write_table(directory: Path, words: list[str], dims: int = 8) -> Path:
    rng = random.Random(5)
    path = directory / MEANING_FILE
    dump_vectors(path, words, [1.0] * len(words), [[rng.randint(-127, 127) for _ in range(dims)] for _ in words])
    return path


def test_a_faq_without_a_table_matches_on_strings(tmp_path):
    kb = load_knowledge(write_faq(tmp_path))
    assert kb.vectors is None and kb.warnings == ()
    assert Answerer(kb).matcher.meaning is None


def test_a_table_covering_the_phrasings_is_loaded_and_used(tmp_path):
    faq = write_faq(tmp_path)
    write_table(faq, faq_words(faq))
    kb = load_knowledge(faq)
    assert kb.vectors is not None and kb.warnings == ()
    answerer = Answerer(kb)
    assert answerer.matcher.meaning is not None
    answerer.reload(load_knowledge(write_faq(tmp_path / "plain")))  # a reload takes the new FAQ's table (none)
    assert answerer.matcher.meaning is None


def test_phrasing_words_missing_from_the_table_are_named(tmp_path):
    faq = write_faq(tmp_path)
    words = faq_words(faq)
    write_table(faq, [w for w in words if w not in {"internship", "internships", "tour"}])
    kb, problems = check_faq(faq)
    assert kb is not None and kb.vectors is not None
    [warning] = [str(p) for p in problems]
    assert "warning" in warning and f"{MEANING_FILE}" in warning
    assert "3 word(s) of the phrasings are not in it ('internship', 'internships', 'tour')" in warning
    assert "distill_meaning.py" in warning


def test_a_damaged_table_is_a_warning_and_the_faq_still_loads(tmp_path, capsys):
    faq = write_faq(tmp_path)
    path = write_table(faq, faq_words(faq))
    path.write_bytes(path.read_bytes()[:-5])
    kb = load_knowledge(faq)  # no FaqError: students are answered on strings meanwhile
    assert kb.vectors is None
    [warning] = [str(p) for p in kb.warnings]
    assert warning.startswith(f"{path}: warning: ") and "cut short or damaged" in warning
    assert "Matching on strings only" in warning
    assert main(["faq", "check", str(faq)]) == 0
    out = capsys.readouterr().out
    assert "cut short or damaged" in out and "1 warning(s)" in out and "Traceback" not in out


def test_faq_check_says_which_table_it_read(tmp_path, capsys):
    faq = write_faq(tmp_path)
    write_table(faq, faq_words(faq))
    assert main(["faq", "check", str(faq)]) == 0
    out = capsys.readouterr().out
    assert f"Meaning: {len(faq_words(faq))} words in {MEANING_FILE}." in out


def test_the_watch_reloads_when_only_the_table_changes(tmp_path):
    faq = write_faq(tmp_path)
    answerer = Answerer(load_knowledge(faq))
    watch = FaqWatch(answerer, faq)
    assert watch.check() is False and answerer.matcher.meaning is None
    write_table(faq, faq_words(faq))  # a table distilled for this FAQ arrives: no YAML changed
    assert watch.check() is True and answerer.matcher.meaning is not None
    (faq / MEANING_FILE).unlink()
    assert watch.check() is True and answerer.matcher.meaning is None
