"""`platform:sites` defaults (components/config/sites.py): a missing object is a 404 unless the site says it is a
single-page application; `/` serves index.html from the cheapest edge locations. No stack runs."""

from __future__ import annotations

from components.config.sites import SiteConfig

DOMAIN = {"name": "www.example.com", "hostedZone": "example.com"}


def test_a_site_is_not_a_single_page_application_unless_it_says_so() -> None:
    site = SiteConfig.model_validate({"domain": DOMAIN})
    assert (site.spa, site.default_root_object, site.price_class) == (False, "index.html", "PriceClass_100")
    assert SiteConfig.model_validate({"domain": DOMAIN, "spa": True}).spa is True
