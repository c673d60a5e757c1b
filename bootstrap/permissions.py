"""What the CI roles may do, as data: the state backend's paths, the platform's services and the verbs a
deploy uses on them, the few actions AWS does not scope to resources, and what every boundary denies.

Why the shapes (checked by the pack's no-wildcard-iam and by tests/delivery/test_account_permissions.py against
AWS's action catalogue):

- Mutations are verb patterns (`ec2:Create*`) on this account's and region's ARNs of that service
  (`arn:aws:ec2:<region>:<account>:*`), never on `*`: a pattern also matches account-wide settings AWS does not
  scope to resources (`ec2:DisableEbsEncryptionByDefault`, `s3:PutAccountPublicAccessBlock`), and those are
  exactly the ones an ARN-scoped statement can never grant. The few unscoped actions a deploy needs are listed
  one by one (`UNSCOPED_DEPLOY_ACTIONS`).
- S3 mutations are scoped to the stack's own bucket names (`<namePrefix>-<stack>-*`), IAM to the stack's roles.
- Reads come from the AWS-managed `ReadOnlyAccess` (a preview refreshes and reads every resource type the
  program uses; a hand list of hundreds of Describe/List/Get actions would break with each new type). It holds
  no write, no `kms:Decrypt`, no `secretsmanager:GetSecretValue`; the roles' permissions boundary cuts its data
  reads (objects of other buckets, table items, queue messages, log events) — see `boundary_statements`.
"""

from __future__ import annotations

READ_ONLY_POLICY = "ReadOnlyAccess"
"""AWS-managed (`arn:<partition>:iam::aws:policy/ReadOnlyAccess`): the refresh/read half of every CI role."""

STATE_PREFIX = ".pulumi"
"""The diy backend's bookkeeping directory in the state bucket (pulumi/pulumi pkg/backend/diy: `stacks/`,
`history/`, `backups/`, `locks/` below it, each `<project>/<stack>`, and `meta.yaml`)."""

DEPLOY_VERBS: dict[str, tuple[str, ...]] = {
    "ec2": (
        "Create*",
        "Delete*",
        "Modify*",
        "Associate*",
        "Disassociate*",
        "Attach*",
        "Detach*",
        "Authorize*",
        "Revoke*",
        "Allocate*",
        "Release*",
        "Replace*",
    ),
    "ecs": ("Create*", "Delete*", "Update*", "Put*", "Tag*", "Untag*", "Register*", "Deregister*"),
    "elasticloadbalancing": ("Create*", "Delete*", "Modify*", "Add*", "Remove*", "Set*"),
    "application-autoscaling": ("Delete*", "Put*", "Register*", "Deregister*", "Tag*", "Untag*"),
    "rds": ("Create*", "Delete*", "Modify*", "Add*", "Remove*"),
    "dynamodb": ("Create*", "Delete*", "Update*", "Tag*", "Untag*"),
    "sqs": ("Create*", "Delete*", "Set*", "Tag*", "Untag*"),
    "sns": ("Create*", "Delete*", "Set*", "Tag*", "Untag*", "Subscribe", "Unsubscribe"),
    "events": ("Create*", "Delete*", "Update*", "Put*", "Remove*", "Tag*", "Untag*"),
    "kms": (
        "Create*",
        "Delete*",
        "Update*",
        "Put*",
        "Tag*",
        "Untag*",
        "Enable*",
        "RetireGrant",
        "Decrypt",
        "Encrypt",
        "GenerateDataKey*",
        "ReEncrypt*",
    ),
    "secretsmanager": ("Create*", "Delete*", "Update*", "Put*", "Tag*", "Untag*"),
    "logs": ("Create*", "Delete*", "Put*", "Tag*", "Untag*", "Associate*", "Disassociate*"),
    "cloudwatch": ("Delete*", "Put*", "Tag*", "Untag*"),
    "wafv2": ("Create*", "Delete*", "Update*", "Put*", "Tag*", "Untag*", "Associate*", "Disassociate*"),
    "acm": ("Delete*", "Add*", "Remove*"),
    "ecr": (
        "Create*",
        "Delete*",
        "Put*",
        "Tag*",
        "Untag*",
        "Set*",
        "InitiateLayerUpload",
        "UploadLayerPart",
        "CompleteLayerUpload",
        "BatchCheckLayerAvailability",
    ),
}
"""Regional services: verb patterns allowed on `arn:<partition>:<service>:<region>:<account>:*`. No verb lets
a deploy schedule or disable a key (kms:ScheduleKeyDeletion/DisableKey are left to people), and the boundary
denies any action on the account layer's own keys, buckets, trail and log group. The KMS data-key actions are
there because creating an encrypted store (an RDS-managed secret, an encrypted secret value) uses the caller's
own KMS permissions; the ECR layer actions because `awsx.ecr.Image` pushes the platform's images."""

