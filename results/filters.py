"""The filters of a round's results: which libraries count, all or those of one region and/or one kind.

One value for every place that reads them: the results page (its GET parameters), the
management commands (their options, as a form's cleaned_data), a download job (its stored
parameters, and back), the files' names and the descriptions the outputs print.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from questionnaire.codes import PRIMARY_MODEL
from questionnaire.models import Answer, LibraryKind, Region

# Every results file's name starts so: "borgerservice-bs2009-…".
FILE_PREFIX = "borgerservice"


@dataclass(frozen=True)
class Filters:
    """Which libraries count: all, or those of one region and/or one kind."""

    region: str = ""
    kind: str = ""
    # The libraries whose primary model is this one (a library's own results set its answers beside
    # theirs). An answer, not a fact of the register: it narrows the responses counted, not the
    # invited libraries, and is never a filter of the page or the files.
    primary_model: str = ""

    def __post_init__(self):
        if self.region and self.region not in Region.values:
            raise ValueError(f"Unknown region {self.region!r}")
        if self.kind and self.kind not in LibraryKind.values:
            raise ValueError(f"Unknown library kind {self.kind!r}")

    @classmethod
    def from_params(cls, params) -> "Filters":
        """Return the filters in *params* (say, request.GET), ignoring unknown values."""
        region, kind = params.get("region", ""), params.get("kind", "")
        return cls(
            region=region if region in Region.values else "",
            kind=kind if kind in LibraryKind.values else "",
        )

    @classmethod
    def from_cleaned_data(cls, data) -> "Filters":
        """Return the filters of validated data: a FilterForm's cleaned_data, or a command's options.

        A field left out or empty (None, "") means all; a value outside the choices is refused (ValueError).
        """
        return cls(region=data.get("region") or "", kind=data.get("kind") or "")

    @classmethod
    def from_job_params(cls, params: dict) -> "Filters":
        """Return the filters stored in a download job's parameters (``job_params``)."""
        return cls(**params.get("filters", {}))

    def job_params(self) -> dict:
        """Return the filters as a download job stores them in its parameters (JSON)."""
        return {"filters": self.params}

    def library_q(self, prefix: str) -> Q:
        """Return the condition on the library reached through *prefix* (e.g. ``"invitation__library__"``)."""
        condition = Q()
        if self.region:
            condition &= Q(**{f"{prefix}municipality__region": self.region})
        if self.kind:
            condition &= Q(**{f"{prefix}kind": self.kind})
        return condition

    def response_q(self, prefix: str = "") -> Q:
        """Return the condition on the response reached through *prefix* (e.g. ``"response__"``)."""
        if not self.primary_model:
            return Q()
        chosen = Answer.objects.filter(question__code=PRIMARY_MODEL, choice__code=self.primary_model)
        return Q(**{f"{prefix}pk__in": chosen.values("response_id")})

    @property
    def params(self) -> dict:
        """Return the filters that are set, as query parameters."""
        return {key: value for key, value in (("region", self.region), ("kind", self.kind)) if value}

    @property
    def region_label(self):
        return Region(self.region).label if self.region else _("All regions")

    @property
    def kind_label(self):
        return LibraryKind(self.kind).label if self.kind else _("All kinds of library")

    @property
    def labels(self) -> tuple[str, ...]:
        """Return the names of the filters that are set, region first: ("Region Midtjylland", "Filial")."""
        return tuple(
            str(label) for label, value in ((self.region_label, self.region), (self.kind_label, self.kind)) if value
        )

    @property
    def description(self) -> str:
        """Return the filters that are set as the outputs print them ("Region Midtjylland, Filial"); "" for none."""
        return ", ".join(self.labels)

    @property
    def regions(self) -> tuple[str, ...]:
        """Return the regions the figures cover, in the register's order."""
        return (self.region,) if self.region else tuple(Region.values)

    def file_name(self, stem: str, extension: str, *, suffix: str = "") -> str:
        """Return a download's name: *stem*, the filters that are set, *suffix*, then the *extension*.

        ``Filters(region="hovedstaden").file_name(file_stem(round), "pdf", suffix="rapport")`` is
        ``borgerservice-bs2009-hovedstaden-rapport.pdf``.
        """
        parts = (stem, self.region, self.kind, suffix)
        return "-".join(part for part in parts if part) + f".{extension}"


NO_FILTERS = Filters()


def file_stem(round) -> str:
    """Return the start of the name of every results file of *round*: ``borgerservice-bs2009``."""
    return f"{FILE_PREFIX}-{round.slug}"
