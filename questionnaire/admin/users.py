"""Staff users and groups: the rights they can be given, named in Danish.

Django stores a permission's name in English when it is made ("Can add library"), and the
rights of the queue's and the admin's own bookkeeping mean nothing to staff. So the rights
offered on a user's or a group's page are those of the models with a page in this admin,
each named from its model: the app's and the model's Danish names, and the action in words.
"""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

# The queue's rows are the worker's business: the mail's progress pages and the download pages
# say in Danish what it does, and the rows' English fields and ids tell staff nothing.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """Return "App | Model | Can do what" in the active language, from the model rather than the stored name."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    action, _separator, model_name = permission.codename.partition("_")
    custom = dict(opts.permissions)
    if permission.codename in custom:
        name = custom[permission.codename]
    elif action in ACTIONS and model_name == opts.model_name:
        name = ACTIONS[action] % {"model": opts.verbose_name}
    else:
        name = permission.name
    app = apps.get_app_config(opts.app_label)
    return f"{capfirst(app.verbose_name)} | {capfirst(opts.verbose_name)} | {name}"


class PermissionField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, permission):
        return permission_label(permission)


def offered_permissions():
    """The permissions of the models that have a page in this admin."""
    content_types = ContentType.objects.get_for_models(*admin.site._registry, for_concrete_models=False).values()
    return Permission.objects.filter(content_type__in=content_types).select_related("content_type")


class PermissionsInDanish:
    permission_field_name = ""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == self.permission_field_name:
            kwargs["queryset"] = offered_permissions()
            kwargs["form_class"] = PermissionField
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(PermissionsInDanish, UserAdmin):
    permission_field_name = "user_permissions"


@admin.register(Group)
class StaffGroupAdmin(PermissionsInDanish, GroupAdmin):
    permission_field_name = "permissions"
