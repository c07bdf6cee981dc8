"""The page counter: honest about the way ahead, and never jumping as the library moves."""

from types import SimpleNamespace

import pytest

from questionnaire.conditions import possible_lengths
from questionnaire.models import QuestionKind
from questionnaire.progress import PageCounter, page_counter
from questionnaire.services.definition import install_default
from questionnaire.services.questionnaire import questionnaire_sections


@pytest.fixture
def sections(db):
    return questionnaire_sections(install_default())


NOT_STARTED = ["library", "status", "plans"]
ACTIVE = ["library", "status", "models", "services", "staff", "economy", "organisation", "experience"]


def walk(sections, answers_on_the_way, codes):
    """Return the counter on each page of *codes* and then the review, answers given as the library goes."""
    answers, counters = {}, []
    for code in codes:
        counters.append(page_counter(sections, answers, code))
        answers.update(answers_on_the_way.get(code, {}))
    counters.append(page_counter(sections, answers))
    return counters


def test_a_library_that_has_not_started_is_told_both_totals_until_it_answers_then_its_own(sections):
    counters = walk(sections, {"status": {"status": "not_started"}}, NOT_STARTED)
    assert [counter.text for counter in counters] == [
        "Side 1 af 4 eller 9, afhængigt af jeres svar",
        "Side 2 af 4 eller 9, afhængigt af jeres svar",
        "Side 3 af 4",
        "Side 4 af 4",
    ]
    assert [counter.percent for counter in counters] == [0, 12, 67, 100]


def test_a_library_with_activities_is_told_both_totals_until_it_answers_then_its_own(sections):
    counters = walk(sections, {"status": {"status": "active"}}, ACTIVE)
    texts = [counter.text for counter in counters]
    assert texts[:2] == ["Side 1 af 4 eller 9, afhængigt af jeres svar", "Side 2 af 4 eller 9, afhængigt af jeres svar"]
    assert texts[2:] == [f"Side {page} af 9" for page in range(3, 10)]


@pytest.mark.parametrize(("status", "codes"), [("not_started", NOT_STARTED), ("active", ACTIVE)])
def test_the_counter_never_jumps(sections, status, codes):
    counters = walk(sections, {"status": {"status": status}}, codes)
    final = counters[-1].totals[0]
    for before, after in zip(counters, counters[1:], strict=False):
        assert after.page == before.page + 1
        assert set(after.totals) <= set(before.totals)  # a total once named is only ever narrowed down
        assert after.percent >= before.percent
    assert all(final in counter.totals for counter in counters)  # the real total was always among those named
    # Going back once the way is known: the same total on every page, never the other way's.
    answers = {"status": status}
    assert {page_counter(sections, answers, code).totals for code in codes} == {(final,)}


def test_the_review_page_is_the_last_page(sections):
    assert page_counter(sections, {"status": "not_started"}) == PageCounter(4, (4,))


# A made-up questionnaire, to try what the default one does not have.


def question(code, kind=QuestionKind.SINGLE, choices=(), required=False, show_if=None):
    return SimpleNamespace(
        code=code,
        kind=kind,
        has_choices=bool(choices),
        choices=SimpleNamespace(all=lambda: [SimpleNamespace(code=choice) for choice in choices]),
        required=required,
        show_if=show_if,
    )


def section(code, *questions, show_if=None):
    return SimpleNamespace(code=code, show_if=show_if, questions=SimpleNamespace(all=lambda: list(questions)))


def test_several_totals_are_told_as_a_range():
    # An optional multiple choice: none, either or both of two sections may follow.
    made_up = [
        section("start", question("topics", QuestionKind.MULTI, ["a", "b", "c"])),
        section("a", question("about_a"), show_if={"question": "topics", "any_of": ["a"]}),
        section("b", question("about_b"), show_if={"question": "topics", "any_of": ["b"]}),
    ]
    assert possible_lengths(made_up, {}) == (1, 2, 3)
    assert page_counter(made_up, {}, "start").text == "Side 1 af 2 til 4, afhængigt af jeres svar"
    assert page_counter(made_up, {"topics": ["b"]}, "start").text == "Side 1 af 3"
    assert page_counter(made_up, {"topics": ["a", "b"]}, "b").text == "Side 3 af 4"


def test_a_question_shown_by_another_answer_can_decide_the_way():
    made_up = [
        section(
            "start",
            question("has_plans", choices=["yes", "no"], required=True),
            question(
                "when", choices=["soon", "later"], required=True, show_if={"question": "has_plans", "any_of": ["yes"]}
            ),
        ),
        section("soon", question("how"), show_if={"question": "when", "any_of": ["soon"]}),
    ]
    assert possible_lengths(made_up, {}) == (1, 2)
    assert possible_lengths(made_up, {"has_plans": "no"}) == (1,)
    assert possible_lengths(made_up, {"has_plans": "yes"}) == (1, 2)
    assert possible_lengths(made_up, {"has_plans": "no", "when": "soon"}) == (1,)  # a hidden answer decides nothing
    assert possible_lengths(made_up, {"has_plans": "yes", "when": "soon"}) == (2,)
