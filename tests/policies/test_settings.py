"""Setting schemas the engine validates a stack's policy config against, before the pack runs."""

from __future__ import annotations

import jsonschema
import pytest

from policies.guardrails.base import PRODUCTION_SETTING, settings_with_defaults, string_list


def test_a_string_list_setting_takes_any_strings_and_defaults_to_a_copy_of_its_default() -> None:
    default = ["a"]
    schema = string_list(default, "Things.")
    jsonschema.validate(["x", "y"], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([1], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("x", schema)
    assert settings_with_defaults({"things": schema}, None) == {"things": ["a"]}
    assert schema["default"] is not default
    assert schema["description"] == "Things."


def test_a_string_list_with_allowed_values_refuses_any_other() -> None:
    schema = string_list(["a"], "Things.", allowed=("a", "b"))
    jsonschema.validate(["a", "b"], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(["c"], schema)


def test_a_stack_setting_overrides_the_default() -> None:
    assert settings_with_defaults(PRODUCTION_SETTING, {"productionEnvironments": ["live"]}) == {
        "productionEnvironments": ["live"]
    }
    assert settings_with_defaults(PRODUCTION_SETTING, {}) == {"productionEnvironments": ["prod", "production"]}
