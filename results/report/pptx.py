"""The report as a PowerPoint deck for DB to edit and present: 16:9, native charts, Danish figures.

Every chart is a native, editable PowerPoint chart (python-pptx's chart API) holding the
figures themselves, with Danish percentages (`45 %`); the map is results.denmark's drawing as
native shapes (results.report.pptx_map), in the colours of results.report.palette. Every
slide names the source in its footer. The content comes from results.report.content; this
module only lays it out.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from .content import Bar, Chart, Report
from .palette import BLUE, FONT, GREY, HEIGHT, INK, MARGIN, NAVY, PALE, PERCENT_FORMAT, WIDTH, rgb
from .pptx_map import map_slide

QUOTES_PER_SLIDE = 3
ANSWERS_PER_SLIDE = 5
LIBRARIES_ON_SLIDE = 24


class Deck:
    """A presentation of blank 16:9 slides with the report's header and footer on each."""

    def __init__(self, report: Report):
        self.report = report
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.layout = self.prs.slide_layouts[6]  # blank
        self.count = 0

    def text(self, slide, left, top, width, height, paragraphs, *, size=16, colour=INK, bold=False):
        """Add a text box; *paragraphs* are strings or (text, {size, bold, colour, italic}) pairs."""
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        for index, item in enumerate(paragraphs):
            text, style = (item, {}) if isinstance(item, str) else item
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = text
            font = run.font
            font.name = FONT
            font.size = Pt(style.get("size", size))
            font.bold = style.get("bold", bold)
            font.italic = style.get("italic", False)
            font.color.rgb = rgb(style.get("colour", colour))
            paragraph.space_after = Pt(style.get("space", 6))
            if style.get("align") == "right":
                paragraph.alignment = PP_ALIGN.RIGHT
        return box

    def slide(self, title: str, *, kicker: str = ""):
        """Add a slide with the band, *title* and the footer (source and slide number); return it."""
        slide = self.prs.slides.add_slide(self.layout)
        self.count += 1
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, WIDTH, Inches(0.14))
        band.fill.solid()
        band.fill.fore_color.rgb = rgb(NAVY)
        band.line.fill.background()
        if kicker or title:
            self.text(
                slide,
                MARGIN,
                Inches(0.3),
                Inches(12),
                Inches(0.35),
                [kicker or self.report.title],
                size=11,
                colour=BLUE,
                bold=True,
            )
            self.text(slide, MARGIN, Inches(0.6), Inches(12), Inches(0.8), [title], size=28, colour=NAVY, bold=True)
        footer = Inches(7.0)
        self.text(slide, MARGIN, footer, Inches(9), Inches(0.35), [self.report.source], size=10, colour=GREY)
        self.text(
            slide,
            Inches(10.2),
            footer,
            Inches(2.55),
            Inches(0.35),
            [(str(self.count), {"align": "right"})],
            size=10,
            colour=GREY,
        )
        return slide

    def tiles(self, slide, figures, left, top, width, *, columns=3):
        """Add the figures as tiles: the value large, its label below."""
        gap = Inches(0.15)
        tile_width = int((width - gap * (columns - 1)) / columns)
        height = Inches(0.95)
        for index, figure in enumerate(figures):
            x = left + (index % columns) * (tile_width + gap)
            y = top + (index // columns) * (height + gap)
            shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, y, tile_width, height)
            shape.fill.solid()
            shape.fill.fore_color.rgb = rgb(PALE)
            shape.line.fill.background()
            self.text(
                slide,
                x + Inches(0.1),
                y + Inches(0.05),
                tile_width - Inches(0.2),
                height - Inches(0.1),
                [(figure.value, {"size": 22, "bold": True, "colour": NAVY, "space": 0}), (figure.label, {"size": 11})],
            )
        rows = (len(figures) + columns - 1) // columns
        return top + rows * (height + gap)

    def bar_chart(self, slide, chart: Chart, left, top, width, height, *, colours=None):
        """Add *chart* as a native horizontal bar chart of shares, labelled "45 %", first answer on top."""
        data = CategoryChartData(number_format=PERCENT_FORMAT)
        data.categories = [bar.label for bar in chart.bars]
        data.add_series(chart.base_text, [bar.share or 0 for bar in chart.bars], number_format=PERCENT_FORMAT)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, data)
        graph = frame.chart
        graph.has_legend = False
        graph.has_title = True
        graph.chart_title.text_frame.text = chart.base_text
        title_font = graph.chart_title.text_frame.paragraphs[0].runs[0].font
        title_font.size, title_font.bold, title_font.name = Pt(11), False, FONT
        title_font.color.rgb = rgb(GREY)
        graph.font.size, graph.font.name = Pt(11), FONT
        plot = graph.plots[0]
        plot.gap_width = 60
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format, labels.number_format_is_linked = PERCENT_FORMAT, False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.font.size = Pt(11)
        category = graph.category_axis
        category.reverse_order = True  # the first (most common) answer on top, as on the page
        category.format.line.color.rgb = rgb("BBBBBB")
        category.tick_labels.font.size = Pt(11)
        value = graph.value_axis
        value.minimum_scale, value.maximum_scale = 0, 1
        value.has_major_gridlines = False
        value.visible = False
        series = plot.series[0]
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = rgb(chart.bars[0].colour if chart.bars else NAVY)
        for index, bar in enumerate(chart.bars):
            colour = colours[index] if colours else bar.colour
            point = series.points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb(colour)
        return frame

    def pie_chart(self, slide, chart: Chart, left, top, width, height):
        data = CategoryChartData(number_format=PERCENT_FORMAT)
        data.categories = [bar.label for bar in chart.bars]
        data.add_series(chart.title, [bar.share or 0 for bar in chart.bars], number_format=PERCENT_FORMAT)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.PIE, left, top, width, height, data)
        graph = frame.chart
        graph.has_legend = True
        graph.legend.position = XL_LEGEND_POSITION.BOTTOM
        graph.legend.include_in_layout = False
        graph.legend.font.size = Pt(12)
        graph.font.name = FONT
        plot = graph.plots[0]
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format, labels.number_format_is_linked = PERCENT_FORMAT, False
        labels.font.size, labels.font.bold = Pt(16), True
        labels.font.color.rgb = rgb("FFFFFF")
        labels.position = XL_LABEL_POSITION.CENTER
        for index, bar in enumerate(chart.bars):
            point = plot.series[0].points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb(bar.colour)
        return frame

    def note(self, slide, text, left, top, width):
        if text:
            self.text(slide, left, top, width, Inches(0.4), [text], size=12, colour="8A5A00", bold=True)


