# ruff: noqa: F811 - the interviews fixture is test_report.py's, imported
"""The report's own words (results.models): staff's findings with figures, quotes where staff file them,
the seed's theme pages, advice only where chosen, and the preview in the browser.

The round is conftest.py's `survey` with test_report.py's `interviews`; the files are read back
as test_report.py reads them (pypdf, python-pptx).
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from questionnaire.models import InterviewQuote, Question, Response
from results.models import ReportFinding, ReportQuote, ReportSection, ReportText
from results.report import report_build
from results.report.pdf import report_html
from results.report.texts import figure_values, validate_report_text
from results.tallies import NO_FILTERS, Filters, round_results
from tests.conftest import answers, count_queries, make_response, make_staff, make_survey
from tests.results.test_report import (  # noqa: F401 - the fixture
    ANONYMOUS_INTERVIEW_QUOTE,
    add_interviews,
    deck,
    interviews,
    pdf_pages,
    plain,
    slide_texts,
)

COPENHAGEN_QUOTE = "Borgerne er glade for de lange åbningstider."
AARHUS_ADVICE = "@SUM(1+1)"  # Aarhus Hovedbibliotek's advice in the survey round
THEME_HEADINGS = (
    "Organisation og struktur",
    "Bruger- og borgerundersøgelser",
    "At ingen flytter ind hos hinanden",
    "Gør det politisk interessant",
    "Fælles uddannelsesforløb og læring",
    "Vi kan stadig ikke tilbyde sagsbehandling",
    "Synergier og fordele",
)


def response_of(round_, library: str) -> Response:
    return Response.objects.get(invitation__round=round_, invitation__library__name=library)


def deck_texts(round_) -> list[str]:
    return [plain(slide_texts(slide)) for slide in deck(round_).slides]


def page_with(pages: list[str], heading: str) -> str:
    return next(page for page in pages if heading in page)


KICKER = "DILEMMAER OG UDFORDRINGER "


def theme_page(pages: list[str], label: str) -> str:
    """Return a dilemma theme's part of the PDF: from its kicker and heading to the next theme's kicker.

    The themes follow one another down the pages, so a page may hold several.
    """
    text = " ".join(pages)
    start = text.index(f"{KICKER}{label}")
    end = text.find(KICKER, start + len(KICKER))
    return text[start : end if end != -1 else len(text)]


FINDING = "Af 7 besvarelser fra 9 inviterede (78 %) bruger 4 model 3. Skriv { og } som tegn."


def edit(round_):
    """Do what staff do to *round_*'s report: write findings, move a quote, leave one out, choose advice."""
    text = ReportText.objects.create(round=round_, author="Skrevet af Knudsen Syd for DB")
    ReportFinding.objects.create(
        report_text=text,
        section="headline",
        heading="{andel_aktive} er i gang",
        text="Af {antal_besvarelser} besvarelser fra {antal_inviterede} inviterede ({svarprocent}) bruger "
        "{antal_model_3} model 3. Skriv {{ og }} som tegn.",
    )
    ReportFinding.objects.create(report_text=text, section="economy", heading="", text="")  # empty: left out
    ReportFinding.objects.create(
        report_text=text,
        section="organisation",
        heading="En fordel at det ligger i samme forvaltning",
        text="{andel_samme_forvaltning} hører under samme forvaltning.",
    )
    ReportQuote.objects.create(
        round=round_, response=response_of(round_, "Københavns Biblioteker"), answer="quote", theme="synergies"
    )
    anonymous = InterviewQuote.objects.get(text=ANONYMOUS_INTERVIEW_QUOTE)
    ReportQuote.objects.create(round=round_, interview_quote=anonymous, theme="")  # not in the report
    ReportQuote.objects.create(
        round=round_, response=response_of(round_, "Aarhus Hovedbibliotek"), answer="advice", theme="advice"
    )


@dataclass
class Built:
    """The report's files before and after staff's edits, made once for this module."""

    pdf: list[str]
    deck: list[str]
    edited_pdf: list[str]
    edited_deck: list[str]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Built:
    """Make the round of test_report.py (survey and interviews, one more library that answered the theme
    questions), its files, staff's edits and the files again, once; then roll the data back."""
    with django_db_blocker.unblock(), transaction.atomic():
        round_ = add_interviews(make_survey()).round
        make_response(
            round_,
            answers(same_department="yes", same_committee="no", user_survey="yes", colocation="shared_counter"),
            name="Næstved Bibliotek",
            municipality="370",
        )
        made = {"pdf": plain(pdf_pages(round_)), "deck": deck_texts(round_)}
        edit(round_)
        made |= {"edited_pdf": plain(pdf_pages(round_)), "edited_deck": deck_texts(round_)}
        transaction.set_rollback(True)
    return Built(**made)


