from odoo import api, fields, models


class AmazonOffer(models.Model):
    _name = "amazon.offer"
    _description = "Amazon Offer"
    _check_company_auto = True
    _order = "account_id, sku"
    _rec_name = "sku"

    account_id = fields.Many2one(
        "amazon.account", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one(
        "amazon.marketplace",
        ondelete="set null",
        help="Marketplace where the order sync first met this SKU.",
    )
    sku = fields.Char("SKU", required=True, help="The seller SKU of the listing on Amazon.")
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="The product an order line of this SKU sells. Found by internal reference when the "
        "order sync meets the SKU for the first time; set it by hand when Amazon's SKU differs "
        "from the internal reference. For a lot/serial tracked product sold by Amazon (FBA), "
        "the order sync sells the product's FBA kit instead; point the SKU at a multipack kit "
        "directly when the listing sells several units.",
    )
    order_line_count = fields.Integer(compute="_compute_order_line_count")

    _sql_constraints = (
        (
            "sku_uniq",
            "unique(account_id, sku)",
            "An Amazon account has one offer per SKU.",
        ),
    )

    def write(self, vals):
        res = super().write(vals)
        if vals.get("product_id"):
            # The cause of their "unknown SKU" errors may be fixed: the next run retries them.
            self.env["amazon.sync.error"]._amazon_retry_soon([("offer_id", "in", self.ids)])
        return res

    def _compute_order_line_count(self):
        groups = self.env["sale.order.line"]._read_group(
            [("amazon_offer_id", "in", self.ids)], ["amazon_offer_id"], ["__count"]
        )
        counts = {offer.id: count for offer, count in groups}
        for offer in self:
            offer.order_line_count = counts.get(offer.id, 0)

    @api.model
    def _get_or_create_for_skus(self, account, skus, marketplace=False):
        """Return ``{sku: offer}`` for ``skus`` of ``account``, creating the missing offers.

        A new offer is linked to the product whose internal reference is the SKU, when there is
        exactly one such product the account's company can use; otherwise it is created without
        product, so the person fixing the sync error only has to pick the product on it.
        Two queries whatever the number of SKUs (plus one insert when some are new).
        """
        skus = {sku for sku in skus if sku}
        if not skus:
            return {}
        offers = self.search([("account_id", "=", account.id), ("sku", "in", list(skus))])
        by_sku = {offer.sku: offer for offer in offers}
        missing = skus - set(by_sku)
        if missing:
            products = self.env["product.product"].search(
                [
                    ("default_code", "in", list(missing)),
                    ("company_id", "in", [False, account.company_id.id]),
                ]
            )
            product_by_code = {}
            for product in products:
                product_by_code.setdefault(product.default_code, []).append(product.id)
            new_offers = self.create(
                [
                    {
                        "account_id": account.id,
                        "sku": sku,
                        "marketplace_id": marketplace.id if marketplace else False,
                        "product_id": ids[0]
                        if len(ids := product_by_code.get(sku, [])) == 1
                        else False,
                    }
                    for sku in sorted(missing)
                ]
            )
            by_sku.update({offer.sku: offer for offer in new_offers})
        return by_sku

    def action_view_order_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Order lines of %(sku)s", sku=self.sku),
            "res_model": "sale.order.line",
            "view_mode": "list,form",
            "domain": [("amazon_offer_id", "=", self.id)],
        }
