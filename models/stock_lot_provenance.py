"""Recall of a lot: the provenance kinds per order, and the MCF orders it was booked to."""

from collections import defaultdict

from odoo import models
from odoo.tools import float_compare


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _amazon_provenance_sources(self):
        """``{sale.order id: {provenance codes of this lot's lines}}`` (FBA orders)."""
        sources = defaultdict(set)
        for move_line in self._amazon_attributed_lines():
            if move_line.amazon_lot_source:
                sources[move_line.move_id.amazon_sale_line_id.order_id.id].add(
                    move_line.amazon_lot_source
                )
        return sources

    def _amazon_recall_mcf_orders(self):
        """``{amazon.mcf.order: (net quantity of this lot, {provenance codes})}``: the
        Multi-Channel Fulfilment orders of the lot's company it was booked out to."""
        self.ensure_one()
        groups = self.env["stock.move.line"]._read_group(
            [
                ("lot_id", "=", self.id),
                ("state", "=", "done"),
                ("move_id.amazon_mcf_order_id", "!=", False),
                ("company_id", "=", self._amazon_recall_company().id),
                ("location_dest_id.usage", "=", "customer"),
            ],
            ["move_id", "amazon_lot_source"],
            ["quantity_product_uom:sum"],
        )
        found = defaultdict(lambda: [0.0, set()])
        for move, source, quantity in groups:
            entry = found[move.amazon_mcf_order_id]
            entry[0] += quantity
            if source:
                entry[1].add(source)
        rounding = self.product_id.uom_id.rounding
        return {
            mcf: (quantity, sources)
            for mcf, (quantity, sources) in found.items()
            if float_compare(quantity, 0, precision_rounding=rounding) > 0
        }
