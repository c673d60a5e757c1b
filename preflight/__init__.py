"""Read-only checks, with AWS credentials, of what a `pulumi up` needs and config cannot know."""
