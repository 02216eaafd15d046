import logging
from collections import defaultdict
from datetime import datetime

import psycopg2

from odoo import api, models
from odoo.tools import SQL, float_compare

_logger = logging.getLogger(__name__)


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _amazon_gather(self, product, location, policy):
        """Quants of ``product`` with a lot in ``location`` (and its sub-locations) that hold
        free stock (quantity above reserved quantity), in the order ``policy`` consumes them.

        Packaged and owned quants are returned as they are, each with its own package and owner,
        as ``_gather`` does without ``strict``. Lots are ordered by ``policy`` (see
        ``_amazon_lots_by_policy``), the quants of one lot by ``in_date`` then id. Nothing is
        locked: lock what you take with ``_amazon_lock``.

        :return: ``stock.quant`` recordset, in consumption order
        """
        quants = self.search(
            [
                ("product_id", "=", product.id),
                ("location_id", "child_of", location.id),
                ("lot_id", "!=", False),
            ],
            order="in_date, id",
        )
        rounding = product.uom_id.rounding
        quants = quants.filtered(
            lambda q: (
                float_compare(q.quantity - q.reserved_quantity, 0, precision_rounding=rounding) > 0
            )
        )
        if not quants:
            return quants
        lots = self._amazon_sort_lots(quants.lot_id, location, policy)
        rank = {lot: index for index, lot in enumerate(lots)}
        return quants.sorted(lambda q: (rank[q.lot_id], q.in_date or datetime.max, q.id))

    def _amazon_lock(self):
        """Lock these quants until the transaction ends and return those this transaction holds.

        ``FOR NO KEY UPDATE SKIP LOCKED``, as Odoo's ``_update_available_quantity`` does: a quant
        another transaction holds (it is consuming it) is left out, so two transactions never
        take the same unit. A quant changed by a transaction committed since this one began is
        left out too (PostgreSQL refuses to lock it under repeatable read: the values this
        transaction read are stale); a later run attributes the units it would have given.
        """
        if not self:
            return self
        sql = SQL(
            "SELECT id FROM stock_quant WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED",
            tuple(self.ids),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(sql)
                return self.browse([row[0] for row in self.env.cr.fetchall()])
        except psycopg2.errors.SerializationFailure:
            if len(self) == 1:
                _logger.info("Amazon lot attribution: quant %s changed concurrently", self.id)
                return self.browse()
        # One of them changed concurrently: lock the others one by one.
        return self.browse().union(*[quant._amazon_lock() for quant in self])

    @api.model
    def _amazon_lots_by_policy(self, product, location, policy):
        """Lots of ``product`` on hand at ``location`` in the order ``policy`` consumes them.

        Returns ``[(stock.lot, quantity on hand)]``, lots with a positive total only (every
        package and owner, sub-locations included). ``"fifo"``: oldest arrival at Amazon first
        (see ``_amazon_sort_lots``; a quant's ``in_date`` is the lot's first receipt in the
        company, not its arrival at Amazon). ``"fefo"``: first expiring first,
        by the lot's expiration date where the product has one (``product_expiry``), oldest
        arrival otherwise and for lots without date. Ties: lot id.
        """
        quants = self.search(
            [
                ("product_id", "=", product.id),
                ("location_id", "child_of", location.id),
                ("lot_id", "!=", False),
            ]
        )
        quantities = defaultdict(float)
        for quant in quants:
            quantities[quant.lot_id] += quant.quantity
        lots = self.env["stock.lot"].union(*[lot for lot, qty in quantities.items() if qty > 0])
        if not lots:
            return []
        return [(lot, quantities[lot]) for lot in self._amazon_sort_lots(lots, location, policy)]

    @api.model
    def _amazon_sort_lots(self, lots, location, policy):
        """``lots`` sorted in the order ``policy`` consumes them at ``location`` (one query).

        Arrival is the first done move line into the Amazon location ``location`` belongs to
        (``WH/Amazon`` and its pools) from outside it: moving stock between pools, or into a
        pool when migrating, keeps a lot's arrival.
        """
        root = location._amazon_root()
        arrivals = dict(
            self.env["stock.move.line"]._read_group(
                [
                    ("lot_id", "in", lots.ids),
                    ("location_dest_id", "child_of", root.id),
                    "!",
                    ("location_id", "child_of", root.id),
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

        return lots.sorted(key=key)

    @api.model
    def _amazon_take_lot(self, product, location, lot, quantity):
        """Up to ``quantity`` free units of ``lot`` in ``location`` (sub-locations, packages and
        owners included), oldest quant first, locked: ``[(quant, qty)]``."""
        rounding = product.uom_id.rounding
        taken = []
        quants = self._amazon_gather(product, location, "fifo").filtered(lambda q: q.lot_id == lot)
        for quant in quants._amazon_lock():
            if float_compare(quantity, 0, precision_rounding=rounding) <= 0:
                break
            qty = min(quant.quantity - quant.reserved_quantity, quantity)
            taken.append((quant, qty))
            quantity -= qty
        return taken
