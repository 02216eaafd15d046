from odoo import fields, models


class AccountTax(models.Model):
    _inherit = "account.tax"

    amazon_excluded_tax_id = fields.Many2one(
        "account.tax",
        "Amazon: Tax Excluded Version",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This tax is the price-included version of that one, created by the Amazon order "
        "sync so that an order's total is Amazon's to the cent (same rate, accounts and tax "
        "grids).",
    )

    amazon_included_tax_id = fields.Many2one(
        "account.tax",
        "Amazon: Tax Included Version",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The price-included version of this tax that Amazon order lines carry.",
    )

    def _amazon_price_included(self):
        """These taxes with each price-excluded percentage tax replaced by its included twin.

        A total including a price-excluded tax cannot always be reached to the cent (at 15%,
        no untaxed amount gives 10.00); with the same tax included in the price it always can.
        The twin is created once per tax, a copy with the same repartition lines.
        """
        result = self.browse()
        for tax in self:
            if tax.price_include or tax.amount_type not in ("percent", "division"):
                result |= tax
                continue
            twin = tax.amazon_included_tax_id  # read with the tax: no query of its own
            if not twin:  # first time, or a twin from before the pointer existed
                twin = self.with_context(active_test=False).search(
                    [("amazon_excluded_tax_id", "=", tax.id)], limit=1
                )
                if twin:
                    tax.amazon_included_tax_id = twin
            if not twin:
                twin = tax.copy(
                    {
                        "name": self.env._("%(tax)s (incl., Amazon)", tax=tax.name),
                        "price_include_override": "tax_included",
                        "amazon_excluded_tax_id": tax.id,
                    }
                )
                tax.amazon_included_tax_id = twin
            result |= twin
        return result
