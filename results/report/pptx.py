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
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from .content import Bar, Chart, Report
from .measure import INSET_X, INSET_Y, LINE, points, text_height, text_width, widest_word, wrap
from .palette import BLUE, FONT, GREY, HEIGHT, INK, MARGIN, NAVY, PALE, PERCENT_FORMAT, WIDTH, rgb
from .pptx_map import map_slide
from .texts import THEME_KEYS

# Text shrinks to fit its box down to this share of its size, in these steps.
SMALLEST_SCALE, SCALE_STEP = 0.5, 0.05
TILE_HEIGHT = Inches(0.95)
TILE_VALUE_SIZES = (22, 20, 18, 16, 14, 13, 12)  # the largest that fits, the same along a row of tiles
# The slide's body, between the title and the footer, and the text columns that quotes flow into.
BODY_TOP, BODY_BOTTOM = Inches(1.45), Inches(6.9)
COLUMN_GAP = Inches(0.4)
FLOW_SCALES = (1.0, 0.93, 0.87)  # quotes and advice: smaller by these steps where that saves a slide
CHART_LABEL_SIZES = (11, 10, 9, 8)  # a chart's category labels: the largest at which every label fits


class Deck:
    """A presentation of blank 16:9 slides with the report's header and footer on each."""

    def __init__(self, report: Report):
        self.report = report
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.layout = self.prs.slide_layouts[6]  # blank
        self.count = 0

    @staticmethod
    def styled(paragraphs, *, size=16, colour=INK, bold=False):
        """Return *paragraphs* (strings or (text, style) pairs) as (text, style) pairs with every style key set."""
        result = []
        for item in paragraphs:
            text, style = (item, {}) if isinstance(item, str) else item
            defaults = {"size": size, "bold": bold, "colour": colour, "italic": False, "space": 6}
            result.append((text, defaults | style))
        return result

    @staticmethod
    def height_of(styled, width, scale=1.0) -> float:
        """Return the height in points that *styled* paragraphs take in a text box *width* EMU wide."""
        specs = [(text, _size(style["size"], scale), style["bold"], style["space"] * scale) for text, style in styled]
        return text_height(specs, points(width - 2 * INSET_X))

    @classmethod
    def fits(cls, styled, width, height, scale=1.0) -> bool:
        """Say whether *styled* paragraphs at *scale* fit a text box of *width* by *height* EMU."""
        inner = points(width - 2 * INSET_X)
        if any(widest_word(text, _size(style["size"], scale), bold=style["bold"]) > inner for text, style in styled):
            return False
        return cls.height_of(styled, width, scale) <= points(height - 2 * INSET_Y)

    @classmethod
    def fit_scale(cls, styled, width, height) -> float:
        """Return the largest scale (1 at most, SMALLEST_SCALE at least) at which *styled* fits the box."""
        scale = 1.0
        while scale > SMALLEST_SCALE and not cls.fits(styled, width, height, scale):
            scale = round(scale - SCALE_STEP, 2)
        return scale

    def text(self, slide, left, top, width, height, paragraphs, *, size=16, colour=INK, bold=False, fit=True):
        """Add a text box; *paragraphs* are strings or (text, {size, bold, colour, italic, space}) pairs.

        With *fit*, the text shrinks (all of it alike) until results.report.measure finds that it
        fits the box, so nothing runs out of it.
        """
        styled = self.styled(paragraphs, size=size, colour=colour, bold=bold)
        scale = self.fit_scale(styled, width, height) if fit else 1.0
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        for index, (text, style) in enumerate(styled):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = text
            font = run.font
            font.name = FONT
            font.size = Pt(_size(style["size"], scale))
            font.bold = style["bold"]
            font.italic = style["italic"]
            font.color.rgb = rgb(style["colour"])
            paragraph.space_after = Pt(round(style["space"] * scale, 1))
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
        """Add the figures as tiles: the value large, its label below; return the bottom.

        The value is as large as TILE_VALUE_SIZES allows for every tile of its row to hold its
        value and label (a long one, a period of dates, wraps and gets smaller); a row too full
        even at the smallest size grows taller.
        """
        gap = Inches(0.15)
        tile_width = int((width - gap * (columns - 1)) / columns)
        box_width = tile_width - Inches(0.2)
        y = top
        for start in range(0, len(figures), columns):
            row = figures[start : start + columns]

            def paragraphs(figure, value_size):
                return self.styled(
                    [
                        (figure.value, {"size": value_size, "bold": True, "colour": NAVY, "space": 0}),
                        (figure.label, {"size": 11}),
                    ]
                )

            value_size = next(
                (
                    size
                    for size in TILE_VALUE_SIZES
                    if all(self.fits(paragraphs(figure, size), box_width, TILE_HEIGHT - Inches(0.1)) for figure in row)
                ),
                TILE_VALUE_SIZES[-1],
            )
            needed = max(self.height_of(paragraphs(figure, value_size), box_width) for figure in row)
            height = max(TILE_HEIGHT, Emu(int(Pt(needed) + 2 * INSET_Y + Inches(0.12))))
            for index, figure in enumerate(row):
                x = left + index * (tile_width + gap)
                shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, y, tile_width, height)
                shape.fill.solid()
                shape.fill.fore_color.rgb = rgb(PALE)
                shape.line.fill.background()
                self.text(
                    slide,
                    x + Inches(0.1),
                    y + Inches(0.05),
                    box_width,
                    height - Inches(0.1),
                    paragraphs(figure, value_size),
                    fit=False,
                )
            y += height + gap
        return y

    def bar_chart(self, slide, chart: Chart, left, top, width, height, *, colours=None):
        """Add *chart* as a native horizontal bar chart of shares, labelled "45 %", first answer on top."""
        data = CategoryChartData(number_format=PERCENT_FORMAT)
        data.categories = [bar.label for bar in chart.bars]
        data.add_series(chart.base_text, [bar.share or 0 for bar in chart.bars], number_format=PERCENT_FORMAT)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, data)
        graph = frame.chart
        label_size, label_width = _category_labels(chart, width, height)
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
        category.tick_labels.font.size = Pt(label_size)
        _every_label(category)
        _plot_layout(graph, width, height, label_width)
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

    def note(self, slide, text, left, top, width) -> int:
        """Add a warning (few libraries, amounts withheld) as tall as it needs; return its bottom (*top* if none)."""
        if not text:
            return top
        paragraphs = self.styled([text], size=12, colour="8A5A00", bold=True)
        height = Emu(int(Pt(self.height_of(paragraphs, width)) + 2 * INSET_Y + Pt(2)))
        self.text(slide, left, top, width, height, paragraphs)
        return top + height

    def chart_block(self, slide, chart: Chart, left, top, width, bottom, *, title_size=13, note=True):
        """Add *chart*'s title, its note (few libraries; unless *note* is false) and the chart, down to *bottom*."""
        title = self.styled([(chart.title, {"size": title_size, "bold": True, "colour": NAVY, "space": 0})])
        height = Emu(int(Pt(self.height_of(title, width)) + 2 * INSET_Y + Pt(2)))
        self.text(slide, left + Inches(0.1), top, width - Inches(0.1), height, title)
        top = self.note(slide, chart.note if note else "", left + Inches(0.1), top + height, width - Inches(0.1))
        self.bar_chart(slide, chart, left, top, width, bottom - top)

    def flow(self, title, blocks, *, kicker="", columns=2):
        """Add slides titled *title* with *blocks* (lists of styled paragraphs) flowing down *columns* columns.

        A block stays whole where it can; one longer than a column is cut between paragraphs.
        Each column is one text box, filled as far as results.report.measure says it holds.
        """
        width = int((WIDTH - 2 * MARGIN - COLUMN_GAP * (columns - 1)) / columns)
        height = BODY_BOTTOM - BODY_TOP
        # The text a little smaller where that saves a slide: the largest scale needing the fewest.
        layouts = [
            self._pages([_scaled(block, scale) for block in blocks], width, height, columns) for scale in FLOW_SCALES
        ]
        fewest = min(len(pages) for pages in layouts)
        pages = next(pages for pages in layouts if len(pages) == fewest)
        for page in pages:
            slide = self.slide(title, kicker=kicker)
            for index, paragraphs in enumerate(page):
                self.text(slide, MARGIN + index * (width + COLUMN_GAP), BODY_TOP, width, height, paragraphs)

    def _pages(self, blocks, width, height, columns):
        """Return *blocks* flowed into pages of at most *columns* columns of paragraphs."""
        pages, column = [[]], []

        def close_column():
            nonlocal column
            if column:
                if len(pages[-1]) == columns:
                    pages.append([])
                pages[-1].append(column)
            column = []

        for block in blocks:
            if column and not self.fits(column + block, width, height):
                close_column()
            for paragraph in block:
                if column and not self.fits([*column, paragraph], width, height):
                    close_column()
                column.append(paragraph)
        close_column()
        return pages


