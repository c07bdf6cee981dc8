"""The report (results.report, its PDF and its PowerPoint): the hand-made round's figures, read back from the files.

The PDF is read with pypdf, the deck with python-pptx. Besides the `survey` round of
conftest.py, `interviews` adds two interviews and a case story:

| interviewee                         | place                   | quotes                                              |
|-------------------------------------|-------------------------|-----------------------------------------------------|
| Marianne Karlsen, Borgerservicechef | Hjørring (municipality) | named (training_time, culture); one not published   |
| Per Månson, Bibliotekar             | Haderslev Bibliotekerne | anonymous (expectations); named (a free theme)      |

Case story: "Synergier og fordele i samarbejdet", model 3, Aabenraa.
"""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction
from openpyxl import load_workbook
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_FILL, MSO_PATTERN
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu, Inches, Length, Pt
from pypdf import PdfReader

from questionnaire.models import CaseStory, Interview, InterviewQuote, Municipality, QuoteConsent
from results.excel import workbook_write
from results.quotes import INTERVIEW, round_quotes
from results.report import kroner_words, report_build, report_filename, report_write
from results.report.measure import LINE, points, text_width, widest_word, wrap
from results.tallies import NO_FILTERS, SOURCE, Filters, round_results
from tests.conftest import HOSTILE_QUOTE, make_library, make_round, make_survey, municipality

NAMED_INTERVIEW_QUOTE = "I dag ville vi have lagt mere energi i et uddannelsesforløb!"
ANONYMOUS_INTERVIEW_QUOTE = "Vi bruger megen tid på at forklare, hvad vi ikke kan gøre."
SECRET_INTERVIEW_QUOTE = "Det her må ingen læse."
FREE_THEME_QUOTE = "Gør det politisk interessant!"


def add_interviews(survey):
    """Add the two interviews and the case story of the table above to *survey*'s round; return *survey*."""
    round_ = survey.round
    hjoerring = Interview.objects.create(
        round=round_,
        name="Marianne Karlsen",
        title="Borgerservicechef",
        municipality=Municipality.objects.get(code="860"),
        held_on=date(2009, 9, 10),
        interviewer="Hanne Marie Knudsen",
        notes="Ring igen på 12 34 56 78.",
    )
    InterviewQuote.objects.create(
        interview=hjoerring, text=NAMED_INTERVIEW_QUOTE, consent=QuoteConsent.NAMED, themes=["training_time", "culture"]
    )
    InterviewQuote.objects.create(
        interview=hjoerring, text=SECRET_INTERVIEW_QUOTE, consent=QuoteConsent.NOT_FOR_PUBLICATION, themes=["culture"]
    )
    haderslev = Interview.objects.create(
        round=round_,
        name="Per Månson",
        title="Bibliotekar",
        library=make_library(name="Haderslev Bibliotekerne", municipality=Municipality.objects.get(code="510")),
        held_on=date(2009, 9, 24),
    )
    InterviewQuote.objects.create(
        interview=haderslev, text=ANONYMOUS_INTERVIEW_QUOTE, consent=QuoteConsent.ANONYMOUS, themes=["expectations"]
    )
    InterviewQuote.objects.create(
        interview=haderslev, text=FREE_THEME_QUOTE, consent=QuoteConsent.NAMED, other_themes="Politisk opbakning, Tid"
    )
    CaseStory.objects.create(
        round=round_,
        title="Synergier og fordele i samarbejdet",
        model="model_3",
        municipality=Municipality.objects.get(code="580"),
        text="At kunne henvise til hinanden\n- Borgerservice og biblioteket hjælper hinanden i de skæve åbningstider",
    )
    return survey


@pytest.fixture
def interviews(survey):
    return add_interviews(survey)


