"""The grounding check: numbers, names and promises an answer states but its source document does not."""

from pathlib import Path

import pytest
from faq_fixtures import CAREER_DOC, write_faq, write_material

from admissionsbot.core.grounding import Document, claims, find_justifications, ungrounded
from admissionsbot.core.knowledge import check_faq, load_knowledge

REPO = Path(__file__).resolve().parents[1]
MATERIAL = REPO.parent / "shared" / "material"
DOC = Document(CAREER_DOC)


def entry(entry_id, answer, source="career-after-graduation.txt", kind="answer", comments=""):
    """One FAQ entry as YAML; `comments` are extra lines inside it (indented like its keys)."""
    alternates = "".join(f"    - {entry_id.replace('-', ' ')} phrasing number {n}\n" for n in range(5))
    return (f"- id: {entry_id}\n  kind: {kind}\n  question: {entry_id.replace('-', ' ')}?\n"
            f"  alternates:\n{alternates}  answer: >-\n    {answer}\n{comments}  source: {source}\n")


PLANTED = {  # entry id -> (answer, the invention the check must name)
    "tuition-figure": ("Tuition is $25,000 per year.", "$25,000"),
    "placement-rate": ("95% of graduates find jobs in the industry.", "95%"),
    "internship-promise": ("Every student completes two paid internships before graduation.", "every student"),
    "famous-studio": ("Our graduates often intern at Abbey Road Studios.", "Abbey Road Studios"),
}
GROUNDED = {  # answers in our own words that state only what the document says
    "salary": "Once established, some music producers make upwards of $100,000 a year.",
    "demand": "Graduates of music production schools are always in high demand, and studios around the world "
              "need professionals.",
    "internship-pay": "Honestly, many internships are unpaid or the pay is very low: that's to be expected.",
    "program": "F.I.R.S.T. Institute offers a Recording Arts and Show Production program.",
    "competition": "Every year, more and more candidates join the pool of applicants.",
    "projects": "You'll complete all of your group and individual projects and even an internship or two.",
}


def faq_text(extra=""):
    parts = [entry(i, a) for i, (a, _) in PLANTED.items()] + [entry(i, a) for i, a in GROUNDED.items()]
    staff = entry("tuition-handoff", "Placement is guaranteed for every student; tuition is $25,000 at Abbey Road.",
                  source="admissions-team", kind="handoff")
    return "".join(parts) + staff + extra


def check(tmp_path, text, strict=False, material=True):
    faq = write_faq(tmp_path / "faq", text)
    kb, problems = check_faq(faq, write_material(tmp_path / "material") if material else None, strict=strict)
    return kb, problems, faq / "faq.yaml"


def line_of(text, entry_id):
    return text.splitlines().index(f"- id: {entry_id}") + 1


# -- what counts as a claim -------------------------------------------------------------------------------------

def test_numbers_names_and_promises_are_the_claims():
    text = ("Tuition is $25,000 per year and 95% of graduates find jobs. Every student completes two paid "
            "internships at Abbey Road Studios, guaranteed.")
    assert {(c.text, c.kind) for c in claims(text)} == {
        ("$25,000", "amount"), ("95%", "percentage"), ("two", "number"), ("every student", "promise"),
        ("Abbey Road Studios", "name"), ("guaranteed", "promise"),
    }


def test_ordinary_words_and_sentence_starts_are_not_claims():
    # paraphrase is free; a capital at a sentence start is English, not a name; "one" is a pronoun here
    text = ("Honestly, many internships are unpaid. Absolutely: studios both large and small take interns. "
            "Having done one helps. I'm sure you'll like it, and we're all about it.")
    assert claims(text) == []