def _size(size: float, scale: float) -> float:
    """Return *size* times *scale*, to the half point."""
    return round(size * scale * 2) / 2


def _scaled(paragraphs, scale: float) -> list:
    """Return styled *paragraphs* with their sizes and spaces times *scale*."""
    return [
        (text, style | {"size": _size(style["size"], scale), "space": round(style["space"] * scale, 1)})
        for text, style in paragraphs
    ]


def _category_labels(chart: Chart, width, height) -> tuple[float, int]:
    """Return the font size and the width (EMU) for *chart*'s category labels, so that every one fits.

    A label may wrap to more lines as long as they fit its bar's band of the plot; the labels
    take at most 45 % of the chart's width. The largest of CHART_LABEL_SIZES that fits is used.
    """
    count = max(len(chart.bars), 1)
    band = points(height - Inches(0.5)) / count
    widest = points(int(width * 0.45))
    for size in CHART_LABEL_SIZES:
        natural = max((text_width(bar.label, size) for bar in chart.bars), default=0.0) + 8
        room = min(natural, widest)
        lines = max((len(wrap(bar.label, room - 8, size)) for bar in chart.bars), default=1)
        if lines * size * LINE <= band and widest_word(" ".join(bar.label for bar in chart.bars), size) <= room - 8:
            return size, int(Pt(room))
    return CHART_LABEL_SIZES[-1], int(width * 0.45)


