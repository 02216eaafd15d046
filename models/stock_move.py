"""Component moves of FBA sales: the tracked product booked out of WH/Amazon with chosen lots."""

from collections import defaultdict
from datetime import datetime

from odoo import api, fields, models
from odoo.tools import float_compare, float_is_zero

OPEN_STATES = ("waiting", "confirmed", "partially_available", "assigned")


class StockMove(models.Model):
    _inherit = "stock.move"

    amazon_sale_line_id = fields.Many2one(
        "sale.order.line",
        readonly=True,
        index="btree_not_null",
        help="The FBA sale line whose tracked component this move books out of the Amazon "
        "location. Not the sale line of the move: the line sells the kit, and its delivered "
        "quantity counts the kit move only.",
    )
    amazon_lot_policy = fields.Selection(
        [
            ("amazon", "Serial numbers from Amazon only"),
            ("fifo", "FIFO"),
            ("fefo", "FEFO"),
        ],
        readonly=True,
        help="How the order sync attributes the lots of this component move: the serial numbers "
        "Amazon sent for the order line first, then (FIFO/FEFO) inferred lots for the rest. "
        "Kept from the account's policy when the order was booked.",
    )

    def _action_assign(self, force_qty=False):
        # The lots of an Amazon component move are attributed by the order sync
        # (_amazon_attribute_lots), never reserved by Odoo's removal strategy (scheduler).
        others = self.filtered(lambda move: not move.amazon_sale_line_id)
        return super(StockMove, others)._action_assign(force_qty=force_qty)

    def _amazon_attribute_lots(self):
        """Attribute lots to these open Amazon component moves and book what stock allows.

        For each move, oldest sale first: the serial numbers Amazon sent for its sale line that
        are on hand in the move's source location (provenance ``amazon``); the quantity of the
        serial numbers Odoo does not have there stays open; then, on FIFO/FEFO moves, units
        taken in policy order (``stock.quant._amazon_gather``, one gather per product and
        location). Units are taken from real quants, each move line carrying the quant's
        sub-location, package and owner, so no quant goes negative while another of the lot
        holds stock; the quants are locked until the transaction ends and quants another
        transaction holds are skipped (see ``stock.quant._amazon_lock``), so concurrent syncs
        sharing a pool never take the same unit. Attributed quantities are booked as done move
        lines; the rest stays an open move of the same sale line (Odoo's backorder split), the
        unattributed quantity.

        :return: the moves done by this call
        """
        todo = self._amazon_attribute_lots_lines()
        if todo:
            todo._action_done()
        return todo

    def _amazon_attribute_lots_lines(self):
        """:meth:`_amazon_attribute_lots` up to ``_action_done``, left to the caller (who may
        do other moves in the same call): the attributed moves get their lot lines, picked.

        :return: the moves to do
        """
        moves = self.filtered(lambda m: m.state in OPEN_STATES and m.amazon_sale_line_id)
        if not moves:
            return self.browse()
        moves = moves.sorted(lambda m: (m.amazon_sale_line_id.order_id.date_order, m.id))
        stock = _QuantStock(self.env["stock.quant"])
        booked = moves._amazon_booked_serials()
        line_vals, todo = [], self.browse()
        for move in moves:
            rounding = move.product_id.uom_id.rounding
            quantity = move.product_qty
            attributions, unknown = [], []
            sale_line = move.amazon_sale_line_id
            for name in sale_line._amazon_serial_list():
                if name in booked[sale_line.id]:
                    continue
                if float_compare(quantity, 0, precision_rounding=rounding) <= 0:
                    break
                quant = stock.take_named(move.product_id, move.location_id, name)
                if quant:
                    attributions.append((quant, 1.0, "amazon"))
                    booked[sale_line.id].add(name)
                    quantity -= 1
                else:
                    unknown.append(name)
            unknown_text = ", ".join(unknown) or False
            if (sale_line.amazon_unknown_serials or False) != unknown_text:
                sale_line.amazon_unknown_serials = unknown_text
            if move.amazon_lot_policy in ("fifo", "fefo"):
                quantity -= min(len(unknown), quantity)  # kept for the serials Amazon named
                for quant, qty in stock.take(
                    move.product_id, move.location_id, move.amazon_lot_policy, quantity
                ):
                    attributions.append((quant, qty, move.amazon_lot_policy))
            if not attributions:
                continue
            todo |= move
            line_vals += move._amazon_prepare_lot_line_vals(attributions)
        if not todo:
            return todo
        todo.move_line_ids.unlink()  # nothing of Odoo's own reservation survives
        self.env["stock.move.line"].create(line_vals)
        todo.picked = True
        return todo

    @api.model
    def _amazon_book_manual(self, sale_line, location, location_dest, lots):
        """A done move of ``sale_line``'s tracked component from ``location`` to
        ``location_dest`` with ``lots`` (``[(stock.lot, quantity)]``), provenance ``manual``."""
        return self._amazon_book_lots(
            sale_line,
            location,
            location_dest,
            [(lot, qty, "manual") for lot, qty in lots],
            name=self.env._("Lot correction: %(line)s", line=sale_line.name),
        )

    @api.model
    def _amazon_book_lots(self, sale_line, location, location_dest, lots, name, **vals):
        """A done move of ``sale_line``'s tracked component from ``location`` to
        ``location_dest`` with ``lots`` (``[(stock.lot, quantity, provenance)]``). Out of an
        internal location, the units are taken from its quants (package, owner and
        sub-location kept, quants locked); ``vals``: extra values of the move."""
        product = sale_line.amazon_tracked_product_id
        order = sale_line.order_id
        move = self.create(
            {
                "name": name[:2000],
                "origin": order.name,
                "company_id": order.company_id.id,
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": sum(qty for _lot, qty, _source in lots),
                "location_id": location.id,
                "location_dest_id": location_dest.id,
                "partner_id": order.partner_shipping_id.id,
                "amazon_sale_line_id": sale_line.id,
                **vals,
            }
        )
        move._action_confirm(merge=False)
        if location.usage == "internal":
            attributions = [
                (quant, qty, source)
                for lot, lot_qty, source in lots
                for quant, qty in self.env["stock.quant"]._amazon_take_lot(
                    product, location, lot, lot_qty
                )
            ]
        else:
            attributions = lots
        self.env["stock.move.line"].create(move._amazon_prepare_lot_line_vals(attributions))
        move.picked = True
        move._action_done()
        return move

    def _amazon_booked_serials(self):
        """Lot names already booked out to the customer for the sale lines of ``self``."""
        booked = defaultdict(set)
        done_lines = (
            self.amazon_sale_line_id.amazon_component_move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
            )
        ).move_line_ids
        for move_line in done_lines:
            booked[move_line.move_id.amazon_sale_line_id.id].add(move_line.lot_id.name)
        return booked

    def _amazon_prepare_lot_line_vals(self, attributions):
        """Move line values for ``[(source, quantity in product unit, provenance)]``.

        ``source``: a ``stock.quant`` taken (the line leaves from its location, package and
        owner), or a ``stock.lot`` (the line leaves from the move's location, loose: units coming
        back from the customer).
        """
        self.ensure_one()
        uom = self.product_id.uom_id
        vals_list = []
        for source, qty, provenance in attributions:
            if float_is_zero(qty, precision_rounding=uom.rounding):
                continue
            vals = {
                "move_id": self.id,
                "product_id": self.product_id.id,
                "product_uom_id": uom.id,
                "quantity": qty,
                "location_id": self.location_id.id,
                "location_dest_id": self.location_dest_id.id,
                "company_id": self.company_id.id,
                "picked": True,
                "amazon_lot_source": provenance,
            }
            if source._name == "stock.quant":
                vals.update(
                    lot_id=source.lot_id.id,
                    location_id=source.location_id.id,
                    package_id=source.package_id.id,
                    owner_id=source.owner_id.id,
                )
            else:
                vals["lot_id"] = source.id
            vals_list.append(vals)
        return vals_list


