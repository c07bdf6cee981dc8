"""The report as a PowerPoint deck for DB to edit and present: 16:9, native charts, Danish figures.

Every chart is a native, editable PowerPoint chart (python-pptx's chart API) holding the
figures themselves, with Danish percentages (`45 %`); the map is results.map's drawing
(`denmark_map`, the same data the SVG is written from) as native shapes: a freeform shape per
municipality, named after it, with its colour or a pattern fill for "no answer", the numbers,
insets, legend and list, grouped. Every slide names the source in its footer.
The content comes from results.report; this module only lays it out.
"""

import functools

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE, MSO_PATTERN
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.shapes.freeform import FreeformBuilder
from pptx.util import Emu, Inches, Pt

from . import denmark
from .report import Bar, Chart, Report, model_heading

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 by 7.5 inches: PowerPoint's 16:9
MARGIN = Inches(0.6)
NAVY, BLUE, GREY, INK, PALE = "1F4E79", "0072B2", "5A6570", "1A1A1A", "F2F5F8"
FONT = "Arial"
# Excel's number format for a share written the Danish way: 0.45 as "45 %".
PERCENT_FORMAT = "0 %"
QUOTES_PER_SLIDE = 3
ANSWERS_PER_SLIDE = 5
LIBRARIES_ON_SLIDE = 24


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


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
            font.color.rgb = _rgb(style.get("colour", colour))
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
        band.fill.fore_color.rgb = _rgb(NAVY)
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
            shape.fill.fore_color.rgb = _rgb(PALE)
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
        title_font.color.rgb = _rgb(GREY)
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
        category.format.line.color.rgb = _rgb("BBBBBB")
        category.tick_labels.font.size = Pt(11)
        value = graph.value_axis
        value.minimum_scale, value.maximum_scale = 0, 1
        value.has_major_gridlines = False
        value.visible = False
        series = plot.series[0]
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb(chart.bars[0].colour if chart.bars else NAVY)
        for index, bar in enumerate(chart.bars):
            colour = colours[index] if colours else bar.colour
            point = series.points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(colour)
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
        labels.font.color.rgb = _rgb("FFFFFF")
        labels.position = XL_LABEL_POSITION.CENTER
        for index, bar in enumerate(chart.bars):
            point = plot.series[0].points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(bar.colour)
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
    side.fill.fore_color.rgb = _rgb(NAVY)
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
        swatch.fill.fore_color.rgb = _rgb(key.colour)
        swatch.line.color.rgb = _rgb("555555")
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


# The map slide: results.map's drawing (its pixels) put on the slide at MAP_SCALE EMU per pixel,
# the drawing's pixel MAP_ORIGIN at (MAP_LEFT, MAP_TOP).
MAP_ORIGIN = (15, denmark.MAP_TOP - 4)
MAP_LEFT, MAP_TOP = MARGIN, Inches(1.38)
MAP_SCALE = int(Inches(5.45) / (max(view.y + view.height for view in denmark.VIEWS) + 2 - MAP_ORIGIN[1]))
NUMBER_PT = 6  # the numbers in the shapes: the SVG's 9 px at this scale
KEY_PT, KEY_LINE_PT = 7, 9
KEY_LEFT = Inches(7.6)
KEY_WIDTH = WIDTH - MARGIN - KEY_LEFT
INSET_BACKGROUND, INSET_FRAME, OUTSIDE_BORDER, LABEL_INK, CAPTION = "F4F8FB", "6C757D", "C4C8CC", "212529", "495057"


class _Freeform(FreeformBuilder):
    """python-pptx's freeform builder, with the shape's offset worked out once instead of for every point.

    The builder asks for the offset (the least x and y of all points) once per point it
    writes, which made a municipality of a few hundred points take quadratic time: over four
    seconds for the map. The offset is only read when the shape is made, after the last point.
    """

    @functools.cached_property
    def shape_offset_x(self):
        return super().shape_offset_x

    @functools.cached_property
    def shape_offset_y(self):
        return super().shape_offset_y


def _at(x, y) -> tuple[int, int]:
    """Return the slide position (EMU) of the drawing's pixel (x, y)."""
    return MAP_LEFT + int((float(x) - MAP_ORIGIN[0]) * MAP_SCALE), MAP_TOP + int((float(y) - MAP_ORIGIN[1]) * MAP_SCALE)


def _plain(shape, name=""):
    """Take away the theme's style (its shadow, which LibreOffice draws despite an empty effect list); name it."""
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)
    if name:
        shape.name = name
    return shape