def _every_label(axis) -> None:
    """Make the category axis write every label (PowerPoint skips some of a crowded axis on its own)."""
    element = axis._element
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        old = element.find(qn(tag))
        if old is not None:
            element.remove(old)
    successor = element.find(qn("c:noMultiLvlLbl"))
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        skip = element.makeelement(qn(tag), {"val": "1"})
        if successor is not None:
            successor.addprevious(skip)
        else:
            element.append(skip)


def _plot_layout(graph, width, height, label_width) -> None:
    """Place the plot area by hand: the labels' width on its left, room for the percentages on its right."""
    right = Pt(text_width("100 %", 11) + 12)
    top = Inches(0.45)
    fractions = {
        "x": (label_width + Pt(4)) / width,
        "y": top / height,
        "w": max(0.2, 1 - (label_width + Pt(4) + right) / width),
        "h": max(0.2, 1 - (top + Inches(0.05)) / height),
    }
    plot = graph._chartSpace.chart.plotArea
    layout = plot.find(qn("c:layout"))
    if layout is None:
        layout = plot.makeelement(qn("c:layout"), {})
        plot.insert(0, layout)
    for child in list(layout):
        layout.remove(child)
    manual = layout.makeelement(qn("c:manualLayout"), {})
    layout.append(manual)
    for tag, value in (("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge")):
        manual.append(manual.makeelement(qn(f"c:{tag}"), {"val": value}))
    for tag, value in fractions.items():
        manual.append(manual.makeelement(qn(f"c:{tag}"), {"val": f"{value:.4f}"}))


