from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_item_ref = fields.Char(readonly=True, copy=False)
    amazon_offer_id = fields.Many2one(
        "amazon.offer", readonly=True, copy=False, index="btree_not_null"
    )
    amazon_tracked_product_id = fields.Many2one(
        "product.product",
        readonly=True,
        copy=False,
        help="The lot/serial tracked product this line's FBA kit stands for: Amazon shipped it, "
        "the order sells its kit because Amazon does not say which lot or serial it shipped.",
    )

    def _amazon_prepare_fba_move_vals(self, location, customer_location):
        self.ensure_one()
        order = self.order_id
        return {
            "name": self.name[:2000],
            "origin": order.name,
            "company_id": order.company_id.id,
            "product_id": self.product_id.id,
            "product_uom": self.product_uom.id,
            "product_uom_qty": self.product_uom_qty,
            "location_id": location.id,
            "location_dest_id": customer_location.id,
            "partner_id": order.partner_shipping_id.id,
            "sale_line_id": self.id,
            "warehouse_id": location.warehouse_id.id,
        }
