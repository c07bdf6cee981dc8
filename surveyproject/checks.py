"""System check (``manage.py check --deploy``): the native libraries the map's PNG and the report's PDF need load.

CairoSVG draws the map as PNG through cairo, WeasyPrint writes the report's PDF through Pango;
both load the library when imported, and a server without it would pass every other check and
fail at the first download. The error names the Debian packages that bring them.
"""

import importlib

from django.core.checks import Error, Tags, register

# (module that loads the library, the library, what needs it, Debian's packages)
NATIVE_LIBRARIES = [
    ("cairocffi", "cairo", "the map as PNG (results/denmark.py)", "libcairo2"),
    ("weasyprint", "Pango", "the report as PDF (results/report/pdf.py)", "libpango-1.0-0 libpangoft2-1.0-0"),
]
FONT_PACKAGES = "fontconfig fonts-dejavu-core"


def load(module: str) -> None:
    """Import *module*, which loads its native library (a seam for the tests)."""
    importlib.import_module(module)


@register(Tags.compatibility, deploy=True)
def native_libraries_check(app_configs=None, **kwargs):
    errors = []
    for module, library, needed_by, packages in NATIVE_LIBRARIES:
        try:
            load(module)
        except OSError as error:
            errors.append(
                Error(
                    f"The {library} library cannot be loaded, so {needed_by} cannot be made: {error}",
                    hint=f"On Debian or Ubuntu: apt-get install {packages} {FONT_PACKAGES}",
                    id="surveyproject.E001",
                )
            )
    return errors