@dataclass
class Built:
    """The report's files, made once for this module (making them takes seconds each)."""

    survey_pdf: list[str]  # of the survey round alone
    survey_deck: object
    nordjylland_deck: object
    pdf: list[str]  # of the survey round with the interviews
    deck: object
    empty_deck: object  # of a round with no answers


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Built:
    """Make the round's data and every report file the tests read, once; then roll the data back.

    The files are made from the same data the function-scoped `survey` and `interviews`
    fixtures make, in a transaction that is rolled back before any test runs, so nothing is
    left for the tests of this module or any other.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        survey = make_survey()
        made = {
            "survey_pdf": pdf_pages(survey.round),
            "survey_deck": deck(survey.round),
            "nordjylland_deck": deck(survey.round, Filters(region="nordjylland")),
        }
        add_interviews(survey)
        made |= {"pdf": pdf_pages(survey.round), "deck": deck(survey.round), "empty_deck": deck(make_round(slug="tom"))}
        transaction.set_rollback(True)
    return Built(**made)


@pytest.fixture
def register(db):
    """The 98 municipalities, reloaded if a transactional test flushed them."""
    municipality()


def plain(value):
    """Return *value* (a string or strings) with Danish non-breaking spaces ("45\xa0%") as plain ones."""
    if isinstance(value, str):
        return value.replace("\xa0", " ")
    return type(value)(plain(item) for item in value)


def pdf_pages(round_, filters=NO_FILTERS) -> list[str]:
    handle = io.BytesIO()
    report_write(round=round_, filters=filters, handle=handle, format="pdf")
    reader = PdfReader(io.BytesIO(handle.getvalue()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def deck(round_, filters=NO_FILTERS):
    handle = io.BytesIO()
    report_write(round=round_, filters=filters, handle=handle, format="pptx")
    return Presentation(io.BytesIO(handle.getvalue()))


def slide_texts(slide) -> str:
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    return " ".join(" ".join(texts).split())


def charts(presentation):
    return [shape.chart for slide in presentation.slides for shape in slide.shapes if shape.has_chart]


# --- Content --------------------------------------------------------------------------------


def test_kroner_in_words():
    assert plain(kroner_words(20_000)) == "20.000 kr."
    assert plain(kroner_words(30_000_000)) == "30 millioner kr."
    assert plain(kroner_words(1_000_000)) == "1 million kr."
    assert plain(kroner_words(1_500_000)) == "1,5 millioner kr."


def test_report_holds_the_rounds_figures(interviews):
    report = report_build(round=interviews.round, filters=Filters())
    assert plain([figure.value for figure in report.about[:4]]) == ["8", "6", "75 %", "2"]
    assert plain(report.headline_text) == (
        "67 % af besvarelserne har borgerserviceaktiviteter",
        "33 % af besvarelserne er ikke påbegyndt arbejdet endnu",
    )
    counts = {page.heading: page.count for page in report.models}
    assert counts == {
        "Model 1": 1,
        "Model 2": 0,
        "Model 3": 3,
        "Model 4": 1,
        "Model 5": 0,
        "Model 6": 0,
        "Anden model": 1,
    }
    model_3 = next(page for page in report.models if page.code == "model_3")
    assert model_3.description == "Udvalgte opgaver lægges over i bibliotekerne og udføres af biblioteksfolk"
    assert model_3.libraries == ("Aarhus Hovedbibliotek", "Københavns Biblioteker", "Lystrup Bibliotek")
    assert plain([figure.value for figure in model_3.figures]) == ["3", "75 %", "50 %"]
    assert model_3.note == "Kun 3 biblioteker: læs andelene med forsigtighed."
    assert model_3.services.bars[0].label == "Pas" and model_3.services.bars[0].count == 3
    assert model_3.example_library == "Københavns Biblioteker"
    assert model_3.example_services == ("Sygesikring", "Pas", "Skattespørgsmål")
    assert [case.heading for case in model_3.cases] == ["Case fra Aabenraa: Synergier og fordele i samarbejdet"]
    # Three libraries gave an amount: fewer than SMALL_GROUP_MIN (5), so no amount is printed.
    assert report.economy.range_text == "Beløbene vises ikke"
    assert plain([figure.value for figure in report.economy.figures]) == ["–", "–", "–", "–", "3"]
    assert report.economy.note.startswith("Kun 3 biblioteker har oplyst et beløb.")
    assert report.not_started.count == 2


def test_few_libraries_are_flagged(survey, settings):
    report = report_build(round=survey.round, filters=Filters(region="midtjylland"))
    assert report.headline.base == 2 < settings.SMALL_GROUP_MIN
    assert report.headline.note == "Kun 2 biblioteker: læs andelene med forsigtighed."
    assert report.scope == "Region Midtjylland"


def test_quotes_follow_consent_and_themes(interviews):
    quotes = round_quotes(round_results(interviews.round))
    texts = [quote.text for quote in quotes.quotes]
    assert SECRET_INTERVIEW_QUOTE not in texts and "Må ikke bruges." not in texts
    culture = quotes.theme("culture")  # the challenge most libraries met: 3 of 4
    assert culture.count == 3
    assert [(quote.text, quote.credit) for quote in culture.quotes] == [
        (
            "Borgerne er glade for de lange åbningstider.",
            "Citat Borgerservicechef Hanne Jensen, Københavns Biblioteker",
        ),
        (HOSTILE_QUOTE, "Et bibliotek i Region Midtjylland"),
        (NAMED_INTERVIEW_QUOTE, "Citat Borgerservicechef Marianne Karlsen, Hjørring"),
    ]
    expectations = quotes.theme("expectations")
    assert [(quote.text, quote.credit, quote.source) for quote in expectations.quotes] == [
        (ANONYMOUS_INTERVIEW_QUOTE, "Citat fra et interview (anonymt)", INTERVIEW)
    ]
    free = quotes.theme("other:politisk opbakning")
    assert [(quote.text, quote.credit) for quote in free.quotes] == [
        (FREE_THEME_QUOTE, "Citat Bibliotekar Per Månson, Haderslev Bibliotekerne")
    ]
    # Each quote is filed once.
    filed = [quote.text for theme in quotes.themes for quote in theme.quotes]
    assert sorted(filed) == sorted(texts)


def test_interview_quotes_follow_filters(interviews):
    quotes = round_quotes(round_results(interviews.round, Filters(region="nordjylland")))
    assert [quote.text for quote in quotes.quotes] == [NAMED_INTERVIEW_QUOTE]
    quotes = round_quotes(round_results(interviews.round, Filters(kind="filial")))
    assert quotes.quotes == ()


# --- PDF --------------------------------------------------------------------------------------


@pytest.fixture
def pdf(built, db):
    return built.pdf


def test_pdf_names_the_source_and_number_on_every_page(pdf):
    assert len(pdf) >= 10
    for number, text in enumerate(pdf, start=1):
        assert SOURCE in text
        assert f"Side {number} af {len(pdf)}" in text


def test_pdf_holds_the_figures(pdf):
    text = " ".join(pdf)
    assert "Biblioteker og Borgerservice" in pdf[0] and "Biblioteker og borgerservice 2009" in pdf[0]
    assert "Knudsen Syd" in pdf[0]
    assert "67 % af besvarelserne har borgerserviceaktiviteter" in text
    assert "33 % af besvarelserne er ikke påbegyndt arbejdet endnu" in text
    assert "Oversigt over samarbejdsmodeller" in text
    for heading, count in (("Model 1", 1), ("Model 3", 3), ("Model 4", 1)):
        page = next(page for page in pdf if f"{heading} " in page and "Biblioteker, der bruger modellen" in page)
        assert f"{count} Biblioteker, der bruger modellen" in page
    assert "Beløbene vises ikke" in text and "Kun 3 biblioteker har oplyst et beløb" in text  # fewer than 5
    assert "420.000 kr." not in text
    assert "Case fra Aabenraa: Synergier og fordele i samarbejdet" in text


def test_pdf_credits_quotes_as_consented(pdf):
    text = " ".join(pdf)
    assert "(Citat Borgerservicechef Hanne Jensen, Københavns Biblioteker)" in text
    assert "(Citat Borgerservicechef Marianne Karlsen, Hjørring)" in text
    assert "(Et bibliotek i Region Midtjylland)" in text
    assert ANONYMOUS_INTERVIEW_QUOTE in text and "(Citat fra et interview (anonymt))" in text
    for hidden in (
        "Skjult Person",
        "Hemmelig stilling",
        "Må ikke bruges.",
        SECRET_INTERVIEW_QUOTE,
        "Per Månson, Bibliotekar",
    ):
        assert hidden not in text
    # Contact details never appear.
    assert "hanne@example.com" not in text and "12 34 56 78" not in text


def test_pdf_escapes_respondent_text(pdf):
    text = " ".join(pdf)
    assert "<script>alert(1)</script>" in text  # shown as text, not run or dropped


# --- PowerPoint -------------------------------------------------------------------------------


@pytest.fixture
def presentation(built, db):
    return built.deck


def test_deck_is_16_9_with_the_source_on_every_slide(presentation):
    assert (presentation.slide_width, presentation.slide_height) == (Emu(12192000), Emu(6858000))
    for number, slide in enumerate(presentation.slides, start=1):
        text = slide_texts(slide)
        assert SOURCE in text, number
        assert text.endswith(str(number)) or f" {number}" in text


GEOMETRY = re.compile(rb'\b(?:x|y|cx|cy)="([^"]*)"')


def shape_geometry(shapes):
    """Yield every shape's position and size, as python-pptx reads them back (groups opened)."""
    for shape in shapes:
        yield shape.left, shape.top, shape.width, shape.height
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from shape_geometry(shape.shapes)


