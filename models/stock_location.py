from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    amazon_network = fields.Char(
        "Amazon Fulfilment Network",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Set on a stock pool of the Amazon location (WH/Amazon/EU...): the code of the "
        "fulfilment network whose FBA stock it holds.",
    )
    amazon_replenishment_type_id = fields.Many2one(
        "stock.picking.type",
        "Amazon FBA Replenishment Type",
        copy=False,
        readonly=True,
        check_company=True,
        help="The operation type replenishing this Amazon stock pool; its default destination "
        "is the pool.",
    )

    _sql_constraints = (
        (
            "amazon_network_uniq",
            "unique(location_id, amazon_network)",
            "An Amazon location has one stock pool per fulfilment network.",
        ),
    )

    def _amazon_root(self):
        """The Amazon location (WH/Amazon) of this pool; the location itself otherwise."""
        self.ensure_one()
        return self.location_id if self.amazon_network else self
