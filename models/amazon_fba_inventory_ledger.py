"""The FBA inventory comparison counts a pool's Amazon Unfulfillable units with the pool."""

from odoo import api, models


class AmazonFbaInventory(models.Model):
    _inherit = "amazon.fba.inventory"

    @api.model
    def _amazon_on_hand(self, products, location):
        # Amazon's "at Amazon" includes its unfulfillable units; Odoo books them beside the pool.
        result = super()._amazon_on_hand(products, location)
        if not products or not location:
            return result
        # sudo: read-only lookup of the pool's bookkeeping location (see super()).
        for unfulfillable in (
            self.env["stock.location"]
            .sudo()
            .search([("amazon_unfulfillable_of_id", "=", location.id)])
        ):
            for product, quantity in super()._amazon_on_hand(products, unfulfillable).items():
                result[product] = result.get(product, 0.0) + quantity
        return result
