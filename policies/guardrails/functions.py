"""Lambda guardrails: lambda-supported-runtime, lambda-tracing-active, lambda-log-retention, lambda-url-iam-auth,
lambda-permission-scoped, lambda-async-failure-destination, lambda-in-vpc-with-network-store.

- lambda-supported-runtime: a zip function names a runtime of the `supportedRuntimes` list (AWS's current,
  non-deprecated ones; a deprecated runtime gets no security patches and AWS blocks creating functions on it).
  Image functions carry their runtime in the image and are not judged; a zip function without a runtime is.
- lambda-tracing-active: `tracingConfig.mode` is `Active` (X-Ray samples every entry point).
- lambda-log-retention (stack): the function's log group (`loggingConfig.logGroup`, else `/aws/lambda/<name>`)
  is declared in the stack with a retention; otherwise Lambda creates it on first run, kept forever and
  encrypted with no customer key.
- lambda-url-iam-auth: a function URL uses `AWS_IAM` (in `allowedAuthTypes`): `NONE` is a public endpoint with
  no WAF, no throttling per client and no authentication.
- lambda-permission-scoped: a Lambda permission names an AWS service principal (`*.amazonaws.com`) and a
  source ARN (so only that rule, target group, secret, bucket... may invoke), and an exact action, never
  `lambda:*` or `*`. Account principals and `*` belong in IAM policies, not here.
- lambda-async-failure-destination (stack): a function invoked asynchronously (a permission for EventBridge,
  SNS, S3, or a Scheduler schedule targeting it) has an on-failure destination
  (`FunctionEventInvokeConfig.destinationConfig.onFailure`) or a dead-letter queue; and every Scheduler
  schedule has a dead-letter queue. Otherwise a failed event is dropped after the retries.
- lambda-in-vpc-with-network-store (stack): a function whose role may `rds-db:connect` runs in the VPC
  (`vpcConfig.subnetIds`); the database is reachable only there.
- lambda-alarms (stack): every function has at least `minimumAlarms` (3) metric alarms with dimension
  `FunctionName` (errors, throttles, duration), found through the same alarm index as service-and-database-alarms.

Names tie resources together (a function's name in permissions, invoke configs and ARNs); what is unknown at
a first preview is deferred to `pulumi up`, never guessed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pulumi_policy import Severity

from .base import (
    Context,
    Resource,
    Stack,
    StackResource,
    Unknown,
    as_list,
    dig,
    resource_policy,
    stack_policy,
    string_list,
)
from .observability import METRIC_ALARM, AlarmIndex

FUNCTION = "aws:lambda/function:Function"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
SCHEDULE = "aws:scheduler/schedule:Schedule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"

SUPPORTED_RUNTIMES = [
    "nodejs24.x",
    "nodejs22.x",
    "python3.14",
    "python3.13",
    "python3.12",
    "java25",
    "java21",
    "ruby3.4",
    "ruby3.3",
    "dotnet10",
    "provided.al2023",
]
"""AWS Lambda's supported, non-deprecated runtimes as of 2026-12 (Lambda Developer Guide, "Lambda runtimes").
The platform's config keeps the same list (components/config/functions.py); a test holds them together."""
ASYNC_PRINCIPALS = ["events.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com"]
_FUNCTION_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(:[A-Za-z0-9$_-]+)?$")


def function_name(value: Any) -> str | Unknown | None:
    """A function's name from a name, a function ARN or a qualified (alias/version) ARN."""
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, str):
        return None
    match = _FUNCTION_ARN.match(value)
    return match.group(1) if match else value


# -- resource policies -----------------------------------------------------------------------------------------
def check_runtime(resource: Resource, ctx: Context) -> None:
    if resource.get("packageType") == "Image":
        return
    runtime = resource.get("runtime")
    supported = [str(r) for r in ctx.settings["supportedRuntimes"]]
    if isinstance(runtime, Unknown):
        ctx.defer(f".runtime of {resource.subject}", "judged on `pulumi up`, when known")
    elif runtime is None:
        ctx.violation(f"{resource.subject} is a zip function without a runtime: set one of {', '.join(supported)}.")
    elif runtime not in supported:
        ctx.violation(
            f"{resource.subject} runs on {runtime}, which is deprecated or not supported: move to one "
            f"of {', '.join(supported)}."
        )


LAMBDA_SUPPORTED_RUNTIME = resource_policy(
    name="lambda-supported-runtime",
    description="Zip Lambda functions run on a supported, non-deprecated runtime.",
    types=[FUNCTION],
    check=check_runtime,
    severity=Severity.HIGH,
    settings={
        "supportedRuntimes": string_list(SUPPORTED_RUNTIMES, "Lambda runtime identifiers allowed for zip functions.")
    },
    remediation="Set runtime to a supported identifier (python3.13, nodejs22.x, java21, provided.al2023...).",
    url="https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
)


