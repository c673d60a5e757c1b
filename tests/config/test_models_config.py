"""`grants.models`: Bedrock model and inference profile ids, refused one line each when they are not."""

from __future__ import annotations

import pytest

from components.config import StackConfigError, load_stack_config

from .test_compute_config import service_change


def problems(models: list[str]) -> str:
    with pytest.raises(StackConfigError) as error:
        load_stack_config("dev", service_change("dev", "api", grants__models=models))
    return str(error.value)


def test_model_and_profile_ids_are_accepted() -> None:
    config = load_stack_config(
        "dev",
        service_change(
            "dev",
            "api",
            grants__models=["anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-3-5-haiku-20241022-v1:0"],
        ),
    )
    assert config.services["api"].grants.models == [
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
    ]


def test_a_wildcard_or_a_bare_name_is_not_a_model() -> None:
    assert problems(["anthropic.claude-3-haiku-20240307-v1:0", "foundation-model/*"]).splitlines()[1] == (
        "Pulumi.dev.yaml: platform:services.api.grants.models[1] = 'foundation-model/*': not a Bedrock model id "
        "(<provider>.<model>, e.g. anthropic.claude-3-haiku-20240307-v1:0) or cross-Region inference profile id "
        "(<geography>.<model id>, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0)"
    )


def test_a_profile_of_an_unknown_geography_names_the_known_ones() -> None:
    assert problems(["xx.anthropic.claude-v1"]).splitlines()[1] == (
        "Pulumi.dev.yaml: platform:services.api.grants.models[0] = 'xx.anthropic.claude-v1': an inference profile "
        "of unknown geography 'xx'; known: us, us-gov, ca, eu, apac, jp, au, global"
    )
