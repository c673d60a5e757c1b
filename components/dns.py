"""DNS-validated ACM certificates and Route53 alias records: the one way the ALB, REST APIs and sites get theirs.

`validated_certificate` issues an ACM certificate for one name (EC P-256 key, `Name` tag = the domain), writes
its validation CNAME into the zone and returns the ARN *from the `CertificateValidation`*, so whatever takes it
(a listener, an API domain, a distribution) waits until ACM has issued the certificate. The validation record
always lives in the stack's own region (Route53 is global); the certificate and its validation take `opts`
(a site passes the us-east-1 provider: CloudFront only takes certificates from there).

`alias_records` points a name at a load balancer, API domain or distribution (A, and AAAA where the target
has IPv6).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

CERTIFICATE_VALIDATION_TIMEOUT = "20m"
"""How long `pulumi up` waits for ACM to issue a DNS-validated certificate before failing cleanly. The provider
polls for 75 minutes by default: a zone that is not delegated would hold the stack's lock past the deploy job's
timeout. 20 minutes is ample for a delegated zone (`run.py preflight` checks the delegation before an `up`)."""


def validated_certificate(
    name: str,
    domain: str,
    zone_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    *,
    record_opts: pulumi.ResourceOptions | None = None,
    timeout: str | None = None,
) -> pulumi.Output[str]:
    """`<name>-certificate`, `<name>-certificate-validation` (the CNAME, with `record_opts`, default `opts`) and
    `<name>-certificate-validated`; returns the issued certificate's ARN. `timeout` bounds the wait for issuance
    (default: the provider's)."""
    certificate = aws.acm.Certificate(
        f"{name}-certificate",
        domain_name=domain,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        tags={"Name": domain},
        opts=opts,
    )
    option = certificate.domain_validation_options[0]
    record = aws.route53.Record(
        f"{name}-certificate-validation",
        zone_id=zone_id,
        name=option.resource_record_name,
        type=option.resource_record_type,
        records=[option.resource_record_value],
        ttl=60,
        allow_overwrite=True,
        opts=record_opts if record_opts is not None else opts,
    )
    validation_opts = opts
    if timeout is not None:
        validation_opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create=timeout))
        )
    validation = aws.acm.CertificateValidation(
        f"{name}-certificate-validated",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        opts=validation_opts,
    )
    return validation.certificate_arn


def alias_records(
    name: str,
    domain: str,
    zone_id: pulumi.Input[str],
    target_name: pulumi.Input[str],
    target_zone_id: pulumi.Input[str],
    *,
    opts: pulumi.ResourceOptions,
    types: Sequence[str] = ("A",),
    evaluate_target_health: bool = False,
) -> None:
    """An alias record per type: `<name>-alias` for a single type (the names existing stacks have), else
    `<name>-alias-<type>`."""
    for record_type in types:
        resource_name = f"{name}-alias" if len(types) == 1 else f"{name}-alias-{record_type.lower()}"
        aws.route53.Record(
            resource_name,
            zone_id=zone_id,
            name=domain,
            type=record_type,
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=target_name, zone_id=target_zone_id, evaluate_target_health=evaluate_target_health
                )
            ],
            opts=opts,
        )