# --- Findings ---------------------------------------------------------------------------------


def test_a_finding_names_figures_by_placeholder_in_the_pdf_and_the_deck(built):
    assert "Skrevet af Knudsen Syd for DB" in built.edited_pdf[0]
    about = page_with(built.edited_pdf, "71 % er i gang")
    assert FINDING in about and "{" + "andel_aktive}" not in " ".join(built.edited_pdf)
    assert "Skrevet af Knudsen Syd for DB" in built.edited_deck[0]
    assert FINDING in page_with(built.edited_deck, "71 % er i gang")
    # A theme's finding stands on its page, its figure filled in.
    organisation = theme_page(built.edited_pdf, "Organisation og struktur")
    assert "En fordel at det ligger i samme forvaltning 100 % hører under samme forvaltning." in organisation
    slide = page_with(built.edited_deck, "En fordel at det ligger i samme forvaltning")
    assert "100 % hører under samme forvaltning." in slide and "Organisation og struktur" not in slide
    # Nobody's words before staff wrote them.
    assert "er i gang" not in " ".join(built.pdf) and "Skrevet af" not in built.deck[0]


def test_a_report_nobody_edited_has_no_findings(interviews):
    report = report_build(round=interviews.round, filters=NO_FILTERS)
    assert report.findings == {} and report.author == ""


def test_next_rounds_figures_fill_the_same_words(survey):
    values = figure_values(round_results(survey.round))
    assert plain(values["andel_aktive"]) == "67 %" and values["antal_model_3"] == "3"
    values = figure_values(round_results(survey.other_round))
    assert plain(values["andel_aktive"]) == "100 %" and values["antal_model_6"] == "1"


def test_an_unknown_placeholder_is_refused_in_danish_through_the_admin(manager_client, survey):
    url = reverse("admin:results_reporttext_add")
    data = {
        "round": survey.round.pk,
        "author": "",
        "findings-TOTAL_FORMS": "1",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
        "findings-0-section": "about",
        "findings-0-heading": "Hele {andel_aktiv} er i gang",
        "findings-0-text": "",
    }
    response = manager_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ukendt felt {andel_aktiv}. Du kan bruge: {runde}, {antal_inviterede}" in page
    assert not ReportText.objects.exists()
    data["findings-0-heading"] = "Hele {andel_aktive} er i gang"
    assert manager_client.post(url, data).status_code == 302
    assert ReportFinding.objects.get().heading == "Hele {andel_aktive} er i gang"


def test_a_placeholder_is_only_a_word_in_braces():
    for text in ("{andel_aktive:>999999}", "{andel_aktive.__class__}", "{0}", "{andel_aktive"):
        with pytest.raises(Exception) as refused:
            validate_report_text(text)
        assert refused.value.code in ("placeholder_format", "unclosed_brace"), text
    validate_report_text("{antal_model_3} og {{bogstaveligt}}")


# --- Quotes where staff file them -------------------------------------------------------------------


def test_a_quote_staff_moved_stands_under_its_new_theme_only(built):
    culture = "Kulturforskelle og forskellige opfattelser af service"
    # Before: the suggestion, the challenge most libraries met.
    assert COPENHAGEN_QUOTE in theme_page(built.pdf, culture)
    pages = built.edited_pdf
    assert COPENHAGEN_QUOTE in theme_page(pages, "Synergier og fordele")
    assert COPENHAGEN_QUOTE not in theme_page(pages, culture)
    assert sum(page.count(COPENHAGEN_QUOTE) for page in pages) == 1
    assert ANONYMOUS_INTERVIEW_QUOTE in " ".join(built.pdf) and ANONYMOUS_INTERVIEW_QUOTE not in " ".join(pages)

    moved = [slide for slide in built.edited_deck if COPENHAGEN_QUOTE in slide]
    assert len(moved) == 1 and "Synergier og fordele" in moved[0] and culture not in moved[0]
    assert ANONYMOUS_INTERVIEW_QUOTE not in " ".join(built.edited_deck)