def check_tracing(resource: Resource, ctx: Context) -> None:
    mode = resource.get("tracingConfig", "mode")
    wanted = str(ctx.settings["mode"])
    if isinstance(mode, Unknown):
        ctx.defer(f".tracingConfig.mode of {resource.subject}", "judged on `pulumi up`, when known")
    elif mode != wanted:
        ctx.violation(
            f"{resource.subject} has X-Ray tracing {mode or 'off'}: set tracing_config "
            f"mode={wanted!r} so every invocation is traced."
        )


LAMBDA_TRACING_ACTIVE = resource_policy(
    name="lambda-tracing-active",
    description="Lambda functions trace with X-Ray (tracingConfig.mode Active).",
    types=[FUNCTION],
    check=check_tracing,
    severity=Severity.LOW,
    settings={
        "mode": {
            "type": "string",
            "enum": ["Active"],
            "default": "Active",
            "description": "The tracing mode every function must use.",
        }
    },
    remediation='Set tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active") and allow '
    "xray:PutTraceSegments/PutTelemetryRecords to the role.",
)


def check_url_auth(resource: Resource, ctx: Context) -> None:
    auth = resource.get("authorizationType")
    allowed = [str(a) for a in ctx.settings["allowedAuthTypes"]]
    if isinstance(auth, Unknown):
        ctx.defer(f".authorizationType of {resource.subject}", "judged on `pulumi up`, when known")
    elif auth not in allowed:
        ctx.violation(
            f"{resource.subject} uses authorization {auth!r}: anyone on the internet can invoke the "
            f"function. Use {' or '.join(allowed)} (callers sign their requests), or put it behind the ALB."
        )


LAMBDA_URL_IAM_AUTH = resource_policy(
    name="lambda-url-iam-auth",
    description="Lambda function URLs require IAM authentication (never NONE).",
    types=[FUNCTION_URL],
    check=check_url_auth,
    severity=Severity.CRITICAL,
    settings={"allowedAuthTypes": string_list(["AWS_IAM"], "Authorization types a URL may use.", allowed=["AWS_IAM"])},
    remediation='Set authorization_type="AWS_IAM" on the aws.lambda_.FunctionUrl.',
)


def check_permission(resource: Resource, ctx: Context) -> None:
    action, principal, source = (resource.get(k) for k in ("action", "principal", "sourceArn"))
    suffixes = tuple(str(s) for s in ctx.settings["servicePrincipalSuffixes"])
    # An unknown sourceArn is set (to a resource created in this run): only its absence is judged.
    for what, value in (("action", action), ("principal", principal)):
        if isinstance(value, Unknown):
            ctx.defer(f".{what} of {resource.subject}", "judged on `pulumi up`, when known")
    if isinstance(action, str) and ("*" in action or not action.startswith("lambda:Invoke")):
        ctx.violation(
            f"{resource.subject} grants {action!r}: a permission grants exactly lambda:InvokeFunction "
            "(or lambda:InvokeFunctionUrl), never a wildcard."
        )
    if isinstance(principal, str) and not principal.endswith(suffixes):
        ctx.violation(
            f"{resource.subject} lets {principal!r} invoke the function: only an AWS service principal "
            "(events.amazonaws.com, elasticloadbalancing.amazonaws.com...) may be named here; give "
            "accounts and roles lambda:InvokeFunction in their own IAM policy."
        )
    elif isinstance(principal, str) and source is None:
        ctx.violation(
            f"{resource.subject} lets {principal} invoke the function from any resource: set source_arn "
            "to the one rule, target group, secret or bucket that calls it."
        )


LAMBDA_PERMISSION_SCOPED = resource_policy(
    name="lambda-permission-scoped",
    description="Lambda permissions name a service principal and a source ARN, and an exact invoke action.",
    types=[PERMISSION],
    check=check_permission,
    severity=Severity.HIGH,
    settings={
        "servicePrincipalSuffixes": string_list(
            [".amazonaws.com", ".amazonaws.com.cn"], "Principals ending in one of these are AWS service principals."
        )
    },
    remediation="principal=<service>.amazonaws.com, source_arn=<the calling resource's ARN>, "
    'action="lambda:InvokeFunction".',
)


# -- stack policies ------------------------------------------------------------------------------------------
def _functions(stack: Stack) -> dict[str, StackResource]:
    named: dict[str, StackResource] = {}
    for fn in stack.of_type(FUNCTION):
        name = fn.get("name")
        if isinstance(name, str):
            named[name] = fn
    return named


