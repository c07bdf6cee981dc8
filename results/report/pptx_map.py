"""The map of Denmark on a slide of the deck, as native shapes: results.denmark's drawing, shape by shape.

The drawing is `denmark_map`, the same data the SVG is written from: a freeform shape per
municipality, named after it, with its colour or a pattern fill for "no answer", the numbers,
insets, legend and list, grouped, so the PowerPoint's map cannot disagree with the page's.
"""

import functools

from django.utils.translation import gettext as _
from pptx.enum.dml import MSO_LINE, MSO_PATTERN
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.shapes.freeform import FreeformBuilder
from pptx.util import Inches, Pt

from .. import denmark
from .content import Report, model_heading
from .palette import FONT, GREY, INK, MARGIN, WIDTH, rgb

# The map slide: results.denmark's drawing (its pixels) put on the slide at MAP_SCALE EMU per pixel,
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
        shape.fill.fore_color.rgb = rgb(denmark.HATCH_COLOUR)
        shape.fill.back_color.rgb = rgb(denmark.NO_ANSWER_COLOUR)
    else:
        shape.fill.solid()
        shape.fill.fore_color.rgb = rgb(fill)


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
        shape.line.color.rgb = rgb(line)
        shape.line.width = Pt(0.6)
        if dashed:
            shape.line.dash_style = MSO_LINE.DASH
    else:
        shape.line.fill.background()
    return _plain(shape, name)


def _line(shapes, x1, y1, x2, y2, *, name, colour, dashed=False, width=0.6):
    line = shapes.add_connector(MSO_CONNECTOR.STRAIGHT, *_at(x1, y1), *_at(x2, y2))
    line.line.color.rgb = rgb(colour)
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
    run.font.color.rgb = rgb(colour)
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
    shape.line.color.rgb = rgb(border)
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
    run.font.color.rgb = rgb(LABEL_INK if label.leader else label.colour)
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
        swatch.line.color.rgb = rgb(denmark.BORDER)
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
                run.font.color.rgb = rgb(INK)
        added.append(box)
    group = shapes.add_group_shape(added)
    group.name = drawing.key_heading
    return group


def map_slide(deck, report: Report):
    """Add the map as native shapes, one group that moves as one: results.denmark's drawing, shape by shape.

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