@pytest.mark.parametrize("empty", [False, True])
def test_every_position_and_size_in_the_deck_is_an_integer(built, db, empty):
    presentation = built.empty_deck if empty else built.deck
    for slide in presentation.slides:
        values = GEOMETRY.findall(slide.part.blob)
        assert values and all(value.lstrip(b"-").isdigit() for value in values), set(values) - {
            value for value in values if value.lstrip(b"-").isdigit()
        }
        assert all(
            value is None or isinstance(value, int) for geometry in shape_geometry(slide.shapes) for value in geometry
        )


def test_libreoffice_opens_the_deck_and_prints_every_slide(presentation, tmp_path):
    """Another reader of the file format than python-pptx: LibreOffice converts the deck, every slide a page."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice not found; `make test` installs it (apt-get install libreoffice-impress).")
    path = tmp_path / "rapport.pptx"
    presentation.save(path)
    profile = (tmp_path / "profile").as_uri()  # its own profile: no lock shared with another run
    converted = subprocess.run(  # noqa: S603 - LibreOffice on a file this test wrote
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert converted.returncode == 0, converted.stderr
    assert len(PdfReader(tmp_path / "rapport.pdf").pages) == len(presentation.slides)


def test_the_deck_is_dbs_file(presentation):
    properties = presentation.core_properties
    assert properties.author == properties.last_modified_by == "Knudsen Syd og Danmarks Biblioteksforening"
    assert properties.title.startswith("Biblioteker og Borgerservice")


def test_deck_charts_are_native_with_the_figures(presentation):
    found = charts(presentation)
    assert len(found) >= 6
    headline = next(chart for chart in found if chart.chart_type == 5)  # PIE
    values = list(headline.plots[0].series[0].values)
    assert [round(value, 3) for value in values] == [0.667, 0.333]
    assert list(headline.plots[0].categories) == ["Har borgerserviceaktiviteter", "Er ikke påbegyndt endnu"]
    assert headline.plots[0].data_labels.number_format == "0 %"
    models = next(chart for chart in found if "Model 3" in list(chart.plots[0].categories))
    shares = dict(zip(models.plots[0].categories, models.plots[0].series[0].values, strict=True))
    assert shares["Model 3"] == 0.75 and shares["Model 1"] == 0.25


def test_deck_holds_the_figures_and_quotes(presentation):
    texts = [slide_texts(slide) for slide in presentation.slides]
    text = " ".join(texts)
    assert "67 % af besvarelserne har borgerserviceaktiviteter" in text
    model_3 = next(slide for slide in texts if "Model 3 " in slide and "Biblioteker, der bruger modellen" in slide)
    assert "3 Biblioteker, der bruger modellen" in model_3 and "Lystrup Bibliotek" in model_3
    assert "Beløbene vises ikke" in text and "Kun 3 biblioteker har oplyst et beløb" in text  # fewer than 5
    culture = next(
        slide for slide in texts if "Kulturforskelle og forskellige opfattelser af service" in slide and "”" in slide
    )
    assert "(Citat Borgerservicechef Hanne Jensen, Københavns Biblioteker)" in culture
    assert NAMED_INTERVIEW_QUOTE in culture and "(Citat Borgerservicechef Marianne Karlsen, Hjørring)" in culture
    assert "(Et bibliotek i Region Midtjylland)" in culture
    for hidden in ("Skjult Person", "Må ikke bruges.", SECRET_INTERVIEW_QUOTE, "hanne@example.com"):
        assert hidden not in text
    pictures = [shape for slide in presentation.slides for shape in slide.shapes if shape.shape_type == 13]
    assert not pictures  # the map is native shapes


def flattened(shapes):
    """Return every shape under *shapes*, into groups and their groups."""
    for shape in shapes:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from flattened(shape.shapes)


def test_deck_map_is_native_shapes_in_one_group(presentation, register):
    slide = next(slide for slide in presentation.slides if "Danmarkskortet" in slide_texts(slide))
    assert not [shape for shape in flattened(slide.shapes) if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    (group,) = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.GROUP]
    assert group.name == "Danmarkskortet"
    parts = {shape.name: shape for shape in group.shapes}
    assert set(parts) >= {"Hovedkort", "Hovedstadsområdet", "Bornholm", "Signaturforklaring", "Kommuner"}

    # One freeform shape per municipality, named after it (a copy in another area says which).
    freeforms = [shape for shape in flattened(group.shapes) if shape.shape_type == MSO_SHAPE_TYPE.FREEFORM]
    names = set(Municipality.objects.values_list("name", flat=True))
    by_name = {shape.name: shape for shape in freeforms if shape.name in names}
    assert len(by_name) == 98 == len([shape for shape in freeforms if shape.name in names])
    assert "København – Hovedkort" in {shape.name for shape in freeforms}
    aarhus, odense, frederiksberg, koege = (by_name[name] for name in ("Aarhus", "Odense", "Frederiksberg", "Køge"))
    assert aarhus in parts["Hovedkort"].shapes and frederiksberg in parts["Hovedstadsområdet"].shapes
    assert aarhus.fill.type == MSO_FILL.SOLID and aarhus.fill.fore_color.rgb == RGBColor(0x00, 0x9E, 0x73)  # model 3
    assert odense.fill.fore_color.rgb == RGBColor(0xF0, 0xE4, 0x42)  # another model
    assert frederiksberg.fill.fore_color.rgb == RGBColor(0xA0, 0xA0, 0xA0)  # not started
    assert koege.fill.type == MSO_FILL.PATTERNED  # no answer: hatched, on white
    assert koege.fill.pattern == MSO_PATTERN.WIDE_UPWARD_DIAGONAL and koege.fill.back_color.rgb == RGBColor(
        255, 255, 255
    )
    assert aarhus.line.width == Pt(0.4) and aarhus.line.color.rgb == RGBColor(0x4A, 0x4A, 0x4A)
    # Inside the slide, below its title and above its footer.
    for shape in freeforms:
        assert Inches(0.3) < shape.left and shape.left + shape.width < Inches(7.5), shape.name
        assert Inches(1.3) < shape.top and shape.top + shape.height < Inches(6.95), shape.name

    # Every number once, written in its area; the legend and the numbered list beside the map.
    numbers = [
        shape.text_frame.text
        for area in ("Hovedkort", "Hovedstadsområdet", "Bornholm")
        for shape in parts[area].shapes
        if shape.has_text_frame and shape.text_frame.text.isdigit()
    ]
    assert sorted(numbers, key=int) == [str(number) for number in range(1, 99)]
    legend = [shape.text_frame.text for shape in parts["Signaturforklaring"].shapes if shape.has_text_frame]
    assert "Bibliotekets primære model (antal kommuner)" in legend
    assert {"Model 3 (2)", "Model 1 (0)", "Anden model (1)", "Ikke påbegyndt (2)", "Intet svar (93)"} <= set(legend)
    swatches = {shape.name: shape for shape in parts["Signaturforklaring"].shapes if not shape.text_frame.text}
    assert swatches["Model 3 (2)"].fill.fore_color.rgb == RGBColor(0x00, 0x9E, 0x73)
    assert swatches["Intet svar (93)"].fill.type == MSO_FILL.PATTERNED
    key = " ".join(shape.text_frame.text for shape in parts["Kommuner"].shapes if shape.has_text_frame)
    assert "3 Aarhus" in key and "98 Ærø" in key
    credit = [shape.text_frame.text for shape in group.shapes if shape.has_text_frame]
    assert credit == ["Kommunegrænser: DAGI, Styrelsen for Dataforsyning og Infrastruktur"]


def test_deck_map_follows_the_region_filter(built, register):
    presentation = built.nordjylland_deck
    slide = next(slide for slide in presentation.slides if "Danmarkskortet" in slide_texts(slide))
    freeforms = [shape for shape in flattened(slide.shapes) if shape.shape_type == MSO_SHAPE_TYPE.FREEFORM]
    in_region = set(Municipality.objects.filter(region="nordjylland").values_list("name", flat=True))
    assert {shape.name for shape in freeforms if shape.name in in_region} == in_region
    outside = [shape for shape in freeforms if shape.name == "Uden for udvalget"]
    assert len(outside) == 98 - len(in_region) - 1  # Bornholm's inset is left out, as on the SVG
    assert outside[0].fill.fore_color.rgb == RGBColor(0xF1, 0xF3, 0xF5)
    groups = {shape.name for shape in slide.shapes[-1].shapes}
    assert "Hovedstadsområdet" not in groups and "Bornholm" not in groups


def test_filename():
    class Round:
        slug = "bs2009"

    assert (
        report_filename(Round, Filters(region="hovedstaden"), "pdf") == "borgerservice-bs2009-hovedstaden-rapport.pdf"
    )


def test_unknown_format(survey):
    with pytest.raises(ValueError):
        report_write(round=survey.round, filters=Filters(), handle=io.BytesIO(), format="docx")


def test_downloads_need_the_staff_right_and_keep_the_filters(reader_client, survey):
    from django.test import Client
    from django.urls import reverse

    url = reverse("results:report-pdf", args=["bs2009"])
    assert Client().get(url).status_code == 302  # to the admin login
    response = reader_client.get(url + "?region=midtjylland")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "borgerservice-bs2009-midtjylland-rapport.pdf" in response["Content-Disposition"]
    text = " ".join(PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text().split())
    assert "Region Midtjylland" in text
    response = reader_client.get(reverse("results:report-pptx", args=["bs2009"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.presentationml")
    assert Presentation(io.BytesIO(b"".join(response.streaming_content))).slides


def test_command_writes_either_format(survey, tmp_path):
    from django.core.management import CommandError, call_command

    call_command("report", "bs2009", "--output", str(tmp_path / "r.pptx"))
    assert Presentation(str(tmp_path / "r.pptx")).slides
    with pytest.raises(CommandError):
        call_command("report", "bs2009", "--output", str(tmp_path / "r.docx"))


def test_an_amount_resting_on_fewer_libraries_than_the_threshold_is_printed_nowhere(survey, built, settings, client):
    # The hand-made round has three amounts (20.000, 100.000 and 300.000 kr.): fewer than the default 5.
    results = round_results(survey.round, NO_FILTERS)
    money = results.resources
    assert money.withheld and (money.lowest, money.median, money.highest, money.total) == (None,) * 4
    note = "Kun 3 biblioteker har oplyst et beløb"

    text = " ".join(plain(built.survey_pdf))
    assert note in text and "420.000 kr." not in text and "300.000 kr." not in text
    deck_text = " ".join(slide_texts(slide) for slide in built.survey_deck.slides)
    assert note in plain(deck_text) and "420.000" not in deck_text
    workbook = io.BytesIO()
    workbook_write(round=survey.round, filters=NO_FILTERS, handle=workbook)
    economy = list(load_workbook(io.BytesIO(workbook.getvalue()))["Økonomi"].iter_rows(values_only=True))
    assert 420000 not in {cell for row in economy for cell in row} and any(note in str(row[0]) for row in economy)


# --- The deck's layout: text that fits, every chart label, full slides (issue 19) -------------


@pytest.fixture
def demo_presentation(db, settings):
    """The deck of `manage.py demo`'s round: forty answers, seven models, six themes of quotes."""
    from io import StringIO

    from django.core.management import call_command

    from questionnaire.models import Round

    settings.DEBUG = True  # the command makes demo data only there
    call_command("demo", stdout=StringIO())
    round_ = Round.objects.get(slug="demo")
    return round_, deck(round_)


