"""The quote consent rule (questionnaire.services.quote_consent): published only if consented, named or
anonymous; only a named quote says who said it. The same for a library's quote and an interview's."""

import pytest

from questionnaire.codes import QUOTE_CONSENT
from questionnaire.models import Answer, Interview, InterviewQuote, Municipality, Question, QuoteConsent
from questionnaire.services.quote_consent import may_name, may_publish, named_q, published_q
from results.quotes import round_quotes
from results.tallies import round_results
from tests.conftest import ACTIVE_ANSWERS, answer_all, make_invitation, make_library, make_round


@pytest.mark.parametrize(
    ("consent", "published", "named"),
    [
        (QuoteConsent.NAMED, True, True),
        (QuoteConsent.ANONYMOUS, True, False),
        (QuoteConsent.NOT_FOR_PUBLICATION, False, False),
        ("", False, False),  # no answer: no consent
        (None, False, False),
        ("Named", False, False),  # nothing but the exact codes
    ],
)
def test_only_a_consented_quote_is_published_and_only_a_named_one_names(consent, published, named):
    assert may_publish(consent) is published
    assert may_name(consent) is named


def test_the_questionnaires_consent_choices_are_the_interviews_consents(db):
    question = Question.objects.get(questionnaire=make_round().questionnaire, code=QUOTE_CONSENT)
    assert [choice.code for choice in question.choices.all()] == list(QuoteConsent.values)


@pytest.fixture
def consented(db):
    """A round with a library's quote and an interview's quote under each of the three consents."""
    round_ = make_round()
    for consent in QuoteConsent.values:
        library = make_library(name=f"Bibliotek {consent}", municipality=Municipality.objects.get(code="101"))
        answers = {**ACTIVE_ANSWERS, "quote": f"Spørgeskema {consent}", "quote_consent": consent}
        answer_all(make_invitation(round=round_, library=library), answers)
        interview = Interview.objects.create(
            round=round_, name=f"Person {consent}", title="Leder", municipality=Municipality.objects.get(code="791")
        )
        InterviewQuote.objects.create(interview=interview, text=f"Interview {consent}", consent=consent)
    return round_


def test_the_conditions_pick_the_same_rows_from_answers_and_interview_quotes(consented):
    answers = Answer.objects.filter(response__invitation__round=consented, question__code=QUOTE_CONSENT)
    assert set(answers.filter(published_q("choice__code")).values_list("choice__code", flat=True)) == {
        "named",
        "anonymous",
    }
    assert set(answers.filter(named_q("choice__code")).values_list("choice__code", flat=True)) == {"named"}
    quotes = InterviewQuote.objects.filter(interview__round=consented).values_list("text", flat=True)
    assert set(quotes.filter(published_q())) == {"Interview named", "Interview anonymous"}
    assert set(quotes.filter(named_q())) == {"Interview named"}


def test_the_results_publish_by_the_rule(consented):
    published = {quote.text: quote for quote in round_quotes(round_results(consented)).quotes}
    assert set(published) == {"Spørgeskema named", "Spørgeskema anonymous", "Interview named", "Interview anonymous"}
    named, anonymous = published["Spørgeskema named"], published["Spørgeskema anonymous"]
    assert (named.named, named.name, named.place) == (True, "Hanne Jensen", "Bibliotek named")
    assert (anonymous.named, anonymous.name, anonymous.title, anonymous.place) == (False, "", "", "")
    assert published["Interview named"].name == "Person named"
    assert published["Interview anonymous"].name == ""
