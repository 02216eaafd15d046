from collections import defaultdict
from datetime import datetime

from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _amazon_lots_by_policy(self, product, location, policy):
        """Lots of ``product`` on hand at ``location`` in the order ``policy`` consumes them.

        Returns ``[(stock.lot, quantity)]``, positive quantities only. ``"fifo"``: oldest arrival
        at ``location`` first (the date of the first done move line into it; a quant's
        ``in_date`` is the lot's first receipt in the company, not its arrival at Amazon).
        ``"fefo"``: first expiring first, by the lot's expiration date where the product has one
        (``product_expiry``), oldest arrival otherwise and for lots without date. Ties: lot id.
        Three queries whatever the number of lots.
        """
        quants = self.search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", location.id),
                ("lot_id", "!=", False),
            ]
        )
        quantities = defaultdict(float)
        for quant in quants:
            quantities[quant.lot_id] += quant.quantity
        lots = self.env["stock.lot"].union(*[lot for lot, qty in quantities.items() if qty > 0])
        if not lots:
            return []
        arrivals = dict(
            self.env["stock.move.line"]._read_group(
                [
                    ("lot_id", "in", lots.ids),
                    ("location_dest_id", "=", location.id),
                    ("state", "=", "done"),
                ],
                ["lot_id"],
                ["date:min"],
            )
        )
        use_expiry = policy == "fefo" and "expiration_date" in lots._fields

        def key(lot):
            arrival = arrivals.get(lot) or datetime.max
            if use_expiry:
                expiry = lot.expiration_date
                return (expiry is None or expiry is False, expiry or datetime.max, arrival, lot.id)
            return (arrival, lot.id)

        return [(lot, quantities[lot]) for lot in lots.sorted(key=key)]
