"""The PowerPoint deck's palette: the slide's size and margin, its colours and font, shares' number format."""

from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 by 7.5 inches: PowerPoint's 16:9
MARGIN = Inches(0.6)
NAVY, BLUE, GREY, INK, PALE = "1F4E79", "0072B2", "5A6570", "1A1A1A", "F2F5F8"
FONT = "Arial"
# Excel's number format for a share written the Danish way: 0.45 as "45 %".
PERCENT_FORMAT = "0 %"


def rgb(colour: str) -> RGBColor:
    """Return a colour written "#1F4E79" or "1f4e79" as python-pptx's RGBColor."""
    return RGBColor.from_string(colour.lstrip("#").upper())
