from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_total = fields.Monetary(
        readonly=True,
        copy=False,
        help="What Amazon says the seller books for this order: its grand total less the tax "
        "Amazon collects and remits itself (marketplace facilitator). The order's total equals it.",
    )
    amazon_tax_amount = fields.Monetary(
        "Amazon Tax (Seller)",
        readonly=True,
        copy=False,
        help="The tax Amazon charged on this order that the seller collects and remits.",
    )
    amazon_facilitator_tax = fields.Monetary(
        "Amazon Tax (Facilitator)",
        readonly=True,
        copy=False,
        help="The tax Amazon collected and remits itself (marketplace facilitator): not the "
        "seller's, so not on the order.",
    )
    amazon_tax_difference = fields.Monetary(
        "Tax Difference with Amazon",
        readonly=True,
        copy=False,
        help="Odoo's taxes on this order less the seller-collected tax Amazon charged. The "
        "order's total is Amazon's either way: a difference means Odoo's tax rate for these "
        "products and this destination is not the one Amazon applied (check the marketplace's "
        "fiscal position and the products' taxes).",
    )
    amazon_tax_mismatch = fields.Boolean(
        "Tax Differs from Amazon",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Odoo's taxes differ from Amazon's by more than rounding.",
    )
