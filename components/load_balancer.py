"""Load balancer: the internet-facing ALB, the platform's only entry from the internet."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .bucket import Bucket, BucketArgs
from .config.compute import LoadBalancerConfig
from .dns import CERTIFICATE_VALIDATION_TIMEOUT, alias_records, validated_certificate
from .iam import Statement
from .naming import physical_name
from .waf import WebAclArgs, associate, web_acl

ACCESS_LOG_PREFIX = "alb"

ELB_ACCOUNT_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ca-central-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-south-1",
        "eu-north-1",
        "me-south-1",
        "sa-east-1",
        "us-gov-west-1",
        "us-gov-east-1",
        "cn-north-1",
        "cn-northwest-1",
    }
)
"""Regions opened before August 2022, where ALB access logs are written by a regional Elastic Load
Balancing account (`aws.elb.get_service_account`). Newer regions deliver as the service principal
`logdelivery.elasticloadbalancing.amazonaws.com` instead."""


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    config: LoadBalancerConfig
    """The validated `platform:loadBalancer` section (presets applied)."""
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """The ALB's subnets: the network's public tier, one per AZ."""
    aws_context: AwsContext
    network_ready: Sequence[pulumi.Resource] = ()
    """Created before the ALB: the internet gateway and the public routes (`Network.internet_ready`). AWS
    refuses an internet-facing ALB in a VPC whose gateway is not attached yet. Default none."""
    test_listener: bool = False
    """Create the test listener (`config.test_listener`): a web service deploys by a progressive strategy.
    Default off: no listener beyond the production ones."""
    vpc_cidr: str | None = None
    """Admitted on the test listener's port (with the NAT addresses and `testListener.cidrs`)."""
    nat_public_ips: Sequence[pulumi.Input[str]] = ()
    """The NAT gateways' public IPs: in-VPC clients (a smoke-test function) reach the internet-facing ALB's
    public addresses through them, so that is the source address the test listener sees."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The stack key: encrypts the web ACL's log group. None: the web ACL does not log."""
    alias_record: bool = True
    """Create the domain's simple alias record. Off in a DR pair, where failover aliases (components/dr.py) answer
    for the domain instead. Default on."""
    log_retention_days: int = 365
    """Retention of the web ACL's log group (the stack's `logRetentionDays`)."""
    internal_subnet_ids: Sequence[pulumi.Input[str]] | None = None
    """Make the ALB internal, in these (private) subnets, with no ingress from any CIDR: API Gateway reaches it
    through a VPC link and an NLB (components/private_link.py admits the NLB's group). Default None: the
    internet-facing ALB in `public_subnet_ids`, open to `ingressCidrs`."""
    behind_cloudfront: bool = False
    """CloudFront in front (`loadBalancer.cloudFront`): no ingress from `ingressCidrs` (components/alb_cdn.py
    admits CloudFront's origin-facing prefix list on 443), and the web ACL's rate limit keys on X-Forwarded-For
    (every request comes from a CloudFront address). Default off."""


