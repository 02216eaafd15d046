from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_account_id = fields.Many2one(
        "amazon.account",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    amazon_order_ref = fields.Char(
        "Amazon Order Reference", readonly=True, copy=False, index="btree_not_null"
    )
    amazon_fulfilled_by = fields.Selection(
        [("amazon", "Amazon (FBA)"), ("merchant", "Merchant (FBM)")],
        "Fulfilled By",
        readonly=True,
        copy=False,
    )
    amazon_marketplace_id = fields.Many2one("amazon.marketplace", readonly=True, copy=False)

    _sql_constraints = (
        (
            "amazon_order_ref_uniq",
            "unique(amazon_account_id, amazon_order_ref)",
            "An Amazon order is booked once per Amazon account.",
        ),
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_amazon_fba_booked(self):
        if any(order.amazon_fulfilled_by == "amazon" and order.state == "sale" for order in self):
            raise UserError(
                self.env._(
                    "An order Amazon already shipped (FBA) cannot be deleted: its stock moves "
                    "out of the Amazon location are done."
                )
            )

    def _amazon_book_fba(self, location):
        """Confirm an FBA order Amazon shipped: no delivery to pick, done moves out of ``location``.

        The order is confirmed without procurement (no picking), locked, and each goods line
        gets a stock move from ``location`` (WH/Amazon) to the customer, done at once. A move
        without picking type is not exploded by mrp, so a kit line books the kit itself and
        needs no lot (see ODOO18-NOTES); sale_stock counts it as delivered.
        """
        self.with_context(skip_procurement=True).action_confirm()
        self.action_lock()
        # Not env.ref(): its exists() check costs a query per order; the xmlid lookup is cached.
        customer_location = self.env["stock.location"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id("stock.stock_location_customers")
        )
        move_vals = [
            line._amazon_prepare_fba_move_vals(location, customer_location)
            for line in self.order_line
            if line.product_id.type == "consu" and line.product_uom_qty > 0
        ]
        moves = self.env["stock.move"].create(move_vals)
        moves._action_confirm(merge=False)
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()
        return moves

    def _amazon_cancel(self):
        """Cancel an order Amazon cancelled; refuse when Amazon already shipped it (FBA)."""
        for order in self:
            if order.state == "cancel":
                continue
            if order.order_line.move_ids.filtered(lambda m: m.state == "done"):
                raise UserError(
                    self.env._(
                        "Amazon cancelled order %(ref)s, but %(order)s already has done stock "
                        "moves. Handle it as a return in Odoo.",
                        ref=order.amazon_order_ref,
                        order=order.name,
                    )
                )
            if order.locked:
                order.action_unlock()
            order._action_cancel()
