"""Amazon Unfulfillable: where the units Amazon holds but cannot sell are booked, per pool."""

from odoo import fields, models

UNFULFILLABLE_NAME = "Amazon Unfulfillable"


class StockLocation(models.Model):
    _inherit = "stock.location"

    amazon_unfulfillable_of_id = fields.Many2one(
        "stock.location",
        "Unfulfillable Units of",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        help="The Amazon stock pool whose unsellable units (customer damaged, defective, "
        "expired...) this location holds. A sibling of the pool, not a child: FBA sales never "
        "take from it, and the FBA inventory comparison counts it with the pool.",
    )

    def _amazon_unfulfillable(self):
        """The *Amazon Unfulfillable* location of this pool (created when needed), beside it
        under WH/Amazon."""
        self.ensure_one()
        location = self.search([("amazon_unfulfillable_of_id", "=", self.id)], limit=1)
        if location:
            return location
        parent = self.location_id if self.amazon_network else self
        name = UNFULFILLABLE_NAME + (f" ({self.name})" if self.amazon_network else "")
        # sudo: creating the bookkeeping location is part of importing Amazon's ledger, which
        # the caller may do (it already checked its rights on the ledger rows).
        return (
            self.sudo()
            .create(
                {
                    "name": name,
                    "location_id": parent.id,
                    "usage": "internal",
                    "company_id": self.company_id.id,
                    "amazon_unfulfillable_of_id": self.id,
                }
            )
            .sudo(False)
        )
