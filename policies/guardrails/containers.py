"""container-hardening, ecs-service-hardening, container-insights.

A task definition's `containerDefinitions` is one JSON string; at preview it is usually unknown (it embeds the
log group, the image repository URL and secret ARNs), so container-hardening defers it explicitly and judges
it on `pulumi up`, before the task definition is registered.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pulumi_policy import Severity

from .base import PRODUCTION_SETTING, Context, Resource, Unknown, dig, is_true, plain, resource_policy, string_list

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"

CONTAINER_SETTINGS: dict[str, dict[str, Any]] = {
    "forbiddenImageTags": string_list(["latest"], "Image tags that float (an untagged image also means latest)."),
    "secretNamePatterns": {
        "type": "array",
        "items": {"type": "string"},
        "default": [
            "PASSWORD",
            "PASSWD",
            "SECRET",
            "TOKEN",
            "API_KEY",
            "APIKEY",
            "PRIVATE_KEY",
            "ACCESS_KEY",
            "CREDENTIAL",
            "CREDENTIALS",
        ],
        "description": "Words (between `_`/`-` or at the ends) that make an environment variable look secret.",
    },
    "referenceSuffixes": string_list(
        ["_ARN", "_NAME", "_ID", "_PATH", "_FILE"],
        "Suffixes of variables that name a secret rather than hold it (DB_SECRET_ARN).",
    ),
    "requireReadOnlyRootFilesystem": {
        "type": "boolean",
        "default": True,
        "description": "Containers run with a read-only root filesystem.",
    },
}
ROOT_USER = "root"
CONTAINER_HINT = "The platform's Service component builds hardened container definitions."


def image_problem(image: Any, forbidden: set[str]) -> str | None:
    """Why an image reference floats: `:latest`, or no tag at all. A digest (`@sha256:`) pins it."""
    if not isinstance(image, str) or not image.strip():
        return "has no image"
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"uses the untagged image {image!r} (which means :latest): pin a version tag or a digest"
    tag = last.split(":", 1)[1]
    if tag.lower() in forbidden:
        return f"uses the floating tag {image!r}: pin a version tag or a digest"
    return None


def _root(user: Any) -> bool:
    """No user (the image's default, root in most images), `root`, or uid 0 however written: Docker reads a
    numeric user as a number, so `00` and `000:1000` are root too."""
    if not isinstance(user, str) or not user.strip():
        return True
    name = user.split(":", 1)[0].strip().lower()
    return name == ROOT_USER or (name.isdigit() and int(name) == 0)


def _secret_pattern(words: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w.upper()) for w in words if w)
    return re.compile(rf"(^|[_-])({alternatives})([_-]|$)")


def check_container(label: str, container: dict[str, Any], ctx: Context) -> list[str]:
    settings = ctx.settings
    problems = []
    image = image_problem(container.get("image"), {str(t).lower() for t in settings["forbiddenImageTags"]})
    if image:
        problems.append(f"{label} {image}")
    user = container.get("user")
    if _root(user):
        problems.append(f"{label} runs as root (user is {user!r}): set a non-root user such as '1000:1000'")
    if is_true(container.get("privileged")):
        problems.append(f"{label} is privileged: remove privileged=true")
    if settings["requireReadOnlyRootFilesystem"] and not is_true(container.get("readonlyRootFilesystem")):
        problems.append(
            f"{label} has a writable root filesystem: set readonlyRootFilesystem=true "
            f"(mount a volume for scratch space)"
        )
    pattern = _secret_pattern([str(w) for w in settings["secretNamePatterns"]])
    suffixes = tuple(str(s).upper() for s in settings["referenceSuffixes"])
    for variable in container.get("environment") or []:
        if not isinstance(variable, dict):
            continue
        name, value = str(variable.get("name") or ""), variable.get("value")
        upper = name.upper()
        if value not in (None, "") and pattern.search(upper) and not upper.endswith(suffixes):
            problems.append(
                f"{label} has the secret-looking variable {name} in plain text: move it to "
                f"`secrets` with valueFrom (Secrets Manager or SSM)"
            )
    if not dig(container, "logConfiguration", "logDriver"):
        problems.append(f"{label} has no logConfiguration: send its logs to CloudWatch (awslogs)")
    return problems


def check_task_definition(resource: Resource, ctx: Context) -> None:
    raw = resource.props.get("containerDefinitions")
    if isinstance(raw, Unknown):
        ctx.defer(
            f".containerDefinitions of {resource.subject}",
            "it embeds values known only after create; judged on `pulumi up`",
        )
        return
    containers = raw
    if isinstance(raw, str):
        try:
            containers = plain(json.loads(raw))
        except json.JSONDecodeError as error:
            ctx.violation(f"{resource.subject} containerDefinitions is not valid JSON ({error.msg}).")
            return
    if not isinstance(containers, list) or not containers:
        ctx.violation(f"{resource.subject} has no container definitions.")
        return
    for index, container in enumerate(containers):
        if isinstance(container, Unknown):
            ctx.defer(f"container #{index} of {resource.subject}", "judged on `pulumi up`, when known")
            continue
        if not isinstance(container, dict):
            continue
        name = container.get("name")
        label = f"container {name!r}" if isinstance(name, str) else f"container #{index}"
        for problem in check_container(label, container, ctx):
            ctx.violation(f"{resource.subject} {problem}. {CONTAINER_HINT}")


CONTAINER_HARDENING = resource_policy(
    name="container-hardening",
    description="Containers run pinned images (no latest/untagged), as non-root, unprivileged, on a read-only "
    "root filesystem, with no secret-looking plain environment values, logging to CloudWatch.",
    types=[TASK_DEFINITION],
    check=check_task_definition,
    settings=CONTAINER_SETTINGS,
    severity=Severity.HIGH,
    remediation="Pin the image tag or digest; set user (non-root), readonlyRootFilesystem=true, no privileged; "
    "pass secrets with `secrets`/valueFrom; configure awslogs.",
)


# -- services ------------------------------------------------------------------------------------------
def check_service(resource: Resource, ctx: Context) -> None:
    props = resource.props
    controller = resource.get("deploymentController", "type", default="ECS")
    if isinstance(controller, Unknown):
        ctx.defer(f".deploymentController of {resource.subject}", "judged on `pulumi up`, when known")
    elif controller == "ECS":  # CODE_DEPLOY and EXTERNAL controllers roll back by other means
        breaker = props.get("deploymentCircuitBreaker")
        enable, rollback = dig(breaker, "enable"), dig(breaker, "rollback")
        if isinstance(breaker, Unknown) or isinstance(enable, Unknown) or isinstance(rollback, Unknown):
            ctx.defer(f".deploymentCircuitBreaker of {resource.subject}", "judged on `pulumi up`, when known")
        elif not (is_true(enable) and is_true(rollback)):
            ctx.violation(
                f"{resource.subject} has no deployment circuit breaker with rollback: set "
                f"deployment_circuit_breaker enable=true, rollback=true, so a failing deployment "
                f"rolls back by itself."
            )
    public_ip = resource.get("networkConfiguration", "assignPublicIp")
    if isinstance(public_ip, Unknown):
        ctx.defer(f".networkConfiguration.assignPublicIp of {resource.subject}", "judged on `pulumi up`")
    elif is_true(public_ip):
        ctx.violation(
            f"{resource.subject} gives its tasks public IPs: set assign_public_ip=false and run them in "
            f"the private subnets (they reach AWS through the NAT or VPC endpoints)."
        )
    exec_enabled = props.get("enableExecuteCommand")
    if is_true(exec_enabled) or isinstance(exec_enabled, Unknown):
        production = ctx.production(props.get("tags"))
        if isinstance(production, Unknown) or isinstance(exec_enabled, Unknown):
            ctx.defer(f".enableExecuteCommand / Environment of {resource.subject}", "judged on `pulumi up`")
        elif production:
            ctx.violation(
                f"{resource.subject} allows ECS Exec in production: set enable_execute_command=false "
                f"(shell access to production tasks goes through break-glass, not the service)."
            )


ECS_SERVICE_HARDENING = resource_policy(
    name="ecs-service-hardening",
    description="ECS services roll back failed deployments (circuit breaker), give tasks no public IP, and "
    "allow no ECS Exec in production.",
    types=[SERVICE],
    check=check_service,
    settings=PRODUCTION_SETTING,
    severity=Severity.HIGH,
    remediation="deployment_circuit_breaker enable+rollback; network_configuration assign_public_ip=false; "
    "enable_execute_command=false in production.",
)


def check_cluster(resource: Resource, ctx: Context) -> None:
    allowed = {str(v) for v in ctx.settings["allowedValues"]}
    settings = resource.props.get("settings")
    if isinstance(settings, Unknown):
        ctx.defer(f".settings of {resource.subject}", "judged on `pulumi up`, when known")
        return
    items = settings if isinstance(settings, list) else []
    values = [dig(s, "value") for s in items if dig(s, "name") == "containerInsights"]
    if any(isinstance(v, Unknown) for v in values):
        ctx.defer(f"the containerInsights setting of {resource.subject}", "judged on `pulumi up`, when known")
    elif not any(v in allowed for v in values):
        shown = repr(values[0]) if values else "unset"
        ctx.violation(
            f"{resource.subject} has Container Insights {shown}: add setting containerInsights="
            f"{'|'.join(sorted(allowed))} (task-level CPU, memory and running-task metrics)."
        )


CONTAINER_INSIGHTS = resource_policy(
    name="container-insights",
    description="ECS clusters have Container Insights enabled.",
    types=[CLUSTER],
    check=check_cluster,
    settings={
        "allowedValues": string_list(
            ["enabled", "enhanced"], "Accepted values of the containerInsights cluster setting."
        )
    },
    severity=Severity.LOW,
    remediation="settings=[{name: containerInsights, value: enabled}] on the aws.ecs.Cluster.",
)

POLICIES = [CONTAINER_HARDENING, ECS_SERVICE_HARDENING, CONTAINER_INSIGHTS]