def _fill(shape, fill: str) -> None:
    """Fill *shape* with the map's paint: a colour, or the hatching of "no answer" as a pattern fill."""
    if fill == denmark.NO_ANSWER_FILL:
        shape.fill.patterned()
        shape.fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
        shape.fill.fore_color.rgb = _rgb(denmark.HATCH_COLOUR)
        shape.fill.back_color.rgb = _rgb(denmark.NO_ANSWER_COLOUR)
    else:
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(fill)


def _rectangle(shapes, x, y, width, height, *, name, fill=None, line=None, dashed=False):
    """Add a rectangle given in the drawing's pixels."""
    left, top = _at(x, y)
    right, bottom = _at(float(x) + float(width), float(y) + float(height))
    shape = shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, right - left, bottom - top)
    if fill:
        _fill(shape, fill)
    else:
        shape.fill.background()
    if line:
        shape.line.color.rgb = _rgb(line)
        shape.line.width = Pt(0.6)
        if dashed:
            shape.line.dash_style = MSO_LINE.DASH
    else:
        shape.line.fill.background()
    return _plain(shape, name)


def _line(shapes, x1, y1, x2, y2, *, name, colour, dashed=False, width=0.6):
    line = shapes.add_connector(MSO_CONNECTOR.STRAIGHT, *_at(x1, y1), *_at(x2, y2))
    line.line.color.rgb = _rgb(colour)
    line.line.width = Pt(width)
    if dashed:
        line.line.dash_style = MSO_LINE.DASH
    return _plain(line, name)


def _text_box(shapes, left, top, width, height, text, *, size, colour=INK, bold=False):
    box = shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.name, run.font.size, run.font.bold = FONT, Pt(size), bold
    run.font.color.rgb = _rgb(colour)
    box.name = text
    return box


def _freeform(shapes, rings, *, name: str, fill: str, border: str):
    """Add a municipality's outline (rings in the drawing's pixels) as one freeform shape; None if empty."""
    # The builder's own units: tenths of a pixel, as precise as the SVG's path data.
    contours = []
    for ring in rings:
        points = []
        for x, y in ring:
            point = (round((x - MAP_ORIGIN[0]) * 10), round((y - MAP_ORIGIN[1]) * 10))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) >= 3:
            contours.append(points)
    if not contours:
        return None
    builder = _Freeform.new(shapes, *contours[0][0], MAP_SCALE / 10, MAP_SCALE / 10)
    for index, points in enumerate(contours):
        if index:
            builder.move_to(*points[0])
        builder.add_line_segments(points[1:], close=True)
    shape = builder.convert_to_shape(MAP_LEFT, MAP_TOP)
    _fill(shape, fill)
    shape.line.color.rgb = _rgb(border)
    shape.line.width = Pt(0.4)
    return _plain(shape, name)


def _number(shapes, label) -> list:
    """Add a municipality's number as a small text box where the SVG writes it (and the line to its shape)."""
    added = []
    if label.leader:
        added.append(_line(shapes, *label.leader, name=f"{label.number}", colour=LABEL_INK, width=0.5))
    size = denmark.NUMBER_SIZE
    if label.backing:  # on hatching: on a white box, as in the SVG
        x, y, width, height = (float(value) for value in label.backing)
    else:
        width, height = 5.6 * len(str(label.number)) + 3, size + 1
        x, y = float(label.x) - width / 2, float(label.y) - size / 3 - height / 2
    box = _rectangle(shapes, x, y, width, height, name=str(label.number), fill="#FFFFFF" if label.backing else None)
    frame = box.text_frame
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.word_wrap = False
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    run = paragraph.add_run()
    run.text = str(label.number)
    run.font.name, run.font.size, run.font.bold = FONT, Pt(NUMBER_PT), True
    run.font.color.rgb = _rgb(LABEL_INK if label.leader else label.colour)
    return [*added, box]


