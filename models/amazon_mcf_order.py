"""Multi-Channel Fulfilment orders: sold on another channel, shipped by Amazon from FBA stock.

They are not Amazon sales (the other channel books the sale), but the stock left the Amazon
location: with the account's ``amazon_mcf_policy`` = ``stock`` each one gets an
``amazon.mcf.order`` and done moves out of the Amazon location, lots chosen per the account's
FBA lot policy and recorded with their provenance.
"""

from odoo import fields, models
from odoo.tools import float_compare, float_is_zero

from ..spapi import const
from .amazon_account_booking import AmazonOrderRefused


class AmazonMcfOrder(models.Model):
    _name = "amazon.mcf.order"
    _description = "Amazon Multi-Channel Fulfilment Order"
    _check_company_auto = True
    _order = "date desc, id desc"
    _rec_name = "amazon_order_ref"

    account_id = fields.Many2one(
        "amazon.account", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    amazon_order_ref = fields.Char("Amazon Order Reference", required=True, readonly=True)
    date = fields.Datetime(readonly=True, help="When the order was placed.")
    move_ids = fields.One2many("stock.move", "amazon_mcf_order_id", "Stock Moves", readonly=True)
    note = fields.Text(
        readonly=True,
        help="Units Amazon shipped that the order sync did not book out of the Amazon location, "
        "and why (tracked products under the Kit only lot policy).",
    )

    _sql_constraints = (
        (
            "amazon_order_ref_uniq",
            "unique(account_id, amazon_order_ref)",
            "A Multi-Channel Fulfilment order is booked once per Amazon account.",
        ),
    )

    def _shipped_by_item(self):
        """``{Amazon item id: units handled}`` (in the item's units): the done moves, the
        pending ones waiting for the lots Amazon reports, and the cancelled ones (units the
        Kit only policy left unbooked) alike."""
        self.ensure_one()
        booked = {}
        for move in self.move_ids:
            per_unit = move.amazon_mcf_units_per_item or 1.0
            key = move.amazon_mcf_item_ref
            booked[key] = booked.get(key, 0.0) + move.product_qty / per_unit
        return booked


class StockMove(models.Model):
    _inherit = "stock.move"

    amazon_mcf_order_id = fields.Many2one(
        "amazon.mcf.order", "Amazon MCF Order", readonly=True, index="btree_not_null"
    )
    amazon_mcf_item_ref = fields.Char("Amazon MCF Item", readonly=True)
    amazon_mcf_units_per_item = fields.Float(readonly=True, digits="Product Unit of Measure")


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    def _amazon_apply_mcf_order(self, order, run):
        """Book the stock of a Multi-Channel Fulfilment order (no sale order). Idempotent."""
        if self.amazon_mcf_policy == "ignore" or order.status not in (
            "PARTIALLY_SHIPPED",
            "SHIPPED",
        ):
            return (
                "ignored"
                if order.status == "CANCELLED" or self.amazon_mcf_policy == "ignore"
                else "pending"
            ), None
        mcf = self.env["amazon.mcf.order"].search(
            [("account_id", "=", self.id), ("amazon_order_ref", "=", order.order_ref)]
        )
        if not mcf:
            mcf = self.env["amazon.mcf.order"].create(
                {"account_id": self.id, "amazon_order_ref": order.order_ref, "date": order.created}
            )
        booked = mcf._shipped_by_item()
        notes, moved = [], self.env["stock.move"]
        for line in order.lines:
            shipped = line.quantity_to_book(const.FULFILLED_BY_AMAZON)
            quantity = shipped - booked.get(line.item_ref, 0.0)
            if float_compare(quantity, 0, precision_digits=3) <= 0:
                continue
            offer = self._amazon_offer(order, line, run)
            if not offer or not offer.product_id:
                raise self._amazon_mcf_unknown(order, line, offer)
            moved |= self._amazon_mcf_book_line(mcf, order, line, offer.product_id, quantity, notes)
        if notes:
            mcf.note = "\n".join(filter(None, [mcf.note, *notes]))
        return ("booked" if moved or notes else "unchanged"), None

    def _amazon_mcf_unknown(self, order, line, offer):
        return AmazonOrderRefused(
            self.env._(
                "Multi-Channel Fulfilment order %(ref)s ships SKU %(sku)s, which no product of "
                "%(company)s has as internal reference. Open the offer %(sku)s (Sales > Amazon "
                "> Offers), choose the product it sells, then retry.",
                ref=order.order_ref,
                sku=line.sku or line.asin,
                company=self.company_id.name,
            ),
            kind="unknown_sku",
            offer=offer,
        )

    def _amazon_mcf_book_line(self, mcf, order, line, product, quantity, notes):
        """Done moves out of the Amazon location for ``quantity`` units of an MCF item."""
        per_unit = 1.0
        if product.amazon_fba_kit:
            component, per_kit = product._get_amazon_fba_kit_component(self.company_id)
            if component:
                product, per_unit = component, per_kit
        if not product.is_storable:
            return self.env["stock.move"]
        units = quantity * per_unit
        policy = self.fba_lot_policy or "kit"
        # Amazon ships an MCF order from the stock pool of its marketplace's fulfilment network.
        pool = self._amazon_pool_location(
            self.env["amazon.marketplace"].search([("api_ref", "=", order.marketplace_id)], limit=1)
            if order.marketplace_id
            else self.env["amazon.marketplace"]
        )
        attributions = []
        if product.tracking != "none":
            if policy == "kit":
                notes.append(
                    self.env._(
                        "%(qty)s unit(s) of %(product)s not booked: the account's lot policy is "
                        "Kit only, which does not consume tracked stock at Amazon.",
                        qty=units,
                        product=product.display_name,
                    )
                )
                return self.env["stock.move"]
            remaining = units
            for lot, available in self.env["stock.quant"]._amazon_lots_by_policy(
                product, pool, policy
            ):
                if float_is_zero(remaining, precision_rounding=product.uom_id.rounding):
                    break
                taken = min(available, remaining)
                attributions.append((lot, taken, policy))
                remaining -= taken
            if float_compare(remaining, 0, precision_rounding=product.uom_id.rounding) > 0:
                raise AmazonOrderRefused(
                    self.env._(
                        "Multi-Channel Fulfilment order %(ref)s: Amazon shipped %(qty)s unit(s) "
                        "of %(product)s, and %(location)s has lots for %(available)s only. "
                        "Replenish the Amazon location (or correct its stock), then retry.",
                        ref=order.order_ref,
                        qty=units,
                        product=product.display_name,
                        location=pool.display_name,
                        available=units - remaining,
                    ),
                    kind="refused",
                    product=product,
                )
        customer = self.env.ref("stock.stock_location_customers")
        move = self.env["stock.move"].create(
            {
                "name": self.env._(
                    "Amazon MCF %(ref)s: %(product)s", ref=order.order_ref, product=product.name
                ),
                "origin": self.env._("Amazon MCF %(ref)s", ref=order.order_ref),
                "company_id": self.company_id.id,
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": units,
                "location_id": pool.id,
                "location_dest_id": customer.id,
                "warehouse_id": pool.warehouse_id.id,
                "amazon_mcf_order_id": mcf.id,
                "amazon_mcf_item_ref": line.item_ref,
                "amazon_mcf_units_per_item": per_unit,
            }
        )
        move._action_confirm(merge=False)
        if attributions:
            self.env["stock.move.line"].create(move._amazon_prepare_lot_line_vals(attributions))
        else:
            move.quantity = units
        move.picked = True
        move._action_done()
        return move
