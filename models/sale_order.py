from odoo import api, fields, models
from odoo.exceptions import UserError

from .amazon_account_booking import AmazonOrderRefused
from .stock_move import OPEN_STATES


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
    amazon_unattributed_qty = fields.Float(
        "Unattributed Quantity",
        compute="_compute_amazon_unattributed_qty",
        digits="Product Unit of Measure",
        help="Units of tracked products Amazon shipped for this order whose lot is not known "
        "yet; the order sync attributes them once stock arrives at the Amazon location.",
    )
    amazon_lot_line_ids = fields.Many2many(
        "stock.move.line",
        string="Amazon Lots",
        compute="_compute_amazon_lot_line_ids",
        help="The lots booked out of the Amazon location for this FBA order, with how each was "
        "known: reported by Amazon, inferred (FIFO/FEFO) or corrected by hand.",
    )

    _sql_constraints = (
        (
            "amazon_order_ref_uniq",
            "unique(amazon_account_id, amazon_order_ref)",
            "An Amazon order is booked once per Amazon account.",
        ),
    )

    @api.depends("order_line.amazon_unattributed_qty")
    def _compute_amazon_unattributed_qty(self):
        for order in self:
            order.amazon_unattributed_qty = sum(order.order_line.mapped("amazon_unattributed_qty"))

    @api.depends("order_line.amazon_component_move_ids.move_line_ids")
    def _compute_amazon_lot_line_ids(self):
        for order in self:
            order.amazon_lot_line_ids = order.order_line.amazon_component_move_ids.filtered(
                lambda m: m.state == "done"
            ).move_line_ids

    @api.ondelete(at_uninstall=False)
    def _unlink_except_amazon_fba_booked(self):
        if any(order.amazon_fulfilled_by == "amazon" and order.state == "sale" for order in self):
            raise UserError(
                self.env._(
                    "An order Amazon already shipped (FBA) cannot be deleted: its stock moves "
                    "out of the Amazon location are done."
                )
            )

    def _prepare_confirmation_values(self):
        vals = super()._prepare_confirmation_values()
        if self and all(self.mapped("amazon_order_ref")):
            # Keep Amazon's purchase date: a recall window and the reports are about when the
            # customer bought, not when the sync booked the order.
            vals.pop("date_order", None)
        return vals

    def action_amazon_reattribute(self):
        """ "Correct Lots" button: change the lots this FBA order received."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_fba_kit.sale_order_amazon_reattribute_action"
        )
        action["context"] = {"default_sale_order_id": self.id}
        return action

    def _amazon_book_fba(self, location):
        """Confirm FBA orders Amazon shipped: no delivery to pick, done moves out of ``location``.

        The orders are confirmed without procurement (no picking), locked, and each goods line
        gets a stock move from ``location`` (a WH/Amazon pool) to the customer, done at once. A
        move without picking type is not exploded by mrp, so a kit line books the kit itself and
        needs no lot (see ODOO18-NOTES); sale_stock counts it as delivered. The tracked
        components of kit lines are booked with their lots in the same go (see
        :meth:`_amazon_prepare_component_moves`). Any number of orders: one ``create`` of the
        moves, one ``_action_confirm``, one lot attribution pass, one ``_action_done``.
        """
        self._amazon_subscribe_customers()
        self.with_context(skip_procurement=True).action_confirm()
        self.action_lock()
        # Not env.ref(): its exists() check costs a query per order; the xmlid lookup is cached.
        customer_location = self.env["stock.location"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id("stock.stock_location_customers")
        )
        goods = self.order_line.filtered(
            lambda line: line.product_id.type == "consu" and line.product_uom_qty > 0
        )
        move_vals = [
            line._amazon_prepare_fba_move_vals(location, customer_location) for line in goods
        ]
        component_vals = self._amazon_prepare_component_moves(location, customer_location)
        Move = self.env["stock.move"]
        created = Move.create(move_vals + component_vals)
        created._action_confirm(merge=False)
        moves, components = created[: len(move_vals)], created[len(move_vals) :]
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        (moves | components._amazon_attribute_lots_lines())._action_done()
        self._amazon_note_unknown_serials(location)
        return moves

    def _amazon_subscribe_customers(self):
        """Subscribe each order's customer, as ``action_confirm`` does order by order (a few
        queries each), in one call per customer: the orders of an account share theirs."""
        for partner, orders in self.grouped("partner_id").items():
            new = orders.filtered(lambda order, p=partner: p not in order.message_partner_ids)
            if partner and new:
                new.message_subscribe(partner.ids)

    def _amazon_prepare_component_moves(self, location, customer_location):
        """Values of the moves booking the tracked components of these orders' kit lines.

        Only on an account whose ``fba_lot_policy`` is ``fifo``/``fefo``, or for the units
        Amazon named by serial number (whatever the policy). What stock does not cover stays
        an open move: the order's unattributed quantity, attributed by a later sync.
        """
        vals_list = []
        kit_components = {}  # the BoM of each kit looked up once
        for order in self:
            policy = order.amazon_account_id.fba_lot_policy or "kit"
            for line in order.order_line:
                if not (
                    line.amazon_tracked_product_id
                    and line.product_uom_qty > 0
                    and (policy != "kit" or line.amazon_serial_numbers)
                ):
                    continue
                vals = line._amazon_prepare_component_move_vals(
                    location, customer_location, policy, kit_components
                )
                if vals:
                    vals_list.append(vals)
        return vals_list

    def _amazon_note_unknown_serials(self, location):
        """Tell on each order the serial numbers Amazon named that are not at ``location``."""
        for order in self:
            unknown = order.order_line.filtered("amazon_unknown_serials")
            if unknown:
                order.message_post(
                    body=self.env._(
                        "Amazon named serial numbers that are not at %(location)s: %(serials)s. "
                        "Their units stay unattributed until these serial numbers are there.",
                        location=location.display_name,
                        serials=", ".join(unknown.mapped("amazon_unknown_serials")),
                    )
                )

    def _amazon_cancel(self):
        """Cancel an order Amazon cancelled; refuse when Amazon already shipped it (FBA)."""
        for order in self:
            if order.state == "cancel":
                continue
            if order.order_line.move_ids.filtered(lambda m: m.state == "done"):
                if not order._amazon_fully_returned():
                    raise AmazonOrderRefused(
                        self.env._(
                            "Amazon cancelled order %(ref)s after shipping it: %(order)s has "
                            "done stock moves. Press 'Return from Amazon customer' here (or on "
                            "the order) to take back what comes back; once everything is "
                            "returned, the next sync cancels the order.",
                            ref=order.amazon_order_ref,
                            order=order.name,
                        ),
                        kind="shipped_cancel",
                    )
                order.order_line.amazon_component_move_ids.filtered(
                    lambda m: m.state in OPEN_STATES
                )._action_cancel()
            if order.locked:
                order.action_unlock()
            order._action_cancel()
