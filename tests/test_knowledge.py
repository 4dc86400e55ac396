"""FAQ loading and `faq check` problems: each names file, line and entry."""

from pathlib import Path

import pytest
from faq_fixtures import TINY_FAQ, write_faq, write_material

from admissionsbot.core.knowledge import FaqError, check_faq, load_knowledge
from admissionsbot.core.models import EntryKind

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
    assert any("entry 'careers': phrasing 'Are internships paid?' also appears in entry 'internship-pay'" in p
               for p in problems)


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


@pytest.mark.parametrize(
    "source", ["../../etc/passwd", "/etc/passwd", "docs/career.txt", "..\\career.txt", "..", "C:career.txt"]
)
def test_source_must_be_a_plain_file_name_even_without_material(tmp_path, source):
    write_faq(tmp_path, TINY_FAQ.replace("source: career-after-graduation.txt", f"source: '{source}'", 1))
    kb, problems = check_faq(tmp_path)
    assert kb is None
    assert [str(p).split(";")[0] for p in problems] == [
        f"{tmp_path / 'faq.yaml'}:1: error: entry 'internship-pay': 'source' must be a document's file name, "
        "like career-after-graduation.txt"
    ]


def test_a_path_out_of_the_material_folder_is_rejected_even_when_it_reaches_a_file(tmp_path):
    material = write_material(tmp_path / "material")
    sneaky = f"../{material.name}/career-after-graduation.txt"  # resolves to a real document
    write_faq(tmp_path / "faq", TINY_FAQ.replace("source: career-after-graduation.txt", f"source: {sneaky}", 1))
    kb, problems = check_faq(tmp_path / "faq", material)
    assert kb is None and len(problems) == 1
    assert "entry 'internship-pay': 'source' must be a document's file name" in str(problems[0])
    assert f"'{sneaky}' is a path" in str(problems[0])


def test_a_missing_material_folder_is_one_problem_not_one_per_entry(tmp_path):
    write_faq(tmp_path / "faq")
    for missing in (tmp_path / "nope", tmp_path / "faq" / "faq.yaml"):  # absent, or a file rather than a folder
        kb, problems = check_faq(tmp_path / "faq", missing)
        assert kb is None
        assert [str(p) for p in problems] == [f"{missing}: error: material folder not found."]


def test_answer_entries_must_cite_a_document_not_the_admissions_team(tmp_path):
    write_faq(tmp_path / "faq", TINY_FAQ.replace("source: career-after-graduation.txt", "source: admissions-team", 1))
    assert check_faq(tmp_path / "faq")[0] is not None  # without the material there is nothing to compare with
    kb, problems = check_faq(tmp_path / "faq", write_material(tmp_path / "material"))
    assert [str(p).split(";")[0] for p in problems] == [
        f"{tmp_path / 'faq' / 'faq.yaml'}:1: error: entry 'internship-pay': 'answer' entries must cite a document "
        f"in {tmp_path / 'material'}"
    ]
    assert problems[0].from_material


def test_sources_file_gives_titles_and_is_not_read_as_entries(tmp_path):
    write_faq(tmp_path, TINY_FAQ)
    (tmp_path / "_sources.yaml").write_text(
        '# titles\ncareer-after-graduation.txt: "Life after graduation"\nadmissions-team: the admissions team\n'
    )
    kb, problems = check_faq(tmp_path)
    assert problems == [] and kb is not None
    assert kb.source_title("career-after-graduation.txt") == "Life after graduation"
    assert kb.source_title("admissions-team") == "the admissions team"
    assert kb.source_title("brochure.pdf") == ""  # no title: callers show nothing, never the file name
    assert load_knowledge(write_faq(tmp_path / "bare")).source_title("career-after-graduation.txt") == ""


def test_sources_file_errors_name_file_and_line(tmp_path):
    write_faq(tmp_path, TINY_FAQ)
    path = tmp_path / "_sources.yaml"
    path.write_text(
        'career-after-graduation.txt: "Life after graduation"\n'
        "../../etc/passwd: Secrets\n"
        "career-after-graduation.txt: Again\n"
        "admissions-team: ''\n"
        f"brochure.pdf: {'x' * 101}\n"
    )
    kb, problems = check_faq(tmp_path)
    assert kb is None
    assert [str(p) for p in problems] == [
        f"{path}:2: error: '../../etc/passwd' is a path (file names have no / or \\); each key is a 'source' as "
        "entries write it (a file name or admissions-team).",
        f"{path}:3: error: 'career-after-graduation.txt' is listed twice (first at line 1).",
        f"{path}:4: error: the title of 'admissions-team' must be non-empty text.",
        f"{path}:5: error: the title of 'brochure.pdf' is 101 characters; at most 100.",
    ]
    path.write_text("- career-after-graduation.txt\n")
    assert "_sources.yaml:1: error: expected one line per source" in str(check_faq(tmp_path)[1][0])


