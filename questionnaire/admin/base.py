"""What the admin modules share: permission checks, extra pages, filters and formats."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import Round


def require(request: HttpRequest, *permissions: str) -> None:
    """Raise PermissionDenied unless the user has every one of *permissions* of this app."""
    if not request.user.has_perms([f"questionnaire.{permission}" for permission in permissions]):
        raise PermissionDenied


def admin_path(model_admin: admin.ModelAdmin, route: str, view, name: str):
    """Return an extra admin page of *model_admin*: behind the admin's login, named like Django's own."""
    return path(
        route,
        model_admin.admin_site.admin_view(view),
        name=f"{model_admin.opts.app_label}_{model_admin.opts.model_name}_{name}",
    )


def page_context(model_admin: admin.ModelAdmin, request, original, title: str, **extra) -> dict:
    """Return the context of an extra page about *original*, with the admin's own (breadcrumbs, site title)."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": original,
        "title": title,
        **extra,
    }


def yes_no_filter(title, parameter, condition):
    """Return a list filter with the choices yes and no for the Q object *condition*."""

    class YesNoFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return (("yes", _("Yes")), ("no", _("No")))

        def queryset(self, request, queryset):
            if self.value() == "yes":
                return queryset.filter(condition)
            if self.value() == "no":
                return queryset.exclude(condition)
            return queryset

    YesNoFilter.title = title
    YesNoFilter.parameter_name = parameter
    return YesNoFilter


class RoundFilter(admin.RelatedFieldListFilter):
    """A list filter by round offering the rounds libraries answer: never a hidden try-out round."""

    def field_choices(self, field, request, model_admin):
        return [(round_.pk, str(round_)) for round_ in Round.objects.real()]


class RoundChoices:
    """Forms of a ModelAdmin offer the rounds libraries answer: never a hidden try-out round."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Round:
            kwargs["queryset"] = Round.objects.real()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin for records that are only looked at: nobody adds, changes or deletes here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SendMailPermission:
    """The right behind the admin actions that send mail (``permissions=["send_mail"]``)."""

    def has_send_mail_permission(self, request):
        return request.user.has_perm("questionnaire.send_mail")


def short_time(moment) -> str | None:
    """Return *moment* as a short local date and time (31.08.09 14:05): list columns are narrow."""
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else None


class RoundPages:
    """What the extra pages of a round share (RoundAdmin's mixins for follow, mail, personal data)."""

    def round_or_404(self, request, pk) -> Round:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Round, pk=pk)

    def round_context(self, request, round_, title, **extra) -> dict:
        return page_context(self, request, round_, title, round=round_, **extra)

    def one_round(self, request, queryset, view_name):
        """Send an admin action on one chosen round on to its page *view_name*, which asks first."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one round."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse(f"admin:{view_name}", args=[queryset.get().pk]))