def text_extent(shape):
    """Return (text width, text height) in points as results.report.measure estimates them, and the box's inner size."""
    frame = shape.text_frame
    inner_width = points(shape.width - frame.margin_left - frame.margin_right)
    inner_height = points(shape.height - frame.margin_top - frame.margin_bottom)
    widest, height, paragraphs = 0.0, 0.0, frame.paragraphs
    for index, paragraph in enumerate(paragraphs):
        runs = [run for run in paragraph.runs if run.text]
        if not runs:
            continue
        text = "".join(run.text for run in runs)
        size = max(run.font.size.pt for run in runs)
        bold = any(run.font.bold for run in runs)
        if frame.word_wrap is False:
            lines = [text]
        else:
            widest = max(widest, widest_word(text, size, bold=bold))
            lines = wrap(text, inner_width, size, bold=bold)
        widest = max(widest, *(text_width(line, size, bold=bold) for line in lines))
        line = paragraph.line_spacing.pt if isinstance(paragraph.line_spacing, Length) else size * LINE
        height += len(lines) * line
        if index < len(paragraphs) - 1 and paragraph.space_after is not None:
            height += paragraph.space_after.pt
    return widest, height, inner_width, inner_height


def text_shapes(presentation):
    for number, slide in enumerate(presentation.slides, start=1):
        for shape in flattened(slide.shapes):
            if shape.has_text_frame and shape.text_frame.text.strip():
                yield number, shape


