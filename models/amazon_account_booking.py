"""Booking Amazon orders: the order's lines, customer, pricelist; the FBA kit substitution.

A new order is checked first (:meth:`_amazon_prepare_new_order`), then booked, alone or with the
other new orders of its page (:meth:`_amazon_book_new_orders`): the same code either way.
"""

import dataclasses

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..spapi import const, mapping, substitution
from ..spapi.exceptions import AmazonSubstitutionError

# Amazon ships an FBA order in one go or in parts: book what it shipped, as done moves out of
# WH/Amazon (quantityFulfilled); a later update that ships more books the difference.
FBA_BOOKABLE = ("PARTIALLY_SHIPPED", "SHIPPED")
# An FBM order is booked as soon as the seller must ship it, with a normal delivery.
FBM_BOOKABLE = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")


@dataclasses.dataclass(frozen=True)
class NewOrder:
    """A new Amazon order checked for booking: its mapped order and, per line, what it sells."""

    order: mapping.Order
    items: list  # [(mapping.OrderLine, sale line values without price)]


class AmazonOrderRefused(UserError):
    """An order Odoo cannot book as it is; ``kind`` is an ``amazon.sync.error`` kind."""

    def __init__(self, message, kind="refused", product=None, offer=None):
        super().__init__(message)
        self.kind = kind
        self.product = product
        self.offer = offer


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    def _amazon_apply_order(self, raw, sale_order, run):
        """Book one Amazon order. Returns ``(outcome, sale.order)``; raises to record an error.

        While its page collects new orders (``run.batch`` is a list), a new order is only
        checked and added there: outcome ``"deferred"``, booked with the page's batch.
        """
        order = mapping.map_order(raw)
        if order.channel == mapping.CHANNEL_NON_AMAZON:
            return self._amazon_apply_mcf_order(order, run)
        if sale_order:
            if order.status == "CANCELLED" and sale_order.state != "cancel":
                sale_order._amazon_cancel()
                return "cancelled", sale_order
            if sale_order.state == "sale" and sale_order.amazon_fulfilled_by == "amazon":
                return self._amazon_apply_shipped_update(order, sale_order, run)
            return "unchanged", sale_order
        if order.status == "CANCELLED":
            return "ignored", None
        if order.fulfilled_by is None:
            raise AmazonOrderRefused(
                self.env._(
                    "Amazon did not say who ships order %(ref)s (fulfillment.fulfilledBy is "
                    "missing and no program of the order tells): Odoo cannot tell an FBA sale "
                    "from a merchant-fulfilled one. Retry when Amazon sends it.",
                    ref=order.order_ref,
                ),
                kind="malformed",
            )
        fba = order.fulfilled_by == "AMAZON"
        bookable = FBA_BOOKABLE if fba else FBM_BOOKABLE
        if order.status not in bookable:
            return "pending", None
        new_order = self._amazon_prepare_new_order(order, run)
        if getattr(run, "batch", None) is not None:  # the page books its new orders together
            run.batch.append(new_order)
            return "deferred", None
        return "booked", self._amazon_book_new_orders([new_order], run)

    def _amazon_prepare_new_order(self, order, run):
        """Check what booking the new ``order`` needs (its currency, products, kits) before
        anything is created: an order Odoo cannot book is refused on its own, never in the
        middle of a batch. Returns a :class:`NewOrder`."""
        self._amazon_pricelist(order.currency, run)  # refuses an unknown currency
        self._amazon_marketplace(order.marketplace_id, run)
        items = [(line, self._amazon_line_product_vals(order, line, run)) for line in order.lines]
        return NewOrder(order=order, items=items)

    def _amazon_book_new_orders(self, new_orders, run):
        """Book new orders checked by :meth:`_amazon_prepare_new_order`, together.

        Per-order work is done once for all of them: one search (and one ``create``) of their
        delivery contacts, lookups and taxes shared, one ``create`` of the sale orders with their
        lines, their totals made Amazon's (:meth:`_amazon_finish_money_multi`), then the FBA
        orders of each stock pool confirmed with their stock moves done in one go
        (``sale.order._amazon_book_fba``) and the FBM orders confirmed with their deliveries.
        One order or a page of them: the same code, so a page booked in batch books what
        booking its orders one by one books. Returns the sale orders in the given order.
        """
        orders = [new_order.order for new_order in new_orders]
        partners = self._amazon_partners_multi(orders, run)
        shared = {"tax_twins": {}, "taxes": {}}  # created in the caller's savepoint: not kept
        vals_list = []
        for new_order, pair in zip(new_orders, partners, strict=True):
            money = self._amazon_money_context(new_order.order, pair, run, shared=shared)
            vals_list.append(self._amazon_new_order_vals(new_order, pair, money, run))
        sale_orders = self.env["sale.order"].create(vals_list)
        self._amazon_note_facilitator_lines(sale_orders)
        self._amazon_finish_money_multi(list(zip(orders, sale_orders, strict=True)), run)
        fba = sale_orders.filtered(lambda sale_order: sale_order.amazon_fulfilled_by == "amazon")
        pools = {}
        for sale_order in fba:
            pool = self._amazon_pool_location(sale_order.amazon_marketplace_id)
            pools[pool] = pools.get(pool, sale_orders.browse()) | sale_order
        for pool, pool_orders in pools.items():
            pool_orders._amazon_book_fba(pool)
        if sale_orders - fba:
            fbm = sale_orders - fba
            fbm._amazon_subscribe_customers()
            fbm.action_confirm()
        return sale_orders

    def _amazon_new_order_vals(self, new_order, partners, money, run):
        """The ``sale.order`` values of a new order: its priced lines and charges."""
        order = new_order.order
        line_vals = []
        for line, product_vals in new_order.items:
            line_vals.append((0, 0, self._amazon_price_line_vals(line, dict(product_vals), money)))
            line_vals += self._amazon_prepare_charge_vals(order, line, money, run)
        for charge in order.extra_charges:
            line_vals.append(
                self._amazon_charge_line_vals(money, "EXTRA", charge.amount, 0, False, run)
            )
        vals = self._amazon_prepare_order_vals(order, line_vals, run, partners=partners)
        vals["fiscal_position_id"] = money["fiscal_position"].id
        return vals

    def _amazon_money_context(self, order, partners, run, shared=None):
        """What pricing the lines of ``order`` needs: currency, fiscal position, customer.

        ``shared``: the tax caches (``tax_twins``, ``taxes``) of the orders booked with it, in
        the same savepoint; by default the order's own (a tax twin it creates goes if its
        savepoint rolls back, and must not stay in a cache).
        """
        partner, shipping = partners
        pricelist = self._amazon_pricelist(order.currency, run)
        marketplace = self._amazon_marketplace(order.marketplace_id, run)
        shared = shared if shared is not None else {"tax_twins": {}, "taxes": {}}
        return {
            "currency": pricelist.currency_id or self.company_id.currency_id,
            "fiscal_position": self._amazon_fiscal_position(marketplace, partner, shipping, run),
            "partner": partner,
            "tax_twins": shared["tax_twins"],
            "taxes": shared["taxes"],
        }

    def _amazon_note_facilitator_lines(self, sale_orders):
        """Say on each line whose tax Amazon remits (marketplace facilitator) that it does."""
        for sale_line in sale_orders.order_line.filtered("amazon_facilitator_tax"):
            sale_line.name = self.env._(
                "%(name)s\nTax %(tax)s %(currency)s collected and remitted by Amazon "
                "(marketplace facilitator)",
                name=sale_line.name,
                tax=sale_line.amazon_facilitator_tax,
                currency=sale_line.order_id.currency_id.name,
            )

    def _amazon_prepare_order_vals(self, order, line_vals, run, partners=None):
        partner, shipping = partners or self._amazon_partners(order, run)
        vals = {
            "partner_id": partner.id,
            "partner_invoice_id": partner.id,
            "partner_shipping_id": shipping.id,
            "company_id": self.company_id.id,
            "client_order_ref": order.order_ref,
            "origin": self.env._("Amazon %(ref)s", ref=order.order_ref),
            "date_order": order.created,
            "amazon_account_id": self.id,
            "amazon_order_ref": order.order_ref,
            "amazon_fulfilled_by": "amazon" if order.fulfilled_by == "AMAZON" else "merchant",
            "amazon_marketplace_id": self._amazon_marketplace(order.marketplace_id, run).id,
            "warehouse_id": self.warehouse_id.id,
            "order_line": line_vals,
        }
        if self.team_id:
            vals["team_id"] = self.team_id.id
        if self.user_id:
            vals["user_id"] = self.user_id.id
        pricelist = self._amazon_pricelist(order.currency, run)
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        return vals

    def _amazon_offer(self, order, line, run):
        """The offer of an order line: by SKU, else (no SKU sent) by ASIN."""
        offer = run.offers.get(line.sku) if line.sku else None
        if offer and line.asin and not offer.asin:
            offer.asin = line.asin
        if not line.sku and line.asin:
            offer = self.env["amazon.offer"].search(
                [("account_id", "=", self.id), ("asin", "=", line.asin)], limit=1
            )
            if not offer:
                raise AmazonOrderRefused(
                    self.env._(
                        "Order %(ref)s sells ASIN %(asin)s without a seller SKU, and no offer "
                        "of account %(account)s has this ASIN. Set the ASIN on the offer of "
                        "this product (Sales > Amazon > Offers), then retry.",
                        ref=order.order_ref,
                        asin=line.asin,
                        account=self.name,
                    ),
                    kind="unknown_sku",
                )
        return offer

    def _amazon_prepare_line_vals(self, order, line, run, money=None):
        """``(0, 0, values)`` of the sale line of an order line, priced with ``money``."""
        vals = self._amazon_line_product_vals(order, line, run)
        if money is None:  # legacy callers: Amazon's price as is, Odoo's default taxes
            quantity = vals["product_uom_qty"]
            vals["price_unit"] = (
                line.unit_price * line.quantity / quantity if quantity else line.unit_price
            )
            return (0, 0, vals)
        return (0, 0, self._amazon_price_line_vals(line, vals, money))

    def _amazon_line_product_vals(self, order, line, run):
        """What an order line sells (offer, product or its FBA kit, quantity), unpriced.

        Raises :class:`AmazonOrderRefused` when Odoo cannot tell: unknown SKU, missing kit...
        """
        offer = self._amazon_offer(order, line, run)
        if not offer or not offer.product_id:
            raise AmazonOrderRefused(
                self.env._(
                    "Order %(ref)s sells SKU %(sku)s, which no product of %(company)s has as "
                    "internal reference. Open the offer %(sku)s (Sales > Amazon > Offers), choose "
                    "the product it sells, then retry.",
                    ref=order.order_ref,
                    sku=line.sku,
                    company=self.company_id.name,
                ),
                kind="unknown_sku",
                offer=offer,
            )
        product = offer.product_id
        component, component_qty = self.env["product.product"], 0.0
        if product.amazon_fba_kit:
            component, component_qty = self._amazon_kit_component(product, run)
            if not component:
                raise AmazonOrderRefused(
                    self.env._(
                        "Order %(ref)s sells the FBA kit %(kit)s, which has no kit Bill of "
                        "Materials. Give it a kit BoM with the tracked product as its one "
                        "component, then retry.",
                        ref=order.order_ref,
                        kit=product.display_name,
                    ),
                    kind="missing_kit",
                    product=product,
                    offer=offer,
                )
        tracked = product.tracking in ("lot", "serial")
        kits = []
        if tracked and order.fulfilled_by == "AMAZON":
            kits = self._amazon_kit_options(product, run)
        amazon_qty = line.quantity_to_book(order.fulfilled_by)
        try:
            decision = substitution.decide(
                fulfilled_by=order.fulfilled_by,
                product_id=product.id,
                product_is_tracked=tracked,
                product_is_fba_kit=product.amazon_fba_kit,
                kit_component_id=component.id or None,
                kit_component_qty=component_qty,
                kits=kits,
                quantity=amazon_qty,
                uom_rounding=product.uom_id.rounding,
            )
        except AmazonSubstitutionError as exc:
            raise self._amazon_substitution_refusal(order, line, product, offer, exc) from exc
        sold = self.env["product.product"].browse(decision.product_id)
        quantity = decision.quantity
        vals = {
            "product_id": sold.id,
            "product_uom_qty": quantity,
            "amazon_item_ref": line.item_ref,
            "amazon_offer_id": offer.id,
            "amazon_tracked_product_id": decision.tracked_product_id or False,
            "amazon_serial_numbers": "\n".join(line.serial_numbers) or False,
            "amazon_charge_type": "item",
            "amazon_qty_shipped": amazon_qty,
        }
        return vals

    def _amazon_price_line_vals(self, line, vals, money):
        """``vals`` of a product line (:meth:`_amazon_line_product_vals`) with its price."""
        sold = self.env["product.product"].browse(vals["product_id"])
        quantity = vals["product_uom_qty"]
        item = line.charge("ITEM") or mapping.Charge(kind="ITEM", amount=mapping.ZERO)
        if quantity:
            vals.update(
                self._amazon_line_price(
                    money, sold, float(item.amount), float(item.tax), quantity, line.facilitator
                )
            )
            vals["amazon_facilitator_tax"] = float(item.tax) if line.facilitator else 0.0
        else:
            # Nothing shipped or sold: the line books no money; what Amazon still charged
            # for the item goes to an "other charges" line (see _amazon_prepare_charge_vals).
            vals.update(price_unit=0.0, discount=0.0)
        return vals

    def _amazon_apply_shipped_update(self, order, sale_order, run):
        """An FBA order Amazon shipped more of since it was booked: book the difference once.

        Each product line remembers the Amazon units it booked (``amazon_qty_shipped``); only
        what Amazon ships beyond them is booked (done moves), and the lines' amounts become
        Amazon's new ones. Seeing the same update again changes nothing.
        """
        item_lines = {
            sol.amazon_item_ref: sol
            for sol in sale_order.order_line
            if sol.amazon_charge_type == "item"
        }
        changes = []
        for line in order.lines:
            sol = item_lines.get(line.item_ref)
            shipped = line.quantity_to_book(const.FULFILLED_BY_AMAZON)
            if sol and float_compare(shipped, sol.amazon_qty_shipped, precision_digits=3) > 0:
                changes.append((line, sol))
        if not changes:
            return "unchanged", sale_order
        money = {
            "currency": sale_order.currency_id,
            "fiscal_position": sale_order.fiscal_position_id,
            "partner": sale_order.partner_id,
            "tax_twins": {},
            "taxes": {},
        }
        order = _as_fba(order)
        sale_order.action_unlock()
        sale_lines = sale_order.order_line.with_context(skip_procurement=True)
        for line, sol in changes:
            before = sol.product_uom_qty
            vals = self._amazon_prepare_line_vals(order, line, run, money)[2]
            sol.with_context(skip_procurement=True).write(
                {
                    key: vals[key]
                    for key in (
                        "product_uom_qty",
                        "price_unit",
                        "tax_id",
                        "amazon_qty_shipped",
                        "amazon_facilitator_tax",
                    )
                    if key in vals
                }
            )
            sol._amazon_book_fba_more(self.location_id, sol.product_uom_qty - before)
        for line in order.lines:
            wanted = self._amazon_prepare_charge_vals(order, line, money, run)
            for _c, _i, vals in wanted:
                existing = sale_lines.filtered(
                    lambda sol, vals=vals: (
                        sol.amazon_item_ref == vals["amazon_item_ref"]
                        and sol.amazon_charge_type == vals["amazon_charge_type"]
                    )
                )[:1]
                if existing:
                    existing.write({"price_unit": vals["price_unit"], "tax_id": vals["tax_id"]})
                else:
                    sale_lines.create(dict(vals, order_id=sale_order.id))
        self._amazon_finish_money(order, sale_order, money, run)
        sale_order.action_lock()
        run.counts.setdefault("updated", 0)
        return "updated", sale_order

    def _amazon_kit_component(self, kit, run):
        """``(component, qty per kit)`` of an FBA kit product, looked up once per run."""
        if kit.id not in run.kit_components:
            run.kit_components[kit.id] = kit._get_amazon_fba_kit_component(self.company_id)
        return run.kit_components[kit.id]

    def _amazon_kit_options(self, product, run):
        """The FBA kits standing for a tracked product, looked up once per run."""
        if product.id not in run.kit_options:
            run.kit_options[product.id] = [
                substitution.KitOption(kit.id, qty)
                for kit in product._get_amazon_fba_kits(self.company_id)
                for kit_component, qty in [self._amazon_kit_component(kit, run)]
                if kit_component == product
            ]
        return run.kit_options[product.id]

    def _amazon_substitution_refusal(self, order, line, product, offer, exc):
        args = {"ref": order.order_ref, "product": product.display_name, "sku": line.sku}
        if exc.reason == "missing_kit":
            message = self.env._(
                "Order %(ref)s: Amazon shipped %(product)s (SKU %(sku)s), which is tracked by "
                "lot/serial number, and Amazon does not say which one it shipped. Create its "
                "Amazon FBA kit (button 'Create FBA kit' here or on the product), then retry.",
                **args,
            )
        elif exc.reason == "ambiguous_kit":
            message = self.env._(
                "Order %(ref)s: %(product)s (SKU %(sku)s) has several Amazon FBA kits, so the "
                "sync cannot tell which one Amazon sold. Set the kit on the offer %(sku)s "
                "(Sales > Amazon > Offers), then retry.",
                **args,
            )
        else:
            message = self.env._(
                "Order %(ref)s: %(qty)s unit(s) of %(product)s (SKU %(sku)s) is not a whole "
                "number of its FBA kit. Link the offer %(sku)s to the kit it sells, then retry.",
                qty=line.quantity,
                **args,
            )
        return AmazonOrderRefused(message, kind=exc.reason, product=product, offer=offer)

    def _amazon_partners(self, order, run):
        """``(customer, delivery contact)`` of ``order``."""
        return self._amazon_partners_multi([order], run)[0]

    def _amazon_partners_multi(self, orders, run):
        """``[(customer, delivery contact)]`` of ``orders``: the account's customer, and each
        buyer's delivery contact (the customer itself without an address), all looked up at once.

        One delivery contact per buyer and address (reused by the next order to it), so the
        retention job has one contact to anonymise, not one per order.
        """
        partner = self._amazon_customer()
        vals_list = [self._amazon_delivery_vals(order, run) for order in orders]
        wanted = [vals for vals in vals_list if vals]
        contacts = iter(
            self.env["res.partner"]._amazon_delivery_contacts(partner, wanted) if wanted else ()
        )
        return [(partner, next(contacts) if vals else partner) for vals in vals_list]

    def _amazon_customer(self):
        """The customer of this account's orders, created on first use."""
        partner = self.partner_id
        if not partner:
            partner = self.env["res.partner"].create(
                {
                    "name": self.env._("Amazon customers (%(account)s)", account=self.name),
                    "company_id": self.company_id.id,
                    "is_company": True,
                }
            )
            self.partner_id = partner
        return partner

    def _amazon_delivery_vals(self, order, run):
        """The values of ``order``'s delivery contact, or None when Amazon sent no address."""
        address = order.address
        if not address or not (address.name or order.buyer_name):
            return None
        country = self._amazon_country(address.country_code, run)
        return {
            "name": address.name or order.buyer_name,
            "street": address.street,
            "street2": address.street2,
            "city": address.city,
            "zip": address.zip,
            "state_id": self.env["res.partner"]._amazon_state_id(country.id, address.state),
            "country_id": country.id,
            "phone": address.phone,
            "email": order.buyer_email,
            "company_id": self.company_id.id,
        }

    def _amazon_country(self, code, run):
        if code and code not in run.countries:
            run.countries[code] = self.env["res.country"].search([("code", "=", code)], limit=1)
        return run.countries.get(code) or self.env["res.country"]

    def _amazon_marketplace(self, api_ref, run):
        if api_ref and api_ref not in run.marketplaces:
            run.marketplaces[api_ref] = self.env["amazon.marketplace"].search(
                [("api_ref", "=", api_ref)], limit=1
            )
        return run.marketplaces.get(api_ref) or self.env["amazon.marketplace"]

    def _amazon_pricelist(self, currency_code, run):
        """A pricelist in the order's currency (created once per company and currency)."""
        if not currency_code or currency_code == self.company_id.currency_id.name:
            return self.env["product.pricelist"]
        if currency_code not in run.pricelists:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", currency_code)], limit=1)
            )
            if not currency:
                raise AmazonOrderRefused(
                    self.env._("Amazon sent an unknown currency %(c)s.", c=currency_code)
                )
            if not currency.active:
                currency.active = True
            pricelist = self.env["product.pricelist"].search(
                [
                    ("currency_id", "=", currency.id),
                    ("company_id", "in", [False, self.company_id.id]),
                ],
                limit=1,
            ) or self.env["product.pricelist"].create(
                {
                    "name": self.env._("Amazon %(currency)s", currency=currency_code),
                    "currency_id": currency.id,
                    "company_id": self.company_id.id,
                }
            )
            run.pricelists[currency_code] = pricelist
        return run.pricelists[currency_code]


def _as_fba(order):
    """``order`` as Amazon-fulfilled (a booked FBA order whose update left fulfilledBy out)."""
    if order.fulfilled_by == const.FULFILLED_BY_AMAZON:
        return order
    return dataclasses.replace(order, fulfilled_by=const.FULFILLED_BY_AMAZON)
