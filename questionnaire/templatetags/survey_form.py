"""Filters for the questionnaire's lean crispy template pack (templates/survey_form/).

Choice groups are the bulk of a section page. Django's widgets render every option
through templates of their own; here the options are listed in Python once and the
pack's field template writes them out in a single loop.
"""

from django import forms, template

register = template.Library()


@register.filter
def is_choice_group(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def choice_options(bound_field) -> list[dict]:
    """Return each choice of a radio or checkbox group with its input type, id and checked state."""
    value = bound_field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)} if value else set()
    input_type = bound_field.field.widget.input_type
    return [
        {
            "type": input_type,
            "value": code,
            "label": label,
            "id": f"{bound_field.auto_id}_{index}",
            "checked": code in chosen,
        }
        for index, (code, label) in enumerate(bound_field.field.choices)
    ]


@register.filter
def described_by(bound_field) -> str:
    """Return the ids of the field's help text and errors, for aria-describedby."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_error")
    return " ".join(ids)
