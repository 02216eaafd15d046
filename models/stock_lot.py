"""Recall of a lot: the FBA orders it was attributed to, and the ones that possibly received it."""

from collections import defaultdict

from odoo import models
from odoo.tools import float_compare

from .stock_move_line import LOT_SOURCES


class StockLot(models.Model):
    _inherit = "stock.lot"

    def action_amazon_recall(self):
        """ "Amazon Recall" button: the recall view of this lot."""
        self.ensure_one()
        recall = self.env["stock.lot.amazon.recall"].create({"lot_id": self.id})
        recall.action_find_orders()
        return recall._get_action()

    def _amazon_recall_orders(self):
        """FBA orders of this lot's company that received it, for a recall.

        :return: ``{"attributed": sale.order, "possible": sale.order}``: ``attributed``, the
            orders the lot is booked to (net of corrections); ``possible``, those plus the FBA
            sales of the lot's product dated from its first arrival at an Amazon location of
            the company until no unit of it was left there (or now).
        """
        self.ensure_one()
        attributed = self.env["sale.order"].browse(list(self._amazon_attributed_qty()))
        start, end = self._amazon_presence_window()
        possible = attributed
        if start:
            possible |= self.env["sale.order"].search(self._amazon_possible_domain(start, end))
        return {"attributed": attributed, "possible": possible}

    def _amazon_recall_company(self):
        return self.company_id or self.product_id.company_id or self.env.company

    def _amazon_attributed_lines(self):
        """Done move lines of this lot on Amazon component moves of the lot's company."""
        return self.env["stock.move.line"].search(
            [
                ("lot_id", "=", self.id),
                ("state", "=", "done"),
                ("move_id.amazon_sale_line_id", "!=", False),
                ("company_id", "=", self._amazon_recall_company().id),
            ]
        )

    def _amazon_attributed_qty(self):
        """``{sale.order id: net quantity of this lot booked to it}``, positive only."""
        net = self._amazon_attributed_lines()._amazon_net_to_customer(
            lambda move_line: move_line.move_id.amazon_sale_line_id.order_id.id
        )
        rounding = self.product_id.uom_id.rounding
        return {
            order_id: qty
            for order_id, qty in net.items()
            if float_compare(qty, 0, precision_rounding=rounding) > 0
        }

    def _amazon_provenance(self):
        """``{sale.order id: labels of the provenances of this lot's lines}``."""
        labels = dict(LOT_SOURCES)
        sources = defaultdict(set)
        for move_line in self._amazon_attributed_lines():
            if move_line.amazon_lot_source:
                order = move_line.move_id.amazon_sale_line_id.order_id
                sources[order.id].add(labels[move_line.amazon_lot_source])
        return {order_id: ", ".join(sorted(names)) for order_id, names in sources.items()}

    def _amazon_presence_window(self):
        """``(first arrival, last time none was left or None)`` of this lot at the Amazon
        locations of its company, from the done move lines in and out of them; ``(None, None)``
        when it never arrived there."""
        company = self._amazon_recall_company()
        warehouses = self.env["stock.warehouse"].search([("company_id", "=", company.id)])
        locations = warehouses.amazon_location_id
        if not locations:
            return None, None
        inside = self.env["stock.location"].search([("id", "child_of", locations.ids)])
        move_lines = self.env["stock.move.line"].search(
            [
                ("lot_id", "=", self.id),
                ("state", "=", "done"),
                "|",
                ("location_id", "in", inside.ids),
                ("location_dest_id", "in", inside.ids),
            ],
            order="date, id",
        )
        rounding = self.product_id.uom_id.rounding
        start = end = None
        balance = 0.0
        for move_line in move_lines:
            into = move_line.location_dest_id in inside
            if into == (move_line.location_id in inside):
                continue  # within the Amazon locations
            balance += move_line.quantity_product_uom if into else -move_line.quantity_product_uom
            if into and start is None:
                start = move_line.date
            if start is not None:
                empty = float_compare(balance, 0, precision_rounding=rounding) <= 0
                end = move_line.date if empty else None
        return start, end

    def _amazon_possible_domain(self, start, end):
        domain = [
            ("company_id", "=", self._amazon_recall_company().id),
            ("amazon_fulfilled_by", "=", "amazon"),
            ("state", "in", ("sale", "done")),
            ("date_order", ">=", start),
            "|",
            ("order_line.amazon_tracked_product_id", "=", self.product_id.id),
            ("order_line.product_id", "=", self.product_id.id),
        ]
        if end:
            domain.append(("date_order", "<=", end))
        return domain

    def _amazon_product_qty(self, order):
        """Units of this lot's product an FBA order shipped (kit lines counted in units)."""
        quantity = 0.0
        for line in order.order_line:
            units = line.product_uom._compute_quantity(
                line.product_uom_qty, line.product_id.uom_id, round=False
            )
            if line.product_id == self.product_id:
                quantity += units
            elif line.amazon_tracked_product_id == self.product_id:
                _component, per_kit = line.product_id._get_amazon_fba_kit_component(
                    order.company_id
                )
                quantity += units * (per_kit or 1.0)
        return quantity
