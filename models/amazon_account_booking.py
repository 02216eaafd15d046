"""Booking one Amazon order: the order's lines, customer, pricelist; the FBA kit substitution."""

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_round

from ..spapi import mapping, substitution
from ..spapi.exceptions import AmazonSubstitutionError

# Amazon ships an FBA order once it is SHIPPED: book it then, as done moves out of WH/Amazon.
FBA_BOOKABLE = ("SHIPPED",)
# An FBM order is booked as soon as the seller must ship it, with a normal delivery.
FBM_BOOKABLE = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")


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
        """Book one Amazon order. Returns ``(outcome, sale.order)``; raises to record an error."""
        order = mapping.map_order(raw)
        if sale_order:
            if order.status == "CANCELLED" and sale_order.state != "cancel":
                sale_order._amazon_cancel()
                return "cancelled", sale_order
            return "unchanged", sale_order
        if order.status == "CANCELLED":
            return "ignored", None
        fba = order.fulfilled_by == "AMAZON"
        bookable = FBA_BOOKABLE if fba else FBM_BOOKABLE
        if order.status not in bookable:
            return "pending", None
        line_vals = [self._amazon_prepare_line_vals(order, line, run) for line in order.lines]
        sale_order = self.env["sale.order"].create(
            self._amazon_prepare_order_vals(order, line_vals, run)
        )
        if fba:
            pool = self._amazon_pool_location(sale_order.amazon_marketplace_id)
            sale_order._amazon_book_fba(pool)
        else:
            sale_order.action_confirm()
        run.kit_lines += sum(1 for vals in line_vals if vals[2].get("amazon_tracked_product_id"))
        return "booked", sale_order

    def _amazon_prepare_order_vals(self, order, line_vals, run):
        partner, shipping = self._amazon_partners(order, run)
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

    def _amazon_prepare_line_vals(self, order, line, run):
        offer = run.offers.get(line.sku)
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
        try:
            decision = substitution.decide(
                fulfilled_by=order.fulfilled_by,
                product_id=product.id,
                product_is_tracked=tracked,
                product_is_fba_kit=product.amazon_fba_kit,
                kit_component_id=component.id or None,
                kit_component_qty=component_qty,
                kits=kits,
                quantity=line.quantity,
                uom_rounding=product.uom_id.rounding,
            )
        except AmazonSubstitutionError as exc:
            raise self._amazon_substitution_refusal(order, line, product, offer, exc) from exc
        sold = self.env["product.product"].browse(decision.product_id)
        quantity = decision.quantity
        # Keep Amazon's line total: a kit of q units costs q times the unit price.
        price_unit = line.unit_price * line.quantity / quantity if quantity else line.unit_price
        gross = line.unit_price * line.quantity
        discount = float_round(100.0 * line.discount / gross, 4) if gross and line.discount else 0
        return (
            0,
            0,
            {
                "product_id": sold.id,
                "product_uom_qty": quantity,
                "price_unit": price_unit,
                "discount": discount,
                "amazon_item_ref": line.item_ref,
                "amazon_offer_id": offer.id,
                "amazon_tracked_product_id": decision.tracked_product_id or False,
                "amazon_serial_numbers": "\n".join(line.serial_numbers) or False,
            },
        )

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
        address = order.address
        if not address or not (address.name or order.buyer_name):
            return partner, partner
        country = self._amazon_country(address.country_code, run)
        # One delivery contact per buyer and address (reused by the next order to it), so the
        # retention job has one contact to anonymise, not one per order.
        Partner = self.env["res.partner"]
        shipping = Partner._amazon_delivery_contact(
            partner,
            {
                "name": address.name or order.buyer_name,
                "street": address.street,
                "street2": address.street2,
                "city": address.city,
                "zip": address.zip,
                "state_id": Partner._amazon_state_id(country.id, address.state),
                "country_id": country.id,
                "phone": address.phone,
                "email": order.buyer_email,
                "company_id": self.company_id.id,
            },
        )
        return partner, shipping

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