def test_every_text_fits_its_box(presentation, demo_presentation):
    # The dates of the period ("21. november 2026 til 4. december 2026") ran out of their tile.
    for slides in (presentation, demo_presentation[1]):
        checked = 0
        for number, shape in text_shapes(slides):
            widest, height, inner_width, inner_height = text_extent(shape)
            assert widest <= inner_width + 0.5, (number, shape.text_frame.text, widest, inner_width)
            assert height <= inner_height + 1, (number, shape.text_frame.text, height, inner_height)
            checked += 1
        assert checked > 100
    about = next(slide for slide in demo_presentation[1].slides if "Svar indsendt" in slide_texts(slide))
    period = next(shape for shape in about.shapes if shape.has_text_frame and " til " in shape.text_frame.text)
    assert period.text_frame.paragraphs[0].runs[0].font.size < Pt(22)  # smaller than the other tiles' values


def bar_charts(presentation):
    return [(shape, shape.chart) for _, shape in chart_shapes(presentation) if shape.chart.chart_type == 57]


def chart_shapes(presentation):
    for number, slide in enumerate(presentation.slides, start=1):
        for shape in slide.shapes:
            if shape.has_chart:
                yield number, shape


def test_every_category_label_is_shown(presentation, demo_presentation):
    # PowerPoint dropped three of seven labels of a crowded chart: now none is skipped, and each fits its band.
    round_, demo = demo_presentation
    report = report_build(round=round_, filters=Filters())
    expected = [[bar.label for bar in page.services.bars] for page in report.models if page.services]
    found = []
    for slides in (presentation, demo):
        for shape, chart in bar_charts(slides):
            xml = chart._chartSpace.xml
            skips = [int(value) for value in re.findall(r'<c:tickLblSkip val="(\d+)"', xml)]
            assert skips == [1], skips
            categories = list(chart.plots[0].categories)
            assert len(categories) == len(list(chart.plots[0].series[0].values)) and all(categories)
            found.append(categories)
            # The labels' room (left of the plot area, placed by hand) holds every label at its size.
            size = Pt(int(re.search(r'<c:catAx>.*?<a:defRPr sz="(\d+)"', xml, re.S).group(1)) / 100).pt
            x = float(re.search(r'<c:manualLayout>.*?<c:x val="([\d.]+)"', xml, re.S).group(1))
            h = float(re.search(r'<c:manualLayout>.*?<c:h val="([\d.]+)"', xml, re.S).group(1))
            room, band = points(shape.width) * x - 12, points(shape.height) * h / len(categories)
            for label in categories:
                assert len(wrap(label, room, size)) * size * LINE <= band + 1, (label, size)
    assert all(labels in found for labels in expected) and any(len(labels) >= 7 for labels in expected)


