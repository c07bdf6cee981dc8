"""Text measured without a layout engine: Arial's advance widths, so the deck can size its boxes and fonts.

python-pptx writes text but cannot say how much room it takes. These are Arial's advance
widths (in thousandths of an em, as Liberation Sans, Arial's metric twin, has them) for Latin-1
and the punctuation the report prints, regular and bold; an italic Arial is as wide as its
regular. Text is wrapped at spaces as PowerPoint wraps it, each line LINE times the font size
high. The deck uses this to choose font sizes and how much goes on a slide; the tests use it to
check that every text box holds its text.
"""

from pptx.util import Emu, Pt


def _numbers(text: str) -> list[int]:
    return [int(value) for value in text.split()]


_CHARS = "".join(map(chr, [*range(32, 127), *range(160, 256)])) + "–—‘’“”„…•€"
_REGULAR = _numbers(
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 "
    "556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 "
    "722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 "
    "500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584 278 333 556 556 556 "
    "556 260 556 333 737 370 556 584 333 737 552 400 549 333 333 333 576 537 278 333 333 365 556 834 834 "
    "834 611 667 667 667 667 667 667 1000 722 667 667 667 667 278 278 278 278 722 722 778 778 778 778 778 "
    "584 778 722 722 722 722 667 667 611 556 556 556 556 556 556 889 500 556 556 556 556 278 278 278 278 "
    "556 556 556 556 556 556 556 549 611 556 556 556 556 500 556 500 556 1000 222 222 333 333 333 1000 "
    "350 556 "
)

_BOLD = _numbers(
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 "
    "556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 "
    "722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 "
    "556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584 278 333 556 556 556 "
    "556 280 556 333 737 370 556 584 333 737 552 400 549 333 333 333 576 556 278 333 333 365 556 834 834 "
    "834 611 722 722 722 722 722 722 1000 722 667 667 667 667 278 278 278 278 722 722 778 778 778 778 778 "
    "584 778 722 722 722 722 667 667 611 556 556 556 556 556 556 889 556 556 556 556 556 278 278 278 278 "
    "611 611 611 611 611 611 611 549 611 611 611 611 611 556 611 556 556 1000 278 278 500 500 500 1000 "
    "350 556 "
)

_WIDTHS = {
    False: dict(zip(_CHARS, _REGULAR, strict=True)),
    True: dict(zip(_CHARS, _BOLD, strict=True)),
}
AVERAGE = 556  # any other character: as wide as a digit
LINE = 1.2  # a line's height in font sizes (PowerPoint's single spacing for Arial)
INSET_X, INSET_Y = Emu(91440), Emu(45720)  # a text box's default inner margins: 0.1 and 0.05 inch


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Return the width in points of *text* on one line at *size* points."""
    widths = _WIDTHS[bool(bold)]
    return sum(widths.get(char, AVERAGE) for char in text) * size / 1000


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Return *text* broken into lines at most *width* points wide, at spaces (a longer word keeps its line)."""
    lines = []
    for part in text.split("\n"):
        line = ""
        for word in part.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size, bold=bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def widest_word(text: str, size: float, *, bold: bool = False) -> float:
    """Return the width in points of *text*'s widest word: the least width that holds it unbroken."""
    return max((text_width(word, size, bold=bold) for word in text.split()), default=0.0)


def text_height(paragraphs, width: float) -> float:
    """Return the height in points of *paragraphs* wrapped to *width* points.

    Each paragraph is (text, size, bold, space after in points); the last one's space after
    is left out.
    """
    height = 0.0
    for index, (text, size, bold, space) in enumerate(paragraphs):
        height += len(wrap(text, width, size, bold=bold)) * size * LINE
        if index < len(paragraphs) - 1:
            height += space
    return height


def points(emu: int) -> float:
    """Return a length in EMU as points."""
    return emu / Pt(1)
