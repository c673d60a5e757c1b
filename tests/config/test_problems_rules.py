"""How a config problem reads (components/config/problems.py): key paths as the stack file writes them, values as
it spells them (and cut at 80 characters), pydantic's errors turned into one line each with the keys allowed
where a typo is, a tagged section (`database`) named without its tag. Fast: models and small configs only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.config import StackConfig, StackConfigError, load_stack_config
from components.config.problems import MISSING, Problem, allowed_keys, key_path, problems_from_validation_error
from offline.engine import stack_config


def lines(**sections: Any) -> list[str]:
    flat = stack_config("dev")
    for key, value in sections.items():
        flat[f"platform:{key}"] = value if isinstance(value, str) else json.dumps(value)
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("dev", flat)
    return caught.value.lines


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("network", "subnets", "public", 0), "platform:network.subnets.public[0]"),
        (("services", "api", "secrets", "KEY"), "platform:services.api.secrets.KEY"),
        (("cors", 0, "allowedOrigins", 1), "platform:cors[0].allowedOrigins[1]"),
        ((), "platform"),
    ],
)
def test_a_key_path_reads_as_the_stack_file_nests_it(loc: tuple[str | int, ...], path: str) -> None:
    assert key_path(loc) == path


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (MISSING, "platform:x: wrong"),
        (True, "platform:x = true: wrong"),
        (False, "platform:x = false: wrong"),
        (None, "platform:x = null: wrong"),
        (3, "platform:x = 3: wrong"),
        ("a" * 78, f"platform:x = '{'a' * 78}': wrong"),
        ("a" * 79, f"platform:x = '{'a' * 76}...: wrong"),
    ],
)
def test_a_problem_shows_its_value_as_the_stack_file_spells_it_up_to_80_characters(value: Any, shown: str) -> None:
    assert Problem("platform:x", "wrong", value).render("Pulumi.dev.yaml") == f"Pulumi.dev.yaml: {shown}"


def test_a_problem_cannot_be_changed_once_found() -> None:
    problem = Problem("platform:x", "wrong", 1)
    with pytest.raises(AttributeError):
        problem.value = 2  # type: ignore[misc]
    assert len({problem, Problem("platform:x", "wrong", 1)}) == 1


@pytest.mark.parametrize(("count", "header"), [(1, "1 config problem:"), (2, "2 config problems:")])
def test_the_error_counts_its_problems_and_lists_each_on_its_own_line(count: int, header: str) -> None:
    error = StackConfigError("Pulumi.dev.yaml", [Problem(f"platform:k{n}", "bad") for n in range(count)])
    assert str(error).splitlines() == [f"Pulumi.dev.yaml: {header}", *error.lines]
    assert error.lines == [f"Pulumi.dev.yaml: platform:k{n}: bad" for n in range(count)]


def errors(section: str, value: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        StackConfig.model_validate({section: value})
    return [p.render("f") for p in problems_from_validation_error(caught.value, StackConfig) if section in p.path]


def test_a_value_error_reads_without_pydantics_prefix() -> None:
    assert errors("network", {"cidr": "10.0.0.0/8", "azCount": 2, "natStrategy": "single"}) == [
        "f: platform:network.cidr = '10.0.0.0/8': the VPC CIDR must be /16 to /24 (AWS's limits for a VPC)"
    ]


def test_a_missing_key_is_named_without_a_value() -> None:
    assert errors("network", {"azCount": 2, "natStrategy": "single"}) == [
        "f: platform:network.cidr: required key is missing"
    ]


def test_a_value_that_is_not_a_scalar_is_not_shown() -> None:
    assert errors("network", {"cidr": ["10.0.0.0/16"], "azCount": 2, "natStrategy": "single"}) == [
        "f: platform:network.cidr: Input should be a valid string"
    ]


def test_a_null_value_is_shown_as_null() -> None:
    assert errors("network", {"cidr": None, "azCount": 2, "natStrategy": "single"}) == [
        "f: platform:network.cidr = null: Input should be a valid string"
    ]


@pytest.mark.parametrize(
    ("loc", "keys"),
    [
        (
            ("network",),
            ["azCount", "cidr", "flowLogs", "interfaceEndpoints", "natStrategy", "subnetNewbits", "subnets"],
        ),
        (("network", "flowLogs"), ["retentionDays"]),
        (("network", "flow_logs"), ["retentionDays"]),
        (("network", "subnets"), ["data", "private", "public"]),
        (
            ("buckets", "uploads", "cors", 0),
            ["allowedHeaders", "allowedMethods", "allowedOrigins", "exposeHeaders", "maxAgeSeconds"],
        ),
        (("loadBalancer", "cloudFront", "waf"), ["enabled", "rateLimit"]),
        (("network", "nosuch"), []),
        (("network", "cidr"), []),
    ],
)
def test_the_keys_allowed_at_a_path_are_its_models_camel_case_keys(loc: tuple[str | int, ...], keys: list[str]) -> None:
    assert allowed_keys(StackConfig, loc) == keys


def test_a_typo_inside_a_list_entry_lists_that_entrys_keys() -> None:
    buckets = {
        "uploads": {"cors": [{"allowedOrigins": ["https://a.example.com"], "allowedMethods": ["GET"], "maxAge": 1}]}
    }
    assert lines(buckets=buckets) == [
        "Pulumi.dev.yaml: platform:buckets.uploads.cors[0].maxAge: unknown key (a typo?); allowed keys here: "
        "allowedHeaders, allowedMethods, allowedOrigins, exposeHeaders, maxAgeSeconds"
    ]


def test_a_typo_in_an_rds_database_names_the_key_without_the_tag_and_lists_the_rds_keys() -> None:
    [line] = lines(database={"engine": "postgres", "multiAZ": True})
    assert line.startswith("Pulumi.dev.yaml: platform:database.multiAZ: unknown key (a typo?); allowed keys here: ")
    assert "allocatedStorageGib" in line and "maxCapacity" not in line


def test_a_typo_in_an_aurora_database_lists_the_aurora_keys() -> None:
    [line] = lines(database={"minAcu": 1})
    assert line.startswith("Pulumi.dev.yaml: platform:database.minAcu: unknown key (a typo?); allowed keys here: ")
    assert "maxCapacity" in line and "allocatedStorageGib" not in line


def test_a_bad_value_in_an_rds_database_is_named_without_the_tag() -> None:
    assert lines(database={"engine": "postgres", "readReplicas": 6}) == [
        "Pulumi.dev.yaml: platform:database.readReplicas = 6: allowed: 0 to 5 replicas"
    ]


def test_a_database_section_that_is_not_a_mapping_is_named_at_the_section() -> None:
    [line] = lines(database="aurora")
    assert line.startswith("Pulumi.dev.yaml: platform:database = 'aurora': Input should be a valid dictionary")