def _chunks(items, size):
    items = list(items)
    return [items[index : index + size] for index in range(0, len(items), size)] or [[]]


def _cover(deck: Deck, report: Report):
    slide = deck.slide("")
    side = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.45), HEIGHT)
    side.fill.solid()
    side.fill.fore_color.rgb = rgb(NAVY)
    side.line.fill.background()
    lines = [
        (report.title, {"size": 44, "bold": True, "colour": NAVY}),
        (report.subtitle, {"size": 24, "colour": INK, "space": 30}),
        (report.round_title, {"size": 18, "bold": True}),
    ]
    if report.scope:
        lines.append((report.scope, {"size": 16}))
    lines.append((report.made, {"size": 13, "colour": GREY, "space": 40}))
    lines += [(report.behind, {"size": 14}), (report.reuse, {"size": 14})]
    deck.text(slide, Inches(1.2), Inches(1.4), Inches(11), Inches(5.3), lines)


def _about(deck: Deck, report: Report):
    slide = deck.slide(_("About the survey"))
    deck.text(slide, MARGIN, Inches(1.5), Inches(6), Inches(0.9), [f"• {line}" for line in report.method], size=18)
    bottom = deck.tiles(slide, report.about, MARGIN, Inches(2.45), Inches(6.2), columns=2)
    deck.note(slide, report.headline.note, MARGIN, bottom, Inches(6.2))
    texts = [
        (text, {"size": 16, "bold": index == 0, "colour": BLUE if index == 0 else INK})
        for index, text in enumerate(report.headline_text)
    ]
    deck.text(slide, Inches(7.2), Inches(1.5), Inches(5.5), Inches(1.1), texts)
    deck.pie_chart(slide, report.headline, Inches(7.4), Inches(2.6), Inches(5.2), Inches(4.2))


