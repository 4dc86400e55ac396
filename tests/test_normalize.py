"""The one text normaliser: what questions and phrasings look like before matching."""

import pytest

from admissionsbot.core.normalize import STOP_WORDS, normalize, synonym_map, tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What's the deadline?", "what is the deadline"),
        ("I don't know", "i do not know"),
        ("I'd like a tour", "i would like a tour"),
        ("we're late, they've left, you'll see, I'm here", "we are late they have left you will see i am here"),
        ("can't won't", "can not will not"),
        ("dont whats im", "do not what is i am"),  # apostrophes students skip
        ("It\u2019s here", "it is here"),  # curly apostrophe from a phone keyboard
        ("the studio's gear", "the studio gear"),  # possessive, not "studio is"
    ],
)
def test_contractions_are_expanded(text, expected):
    assert normalize(text) == expected


def test_ambiguous_words_are_not_expanded():
    # "id" (an ID card), "ill" and "its" are real words, not contractions
    assert normalize("my ID is ill its") == "my id is ill its"


def test_case_accents_and_compatibility_forms_fold():
    assert normalize("Café RÉSUMÉ naïve") == "cafe resume naive"
    assert normalize("ＦＵＬＬ ﬁnance") == "full finance"
    assert normalize("Straße") == "strasse"


def test_punctuation_and_emoji_separate_words():
    assert normalize("tour?!pls...🎧now") == "tour please now"
    assert normalize("e-mail / phone") == "e mail phone"


@pytest.mark.parametrize("text", ["😀🎉🔥", "👋🏽", "?!...", "   \t\n ", "", "\u200b\u200d\ufeff"])
def test_input_without_words_normalises_to_empty(text):
    assert normalize(text) == ""
    assert tokenize(text) == []


def test_zero_width_characters_vanish_inside_words():
    assert normalize("intern\u200bships") == "internships"
    assert normalize("\ufefftour") == "tour"


def test_control_characters_separate_words():
    assert normalize("a\x00b\x07c\td\ne") == "a b c d e"


def test_never_raises_on_odd_strings():
    for text in ["\ud800 lone surrogate", "\x00" * 50, "\U0010ffff", "'" * 10, "_a_b_", "ǅ ǈ"]:
        assert isinstance(normalize(text), str)
    assert normalize("'''") == ""
    assert normalize("_a_b_") == "a b"


def test_long_input_is_handled():
    text = "internships pay? " * 600  # ~10,000 characters
    assert len(text) >= 10_000
    out = normalize(text)
    assert out.split() == ["internships", "pay"] * 600


def test_synonyms_map_variant_words_to_canonical_words():
    syn = synonym_map({"internship": ["Intern", "coop"], "tour": ["visit"], "tuition": ["fees"]})
    assert syn == {"intern": "internship", "coop": "internship", "visit": "tour", "fees": "tuition"}
    assert normalize("Any COOP or intern? Can I visit? Fees!", syn) == "any internship or internship can i tour tuition"
    # without the map nothing is rewritten
    assert normalize("Any coop?") == "any coop"


def test_synonyms_are_single_words():
    """The FAQ loader accepts one lowercase word per synonym; a form that still normalises to
    several words (or none) could never stand for one question word, so it is left out."""
    syn = synonym_map({"internship": ["co-op", "a$b", "coop"], "financial aid": ["finaid"], "tour": ["!!"]})
    assert syn == {"coop": "internship"}
    assert normalize("co op", syn) == "co op"


def test_synonym_map_rejects_a_variant_under_two_canonicals():
    with pytest.raises(ValueError, match="pay"):
        synonym_map({"salary": ["pay"], "tuition": ["pay"]})


def test_synonym_map_skips_empty_and_self_variants():
    assert synonym_map({"tour": ["tour", "", "😀", "Tours"]}) == {"tours": "tour"}


def test_tokenize_keeps_stop_words_for_the_matcher_to_weigh():
    assert tokenize("Do you offer internships?") == ["do", "you", "offer", "internships"]
    assert {"do", "you", "the", "what"} <= STOP_WORDS
    assert "internships" not in STOP_WORDS and "tour" not in STOP_WORDS