def _text_blocks(deck: Deck, quotes) -> list:
    """Return quotes (PublishedQuote) as blocks of styled paragraphs for Deck.flow."""
    return [
        deck.styled(
            [
                (f"”{quote.text}”", {"size": 15, "italic": True, "space": 2}),
                (f"({quote.credit})", {"size": 11, "colour": GREY, "space": 14}),
            ]
        )
        for quote in quotes
    ]


def _finding(deck: Deck, report: Report, section: str, title: str):
    """Add staff's finding for *section* (and the quotes filed there) as the section's first slides, if any."""
    finding, quotes = report.finding(section), report.section_quotes.get(section, ())
    if not finding and not quotes:
        return
    heading = finding.heading if finding and finding.heading else title
    blocks = []
    if finding and finding.paragraphs:
        blocks.append(deck.styled([(paragraph, {"size": 18, "space": 10}) for paragraph in finding.paragraphs]))
    blocks += _text_blocks(deck, quotes)
    if blocks:
        deck.flow(heading, blocks, kicker=title, columns=1)
    else:
        deck.slide(heading, kicker=title)  # a heading alone


def _theme_figures(deck: Deck, theme) -> list:
    """Return a seed theme's heading and figures as a block of styled paragraphs for Deck.flow."""
    lines = [(theme.label, {"size": 15, "bold": True, "colour": NAVY, "space": 4})]
    lines += [(f"{figure.value}  {figure.label}", {"size": 14, "space": 3}) for figure in theme.figures]
    lines[-1][1]["space"] = 16
    return deck.styled(lines)


def _theme_slide(deck: Deck, theme, kicker: str):
    """Add a seed theme's slide: staff's finding, its figures and its chart."""
    heading = theme.finding.heading if theme.finding and theme.finding.heading else theme.label
    slide = deck.slide(heading, kicker=kicker)
    chart = theme.chart if theme.chart and theme.chart.bars else None
    width = Inches(6.3) if chart else Inches(12.1)
    top = BODY_TOP
    if theme.finding and theme.finding.paragraphs:
        paragraphs = [(paragraph, {"size": 16, "space": 8}) for paragraph in theme.finding.paragraphs]
        deck.text(slide, MARGIN, top, width, Inches(2.2), paragraphs)
        top += Inches(2.3)
    if theme.figures:
        deck.tiles(slide, theme.figures, MARGIN, top, width, columns=2)
    if chart:
        deck.chart_block(slide, chart, Inches(7.1), BODY_TOP, Inches(5.7), BODY_BOTTOM, title_size=12)


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
    lines.append((report.made, {"size": 13, "colour": GREY, "space": 40 if not report.author else 6}))
    if report.author:
        lines.append((report.author, {"size": 14, "space": 34}))
    lines += [(report.behind, {"size": 14}), (report.reuse, {"size": 14})]
    deck.text(slide, Inches(1.2), Inches(1.4), Inches(11), Inches(5.3), lines)


def _about(deck: Deck, report: Report):
    _finding(deck, report, "about", _("About the survey"))
    _finding(deck, report, "headline", report.headline.title)
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
    _finding(deck, report, "models", _("Overview of the cooperation models"))
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