def body_coverage(slide) -> float:
    """Return the share of the slide's body (between title and footer, inside the margins) that content covers.

    A text covers its estimated lines (as wide as its widest line), a chart or a group its frame;
    the header band, title and footer are not content.
    """
    left, top, right, bottom = Inches(0.6), Inches(1.35), Inches(12.73), Inches(6.9)
    step = Inches(0.05)
    columns, rows = int((right - left) / step), int((bottom - top) / step)
    covered = [[False] * columns for _ in range(rows)]
    for shape in slide.shapes:
        if shape.top < top or shape.top >= bottom:
            continue
        if shape.has_text_frame:
            if not shape.text_frame.text.strip():
                continue
            widest, height, _, _ = text_extent(shape)
            width, height = Pt(widest) + shape.text_frame.margin_left, Pt(height) + shape.text_frame.margin_top
        else:
            width, height = shape.width, shape.height
        for row in range(max(0, int((shape.top - top) / step)), min(rows, int((shape.top + height - top) / step))):
            for column in range(
                max(0, int((shape.left - left) / step)), min(columns, int((shape.left + width - left) / step))
            ):
                covered[row][column] = True
    return sum(map(sum, covered)) / (rows * columns)


def slide_title(slide) -> str:
    return next(
        (shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and shape.top == Inches(0.6)), ""
    )


