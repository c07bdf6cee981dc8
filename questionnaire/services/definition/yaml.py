"""A questionnaire definition as a YAML file (``definitions/borgerservice.yaml``): read and validated."""

import yaml

from .base import validate_definition


def read_yaml(handle) -> dict:
    """Return the parsed, validated definition in the YAML text *handle*; raise ValidationError naming each problem."""
    data = yaml.safe_load(handle)
    validate_definition(data)
    return data