def test_staff_file_quotes_in_the_admin(manager_client, interviews):
    round_ = interviews.round
    text = ReportText.objects.create(round=round_)
    url = reverse("admin:results_reporttext_quotes", args=[text.pk])
    page = manager_client.get(url).content.decode()
    copenhagen = response_of(round_, "Københavns Biblioteker").pk
    aarhus = response_of(round_, "Aarhus Hovedbibliotek").pk
    assert "Som foreslået: Kulturforskelle" in page and f'name="theme_r{copenhagen}"' in page
    assert f'name="theme_advice_r{aarhus}"' in page and "Ikke i rapporten" in page
    response = manager_client.post(
        url,
        {f"theme_r{copenhagen}": "colocation", f"position_r{copenhagen}": "2", f"theme_advice_r{aarhus}": "advice"},
    )
    assert response.status_code == 302
    filed = {(row.response_id, row.answer): (row.theme, row.position) for row in ReportQuote.objects.all()}
    assert filed == {(copenhagen, "quote"): ("colocation", 2), (aarhus, "advice"): ("advice", 0)}
    # Back to the suggestion.
    manager_client.post(url, {f"theme_r{copenhagen}": "suggested"})
    assert not ReportQuote.objects.filter(answer="quote").exists()


def test_readers_see_the_filing_but_may_not_change_it(reader_client, interviews):
    text = ReportText.objects.create(round=interviews.round)
    url = reverse("admin:results_reporttext_quotes", args=[text.pk])
    assert reader_client.get(url).status_code == 200
    assert reader_client.post(url, {}).status_code == 403


# --- The seed's themes ------------------------------------------------------------------------------


def test_every_seed_theme_has_its_page_with_its_figure(built):
    for heading in THEME_HEADINGS:
        assert theme_page(built.pdf, heading), heading
        assert any(heading in slide for slide in built.deck), heading
    organisation = theme_page(built.pdf, "Organisation og struktur")
    assert "100 % Bibliotek og borgerservice i samme forvaltning (1 af 1 bibliotek)" in organisation
    assert "0 % Under samme politiske udvalg (0 af 1 bibliotek)" in organisation
    organisation = page_with(built.deck, "Organisation og struktur")
    assert (
        "100 %" in organisation and "Bibliotek og borgerservice i samme forvaltning (1 af 1 bibliotek)" in organisation
    )


def test_a_theme_the_questionnaire_did_not_ask_has_no_page(interviews):
    Question.objects.filter(section__questionnaire=interviews.round.questionnaire, code="user_survey").delete()
    report = report_build(round=interviews.round, filters=NO_FILTERS)
    keys = [theme.key for theme in report.themes]
    assert "user_survey" not in keys and "organisation" in keys
    # A quote staff filed there still stands, without a figure.
    ReportQuote.objects.create(
        round=interviews.round,
        response=response_of(interviews.round, "Københavns Biblioteker"),
        answer="quote",
        theme="user_survey",
    )
    report = report_build(round=interviews.round, filters=NO_FILTERS)
    (theme,) = [theme for theme in report.themes if theme.key == "user_survey"]
    assert theme.figures == () and [quote.text for quote in theme.quotes] == [COPENHAGEN_QUOTE]


# --- Advice and plan comments: only where staff chose them -----------------------------------------


def test_advice_is_printed_only_once_staff_chose_it(built):
    assert AARHUS_ADVICE not in " ".join(built.pdf) and AARHUS_ADVICE not in " ".join(built.deck)
    assert "1 bibliotek gav råd; regnearket har dem alle." in page_with(built.pdf, "Råd til andre biblioteker")
    advice = page_with(built.edited_pdf, "Råd til andre biblioteker")
    assert AARHUS_ADVICE in advice and "Aarhus Hovedbibliotek" in advice
    assert any(AARHUS_ADVICE in slide and "Aarhus Hovedbibliotek" in slide for slide in built.edited_deck)


# --- The preview --------------------------------------------------------------------------------------


