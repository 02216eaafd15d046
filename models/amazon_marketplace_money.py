from odoo import fields, models


class AmazonMarketplace(models.Model):
    _inherit = "amazon.marketplace"

    fiscal_position_id = fields.Many2one(
        "account.fiscal.position",
        company_dependent=True,
        help="Fiscal position of this marketplace's Amazon orders in the current company: maps "
        "the products' taxes to the marketplace's (e.g. the destination country's VAT). Empty: "
        "Odoo chooses from the delivery address, as for any order.",
    )
