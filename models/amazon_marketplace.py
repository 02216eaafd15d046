from odoo import api, fields, models

from ..spapi import adapter as spapi_adapter

AMAZON_REGIONS = [
    ("na", "North America"),
    ("eu", "Europe"),
    ("fe", "Far East"),
]


class AmazonMarketplace(models.Model):
    _name = "amazon.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"
    _rec_names_search = ("name", "code", "api_ref")

    name = fields.Char(required=True)
    api_ref = fields.Char(
        string="Marketplace ID",
        required=True,
        help="Amazon's identifier of the marketplace, e.g. ATVPDKIKX0DER for the United States.",
    )
    code = fields.Char(
        string="Country Code",
        help="Code of the marketplace's country as used by Amazon, e.g. US, DE, JP.",
    )
    region = fields.Selection(
        AMAZON_REGIONS,
        required=True,
        help="The Selling Partner API region whose endpoint serves this marketplace.",
    )

    _sql_constraints = (
        (
            "api_ref_unique",
            "UNIQUE(api_ref)",
            "There is already a marketplace with this Marketplace ID.",
        ),
    )

    @api.model
    def _sync_from_library(self):
        """Create or update one marketplace per entry of python-amazon-sp-api's definitions.

        Called from data/amazon_marketplace_data.xml on install and on every module update, so a
        newer library brings its new marketplaces. Marketplaces the library dropped are kept:
        accounts and offers may still refer to them.

        :return: the marketplaces of the library
        """
        entries = {entry["api_ref"]: entry for entry in spapi_adapter.marketplaces()}
        existing = self.search([("api_ref", "in", list(entries))])
        by_ref = {marketplace.api_ref: marketplace for marketplace in existing}
        to_create = []
        for api_ref, entry in entries.items():
            vals = {
                "api_ref": api_ref,
                "name": entry["name"],
                "code": entry["code"],
                "region": entry["region"],
            }
            marketplace = by_ref.get(api_ref)
            if not marketplace:
                to_create.append(vals)
            elif any(marketplace[key] != value for key, value in vals.items()):
                marketplace.write(vals)
        if to_create:
            existing |= self.create(to_create)
        return existing
