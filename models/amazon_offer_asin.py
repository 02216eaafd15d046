from odoo import fields, models


class AmazonOffer(models.Model):
    _inherit = "amazon.offer"

    asin = fields.Char(
        "ASIN",
        index="btree_not_null",
        help="Amazon's product identifier of the listing. Learnt from the orders; an order line "
        "that comes without a seller SKU is matched to the offer by it.",
    )