def _map_area(shapes, area) -> list:
    """Add the main map or an inset: its frame, a freeform per municipality, the numbers; return them."""
    area_name = area.label or _("Main map")
    added = []
    if area.label:
        added.append(_rectangle(shapes, area.x, area.y, area.width, area.height, name=_("Sea"), fill=INSET_BACKGROUND))
    for shape in area.shapes:
        if shape.category == "outside":
            name, border = _("Outside the selection"), OUTSIDE_BORDER
        elif shape.code:  # the copy that carries the number: named after the municipality alone
            name, border = shape.municipality, denmark.BORDER
        else:
            name, border = f"{shape.municipality} – {area_name}", denmark.BORDER
        freeform = _freeform(shapes, shape.rings, name=name, fill=shape.fill, border=border)
        if freeform is not None:
            added.append(freeform)
    for label in area.labels:
        added += _number(shapes, label)
    if area.label:
        frame = (area.x, area.y, area.width, area.height)
        added.append(_rectangle(shapes, *frame, name=_("Frame"), line=INSET_FRAME))
        if area.source:
            added.append(_rectangle(shapes, *area.source, name=_("Frame"), line=INSET_FRAME, dashed=True))
        for line in area.lines:
            added.append(_line(shapes, *line, name=_("Frame"), colour=INSET_FRAME, dashed=True))
        left, top = _at(area.x, float(area.label_y) - 12)
        added.append(_text_box(shapes, left, top, Inches(2.5), Inches(0.2), area.label, size=8, colour=CAPTION))
    group = shapes.add_group_shape(added)
    group.name = area_name
    return group


def _map_legend(shapes, drawing, top):
    """Add the legend, coloured squares and texts in two columns, as a group; return it and its bottom."""
    added = [_text_box(shapes, KEY_LEFT, top, KEY_WIDTH, Inches(0.3), drawing.legend_heading, size=11, bold=True)]
    rows = (len(drawing.legend) + 1) // 2
    column, row_height, square = int(KEY_WIDTH / 2), Inches(0.27), Inches(0.17)
    for index, item in enumerate(drawing.legend):
        left = KEY_LEFT + (index // rows) * column
        y = top + Inches(0.34) + (index % rows) * row_height
        text = f"{model_heading(item.label)[0]} ({item.count})"
        swatch = shapes.add_shape(MSO_SHAPE.RECTANGLE, left, y + Inches(0.02), square, square)
        _fill(swatch, item.fill)
        swatch.line.color.rgb = _rgb(denmark.BORDER)
        swatch.line.width = Pt(0.5)
        added.append(_plain(swatch, text))
        added.append(_text_box(shapes, left + Inches(0.27), y, column - Inches(0.3), row_height, text, size=10))
    group = shapes.add_group_shape(added)
    group.name = _("Legend")
    return group, top + Inches(0.34) + rows * row_height


def _map_key(shapes, drawing, top):
    """Add the numbered list of municipalities in four columns, as the SVG's key, as a group."""
    added = [_text_box(shapes, KEY_LEFT, top, KEY_WIDTH, Inches(0.3), drawing.key_heading, size=11, bold=True)]
    columns = 4
    rows = max(1, -(-len(drawing.marks) // columns))
    width = int(KEY_WIDTH / columns)
    for index in range(columns):
        marks = drawing.marks[index * rows : (index + 1) * rows]
        if not marks:
            break
        box = shapes.add_textbox(KEY_LEFT + index * width, top + Inches(0.3), width, Inches(3.2))
        box.name = f"{drawing.key_heading} {marks[0].number}–{marks[-1].number}"
        frame = box.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.word_wrap = True
        for number, mark in enumerate(marks):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            paragraph.line_spacing = Pt(KEY_LINE_PT)
            for text, bold in ((f"{mark.number} ", True), (mark.municipality, False)):
                run = paragraph.add_run()
                run.text = text
                run.font.name, run.font.size, run.font.bold = FONT, Pt(KEY_PT), bold
                run.font.color.rgb = _rgb(INK)
        added.append(box)
    group = shapes.add_group_shape(added)
    group.name = drawing.key_heading
    return group


def _map(deck: Deck, report: Report):
    """Add the map as native shapes, one group that moves as one: results.map's drawing, shape by shape.

    Each area (the main map, the insets) is a group of a freeform shape per municipality,
    named after it, and the numbers; beside them the legend and the numbered list, and the
    boundaries' credit. The shapes are made on the slide and then grouped, once: python-pptx
    works out a group's extent again for every shape added to it.
    """
    if not report.has_map:
        return
    slide = deck.slide(_("The map of Denmark"), kicker=_("Overview of the cooperation models"))
    drawing = denmark.denmark_map(report.results, with_key=False)
    shapes = slide.shapes
    parts = [_map_area(shapes, area) for area in drawing.areas]
    legend, bottom = _map_legend(shapes, drawing, Inches(1.4))
    parts += [legend, _map_key(shapes, drawing, bottom + Inches(0.12))]
    credit = drawing.boundaries_source
    parts.append(_text_box(shapes, KEY_LEFT, Inches(6.68), KEY_WIDTH, Inches(0.2), credit, size=8, colour=GREY))
    group = shapes.add_group_shape(parts)
    group.name = _("The map of Denmark")


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
    _map(deck, report)
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
