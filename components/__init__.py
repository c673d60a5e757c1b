"""The platform's Pulumi components: one ComponentResource per concern, composed by `platform.Platform`."""
