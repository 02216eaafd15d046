"""Returns of FBA sales: what the Amazon customer sent back comes back to its stock pool."""

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

from .stock_move import OPEN_STATES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_amazon_return(self):
        """ "Return from Amazon customer" button: take back what the customer returned."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_fba_kit.sale_order_amazon_return_action"
        )
        action["context"] = {"default_sale_order_id": self.id}
        return action

    def _amazon_return_from_customer(self, lines_qty, destination=None):
        """Take back from the customer part of what this FBA order shipped, as Odoo's Return
        does for a delivery (FBA moves have no picking, so its wizard cannot).

        ``lines_qty``: ``{sale.order.line: quantity}`` in each line's unit, at most its
        delivered quantity. For each line, a done move of the line's product from the customer
        back to ``destination`` (default: the pool it left from) linked to the line and to the
        move it returns, counted as a refund: the line's delivered quantity goes down. For a kit
        line, its tracked component comes back too, with the same lots it took (the ones booked
        last first) and their provenance; units whose lot was never known (unattributed) are
        taken off the open quantity instead, as Odoo never booked them out.

        Reused by the customer returns import. :return: the ``stock.move`` records done
        """
        self.ensure_one()
        if self.amazon_fulfilled_by != "amazon" or self.state != "sale":
            raise UserError(
                self.env._(
                    "%(order)s is not a confirmed Amazon FBA order: return its deliveries with "
                    "the Return button of each delivery.",
                    order=self.name,
                )
            )
        customer = self.env.ref("stock.stock_location_customers")
        moves = self.env["stock.move"]
        returned = []
        for line, quantity in lines_qty.items():
            rounding = line.product_uom.rounding
            if line.order_id != self:
                raise UserError(self.env._("Choose a line of %(order)s.", order=self.name))
            if float_compare(quantity, 0, precision_rounding=rounding) <= 0:
                continue
            if float_compare(quantity, line.qty_delivered, precision_rounding=rounding) > 0:
                raise UserError(
                    self.env._(
                        "%(line)s: %(qty)s to return, but only %(delivered)s delivered.",
                        line=line.display_name,
                        qty=quantity,
                        delivered=line.qty_delivered,
                    )
                )
            moves |= self._amazon_return_goods(line, quantity, customer, destination)
            moves |= self._amazon_return_components(line, quantity, customer, destination)
            returned.append(f"{line.product_id.display_name}: {quantity}")
        if returned:
            self.message_post(
                body=self.env._(
                    "Returned from the Amazon customer: %(lines)s.", lines="; ".join(returned)
                )
            )
        return moves

    def _amazon_return_goods(self, line, quantity, customer, destination):
        """The refund move of ``quantity`` of ``line``'s product back from the customer."""
        shipped = line.move_ids.filtered(
            lambda m: (
                m.state == "done"
                and m.product_id == line.product_id
                and m.location_dest_id.usage == "customer"
            )
        ).sorted("id")
        if not shipped:
            raise UserError(
                self.env._(
                    "%(line)s has no done move to the customer to return.", line=line.display_name
                )
            )
        original = shipped[-1]
        location = destination or original.location_id
        move = self.env["stock.move"].create(
            {
                "name": self.env._("Return from Amazon customer: %(line)s", line=line.name)[:2000],
                "origin": self.name,
                "company_id": self.company_id.id,
                "product_id": line.product_id.id,
                "product_uom": line.product_uom.id,
                "product_uom_qty": quantity,
                "location_id": customer.id,
                "location_dest_id": location.id,
                "partner_id": self.partner_shipping_id.id,
                "sale_line_id": line.id,
                "origin_returned_move_id": original.id,
                "to_refund": True,
                "procure_method": "make_to_stock",
                "warehouse_id": location.warehouse_id.id,
            }
        )
        move._action_confirm(merge=False)
        move.quantity = quantity
        move.picked = True
        move._action_done()
        return move

    def _amazon_return_components(self, line, quantity, customer, destination):
        """The tracked component of a kit line back from the customer, with its lots."""
        Move = self.env["stock.move"]
        component, total = line._amazon_component_qty()
        if not component or float_is_zero(line.product_uom_qty, precision_digits=6):
            return Move
        rounding = component.uom_id.rounding
        units = float_round(total * quantity / line.product_uom_qty, precision_rounding=rounding)
        shipped = line.amazon_component_move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
        )
        net = line._amazon_net_lots()
        provenance = {}
        for move_line in shipped.move_line_ids.sorted("id", reverse=True):
            provenance.setdefault(move_line.lot_id, move_line.amazon_lot_source or "manual")
        back, remaining = [], units
        for lot, source in provenance.items():
            qty = min(net.get(lot, 0.0), remaining)
            if float_compare(qty, 0, precision_rounding=rounding) > 0:
                back.append((lot, qty, source))
                remaining = float_round(remaining - qty, precision_rounding=rounding)
        moves = Move
        if back:
            original = shipped.sorted("id")[-1]
            moves = Move._amazon_book_lots(
                line,
                customer,
                destination or original.location_id,
                back,
                name=self.env._("Return from Amazon customer: %(line)s", line=line.name),
                origin_returned_move_id=original.id,
            )
        if float_compare(remaining, 0, precision_rounding=rounding) > 0:
            # Units never booked out (their lot is unknown): they are still in the pool.
            open_qty = sum(
                line.amazon_component_move_ids.filtered(lambda m: m.state in OPEN_STATES).mapped(
                    "product_qty"
                )
            )
            if float_compare(open_qty, 0, precision_rounding=rounding) > 0:
                line._amazon_reset_open_qty(max(open_qty - remaining, 0.0))
        return moves

    def _amazon_fully_returned(self):
        """Whether every goods line of this order is back from the customer (none delivered)."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda line: line.product_id.type == "consu")
        return all(
            float_is_zero(line.qty_delivered, precision_rounding=line.product_uom.rounding)
            for line in lines
        )
