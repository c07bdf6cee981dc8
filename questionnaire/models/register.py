"""The register of libraries: the municipalities, their libraries and the regions they belong to.

Every round invites the register's active libraries, and the results are cut by its regions and
kinds of library; a municipality's code, not its database id, is what tallies and exports name.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..text import validate_mail_address


class Region(models.TextChoices):
    HOVEDSTADEN = "hovedstaden", _("Region Hovedstaden")
    SJAELLAND = "sjaelland", _("Region Sjælland")
    SYDDANMARK = "syddanmark", _("Region Syddanmark")
    MIDTJYLLAND = "midtjylland", _("Region Midtjylland")
    NORDJYLLAND = "nordjylland", _("Region Nordjylland")


class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=7, decimal_places=4)
    longitude = models.DecimalField(_("longitude"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LibraryKind(models.TextChoices):
    # Labels are shown on their own (lists, filters, the overview), so they start with a capital.
    MAIN = "hovedbibliotek", _("Main library")
    BRANCH = "filial", _("Branch")
    MOBILE = "bogbus", _("Mobile library")


class LibraryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, synthetic=False)


class Library(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LibraryKind.choices, default=LibraryKind.MAIN)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="libraries", verbose_name=_("municipality")
    )
    # The same rule as the register import and the respondent's form: an address mail can use.
    email = models.EmailField(_("contact e-mail"), blank=True, validators=[validate_mail_address])
    active = models.BooleanField(_("active"), default=True)
    # Made up by `generate_responses` for benchmarks; never invited to or mailed in a round.
    synthetic = models.BooleanField(_("synthetic test data"), default=False, editable=False)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="library_unique_name_per_municipality")
        ]
        permissions = [("export_library", _("Can export the register of libraries"))]

    def __str__(self):
        return self.name