def check_log_retention(stack: Stack, ctx: Context) -> None:
    groups: dict[str, Any] = {}
    unknown_groups = False
    for group in stack.of_type(LOG_GROUP):
        name = group.get("name")
        if isinstance(name, str):
            groups[name] = group.get("retentionInDays")
        else:
            unknown_groups = True
    prefix = str(ctx.settings["logGroupPrefix"])
    for fn in stack.of_type(FUNCTION):
        name = fn.get("name")
        wanted = fn.get("loggingConfig", "logGroup")
        if wanted is None and isinstance(name, str):
            wanted = f"{prefix}{name}"
        if not isinstance(wanted, str):
            ctx.defer(f"the log group of {fn.subject}", "judged on `pulumi up`, when its name is known")
            continue
        if wanted not in groups:
            if unknown_groups:
                ctx.defer(f"the log group of {fn.subject}", "log group names are judged on `pulumi up`")
            else:
                ctx.violation(
                    f"{fn.subject} logs to {wanted}, which the stack does not declare: Lambda would "
                    "create it on first run, kept forever. Declare an aws.cloudwatch.LogGroup of that "
                    "name with retention_in_days and the stack key.",
                    fn.urn,
                )
        elif isinstance(groups[wanted], Unknown):
            ctx.defer(f".retentionInDays of {wanted}", "judged on `pulumi up`")
        elif not groups[wanted]:
            ctx.violation(
                f"{fn.subject} logs to {wanted}, which keeps its logs forever: set retention_in_days.", fn.urn
            )


LAMBDA_LOG_RETENTION = stack_policy(
    name="lambda-log-retention",
    description="Every Lambda function's log group is declared in the stack with a retention period.",
    check=check_log_retention,
    severity=Severity.MEDIUM,
    settings={
        "logGroupPrefix": {
            "type": "string",
            "default": "/aws/lambda/",
            "description": "Where Lambda logs when loggingConfig names no group.",
        }
    },
    remediation='Declare aws.cloudwatch.LogGroup(name="/aws/lambda/<function>", retention_in_days=...) before '
    "the function, or name one in logging_config.",
)


def check_async_failures(stack: Stack, ctx: Context) -> None:
    functions = _functions(stack)
    asynchronous: dict[str, str] = {}
    principals = {str(p) for p in ctx.settings["asynchronousPrincipals"]}
    for permission in stack.of_type(PERMISSION):
        principal = permission.get("principal")
        if isinstance(principal, str) and principal in principals:
            target = function_name(permission.get("function"))
            if isinstance(target, Unknown):
                ctx.defer(f"the function of {permission.subject}", "judged on `pulumi up`")
            elif target:
                asynchronous.setdefault(target, f"{permission.subject} ({principal})")
    for schedule in stack.of_type(SCHEDULE):
        target = dig(schedule.props, "target")
        dead_letter = dig(target, "deadLetterConfig", "arn")
        if dead_letter is None:
            ctx.violation(
                f"{schedule.subject} has no dead-letter queue: an invocation that fails every retry is "
                "dropped. Set target.dead_letter_config.",
                schedule.urn,
            )
        name = function_name(dig(target, "arn"))
        if isinstance(name, Unknown):
            ctx.defer(f"the target of {schedule.subject}", "judged on `pulumi up`, when the function's ARN is known")
        elif isinstance(name, str) and name in functions:
            asynchronous.setdefault(name, schedule.subject)
    handled: set[str] = set()
    for config in stack.of_type(INVOKE_CONFIG):
        name = function_name(config.get("functionName"))
        destination = config.get("destinationConfig", "onFailure", "destination")
        if isinstance(name, str) and destination is not None:
            handled.add(name)
    for name, invoker in sorted(asynchronous.items()):
        fn = functions.get(name)
        if name in handled or (fn is not None and fn.get("deadLetterConfig", "targetArn") is not None):
            continue
        ctx.violation(
            f"function {name} is invoked asynchronously by {invoker} but has no on-failure destination "
            "or dead-letter queue: an event that fails every retry is dropped. Add an "
            "aws.lambda_.FunctionEventInvokeConfig with destination_config.on_failure (a queue).",
            fn.urn if fn is not None else None,
        )


LAMBDA_ASYNC_FAILURE_DESTINATION = stack_policy(
    name="lambda-async-failure-destination",
    description="Asynchronously invoked Lambda functions and Scheduler schedules keep failed events (an on-failure "
    "destination or a dead-letter queue).",
    check=check_async_failures,
    severity=Severity.MEDIUM,
    settings={
        "asynchronousPrincipals": string_list(
            ASYNC_PRINCIPALS, "Service principals that invoke functions asynchronously."
        )
    },
    remediation="aws.lambda_.FunctionEventInvokeConfig(destination_config.on_failure=<queue ARN>) per function; "
    "target.dead_letter_config on every Scheduler schedule.",
)