GLOBAL_RESOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "cloudwatch": (("PutDashboard", "DeleteDashboards"), "dashboard/*"),
    "route53": (("ChangeResourceRecordSets", "ChangeTagsForResource"), "hostedzone/*"),
}
"""Services whose resources have no region in their ARN (`arn:<partition>:cloudwatch::<account>:dashboard/x`,
`arn:<partition>:route53:::hostedzone/Z...`): these actions on those ARNs (the ALB's alias record and the
certificate's validation records in the stack's zones, the stack's dashboard)."""

S3_VERBS = ("s3:Create*", "s3:Delete*", "s3:Put*")
"""On the stack's own buckets only (`arn:<partition>:s3:::<namePrefix>-<stack>-*` and their objects)."""

UNSCOPED_DEPLOY_ACTIONS = (
    "acm:RequestCertificate",
    "ecr:GetAuthorizationToken",
    "ecs:DeregisterTaskDefinition",
    "elasticloadbalancing:SetWebAcl",
    "kms:CreateKey",
)
"""Mutations the platform makes that AWS does not scope to a resource (Resource must be `*`): requesting the
ALB certificate, logging in to ECR to push images, retiring task definitions, associating the WAF with the ALB,
creating the stack key."""

READ_PATTERNS = (
    "ec2:Describe*",
    "ec2:Get*",
    "ecs:Describe*",
    "ecs:List*",
    "elasticloadbalancing:Describe*",
    "application-autoscaling:Describe*",
    "rds:Describe*",
    "rds:List*",
    "dynamodb:Describe*",
    "dynamodb:List*",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:List*",
    "sns:Get*",
    "sns:List*",
    "events:Describe*",
    "events:List*",
    "kms:Describe*",
    "kms:Get*",
    "kms:List*",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:List*",
    "logs:Describe*",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "logs:GetDataProtectionPolicy",
    "cloudwatch:Describe*",
    "cloudwatch:Get*",
    "cloudwatch:List*",
    "wafv2:Describe*",
    "wafv2:Get*",
    "wafv2:List*",
    "acm:Describe*",
    "acm:Get*",
    "acm:List*",
    "ecr:Describe*",
    "ecr:List*",
    "ecr:GetLifecyclePolicy",
    "ecr:GetRepositoryPolicy",
    "ecr:GetRegistryPolicy",
    "ecr:GetRegistryScanningConfiguration",
    "route53:Get*",
    "route53:List*",
    "iam:Get*",
    "iam:List*",
    "tag:Get*",
    "s3:GetBucket*",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetAccelerateConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetIntelligentTieringConfiguration",
    "s3:GetAnalyticsConfiguration",
    "s3:GetInventoryConfiguration",
    "s3:GetMetricsConfiguration",
    "s3:ListBucket",
    "s3:ListAllMyBuckets",
    "cloudtrail:Describe*",
    "cloudtrail:Get*",
    "cloudtrail:List*",
    "guardduty:Get*",
    "guardduty:List*",
    "securityhub:Describe*",
    "securityhub:Get*",
    "securityhub:List*",
    "config:Describe*",
    "config:List*",
    "access-analyzer:Get*",
    "access-analyzer:List*",
    "budgets:ViewBudget",
    "budgets:ListTagsForResource",
)
"""What a boundary lets `ReadOnlyAccess` through: the control plane of the platform's and the account layer's
services. Deliberately not: object reads (`s3:GetObject`) outside the state paths, table items
(`dynamodb:GetItem/Query/Scan`), queue messages, log events (`logs:GetLogEvents`, `FilterLogEvents`), secret
values: a preview or a deploy never needs the data the platform stores."""

PROTECTED_ACCOUNT_ACTIONS = (
    "cloudtrail:DeleteTrail",
    "cloudtrail:StopLogging",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
    "guardduty:DeleteDetector",
    "guardduty:UpdateDetector",
    "guardduty:DisassociateFromMasterAccount",
    "securityhub:DisableSecurityHub",
    "securityhub:BatchDisableStandards",
    "config:StopConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "access-analyzer:DeleteAnalyzer",
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "organizations:LeaveOrganization",
)
"""Never allowed to a CI role, whatever its identity policy says (denied by every boundary): turning off
the account's detective controls, creating long-lived credentials, changing who GitHub may act as."""

SERVICE_LINKED_ROLES = (
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
)
"""Service-linked roles the platform's first `up` may create on demand (`iam:CreateServiceLinkedRole`, scoped
by `iam:AWSServiceName`): ECS (created by the account layer itself, see `prerequisites.py`; listed so a deploy
in an account without it still works), the ALB, Aurora and ECS service autoscaling."""