def test_the_preview_is_the_reports_html_for_staff_only(reader_client, survey):
    url = reverse("results:report-preview", args=[survey.round.slug])
    assert Client().get(url).status_code == 302
    nobody = Client()
    nobody.force_login(make_staff(username="uden-rettigheder"))
    assert nobody.get(url).status_code == 403
    text = ReportText.objects.create(round=survey.round, author="<script>alert(2)</script>")
    ReportFinding.objects.create(report_text=text, section="about", heading="<b>fed</b> {andel_aktive}", text="x")
    response = reader_client.get(url + "?region=midtjylland")
    assert response.status_code == 200
    body = response.content.decode()
    assert body == report_html(report_build(round=survey.round, filters=Filters(region="midtjylland")))
    assert "<script>alert(2)" not in body and "&lt;script&gt;alert(2)&lt;/script&gt;" in body
    assert "&lt;b&gt;fed&lt;/b&gt; 100" in body
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_the_results_page_and_the_admin_link_the_preview(reader_client, manager_client, survey):
    url = reverse("results:report-preview", args=[survey.round.slug])
    assert url in reader_client.get(reverse("results:round", args=[survey.round.slug])).content.decode()
    text = ReportText.objects.create(round=survey.round)
    page = manager_client.get(reverse("admin:results_reporttext_change", args=[text.pk])).content.decode()
    assert url in page and reverse("admin:results_reporttext_quotes", args=[text.pk]) in page


# --- Queries -------------------------------------------------------------------------------------------


def test_report_build_makes_as_many_queries_however_much_staff_wrote(interviews):
    round_ = interviews.round
    plain_count = count_queries(lambda: report_build(round=round_, filters=NO_FILTERS))
    text = ReportText.objects.create(round=round_, author="DB")
    for section in ("about", "economy", "synergies", "advice"):
        ReportFinding.objects.create(report_text=text, section=section, heading="{andel_aktive}", text="Tekst")
    for library in ("Københavns Biblioteker", "Aarhus Hovedbibliotek"):
        response = response_of(round_, library)
        ReportQuote.objects.create(round=round_, response=response, answer="quote", theme="economy")
        ReportQuote.objects.create(round=round_, response=response, answer="advice", theme="advice")
    for number in range(3):
        make_response(round_, answers(advice=f"Råd {number}"), name=f"Bibliotek {number}", municipality="101")
    assert count_queries(lambda: report_build(round=round_, filters=NO_FILTERS)) == plain_count


def test_the_admin_offers_a_finding_for_every_section_not_written_yet(manager_client, survey):
    page = manager_client.get(reverse("admin:results_reporttext_add")).content.decode()
    assert 'name="findings-TOTAL_FORMS" value="14"' in page
    text = ReportText.objects.create(round=survey.round)
    ReportFinding.objects.create(report_text=text, section="about", heading="Om", text="")
    page = manager_client.get(reverse("admin:results_reporttext_change", args=[text.pk])).content.decode()
    assert 'name="findings-TOTAL_FORMS" value="14"' in page and 'name="findings-INITIAL_FORMS" value="1"' in page
    # Saved as offered: the sections left empty make no rows.
    data = {"round": survey.round.pk, "author": "DB", "findings-INITIAL_FORMS": "1", "findings-TOTAL_FORMS": "14"}
    data.update({"findings-MIN_NUM_FORMS": "0", "findings-MAX_NUM_FORMS": "1000"})
    finding = ReportFinding.objects.get()
    data.update({"findings-0-id": finding.pk, "findings-0-report_text": text.pk, "findings-0-section": "about"})
    data.update({"findings-0-heading": "Om", "findings-0-text": ""})
    sections = [section for section in ReportSection.values if section != "about"]
    for index, section in enumerate(sections, start=1):
        data.update(
            {f"findings-{index}-section": section, f"findings-{index}-heading": "", f"findings-{index}-text": ""}
        )
    data["findings-13-heading"] = "Råd: {antal_besvarelser}"
    response = manager_client.post(reverse("admin:results_reporttext_change", args=[text.pk]), data)
    assert response.status_code == 302
    assert set(ReportFinding.objects.values_list("section", "heading")) == {
        ("about", "Om"),
        (sections[-1], "Råd: {antal_besvarelser}"),
    }


def test_a_quote_filed_under_a_section_stands_at_its_top(interviews):
    round_ = interviews.round
    ReportQuote.objects.create(
        round=round_, response=response_of(round_, "Københavns Biblioteker"), answer="quote", theme="economy"
    )
    pages = plain(pdf_pages(round_))
    economy = page_with(pages, "Økonomiske ressourcer")
    assert COPENHAGEN_QUOTE in economy and "(Citat Borgerservicechef Hanne Jensen, Københavns Biblioteker)" in economy
    assert sum(page.count(COPENHAGEN_QUOTE) for page in pages) == 1
    slides = [slide for slide in deck_texts(round_) if COPENHAGEN_QUOTE in slide]
    assert len(slides) == 1 and "Økonomiske ressourcer" in slides[0]