def _columns(deck: Deck, slide, names, left, top, width, bottom, *, size, italic=False, columns=(3, 2)):
    """Add *names* in as many of *columns* columns as their widths allow, as many as fit above *bottom*.

    Return how many were written.
    """
    for count in columns:
        column_width = int(width / count)
        if all(text_width(name, size) <= points(column_width - 2 * INSET_X) for name in names):
            break
    row = Pt(size * LINE + 1)
    rows = max(0, int((bottom - top - 2 * INSET_Y) / row))
    shown = list(names[: rows * count])
    if len(shown) < len(names) and shown:  # keep a line for "and n more"
        shown = shown[: max(0, len(shown) - count)]
    rows = -(-len(shown) // count)
    for index in range(count):
        column = shown[index * rows : (index + 1) * rows]
        if column:
            paragraphs = [(name, {"size": size, "space": 1, "italic": italic}) for name in column]
            deck.text(slide, left + index * column_width, top, column_width, bottom - top, paragraphs)
    return len(shown)


def _model(deck: Deck, report: Report, page):
    """Add a model's slide: its figures, the libraries using it and an example library's services on the
    left, the services the libraries offer on the right; then its cases."""
    slide = deck.slide(page.heading)
    deck.text(slide, MARGIN, Inches(1.35), Inches(12.1), Inches(0.75), [page.description], size=16)
    left_width = Inches(6.3)
    bottom = deck.tiles(slide, page.figures, MARGIN, Inches(2.15), left_width, columns=3)
    bottom = deck.note(slide, page.note, MARGIN, bottom - Inches(0.05), left_width)
    examples_top = BODY_BOTTOM
    if page.example_library:
        heading = _("Examples of services at %(library)s") % {"library": page.example_library}
        half = -(-len(page.example_services) // 2)
        needed = max(
            deck.height_of(deck.styled([(name, {"size": 12, "space": 1}) for name in column]), int(left_width / 2))
            for column in (page.example_services[:half], page.example_services[half:])
        )
        examples_top = BODY_BOTTOM - Inches(0.42) - Pt(needed + 2) - 2 * INSET_Y
        examples_top = max(examples_top, bottom + Inches(1.1) if page.libraries else bottom)
        deck.text(
            slide,
            MARGIN,
            examples_top,
            left_width,
            Inches(0.4),
            [(heading, {"size": 13, "bold": True, "colour": NAVY})],
        )
        _columns(
            deck,
            slide,
            page.example_services,
            MARGIN,
            examples_top + Inches(0.38),
            left_width,
            BODY_BOTTOM,
            size=12,
            italic=True,
            columns=(2,),
        )
    if page.libraries:
        lines = [(_("Libraries using the model"), {"size": 13, "bold": True, "colour": NAVY})]
        deck.text(slide, MARGIN, bottom, left_width, Inches(0.4), lines)
        end = examples_top - Inches(0.1)
        shown = _columns(deck, slide, page.libraries, MARGIN, bottom + Inches(0.38), left_width, end, size=10.5)
        more = page.more_libraries + len(page.libraries) - shown
        if more:
            text = (
                page.libraries_more_text if more == page.more_libraries else _("and %(count)s more") % {"count": more}
            )
            deck.text(slide, MARGIN, end - Inches(0.32), left_width, Inches(0.32), [text], size=10.5, colour=GREY)
    if page.services and page.services.bars:
        note = page.services.note != page.note  # the same warning once
        deck.chart_block(slide, page.services, Inches(7.1), Inches(2.1), Inches(5.7), BODY_BOTTOM, note=note)
    for case in page.cases:
        slide = deck.slide(case.heading, kicker=case.model_heading)
        deck.text(
            slide,
            MARGIN,
            BODY_TOP,
            Inches(12.1),
            BODY_BOTTOM - BODY_TOP,
            [f"• {point}" for point in case.points],
            size=20,
        )


def _economy(deck: Deck, report: Report):
    economy = report.economy
    _finding(deck, report, "economy", _("Economic resources"))
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
    # Each chart's share of the height: by its number of bars, so that no label is crowded.
    weights = [len(chart.bars) + 2 for chart in charts]
    top = Inches(1.45)
    for chart, weight in zip(charts, weights, strict=True):
        bottom = top + Emu(int((BODY_BOTTOM - Inches(1.45)) * weight / sum(weights)))
        deck.chart_block(slide, chart, Inches(7.1), top, Inches(5.7), bottom, title_size=12)
        top = bottom


def _quote_blocks(deck: Deck, theme) -> list:
    """Return a theme's heading and quotes as blocks of styled paragraphs for Deck.flow."""
    heading = theme.label + (f" ({theme.count_text})" if theme.count_text else "")
    blocks = []
    for index, quote in enumerate(theme.quotes):
        block = []
        if index == 0:
            block.append((heading, {"size": 15, "bold": True, "colour": NAVY, "space": 6}))
        block.append((f"”{quote.text}”", {"size": 15, "italic": True, "space": 2}))
        block.append((f"({quote.credit})", {"size": 11, "colour": GREY, "space": 12}))
        blocks.append(deck.styled(block))
    if theme.more_text and blocks:
        blocks[-1].append(deck.styled([(theme.more_text, {"size": 11, "colour": GREY, "space": 18})])[0])
    elif blocks:
        blocks[-1][-1][1]["space"] = 18
    return blocks


def _challenges(deck: Deck, report: Report):
    title = _("Dilemmas and challenges")
    _finding(deck, report, "challenges", title)
    if report.challenges:
        slide = deck.slide(title)
        deck.chart_block(slide, report.challenges, MARGIN, Inches(1.4), Inches(12.1), BODY_BOTTOM, title_size=14)
    # The seed's themes: their figures together, then a slide of its own for a theme staff wrote
    # a finding for, and the quotes filed there; the challenges' quotes flow together after.
    seed = [theme for theme in report.themes if theme.key in THEME_KEYS]
    figures = [_theme_figures(deck, theme) for theme in seed if theme.figures]
    if figures:
        deck.flow(title, figures, kicker=report.title)
    for theme in seed:
        if theme.finding:
            _theme_slide(deck, theme, title)
        if theme.quotes:
            deck.flow(theme.label, _quote_blocks(deck, theme), kicker=title)
    blocks = [block for theme in report.themes if theme.key not in THEME_KEYS for block in _quote_blocks(deck, theme)]
    if blocks:
        deck.flow(title, blocks, kicker=report.title)


def _not_started(deck: Deck, report: Report):
    part = report.not_started
    _finding(deck, report, "not_started", _("Libraries that have not started"))
    slide = deck.slide(_("Libraries that have not started"))
    lead = ngettext(
        "%(counter)s library (%(share)s of the responses) has not started the work yet.",
        "%(counter)s libraries (%(share)s of the responses) have not started the work yet.",
        part.count,
    ) % {"counter": part.count, "share": part.share}
    deck.text(slide, MARGIN, Inches(1.4), Inches(12), Inches(0.5), [lead], size=16)
    top = deck.note(slide, part.note, MARGIN, Inches(1.85), Inches(12))
    charts = [chart for chart in (part.plans, part.barriers) if chart and chart.bars]
    for index, chart in enumerate(charts):
        left = MARGIN + index * Inches(6.2)
        deck.chart_block(slide, chart, left, max(top, Inches(2.3)), Inches(5.9), BODY_BOTTOM)
    # Only the comments staff chose for the report: the libraries' words, with their names.
    if part.comments:
        blocks = [
            deck.styled(
                [
                    (f"”{answer.text}”", {"size": 15, "italic": True, "space": 2}),
                    (answer.library, {"size": 11, "colour": GREY, "space": 14}),
                ]
            )
            for answer in part.comments
        ]
        deck.flow(_("In their own words"), blocks, kicker=_("Libraries that have not started"))


def _advice(deck: Deck, report: Report):
    title = _("Advice to other libraries")
    _finding(deck, report, "advice", title)
    if not report.advice:
        slide = deck.slide(title)
        text = report.advice_count_text or _("No library has given advice yet.")
        deck.text(slide, MARGIN, Inches(1.6), Inches(12), Inches(1), [text], size=18)
        return
    blocks = [
        deck.styled(
            [
                (f"”{answer.text}”", {"size": 15, "italic": True, "space": 2}),
                (answer.library, {"size": 11, "colour": GREY, "space": 14}),
            ]
        )
        for answer in report.advice
    ]
    deck.flow(title, blocks)


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
