"""A questionnaire definition: its formats on top of the one validator, shaped like Django's serializers.

- ``base``: validating a definition (every problem with its place), its canonical form and
  hash, an installed version read back, installing; no format is known there
- ``yaml``: the definition file the app ships (``definitions/borgerservice.yaml``)
- ``xlsform``: the XLSForm layout and writing a version as a workbook; ``xlsform_read``
  reads one back, every problem placed (sheet, row, column) in Danish

Each format imports ``base``, never the other way round; choosing a format by the file's
name is done here, on top.
"""

from pathlib import Path

from .base import install_definition
from .xlsform_read import read_xlsform
from .yaml import read_yaml

DEFAULT_DEFINITION = Path(__file__).resolve().parents[2] / "definitions" / "borgerservice.yaml"


def read_definition(path=DEFAULT_DEFINITION) -> dict:
    """Return the parsed, validated definition in *path*: YAML, or a workbook if it ends in .xlsx."""
    if str(path).lower().endswith(".xlsx"):
        with open(path, "rb") as handle:
            return read_xlsform(handle)
    with open(path, encoding="utf-8") as handle:
        return read_yaml(handle)


def install_default():
    """Return the installed version of the shipped definition file."""
    return install_definition(read_definition())[0]
