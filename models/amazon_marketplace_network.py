"""Fulfilment networks: which stock pool of WH/Amazon serves the FBA orders of a marketplace."""

from odoo import api, fields, models

# Amazon pools FBA stock per fulfilment network. Pan-European FBA serves these marketplaces from
# one pool; every other marketplace has its own (the UK since 2021, CA and MX unless enrolled in
# Remote Fulfilment, ...). A seller outside Pan-EU sets each EU marketplace's network to its own
# code.
DEFAULT_NETWORKS = {
    "DE": "EU",
    "FR": "EU",
    "IT": "EU",
    "ES": "EU",
    "NL": "EU",
    "PL": "EU",
    "SE": "EU",
    "BE": "EU",
    "IE": "EU",
    "GB": "UK",
    "UK": "UK",
}


class AmazonMarketplace(models.Model):
    _inherit = "amazon.marketplace"

    fulfilment_network = fields.Char(
        compute="_compute_fulfilment_network",
        store=True,
        readonly=False,
        help="Amazon's FBA stock pool serving this marketplace: the marketplaces of one network "
        "share one stock location under WH/Amazon (e.g. WH/Amazon/EU for Pan-European FBA). "
        "Defaults to Amazon's networks; give an EU marketplace its own code (e.g. DE) if you "
        "are not enrolled in Pan-European FBA, or CA the code US with Remote Fulfilment.",
    )

    @api.depends("code")
    def _compute_fulfilment_network(self):
        for marketplace in self:
            code = (marketplace.code or "").upper()
            marketplace.fulfilment_network = DEFAULT_NETWORKS.get(code, code) or False

    def _amazon_network(self):
        """The code of this marketplace's fulfilment network (its pool's name)."""
        self.ensure_one()
        return (self.fulfilment_network or self.code or self.api_ref or "").strip().upper()
