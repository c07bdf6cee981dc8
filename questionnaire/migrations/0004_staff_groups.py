"""Create the two staff groups: readers look and export; administrators also run rounds.

The group names are Danish because they are data that DB staff see and pick in the
admin, not translatable text. A later change to the rights is a new migration, so
every installation has the same groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READERS = "Læsere"
MANAGERS = "Administratorer"

READER_PERMISSIONS = [
    "view_municipality",
    "view_library",
    "export_library",
    "view_questionnaire",
    "view_section",
    "view_question",
    "view_choice",
    "view_round",
    "export_round",
    "view_invitation",
    "view_response",
    "view_answer",
    "view_responsechange",
]

MANAGER_PERMISSIONS = READER_PERMISSIONS + [
    "change_municipality",
    "add_library",
    "change_library",
    "delete_library",
    "add_round",
    "change_round",
    "delete_round",
    "send_mail",
    "anonymise_round",
    "add_invitation",
    "change_invitation",
    "delete_invitation",
    "edit_answers",
    "reopen_response",
]


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make them now.
    app_config = apps.get_app_config("questionnaire")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((READERS, READER_PERMISSIONS), (MANAGERS, MANAGER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="questionnaire", codename__in=codenames)
        if permissions.count() != len(codenames):
            raise RuntimeError(f"Group {name}: a permission named here does not exist.")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[READERS, MANAGERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaire", "0003_staff_tracking"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