def test_the_demo_deck_fills_its_slides(demo_presentation):
    # 29 slides where the seed has about 20: an examples slide per model, a slide per theme's quotes.
    round_, demo = demo_presentation
    slides = list(demo.slides)
    assert len(slides) <= 20
    titles = [slide_title(slide) for slide in slides]
    assert not [title for title in titles if title.startswith("Eksempler på ydelser")]
    report = report_build(round=round_, filters=Filters())
    for page in report.models:
        if page.example_library:
            (slide,) = [slide for slide, title in zip(slides, titles, strict=True) if title == page.heading]
            assert f"Eksempler på ydelser i {page.example_library}" in slide_texts(slide)
            assert all(service in slide_texts(slide) for service in page.example_services)
    quotes = [quote.text for theme in report.themes for quote in theme.quotes]
    assert len(quotes) >= 12
    text = " ".join(slide_texts(slide) for slide in slides)
    assert all(quote in text for quote in quotes)
    quote_slides = [slide for slide in slides if "”" in slide_texts(slide) and "Dilemmaer" in slide_title(slide)]
    assert len(quote_slides) <= -(-len(quotes) // 6)  # many quotes a slide, not three
    # No slide is left part empty while what it holds goes on on the next slide (the same title).
    for slide, title, following in zip(slides, titles, titles[1:], strict=False):
        if title and title == following:
            assert body_coverage(slide) >= 0.5, (title, body_coverage(slide))
    # The model slides are full: figures, libraries, examples and the services chart.
    for slide, title in zip(slides, titles, strict=True):
        if title.startswith("Model 3"):
            assert body_coverage(slide) >= 0.5, body_coverage(slide)


def test_the_economy_slide_has_the_notes_of_the_pdf(interviews, demo_presentation, settings):
    # The hand-made round withholds its amounts (3 < 5); in the demo, fewer than 10 libraries say what
    # the funds went for: each warning the PDF prints stands on the slide too.
    settings.SMALL_GROUP_MIN = 10
    demo_round = demo_presentation[0]
    for round_, slides in ((interviews.round, deck(interviews.round)), (demo_round, deck(demo_round))):
        economy = report_build(round=round_, filters=Filters()).economy
        notes = [economy.note] + [chart.note for chart in (economy.development_funds, economy.funds_used_for) if chart]
        notes = [note for note in notes if note]
        assert notes, round_.slug
        slide = next(slide for slide in slides.slides if slide_title(slide) == "Økonomiske ressourcer")
        for note in notes:
            assert note in slide_texts(slide), note
    assert economy.funds_used_for.note and not economy.note  # the chart's own warning