def _grants_action(document: Any, action: str) -> bool | None:
    """Whether an identity policy document allows `action` (None: the document, or its statements, unknown)."""
    try:
        parsed = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return False
    statements = as_list(dig(parsed, "Statement"))
    if isinstance(statements, Unknown):
        return None
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = as_list(statement.get("Action"))
        if isinstance(actions, list) and any(isinstance(a, str) and a.lower() == action.lower() for a in actions):
            return True
    return False


def check_in_vpc(stack: Stack, ctx: Context) -> None:
    actions = [str(a) for a in ctx.settings["networkStoreActions"]]
    roles = {r.urn: r for r in stack.of_type(ROLE)}
    role_by_arn = {r.get("arn"): r for r in roles.values() if isinstance(r.get("arn"), str)}
    policies_of: dict[str, list[StackResource]] = {}
    for policy in stack.of_type(ROLE_POLICY):
        for urn in policy.property_dependencies.get("role", []):
            policies_of.setdefault(urn, []).append(policy)
    for fn in stack.of_type(FUNCTION):
        role_urns = [u for u in fn.property_dependencies.get("role", []) if u in roles]
        role = roles[role_urns[0]] if role_urns else role_by_arn.get(fn.get("role"))
        if role is None:
            continue
        verdicts = [_grants_action(p.get("policy"), a) for p in policies_of.get(role.urn, []) for a in actions]
        if True not in verdicts:
            if None in verdicts:
                ctx.defer(f"the role policy of {fn.subject}", "judged on `pulumi up`, when the document is known")
            continue
        subnets = fn.get("vpcConfig", "subnetIds")
        if isinstance(subnets, Unknown):
            ctx.defer(f".vpcConfig of {fn.subject}", "judged on `pulumi up`")
        elif not subnets:
            ctx.violation(
                f"{fn.subject} may connect to the database ({', '.join(actions)}) but runs outside the VPC: "
                "place it in the private subnets with its own security group (vpc_config).",
                fn.urn,
            )


LAMBDA_IN_VPC_WITH_NETWORK_STORE = stack_policy(
    name="lambda-in-vpc-with-network-store",
    description="Lambda functions granted a network store (the database) run in the VPC.",
    check=check_in_vpc,
    severity=Severity.HIGH,
    settings={
        "networkStoreActions": string_list(
            ["rds-db:connect"], "Actions that mean a function uses a store inside the VPC."
        )
    },
    remediation="Set vpc_config (private subnet ids, the function's own security group) on the function.",
)


def check_function_alarms(stack: Stack, ctx: Context) -> None:
    index = AlarmIndex(stack.of_type(METRIC_ALARM))
    minimum = int(ctx.settings["minimumAlarms"])
    for fn in stack.of_type(FUNCTION):
        found, undecided = index.watching(fn, "FunctionName", fn.get("name"))
        if found >= minimum:
            continue
        if undecided:
            ctx.defer(f"which alarms watch {fn.subject}", "alarm dimensions are judged on `pulumi up`")
            continue
        ctx.violation(
            f"{fn.subject} has {found} CloudWatch alarm(s) on FunctionName, fewer than {minimum}: alarm "
            "on its errors, throttles and duration (the platform's observability component does, per "
            "function), notifying the alarm topic.",
            fn.urn,
        )


LAMBDA_ALARMS = stack_policy(
    name="lambda-alarms",
    description="Every Lambda function has CloudWatch metric alarms (errors, throttles, duration).",
    check=check_function_alarms,
    severity=Severity.MEDIUM,
    settings={
        "minimumAlarms": {
            "type": "integer",
            "minimum": 1,
            "default": 3,
            "description": "Fewest metric alarms with dimension FunctionName per function.",
        }
    },
    remediation="Add aws.cloudwatch.MetricAlarm(s) with dimensions {FunctionName: <name>} on Errors, Throttles and "
    "Duration, notifying the alarm topic.",
)

POLICIES = [
    LAMBDA_SUPPORTED_RUNTIME,
    LAMBDA_TRACING_ACTIVE,
    LAMBDA_LOG_RETENTION,
    LAMBDA_URL_IAM_AUTH,
    LAMBDA_PERMISSION_SCOPED,
    LAMBDA_ASYNC_FAILURE_DESTINATION,
    LAMBDA_IN_VPC_WITH_NETWORK_STORE,
    LAMBDA_ALARMS,
]
