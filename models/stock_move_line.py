from collections import defaultdict

from odoo import fields, models

LOT_SOURCES = [
    ("amazon", "Reported by Amazon"),
    ("fifo", "Inferred (FIFO)"),
    ("fefo", "Inferred (FEFO)"),
    ("manual", "Corrected by hand"),
]


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    amazon_lot_source = fields.Selection(
        LOT_SOURCES,
        "Amazon Lot Provenance",
        readonly=True,
        copy=False,
        help="How the lot of this FBA sale was known: reported by Amazon (serial numbers in the "
        "order), inferred by the order sync (FIFO/FEFO), or corrected by a person.",
    )

    def _amazon_net_to_customer(self, key):
        """``{key(line): quantity}`` of these done lines, out to the customer minus back from it
        (a correction returns lots from the customer), in the product's unit."""
        net = defaultdict(float)
        for move_line in self:
            if move_line.location_dest_id.usage == "customer":
                net[key(move_line)] += move_line.quantity_product_uom
            elif move_line.location_id.usage == "customer":
                net[key(move_line)] -= move_line.quantity_product_uom
        return net
