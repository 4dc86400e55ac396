"""FAQ loading and `faq check` problems: each names file, line and entry."""

from pathlib import Path

import pytest

from admissionsbot.core.knowledge import FaqError, check_faq, load_knowledge
from admissionsbot.core.models import EntryKind

from faq_fixtures import TINY_FAQ, write_faq

REPO = Path(__file__).resolve().parents[1]
MATERIAL = REPO.parent / "shared" / "material"


def problems_for(tmp_path, text, name="faq.yaml"):
    write_faq(tmp_path, text, name)
    kb, problems = check_faq(tmp_path)
    return kb, [str(p) for p in problems]


def test_tiny_faq_loads_with_kinds_and_locations(tmp_path):
    kb = load_knowledge(write_faq(tmp_path))
    assert [e.id for e in kb.entries] == ["internship-pay", "careers", "tuition-cost", "campus-tour", "greeting"]
    assert kb.entry("tuition-cost").kind is EntryKind.HANDOFF
    assert kb.entry("careers").kind is EntryKind.ANSWER  # default kind
    assert kb.entry("careers").line == 11
    assert kb.entry("careers").file.endswith("faq.yaml")
    assert len(list(kb.phrasings())) == 30


def test_shipped_faq_passes_check_with_sources_in_material():
    kb, problems = check_faq(REPO / "faq", MATERIAL if MATERIAL.is_dir() else None)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert kb is not None
    kinds = {e.kind for e in kb.entries}
    assert kinds == set(EntryKind)
    for entry in kb.entries:
        assert len(entry.alternates) >= 5, entry.id
        if entry.kind in (EntryKind.ANSWER, EntryKind.TOUR):
            assert entry.source == "career-after-graduation.txt", entry.id


def test_every_shipped_file_loads_on_its_own(tmp_path):
    for path in sorted((REPO / "faq").glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        one = tmp_path / path.stem
        write_faq(one, path.read_text(encoding="utf-8"), path.name)
        assert load_knowledge(one).entries, path.name


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    kb, problems = problems_for(tmp_path, "- id: a\n  question: [unclosed\n  answer: x\n")
    assert kb is None
    assert len(problems) == 1 and "faq.yaml:" in problems[0] and "YAML syntax" in problems[0]


def test_tab_indentation_is_named(tmp_path):
    kb, problems = problems_for(tmp_path, "- id: a\n\tquestion: q\n")
    assert kb is None
    assert problems == [f"{tmp_path / 'faq.yaml'}:2: error: tab in indentation; YAML needs spaces."]


def test_unknown_missing_and_empty_keys_name_the_entry(tmp_path):
    text = TINY_FAQ.replace("  answer: Producer, recording engineer, mix engineer and more.\n", "  answr: typo\n")
    text = text.replace("question: Do internships pay?", "question: ''")
    kb, problems = problems_for(tmp_path, text)
    assert kb is None
    joined = "\n".join(problems)
    assert "faq.yaml:11: error: entry 'careers': unknown key 'answr'" in joined
    assert "faq.yaml:11: error: entry 'careers': missing key 'answer'." in joined
    assert "faq.yaml:1: error: entry 'internship-pay': 'question' must be non-empty text." in joined


def test_too_few_alternates_bad_kind_and_bad_id(tmp_path):
    text = """\
- id: Bad_ID
  kind: faq
  question: q
  alternates: [one, two]
  answer: a
  source: s
"""
    kb, problems = problems_for(tmp_path, text)
    joined = "\n".join(problems)
    assert "lowercase slug" in joined and "at least 5 phrasings (has 2)" in joined and "'kind' must be one of" in joined


def test_duplicate_ids_across_files_point_at_the_first(tmp_path):
    write_faq(tmp_path, TINY_FAQ, "a.yaml")
    dup = TINY_FAQ.split("- id: careers")[0].replace("are internships paid", "are internships paid at all")
    kb, problems = problems_for(tmp_path, dup.replace("internship-pay", "internship-pay"), "b.yaml")
    joined = "\n".join(problems)
    assert "b.yaml:1: error: entry 'internship-pay': duplicate id; first defined at" in joined
    assert "a.yaml:1" in joined


def test_same_phrasing_in_two_entries_is_an_error(tmp_path):
    text = TINY_FAQ.replace("    - what jobs can graduates get\n", "    - Are internships paid?\n")
    kb, problems = problems_for(tmp_path, text)
    assert kb is None
    assert any("entry 'careers': phrasing 'Are internships paid?' also appears in entry 'internship-pay'" in p for p in problems)


def test_near_duplicate_phrasings_are_a_warning_not_an_error(tmp_path):
    text = TINY_FAQ.replace("    - what jobs can graduates get\n", "    - are internships unpaid\n")
    kb, problems = problems_for(tmp_path, text)
    assert kb is not None
    assert any("warning" in p and "near-duplicate" in p and "internship-pay" in p for p in problems)
    assert kb.warnings


def test_source_must_name_a_material_document(tmp_path):
    write_faq(tmp_path / "faq", TINY_FAQ.replace("source: career-after-graduation.txt", "source: brochure.pdf", 1))
    (tmp_path / "material").mkdir()
    (tmp_path / "material" / "career-after-graduation.txt").write_text("x")
    kb, problems = check_faq(tmp_path / "faq", tmp_path / "material")
    assert kb is None
    assert any("entry 'internship-pay': 'source' names 'brochure.pdf'" in str(p) for p in problems)


def test_synonyms_file_is_validated(tmp_path):
    write_faq(tmp_path, TINY_FAQ)
    (tmp_path / "_synonyms.yaml").write_text("salary: [pay, wage]\nmoney: [pay]\nstudio: Two Words\n")
    kb, problems = check_faq(tmp_path)
    joined = "\n".join(map(str, problems))
    assert "'pay' is a synonym of both 'salary' and 'money'" in joined
    assert "synonyms of 'studio' must be a list" in joined


def test_missing_directory_empty_file_and_non_list(tmp_path):
    assert "FAQ directory not found" in str(check_faq(tmp_path / "nope")[1][0])
    assert "no FAQ files" in str(check_faq(tmp_path)[1][0])
    kb, problems = problems_for(tmp_path, "")
    assert "file is empty" in problems[0]
    kb, problems = problems_for(tmp_path, "id: x\n")
    assert "expected a list of entries" in problems[0]


def test_load_knowledge_raises_with_every_error(tmp_path):
    write_faq(tmp_path, "- id: a\n  question: q\n")
    with pytest.raises(FaqError) as info:
        load_knowledge(tmp_path)
    assert len(info.value.problems) == 3  # alternates, answer, source missing
    assert "missing key 'alternates'" in str(info.value)