def _overview(deck: Deck, report: Report):
    slide = deck.slide(_("Overview of the cooperation models"))
    deck.text(slide, MARGIN, Inches(1.45), Inches(12), Inches(0.8), [report.background], size=15)
    top = Inches(2.25)
    for key in report.model_keys:
        swatch = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, top + Inches(0.06), Inches(0.22), Inches(0.22))
        swatch.fill.solid()
        swatch.fill.fore_color.rgb = rgb(key.colour)
        swatch.line.color.rgb = rgb("555555")
        text = f"{key.heading}: {key.description}" if key.description else key.heading
        deck.text(slide, MARGIN + Inches(0.35), top, Inches(6.6), Inches(0.6), [(text, {"size": 12, "space": 0})])
        top += Inches(0.62)
    keys = report.model_keys
    models = report.results.model_adoption.models
    if models:
        chart = Chart(
            _("Share of the libraries with activities"),
            tuple(
                Bar(key.heading, model.count, model.share_of_active, key.colour)
                for key, model in zip(keys, models, strict=True)
            ),
            report.results.model_adoption.active,
        )
        deck.bar_chart(slide, chart, Inches(7.7), Inches(2.2), Inches(5.1), Inches(4.6))


def _model(deck: Deck, report: Report, page):
    slide = deck.slide(page.heading)
    deck.text(slide, MARGIN, Inches(1.4), Inches(12), Inches(0.7), [page.description], size=16)
    bottom = deck.tiles(slide, page.figures, MARGIN, Inches(2.15), Inches(6.3), columns=3)
    deck.note(slide, page.note, MARGIN, bottom, Inches(6.3))
    if page.libraries:
        names = list(page.libraries[:LIBRARIES_ON_SLIDE])
        more = page.more_libraries + len(page.libraries) - len(names)
        lines = [(_("Libraries using the model"), {"size": 13, "bold": True, "colour": NAVY})]
        columns = [names[index::2] for index in range(2)]
        deck.text(slide, MARGIN, bottom + Inches(0.4), Inches(6.3), Inches(0.4), lines)
        for index, column in enumerate(columns):
            deck.text(
                slide,
                MARGIN + index * Inches(3.15),
                bottom + Inches(0.8),
                Inches(3.1),
                Inches(3),
                [(name, {"size": 11, "space": 1}) for name in column],
            )
        if more:
            text = (
                page.libraries_more_text if more == page.more_libraries else _("and %(count)s more") % {"count": more}
            )
            deck.text(slide, MARGIN, Inches(6.55), Inches(6.3), Inches(0.35), [text], size=11, colour=GREY)
    if page.services and page.services.bars:
        deck.text(
            slide,
            Inches(7.2),
            Inches(2.1),
            Inches(5.6),
            Inches(0.5),
            [(page.services.title, {"size": 13, "bold": True, "colour": NAVY})],
        )
        deck.bar_chart(slide, page.services, Inches(7.1), Inches(2.6), Inches(5.7), Inches(4.3))
    if page.example_library:
        slide = deck.slide(
            _("Examples of services at %(library)s") % {"library": page.example_library}, kicker=page.heading
        )
        half = (len(page.example_services) + 1) // 2
        for index, column in enumerate((page.example_services[:half], page.example_services[half:])):
            deck.text(
                slide,
                MARGIN + index * Inches(6),
                Inches(1.6),
                Inches(5.8),
                Inches(5),
                [(f"• {service}", {"size": 18, "italic": True}) for service in column],
            )
    for case in page.cases:
        slide = deck.slide(case.heading, kicker=case.model_heading)
        deck.text(slide, MARGIN, Inches(1.6), Inches(12), Inches(5.2), [f"• {point}" for point in case.points], size=20)


def _economy(deck: Deck, report: Report):
    economy = report.economy
    slide = deck.slide(_("Economic resources"))
    deck.text(
        slide,
        MARGIN,
        Inches(1.45),
        Inches(6.3),
        Inches(0.8),
        [(economy.range_text, {"size": 22, "bold": True, "colour": BLUE})],
    )
    bottom = deck.tiles(slide, economy.figures, MARGIN, Inches(2.35), Inches(6.3), columns=2)
    deck.note(slide, economy.note, MARGIN, bottom, Inches(6.3))
    charts = [chart for chart in (economy.development_funds, economy.funds_used_for) if chart and chart.bars]
    top = Inches(1.45)
    height = Emu(int(Inches(5.4) / max(len(charts), 1)))  # the schema takes whole EMUs only
    for chart in charts:
        deck.text(
            slide,
            Inches(7.2),
            top,
            Inches(5.6),
            Inches(0.5),
            [(chart.title, {"size": 12, "bold": True, "colour": NAVY})],
        )
        deck.bar_chart(slide, chart, Inches(7.1), top + Inches(0.5), Inches(5.7), height - Inches(0.55))
        top += height