def test_sources_file_warns_about_missing_and_unused_titles(tmp_path):
    write_faq(tmp_path, TINY_FAQ)
    (tmp_path / "_sources.yaml").write_text('brochure.pdf: "The 2025 brochure"\n')
    kb, problems = check_faq(tmp_path)
    assert kb is not None and {p.severity for p in problems} == {"warning"}
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'faq.yaml'}:1: warning: entry 'internship-pay': source 'career-after-graduation.txt' has no "
        f"title in {tmp_path / '_sources.yaml'} (cited by 3 entries); students will see no source under these answers.",
        f"{tmp_path / '_sources.yaml'}:1: warning: no entry cites 'brochure.pdf'; fix the name or remove the line.",
    ]  # admissions-team is cited only by hand-off and small-talk entries, which show no source


def test_shipped_sources_have_titles_students_can_read():
    kb = load_knowledge(REPO / "faq")
    assert not [str(w) for w in kb.warnings if "_sources.yaml" in str(w) or "title" in w.message]
    for entry in kb.entries:
        if entry.kind in (EntryKind.ANSWER, EntryKind.TOUR):
            title = kb.source_title(entry.source)
            assert title and title != entry.source and not title.endswith(".txt"), entry.id


# -- hostile or broken YAML: a problem with file and line, never a traceback (issue 11) -------------
ENTRY = """\
- id: e1
  question: Do internships pay?
  alternates: [a b, c d, e f, g h, i j]
  answer: {answer}
  source: admissions-team
"""
BOMB = ("- id: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"  k{i}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
                  for i in range(8)))


@pytest.mark.parametrize(("text", "line", "message"), [
    ("- !!! zebra\n", 1, "tags such as '!!!'"),
    ("- !include other.yaml\n", 1, "tags such as '!include'"),
    ("- !!python/name:os.system\n", 1, "tags such as '!!python/name:os.system'"),
    (ENTRY.format(answer="!!int abc"), 4, "tags such as '!!int'"),
    (ENTRY.format(answer="!!binary '***'"), 4, "tags such as '!!binary'"),
    ("- ? [a, b]\n  : c\n", 1, "a key must be plain text"),
    ("- " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested more than"),
    (BOMB, 1, "anchors (&a) are not allowed"),
    (ENTRY.format(answer="2024-13-45"), 4, "a value cannot be read"),
])
def test_hostile_yaml_is_a_problem_with_a_line(tmp_path, text, line, message):
    write_faq(tmp_path, text, "faq.yaml")
    kb, problems = check_faq(tmp_path)
    assert kb is None
    assert any(p.line == line and message in p.message and p.file.endswith("faq.yaml") for p in problems), \
        [str(p) for p in problems]


def test_synonyms_with_a_list_as_key_or_an_alias_are_problems(tmp_path):
    faq = write_faq(tmp_path / "faq")
    (faq / "_synonyms.yaml").write_text("? [a, b]\n: [c]\n")
    _, problems = check_faq(faq)
    assert any("_synonyms.yaml:1" in str(p) and "a key must be plain text" in p.message for p in problems)
    (faq / "_synonyms.yaml").write_text("pay: &x [salary]\nwage: *x\n")
    _, problems = check_faq(faq)
    assert any("anchors (&x)" in p.message for p in problems)


def test_an_entry_id_too_long_for_a_button_is_refused(tmp_path):
    _, problems = problems_for(tmp_path, ENTRY.format(answer="x").replace("id: e1", f"id: {'a' * 71}"))
    assert any("entry '" + "a" * 71 + "': 'id' is 71 characters; at most 70 fit the buttons" in p for p in problems)
    kb, problems = problems_for(tmp_path, ENTRY.format(answer="x").replace("id: e1", f"id: {'a' * 70}"))
    assert kb is not None and problems == []


def test_an_unreadable_faq_folder_says_so(tmp_path, monkeypatch):
    import os

    faq = write_faq(tmp_path / "faq")

    def denied(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "listdir", denied)  # root ignores file modes, so the refusal is simulated
    kb, problems = check_faq(faq)
    assert kb is None and [p.message for p in problems] == ["FAQ directory cannot be read: Permission denied."]


def test_near_duplicates_by_index_find_what_all_pairs_find():
    """The indexed check must not miss what the quadratic scan found (seeded realistic phrasings)."""
    import random

    from rapidfuzz import fuzz, process

    from admissionsbot.core.faq_checks import near_duplicates

    rng = random.Random(20261201)
    words = "do internships pay how much is tuition can i visit the campus what jobs after graduating".split()
    keys = list(dict.fromkeys(" ".join(rng.choice(words) for _ in range(rng.randint(3, 9))) for _ in range(1500)))
    keys += [k.replace("tuition", "tution").replace("campus", "campuss") for k in keys[:300]]
    keys = list(dict.fromkeys(keys))
    exhaustive = {(i, i + 1 + j) for i, k in enumerate(keys)
                  for _, _, j in process.extract(k, keys[i + 1:], scorer=fuzz.ratio, score_cutoff=92, limit=None)}
    assert len(exhaustive) > 50
    assert {(i, j) for i, j, _ in near_duplicates(keys)} == exhaustive