@pytest.mark.parametrize("answer", [
    "some make upwards of $100,000 a year",  # the source says "$100,000+"
    "up to $100k a year",
    "100,000 dollars a year",
    "an internship or two",
    "an internship or 2",  # digits and number words are the same number
    "Studios hire graduates",  # stems: studio / studios
    "F.I.R.S.T. Institute offers a Recording Arts and Show Production program",
    "graduates are always in high demand",
    "every year more candidates apply",
    "the top music producers earn the most",
    "You'll finish all of your projects",  # "all of your group and individual projects"
    "The Recording Arts program",  # "The" starts the sentence; the name is "Recording Arts"
])
def test_what_the_document_says_is_grounded(answer):
    assert ungrounded(answer, DOC) == []


@pytest.mark.parametrize(("answer", "terms"), [
    ("Tuition is $25,000 per year.", ["$25,000"]),
    ("95 percent of graduates find jobs", ["95 percent"]),
    ("The program lasts 18 months.", ["18"]),
    ("Internships pay $2 an hour.", ["$2"]),  # "two" is in the document, but not as an amount
    ("Job placement is guaranteed.", ["placement", "guaranteed"]),
    ("All graduates get hired.", ["all graduates"]),
    ("Many alumni work at Sony in Los Angeles.", ["Sony", "Los Angeles"]),
    ("SAE offers the same course.", ["SAE"]),  # an acronym at a sentence start is still a name
    ("Abbey Road Studios takes our interns.", ["Abbey Road Studios"]),
    ("Some tour with the U.S. Navy Band.", ["U.S. Navy Band"]),  # "U.S." does not end the sentence
])
def test_inventions_are_not_grounded(answer, terms):
    assert [c.text for c in ungrounded(answer, DOC)] == terms


def test_synonyms_apply_as_in_the_matcher():
    doc = Document("All graduates are welcome.", {"grads": "graduate", "graduates": "graduate"})
    assert ungrounded("all grads", doc, {"grads": "graduate"}) == []
    assert [c.text for c in ungrounded("all grads", Document("All graduates are welcome."))] == ["all grads"]


def test_justification_comments_are_parsed_with_line_column_term_and_reason():
    text = ('- id: a\n  # grounded: "$25,000" — the 2026 fee sheet\n  # grounded: "Sony"\n'
            "  # grounded: Sony, no quotes\n  # a plain comment\n")
    good, bad = find_justifications(text)
    assert [(j.line, j.column, j.term, j.reason) for j in good] == [(2, 2, "$25,000", "the 2026 fee sheet"),
                                                                   (3, 2, "Sony", "")]
    assert [(line, column) for line, column, _ in bad] == [(4, 2)]


# -- through check_faq: file, line, entry -----------------------------------------------------------------------

def test_planted_inventions_are_reported_with_file_line_and_entry(tmp_path):
    text = faq_text()
    kb, problems, path = check(tmp_path, text)
    grounding = [p for p in problems if p.from_material]
    assert kb is not None  # warnings, not errors: the FAQ still loads
    assert {(p.entry_id, p.line) for p in grounding} == {(i, line_of(text, i)) for i in PLANTED}
    for entry_id, (_, term) in PLANTED.items():
        [message] = [str(p) for p in grounding if p.entry_id == entry_id]
        assert message.startswith(f"{path}:{line_of(text, entry_id)}: warning: entry '{entry_id}': answer states")
        assert f'"{term}", which career-after-graduation.txt does not' in message
        assert f'# grounded: "{term}" — <why it is true>' in message  # says how to justify it
    assert set(kb.warnings) >= set(grounding)


def test_strict_makes_grounding_warnings_errors(tmp_path):
    kb, problems, _ = check(tmp_path, faq_text(), strict=True)
    assert kb is None
    grounding = [p for p in problems if p.from_material]
    assert len(grounding) == len(PLANTED) and {p.severity for p in grounding} == {"error"}
    with pytest.raises(Exception, match="Abbey Road Studios"):
        load_knowledge(tmp_path / "faq", tmp_path / "material", strict=True)


def test_no_grounding_without_material(tmp_path):
    kb, problems, _ = check(tmp_path, faq_text(), material=False)
    assert kb is not None and problems == []