class LoadBalancer(pulumi.ComponentResource):
    """Internet-facing ALB in the public subnets.

    - Its security group is the only one in the platform that admits the internet: 443 (and 80, which
      only redirects) from `ingressCidrs`; without a certificate (`allowPlainHttp`, dev only), 80 alone.
      Egress only to the services' security groups on their container ports (`allow_to`), nothing else.
    - HTTPS listener with a TLS 1.3 / 1.2-floor policy when a certificate ARN or a domain is configured
      (the domain case creates an ACM certificate validated by DNS, and an alias A record). HTTP then
      redirects to HTTPS with a 301. Both listeners answer a fixed 404 for anything no rule matches.
    - Invalid header fields dropped, access logs to a dedicated bucket, deletion protection from config,
      and an optional WAFv2 web ACL (managed common + known-bad-inputs rules, a per-IP rate limit, logs to an
      encrypted `aws-waf-logs-` log group: components/waf.py)."""

    arn: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    """`app/<name>/<id>`: the `LoadBalancer` metric dimension and the first half of a request-count
    resource label."""
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    """Services admit this group, and only this group, on their container port."""
    listener_arn: pulumi.Output[str]
    """Where service listener rules go: the HTTPS listener, or the HTTP one when there is no certificate."""
    test_listener_arn: pulumi.Output[str] | None
    """Where test listener rules go (progressive deployments); None without a test listener."""
    https: bool
    url: pulumi.Output[str]
    """`https://<domain>` (or `https://<alb dns>`, or `http://<alb dns>` without a certificate)."""
    access_log_bucket: pulumi.Output[str]
    web_acl_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:load_balancer:LoadBalancer", name, None, opts)
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        config = args.config
        self.https = config.https
        internal = args.internal_subnet_ids is not None

        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            name=physical_name("alb"),
            description="Internal ALB: HTTPS from the VPC link NLB only"
            if internal
            else "ALB behind CloudFront: HTTPS from CloudFront's origin-facing prefix list only"
            if args.behind_cloudfront
            else "Internet-facing ALB: HTTPS (and HTTP redirect) from the configured CIDRs",
            tags={"Name": physical_name("alb")},
            opts=self._child,
        )
        self.security_group_id = group.id
        if not internal and not args.behind_cloudfront:
            self._ingress(config)

        logs_bucket = self._access_log_bucket(config, args.aws_context)
        self.access_log_bucket = logs_bucket.bucket_name
        lb = aws.lb.LoadBalancer(
            f"{name}-alb",
            name=physical_name("alb", max_length=32),
            load_balancer_type="application",
            internal=internal,
            ip_address_type="ipv4",
            subnets=list(args.internal_subnet_ids if args.internal_subnet_ids is not None else args.public_subnet_ids),
            security_groups=[group.id],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_deletion_protection=config.deletion_protection,
            idle_timeout=config.idle_timeout_seconds,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=logs_bucket.bucket_name, prefix=ACCESS_LOG_PREFIX, enabled=True
            ),
            tags={"Name": physical_name("alb")},
            # The ALB writes a test object when access logging is turned on: the bucket policy must exist first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs_bucket, *args.network_ready]),
        )
        self.arn = lb.arn
        self.arn_suffix = lb.arn_suffix
        self.dns_name = lb.dns_name
        self.zone_id = lb.zone_id

        zone_id: pulumi.Output[str] | None = None
        if config.domain is not None:
            zone_id = pulumi.Output.from_input(
                aws.route53.get_zone(name=config.domain.hosted_zone, private_zone=False).zone_id
            )
        certificate_arn = self._certificate(config, zone_id)
        self.listener_arn = self._listeners(config, lb, certificate_arn)
        self.test_listener_arn = self._test_listener(args, lb, certificate_arn) if args.test_listener else None

        host: pulumi.Input[str] = lb.dns_name
        if config.domain is not None and zone_id is not None and args.alias_record:
            alias_records(
                name,
                config.domain.name,
                zone_id,
                lb.dns_name,
                lb.zone_id,
                opts=self._child,
                evaluate_target_health=True,
            )
        if config.domain is not None:
            host = config.domain.name
        scheme = "https" if self.https else "http"
        self.url = pulumi.Output.concat(scheme, "://", host)

        self.web_acl_arn = self._web_acl(config, lb, args) if config.waf.enabled else None
        self.register_outputs(
            {
                "arn": self.arn,
                "dnsName": self.dns_name,
                "url": self.url,
                "securityGroupId": self.security_group_id,
            }
        )

    # -- security group --------------------------------------------------------------------------
    def _ingress(self, config: LoadBalancerConfig) -> None:
        ports = (443, 80) if self.https else (80,)
        for cidr in config.ingress_cidrs:
            network = ipaddress.ip_network(cidr)
            label = (
                "any" if network.prefixlen == 0 else str(network).replace("/", "-").replace(":", "-").replace(".", "-")
            )
            family = f"ipv{network.version}"
            for port in ports:
                purpose = (
                    "HTTP, redirected to HTTPS"
                    if port == 80 and self.https
                    else ("HTTPS" if port == 443 else "HTTP (no certificate configured)")
                )
                aws.vpc.SecurityGroupIngressRule(
                    f"{self._name}-in-{port}-{family}-{label}",
                    security_group_id=self.security_group_id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=cidr if network.version == 4 else None,
                    cidr_ipv6=cidr if network.version == 6 else None,
                    description=f"{purpose} from {cidr}",
                    opts=self._child,
                )

    def allow_to(self, name: str, security_group_id: pulumi.Input[str], port: int) -> None:
        """Let the ALB reach a service's security group on its container port (the ALB's only egress)."""
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-out-{name}",
            security_group_id=self.security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=security_group_id,
            description=f"To service {name} on {port}",
            opts=self._child,
        )

    # -- access logs -----------------------------------------------------------------------------
    def _access_log_bucket(self, config: LoadBalancerConfig, context: AwsContext) -> Bucket:
        """A bucket for ALB access logs only (the data side's Bucket: public access blocked, owner-enforced,
        versioned, TLS-only policy, lifecycle). ALB log delivery supports SSE-S3 (AES256) only, not SSE-KMS,
        so this is the one bucket not encrypted with the stack key."""
        principals = self.log_delivery_principals(context)

        def log_delivery(bucket_arn: pulumi.Output[str]) -> list[Statement]:
            return [
                Statement(
                    sid="AllowLoadBalancerLogDelivery",
                    actions=["s3:PutObject"],
                    principals=principals,
                    resources=[
                        bucket_arn.apply(lambda arn: f"{arn}/{ACCESS_LOG_PREFIX}/AWSLogs/{context.account_id}/*")
                    ],
                )
            ]

        return Bucket(
            f"{self._name}-logs",
            BucketArgs(
                name="alb-logs",
                aws_context=context,
                encryption="AES256",
                expiration_days=config.access_log_expiration_days,
                policy_statements=log_delivery,
                protect=config.deletion_protection,  # prod: access logs are audit evidence, kept like the ALB itself
            ),
            opts=self._child,
        )

    @staticmethod
    def log_delivery_principals(context: AwsContext) -> dict[str, list[str]]:
        """Who writes ALB access logs in this region: the regional Elastic Load Balancing account in regions
        opened before August 2022, the log delivery service principal in newer ones."""
        if context.region in ELB_ACCOUNT_REGIONS:
            return {"AWS": [aws.elb.get_service_account().arn]}
        return {"Service": [context.service_principal("logdelivery.elasticloadbalancing")]}

    # -- TLS ---------------------------------------------------------------------------------------
    def _certificate(self, config: LoadBalancerConfig, zone_id: pulumi.Output[str] | None) -> pulumi.Input[str] | None:
        """The HTTPS certificate: the configured ARN, or one issued for the domain and validated by DNS."""
        if config.certificate_arn is not None:
            return config.certificate_arn
        if config.domain is None or zone_id is None:
            return None
        # The listener takes the ARN from the validation, so it waits until the certificate is issued.
        return validated_certificate(
            self._name, config.domain.name, zone_id, self._child, timeout=CERTIFICATE_VALIDATION_TIMEOUT
        )

    def _listeners(
        self, config: LoadBalancerConfig, lb: aws.lb.LoadBalancer, certificate_arn: pulumi.Input[str] | None
    ) -> pulumi.Output[str]:
        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", message_body="Not found", status_code="404"
            ),
        )
        if certificate_arn is None:
            # No certificate: only with loadBalancer.allowPlainHttp, in dev (config refuses it elsewhere).
            http = aws.lb.Listener(
                f"{self._name}-http",
                load_balancer_arn=lb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[not_found],
                opts=self._child,
            )
            return http.arn
        https = aws.lb.Listener(
            f"{self._name}-https",
            load_balancer_arn=lb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=config.ssl_policy,
            certificate_arn=certificate_arn,
            default_actions=[not_found],
            opts=self._child,
        )
        aws.lb.Listener(
            f"{self._name}-http",
            load_balancer_arn=lb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            opts=self._child,
        )
        return https.arn

    # -- test listener (progressive deployments) ---------------------------------------------------
    def _test_listener(
        self, args: LoadBalancerArgs, lb: aws.lb.LoadBalancer, certificate_arn: pulumi.Input[str] | None
    ) -> pulumi.Output[str]:
        """A listener on `testListener.port` where ECS sends test traffic to a new revision before production
        traffic moves. HTTPS with the production certificate (plain HTTP without one, dev only); a fixed 404
        for anything no test rule matches. Its port admits the VPC, the NAT gateways' addresses and the named
        CIDRs, never the internet (config refuses a /0; the pack's test-listener-not-public checks it)."""
        config = args.config.test_listener
        port = config.port
        sources: list[tuple[str, pulumi.Input[str], str]] = []
        if args.vpc_cidr is not None:
            sources.append(("vpc", args.vpc_cidr, "the VPC"))
        # An internal ALB is reached from the VPC directly: the NAT gateways' addresses never arrive at it.
        nat_ips = args.nat_public_ips if args.internal_subnet_ids is None else ()
        for index, ip in enumerate(nat_ips):
            sources.append((f"nat-{index}", pulumi.Output.concat(ip, "/32"), "a NAT gateway (in-VPC clients)"))
        for cidr in config.cidrs:
            label = str(cidr).replace("/", "-").replace(":", "-").replace(".", "-")
            sources.append((label, cidr, f"{cidr} (loadBalancer.testListener.cidrs)"))
        for label, cidr, what in sources:
            ipv6 = isinstance(cidr, str) and ":" in cidr
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-in-test-{port}-{label}",
                security_group_id=self.security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=None if ipv6 else cidr,
                cidr_ipv6=cidr if ipv6 else None,
                description=f"Test traffic (deployments) from {what}",
                opts=self._child,
            )
        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", message_body="Not found", status_code="404"
            ),
        )
        https = certificate_arn is not None
        listener = aws.lb.Listener(
            f"{self._name}-test",
            load_balancer_arn=lb.arn,
            port=port,
            protocol="HTTPS" if https else "HTTP",
            ssl_policy=args.config.ssl_policy if https else None,
            certificate_arn=certificate_arn,
            default_actions=[not_found],
            tags={"Name": physical_name("alb", "test"), "Traffic": "test"},
            opts=self._child,
        )
        return listener.arn

    # -- WAF ---------------------------------------------------------------------------------------
    def _web_acl(
        self, config: LoadBalancerConfig, lb: aws.lb.LoadBalancer, args: LoadBalancerArgs
    ) -> pulumi.Output[str]:
        """The ALB's web ACL (components/waf.py: rate limit, common and known-bad-inputs rules, encrypted logs)."""
        acl = web_acl(
            f"{self._name}-waf",
            WebAclArgs(
                purpose="alb",
                scope="REGIONAL",
                description="ALB: per-IP rate limit, AWS managed common and known-bad-inputs rules",
                rate_limit=config.waf.rate_limit,
                forwarded_ip_header=config.waf.forwarded_ip_header
                or ("X-Forwarded-For" if args.behind_cloudfront else None),
                kms_key_arn=args.kms_key_arn,
                log_retention_days=args.log_retention_days,
            ),
            self._child,
        )
        associate(f"{self._name}-waf-association", acl, lb.arn, self._child)
        return acl.arn