def _challenges(deck: Deck, report: Report):
    title = _("Dilemmas and challenges")
    if report.challenges:
        slide = deck.slide(title)
        deck.text(
            slide,
            MARGIN,
            Inches(1.4),
            Inches(12),
            Inches(0.4),
            [(report.challenges.title, {"size": 14, "bold": True, "colour": NAVY})],
        )
        deck.note(slide, report.challenges.note, Inches(7.5), Inches(1.4), Inches(5.2))
        deck.bar_chart(slide, report.challenges, MARGIN, Inches(1.85), Inches(12), Inches(5.0))
    for theme in report.themes:
        for chunk in _chunks(theme.quotes, QUOTES_PER_SLIDE):
            slide = deck.slide(theme.label, kicker=title)
            paragraphs = []
            for quote in chunk:
                paragraphs.append((f"”{quote.text}”", {"size": 17, "italic": True, "space": 2}))
                paragraphs.append((f"({quote.credit})", {"size": 12, "colour": GREY, "space": 18}))
            deck.text(slide, MARGIN, Inches(1.6), Inches(12), Inches(5.2), paragraphs)


def _not_started(deck: Deck, report: Report):
    part = report.not_started
    slide = deck.slide(_("Libraries that have not started"))
    lead = ngettext(
        "%(counter)s library (%(share)s of the responses) has not started the work yet.",
        "%(counter)s libraries (%(share)s of the responses) have not started the work yet.",
        part.count,
    ) % {"counter": part.count, "share": part.share}
    deck.text(slide, MARGIN, Inches(1.4), Inches(12), Inches(0.5), [lead], size=16)
    deck.note(slide, part.note, MARGIN, Inches(1.85), Inches(12))
    charts = [chart for chart in (part.plans, part.barriers) if chart and chart.bars]
    for index, chart in enumerate(charts):
        left = MARGIN + index * Inches(6.2)
        deck.text(
            slide,
            left,
            Inches(2.3),
            Inches(5.9),
            Inches(0.5),
            [(chart.title, {"size": 13, "bold": True, "colour": NAVY})],
        )
        deck.bar_chart(slide, chart, left, Inches(2.8), Inches(5.9), Inches(4.0))


def _advice(deck: Deck, report: Report):
    title = _("Advice to other libraries")
    if not report.advice:
        slide = deck.slide(title)
        deck.text(slide, MARGIN, Inches(1.6), Inches(12), Inches(1), [_("No library has given advice yet.")], size=18)
        return
    for chunk in _chunks(report.advice, ANSWERS_PER_SLIDE):
        slide = deck.slide(title)
        paragraphs = []
        for answer in chunk:
            paragraphs.append((f"”{answer.text}”", {"size": 16, "italic": True, "space": 1}))
            paragraphs.append((answer.library, {"size": 11, "colour": GREY, "space": 12}))
        deck.text(slide, MARGIN, Inches(1.5), Inches(12), Inches(5.3), paragraphs)


def pptx_write(report: Report, handle) -> None:
    """Write *report* as a 16:9 PowerPoint deck to *handle* (a path or a binary file)."""
    deck = Deck(report)
    _cover(deck, report)
    _about(deck, report)
    _overview(deck, report)
    map_slide(deck, report)
    for page in report.models:
        _model(deck, report, page)
    _economy(deck, report)
    _challenges(deck, report)
    _not_started(deck, report)
    _advice(deck, report)
    # The file's own properties, not those of python-pptx's template (its author, its dates).
    properties = deck.prs.core_properties
    properties.title = f"{report.title} – {report.round_title}"
    properties.author = properties.last_modified_by = _("Knudsen Syd and Danmarks Biblioteksforening")
    properties.created = properties.modified = timezone.now().replace(microsecond=0, tzinfo=None)
    properties.revision = 1
    deck.prs.save(handle)
