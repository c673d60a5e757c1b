"""container-hardening at its edges: containers without an image, and environment lists with entries that are
not variables."""

from __future__ import annotations

import pytest

from .test_containers import task, violations

PREFIX = "aws:ecs/taskDefinition:TaskDefinition 'r' container 'api'"


@pytest.mark.parametrize("image", [None, "", "   ", 7], ids=["absent", "empty", "blank", "not-a-string"])
def test_a_container_without_an_image_is_reported_as_having_none(image: object) -> None:
    assert violations(task(image=image)) == [f"{PREFIX} has no image"]


def test_environment_entries_that_are_not_variables_are_skipped_and_the_rest_still_judged() -> None:
    environment = ["DB_PASSWORD=hunter2", None, {"name": "DB_PASSWORD", "value": "hunter2"}]
    assert violations(task(environment=environment)) == [
        f"{PREFIX} has the secret-looking variable DB_PASSWORD in plain text: move it to `secrets` with valueFrom "
        "(Secrets Manager or SSM)"
    ]
