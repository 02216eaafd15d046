from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

from .amazon_account_money import CHARGE_TYPES
from .stock_move import OPEN_STATES


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
    amazon_serial_numbers = fields.Text(
        readonly=True,
        copy=False,
        help="The serial numbers Amazon sent for this line (product.serialNumbers), one a line. "
        "The sync books exactly these out of the Amazon location.",
    )
    amazon_unknown_serials = fields.Char(
        "Serials Unknown at Amazon Location",
        readonly=True,
        copy=False,
        help="Serial numbers Amazon named for this line that Odoo does not have at the Amazon "
        "location: their quantity stays unattributed until they are there.",
    )
    amazon_charge_type = fields.Selection(
        CHARGE_TYPES,
        "Amazon Charge",
        readonly=True,
        copy=False,
        help="What of the Amazon order this line books: the product, or a charge of the item "
        "(shipping, gift wrap, other), an order-level charge (delivery tip), or the rounding "
        "cents that make the order's total Amazon's.",
    )
    amazon_qty_shipped = fields.Float(
        "Amazon Quantity Shipped",
        readonly=True,
        copy=False,
        digits="Product Unit of Measure",
        help="Units of the Amazon item this line booked as shipped (Amazon's quantityFulfilled "
        "for FBA); a later update shipping more books the difference only.",
    )
    amazon_facilitator_tax = fields.Monetary(
        "Tax Remitted by Amazon",
        readonly=True,
        copy=False,
        help="Tax Amazon collected on this line and remits itself as marketplace facilitator: "
        "the line carries no seller tax.",
    )
    amazon_component_move_ids = fields.One2many(
        "stock.move", "amazon_sale_line_id", "Amazon Component Moves", readonly=True
    )
    amazon_unattributed_qty = fields.Float(
        "Unattributed Quantity",
        compute="_compute_amazon_unattributed_qty",
        digits="Product Unit of Measure",
        help="Units of the tracked product Amazon shipped for this line whose lot is not known "
        "yet: not enough tracked stock at the Amazon location when the order was booked. The "
        "order sync attributes them once stock arrives.",
    )

    @api.depends("amazon_component_move_ids.state", "amazon_component_move_ids.product_qty")
    def _compute_amazon_unattributed_qty(self):
        for line in self:
            line.amazon_unattributed_qty = sum(
                line.amazon_component_move_ids.filtered(lambda m: m.state in OPEN_STATES).mapped(
                    "product_qty"
                )
            )

    def _amazon_serial_list(self):
        """The serial numbers Amazon sent for this line, in order, without duplicates."""
        self.ensure_one()
        names = (name.strip() for name in (self.amazon_serial_numbers or "").splitlines())
        return list(dict.fromkeys(name for name in names if name))

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

    def _amazon_prepare_component_move_vals(
        self, location, customer_location, policy, kit_components=None
    ):
        """The move of the tracked component of this FBA kit line, or None when there is none.

        ``policy``: the account's ``fba_lot_policy``. With ``kit``, only the units Amazon named
        by serial number are booked; with ``fifo``/``fefo``, the whole component quantity.
        No ``sale_line_id``: sale_mrp would count the component into the kit's delivered
        quantity; ``amazon_sale_line_id`` links it instead. ``kit_components``: see
        :meth:`_amazon_component_qty`.
        """
        self.ensure_one()
        order = self.order_id
        component, quantity = self._amazon_component_qty(kit_components)
        if not component:
            return None
        serials = self._amazon_serial_list()
        if policy == "kit":
            quantity = min(quantity, len(serials))
        if quantity <= 0:
            return None
        return {
            "name": self.name[:2000],
            "origin": order.name,
            "company_id": order.company_id.id,
            "product_id": component.id,
            "product_uom": component.uom_id.id,
            "product_uom_qty": quantity,
            "location_id": location.id,
            "location_dest_id": customer_location.id,
            "partner_id": order.partner_shipping_id.id,
            "warehouse_id": location.warehouse_id.id,
            "amazon_sale_line_id": self.id,
            "amazon_lot_policy": "amazon" if policy == "kit" else policy,
        }

    def _amazon_component_qty(self, kit_components=None):
        """``(tracked component, its quantity on this kit line)``; empty when not a kit line.

        ``kit_components``: a dict caching each kit's ``(component, quantity per kit)`` for the
        lines of one call (a BoM lookup each otherwise).
        """
        self.ensure_one()
        kit_components = {} if kit_components is None else kit_components
        if self.product_id not in kit_components:
            kit_components[self.product_id] = self.product_id._get_amazon_fba_kit_component(
                self.order_id.company_id
            )
        component, per_kit = kit_components[self.product_id]
        if not component or component != self.amazon_tracked_product_id:
            return self.env["product.product"], 0.0
        kits = self.product_uom._compute_quantity(
            self.product_uom_qty, self.product_id.uom_id, round=False
        )
        return component, float_round(kits * per_kit, precision_rounding=component.uom_id.rounding)

    def _amazon_net_lots(self):
        """``{stock.lot: quantity}`` booked to this line's customer, net of corrections."""
        self.ensure_one()
        moves = self.amazon_component_move_ids.filtered(lambda m: m.state == "done")
        net = moves.move_line_ids._amazon_net_to_customer(lambda move_line: move_line.lot_id)
        rounding = self.amazon_tracked_product_id.uom_id.rounding
        return {
            lot: qty
            for lot, qty in net.items()
            if not float_is_zero(qty, precision_rounding=rounding)
        }

    def _amazon_reattribute(self, wanted):
        """Make the lots booked to this FBA kit line ``wanted`` (``{stock.lot: quantity}``).

        Lots taken back return from the customer to the Amazon location, lots added go out of
        it: done moves whose lines have provenance ``manual``. The open (unattributed)
        quantity becomes what the new lots leave uncovered. Returns whether anything changed.
        """
        self.ensure_one()
        component, total = self._amazon_component_qty()
        rounding = component.uom_id.rounding
        if not component:
            raise UserError(
                self.env._("%(line)s is not an Amazon FBA kit line.", line=self.display_name)
            )
        if float_compare(sum(wanted.values()), total, precision_rounding=rounding) > 0:
            raise UserError(
                self.env._(
                    "%(line)s shipped %(total)s unit(s) of %(product)s: the lots cannot add up "
                    "to more.",
                    line=self.display_name,
                    total=total,
                    product=component.display_name,
                )
            )
        current = self._amazon_net_lots()

        def positive(pairs):
            return [
                (lot, qty)
                for lot, qty in pairs
                if float_compare(qty, 0, precision_rounding=rounding) > 0
            ]

        back = positive((lot, qty - wanted.get(lot, 0.0)) for lot, qty in current.items())
        out = positive((lot, qty - current.get(lot, 0.0)) for lot, qty in wanted.items())
        if not back and not out:
            return False
        location = self.amazon_component_move_ids[
            :1
        ].location_id or self.order_id.amazon_account_id._amazon_pool_location(
            self.order_id.amazon_marketplace_id
        )
        customer = self.env.ref("stock.stock_location_customers")
        Move = self.env["stock.move"]
        if back:
            Move._amazon_book_manual(self, customer, location, back)
        Quant = self.env["stock.quant"]
        for lot, qty in out:
            available = sum(
                qty for _q, qty in Quant._amazon_take_lot(component, location, lot, qty)
            )
            if float_compare(available, qty, precision_rounding=rounding) < 0:
                raise UserError(
                    self.env._(
                        "Only %(available)s unit(s) of lot %(lot)s are at %(location)s.",
                        available=available,
                        lot=lot.name,
                        location=location.display_name,
                    )
                )
        if out:
            Move._amazon_book_manual(self, location, customer, out)
        self._amazon_reset_open_qty(total - sum(wanted.values()))
        return True

    def _amazon_reset_open_qty(self, quantity):
        """Make the open (unattributed) component quantity of this line ``quantity``."""
        self.ensure_one()
        rounding = self.amazon_tracked_product_id.uom_id.rounding
        open_moves = self.amazon_component_move_ids.filtered(lambda m: m.state in OPEN_STATES)
        if (
            float_compare(
                sum(open_moves.mapped("product_qty")), quantity, precision_rounding=rounding
            )
            == 0
        ):
            return
        policy = self.amazon_component_move_ids.sorted("id")[:1].amazon_lot_policy
        open_moves._action_cancel()
        if float_compare(quantity, 0, precision_rounding=rounding) > 0:
            location = self.amazon_component_move_ids.sorted("id")[:1].location_id
            vals = self._amazon_prepare_component_move_vals(
                location, self.env.ref("stock.stock_location_customers"), policy or "fifo"
            )
            vals.update(product_uom_qty=quantity, amazon_lot_policy=policy or "amazon")
            self.env["stock.move"].create(vals)._action_confirm(merge=False)

    def _amazon_book_fba_more(self, location, quantity):
        """Book ``quantity`` more of this FBA line out of ``location`` (a later shipment).

        The kit (or product) move is done at once; the tracked component of a kit line follows
        the order's lot policy, as when the order was booked (open quantity if stock lacks).
        """
        self.ensure_one()
        if self.product_id.type != "consu" or quantity <= 0:
            return self.env["stock.move"]
        customer = self.env.ref("stock.stock_location_customers")
        move = self.env["stock.move"].create(
            dict(self._amazon_prepare_fba_move_vals(location, customer), product_uom_qty=quantity)
        )
        move._action_confirm(merge=False)
        move.quantity = move.product_uom_qty
        move.picked = True
        move._action_done()
        policy = self.order_id.amazon_account_id.fba_lot_policy or "kit"
        if self.amazon_tracked_product_id and (policy != "kit" or self.amazon_serial_numbers):
            vals = self._amazon_prepare_component_move_vals(location, customer, policy)
            booked = sum(
                self.amazon_component_move_ids.filtered(lambda m: m.state != "cancel").mapped(
                    "product_qty"
                )
            )
            if vals and vals["product_uom_qty"] > booked:
                vals["product_uom_qty"] -= booked
                component = self.env["stock.move"].create(vals)
                component._action_confirm(merge=False)
                component._amazon_attribute_lots()
        return move