class _QuantStock:
    """Free quants per (product, location) during one attribution pass, consumed as booked.

    Each (product, location) is gathered once per pass; a quant is locked when first taken
    (with the next ones the quantity asked needs, in one query), and a quant this transaction
    cannot lock counts as empty.
    """

    def __init__(self, quants):
        self.quants = quants
        self.free = {}  # quant -> free quantity
        self.locked = set()  # quants this transaction holds
        self.loaded = {}  # (product, location) -> quants gathered
        self.orders = {}  # (product, location, policy) -> [quant]

    def _load(self, product, location, policy):
        key = (product, location, policy)
        if key not in self.orders:
            Quant = self.quants
            if (product, location) not in self.loaded:
                gathered = Quant._amazon_gather(product, location, policy)
                self.loaded[(product, location)] = gathered
                self.free.update({q: q.quantity - q.reserved_quantity for q in gathered})
                self.orders[key] = list(gathered)
            else:
                gathered = self.loaded[(product, location)]
                lots = Quant._amazon_sort_lots(gathered.lot_id, location, policy)
                rank = {lot: index for index, lot in enumerate(lots)}
                self.orders[key] = sorted(
                    gathered, key=lambda q: (rank[q.lot_id], q.in_date or datetime.max, q.id)
                )
        return self.orders[key]

    def _lock(self, quants):
        """Lock ``quants`` (not yet held); those another transaction holds become empty."""
        todo = self.quants.union(*[q for q in quants if q not in self.locked])
        held = todo._amazon_lock()
        self.locked.update(held)
        for quant in todo - held:
            self.free[quant] = 0.0

    def _usable(self, quant, rounding):
        return float_compare(self.free[quant], 0, precision_rounding=rounding) > 0

    def take_named(self, product, location, name):
        """A quant holding one unit of the lot named ``name``, taken; else an empty recordset."""
        for quant in self._load(product, location, "fifo"):
            if quant.lot_id.name == name and self.free[quant] >= 1:
                self._lock(quant)
                if self.free[quant] >= 1:
                    self.free[quant] -= 1
                    return quant
        return self.quants.browse()

    def take(self, product, location, policy, quantity):
        """Up to ``quantity`` units in ``policy`` order: ``[(quant, qty)]``."""
        rounding = product.uom_id.rounding
        taken = []
        quants = self._load(product, location, policy)
        for index, quant in enumerate(quants):
            if float_compare(quantity, 0, precision_rounding=rounding) <= 0:
                break
            if not self._usable(quant, rounding):
                continue
            if quant not in self.locked:
                self._lock(self._batch(quants[index:], quantity, rounding))
                if not self._usable(quant, rounding):
                    continue
            qty = min(self.free[quant], quantity)
            taken.append((quant, qty))
            self.free[quant] -= qty
            quantity -= qty
        return taken

    def _batch(self, quants, quantity, rounding):
        """The next quants (not held yet) whose free units cover ``quantity``."""
        batch = []
        for quant in quants:
            if float_compare(quantity, 0, precision_rounding=rounding) <= 0:
                break
            if quant in self.locked or not self._usable(quant, rounding):
                continue
            batch.append(quant)
            quantity -= self.free[quant]
        return batch