def test_a_justification_silences_exactly_its_term(tmp_path):
    answer = "Tuition is $25,000 per year, and interns train at Abbey Road Studios."
    comments = '  # grounded: "$25,000" — the 2026 fee sheet, approved by the director\n'
    text = entry("fee", answer, comments=comments)
    kb, problems, _ = check(tmp_path, text)
    assert [p.message.split(",")[0] for p in problems] == ['answer states the name "Abbey Road Studios"']
    assert kb is not None and not any("$25,000" in str(p) for p in problems)
    # the same comment on another entry does not silence that entry's $25,000
    kb, problems, _ = check(tmp_path, text + entry("other", "Housing costs $25,000."))
    assert [p.entry_id for p in problems if "$25,000" in p.message] == ["other"]


def test_justification_comments_that_do_not_count_are_warnings(tmp_path):
    text = (
        entry("fee", "Tuition is $25,000 per year.", comments='  # grounded: "$25,000"\n')
        + '# grounded: "Sony" — at column 0: between entries, in none\n'
        + entry("stale", "Some make upwards of $100,000 a year.", comments='  # grounded: "$100,000" — old habit\n')
        + entry("bad-form", "Studios hire graduates.", comments="  # grounded: studios, I think\n")
        + entry("staff", "Tuition is $25,000.", source="admissions-team", kind="handoff",
                comments='  # grounded: "$25,000" — fee sheet\n')
    )
    kb, problems, _ = check(tmp_path, text)
    by_line = {p.line: (p.entry_id, p.message) for p in problems}
    orphan = text.splitlines().index('# grounded: "Sony" — at column 0: between entries, in none') + 1
    assert "outside any entry" in by_line[orphan][1] and by_line[orphan][0] is None
    fee_comment = text.splitlines().index('  # grounded: "$25,000"') + 1
    assert by_line[fee_comment] == ("fee", by_line[fee_comment][1]) and "gives no reason" in by_line[fee_comment][1]
    assert any(p.entry_id == "fee" and '"$25,000"' in p.message and "answer states" in p.message for p in problems)
    assert any(p.entry_id == "stale" and "justifies nothing" in p.message for p in problems)
    assert any(p.entry_id == "bad-form" and 'write a justification as  # grounded: "<term>"' in p.message
               for p in problems)
    assert any(p.entry_id == "staff" and "not checked against a document" in p.message for p in problems)
    assert len(problems) == 6 and {p.severity for p in problems} == {"warning"}


def test_a_comment_indented_into_the_answer_is_an_error_even_without_material(tmp_path):
    text = entry("fee", 'Tuition is $25,000.\n    # grounded: "$25,000" — fee sheet')
    kb, problems, _ = check(tmp_path, text, material=False)
    assert kb is None
    assert "entry 'fee': the answer text contains '# grounded:'" in str(problems[0])


def test_an_unreadable_document_is_one_error(tmp_path):
    faq = write_faq(tmp_path / "faq", entry("salary", "Yes.") + entry("internship-pay", "No."))
    (tmp_path / "material").mkdir()
    (tmp_path / "material" / "career-after-graduation.txt").write_bytes(b"\xff\xfe caf\xe9")
    kb, problems = check_faq(faq, tmp_path / "material")
    assert kb is None and len(problems) == 1  # once for the document, not once per entry citing it
    assert "entry 'salary': cannot read" in str(problems[0]) and "as UTF-8 text" in str(problems[0])


@pytest.mark.skipif(not MATERIAL.is_dir(), reason="the shared material folder is not next to the repository")
def test_shipped_faq_states_nothing_its_sources_do_not():
    """Every shipped answer is grounded, or each remaining term is justified by a comment in its entry."""
    kb, problems = check_faq(REPO / "faq", MATERIAL, strict=True)
    assert [str(p) for p in problems if p.from_material] == []
    assert kb is not None
