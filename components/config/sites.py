"""`platform:sites`: static sites (an S3 bucket served by CloudFront), by name.

```yaml
platform:sites:
  frontend:
    domain: {name: app.example.com, hostedZone: example.com}
    spa: true
```
"""

from __future__ import annotations

from typing import Literal

from .base import ConfigModel
from .compute import DomainConfig, EdgeWafConfig


class SiteConfig(ConfigModel):
    """One static site: a private bucket, CloudFront through Origin Access Control, HTTPS only."""

    domain: DomainConfig
    """The site's public name and its Route53 zone: an ACM certificate in us-east-1 (CloudFront only takes
    certificates from there) validated by DNS, and an alias A/AAAA record to the distribution."""
    spa: bool = False
    """Single-page application: 403 and 404 from the bucket answer `/index.html` with 200, so client-side
    routes (`/orders/42`) load the app. Default off: a missing object is a 404."""
    default_root_object: str = "index.html"
    """What `/` serves."""
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_100"
    """Edge locations used: 100 (North America, Europe; cheapest), 200, All."""
    waf: EdgeWafConfig = EdgeWafConfig()
    content_security_policy: str = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"
    """The Content-Security-Policy header of every response (security headers policy)."""
