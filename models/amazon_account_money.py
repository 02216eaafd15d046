"""Amazon's money on the orders of an account: charge products, taxes, MCF policy.

How an item's amounts become sale lines is in :meth:`_amazon_prepare_charge_vals`: one line per
kind of charge (the product, shipping, gift wrap, other charges), each priced so that its total
with Odoo's taxes (the product's, through the marketplace's fiscal position) is what the seller
books for it on Amazon; a last line absorbs the cents Odoo's unit price precision cannot carry.
"""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..spapi import mapping

# Amazon charge kind -> account field of its product
CHARGE_PRODUCTS = {
    "SHIPPING": "amazon_shipping_product_id",
    "GIFT_WRAP": "amazon_gift_wrap_product_id",
    "COD_FEE": "amazon_other_product_id",
    "OTHER": "amazon_other_product_id",
    "EXTRA": "amazon_other_product_id",
}
CHARGE_TYPES = [
    ("item", "Product"),
    ("shipping", "Shipping"),
    ("gift_wrap", "Gift Wrap"),
    ("cod_fee", "Cash on Delivery Fee"),
    ("other", "Other Charge"),
    ("extra", "Order Charge"),
    ("rounding", "Rounding"),
]


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    amazon_shipping_product_id = fields.Many2one(
        "product.product",
        "Shipping Product",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="Service product of the lines booking what Amazon charged for shipping. Its taxes "
        "(through the marketplace's fiscal position) apply where the seller collects the tax. "
        "Created by the first order that needs it when empty.",
    )
    amazon_gift_wrap_product_id = fields.Many2one(
        "product.product",
        "Gift Wrap Product",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="Service product of the lines booking Amazon's gift wrap charges. Created by the "
        "first order that needs it when empty.",
    )
    amazon_other_product_id = fields.Many2one(
        "product.product",
        "Other Charges Product",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="Service product of the lines booking Amazon's other charges (cash on delivery "
        "fee, delivery tip, other) and the rounding cents that make an order's total equal "
        "Amazon's. Created by the first order that needs it when empty.",
    )
    amazon_price_included_taxes = fields.Boolean(
        "Book Taxes as Included in Price",
        default=True,
        help="Amazon's prices are what the buyer paid, tax included: book Amazon order lines "
        "with the price-included version of the products' taxes (created once per tax, same "
        "rate, accounts and tax grids), so that every line's total is Amazon's to the cent. "
        "Off: the products' taxes as they are; the cents a price-excluded tax cannot reach go "
        "to a rounding line.",
    )
    amazon_mcf_policy = fields.Selection(
        [
            ("stock", "Book the stock only"),
            ("ignore", "Ignore"),
        ],
        "Multi-Channel Fulfilment Orders",
        default="stock",
        required=True,
        help="Orders sold on another channel and shipped by Amazon from your FBA stock "
        "(salesChannel NON_AMAZON). They are never booked as Amazon sales: the other channel "
        "books the sale. Book the stock only: done moves out of the Amazon location, with lots "
        "per the FBA lot policy, linked to the Amazon order. Ignore: nothing is booked.",
    )

    @api.constrains("marketplace_ids", "active")
    def _check_marketplaces(self):
        for account in self:
            if account.active and not account.marketplace_ids:
                raise ValidationError(
                    self.env._(
                        "Amazon account %(account)s has no marketplace: choose the marketplaces "
                        "whose orders it syncs (Amazon reads no marketplace as every one).",
                        account=account.name,
                    )
                )

    def _amazon_fetch_and_apply(self, adapter, run):
        if not self.marketplace_ids:  # an account saved before marketplaces were required
            raise UserError(
                self.env._(
                    "Amazon account %(account)s has no marketplace: choose the marketplaces "
                    "whose orders it syncs, then sync again.",
                    account=self.name,
                )
            )
        return super()._amazon_fetch_and_apply(adapter, run)

    def _amazon_charge_product(self, kind, run):
        """The service product of a charge kind, created with defaults when the account has none."""
        fname = CHARGE_PRODUCTS.get(kind, CHARGE_PRODUCTS["OTHER"])
        product = self[fname]
        if not product:
            names = {
                "amazon_shipping_product_id": self.env._("Amazon shipping"),
                "amazon_gift_wrap_product_id": self.env._("Amazon gift wrap"),
                "amazon_other_product_id": self.env._("Amazon other charges"),
            }
            product = self.env["product.product"].create(
                {
                    "name": names[fname],
                    "type": "service",
                    "invoice_policy": "order",
                    "sale_ok": True,
                    "purchase_ok": False,
                    "company_id": self.company_id.id,
                    "default_code": fname.replace("amazon_", "AMZ-").replace("_product_id", ""),
                }
            )
            self[fname] = product
        return product

    def _amazon_fiscal_position(self, marketplace, partner, shipping, run=None):
        """The marketplace's fiscal position in this company, else Odoo's own choice.

        Looked up once per run and destination (orders never create fiscal positions).
        """
        cache = _run_cache(run, "fiscal_positions")
        key = (marketplace.id, shipping.country_id.id, shipping.state_id.id, shipping.zip)
        if key not in cache:
            fiscal_position = marketplace.with_company(self.company_id).fiscal_position_id
            cache[key] = fiscal_position or (
                self.env["account.fiscal.position"]
                .with_company(self.company_id)
                ._get_fiscal_position(partner, delivery=shipping)
            )
        return cache[key]

    def _amazon_line_taxes(self, money, product):
        """The taxes of a seller-collected line: the product's, through the fiscal position,
        in their price-included version when the account books them so."""
        key = (product.id, money["fiscal_position"].id)
        cache = money["taxes"]
        if key not in cache:
            taxes = money["fiscal_position"].map_tax(
                product.taxes_id._filter_taxes_by_company(self.company_id)
            )
            if self.amazon_price_included_taxes and taxes:
                twins = money["tax_twins"]
                if taxes not in twins:
                    twins[taxes] = taxes._amazon_price_included()
                taxes = twins[taxes]
            cache[key] = taxes
        return cache[key]

    def _amazon_line_price(self, money, product, amount, tax, quantity, facilitator):
        """``{price_unit, tax_id}`` of a line whose total with taxes must be Amazon's.

        ``amount``: the charge, tax excluded; ``tax``: Amazon's tax on it. Seller-collected:
        the total is ``amount + tax`` and Odoo's taxes are computed back from it as if they
        were included in the price (Odoo's tax amount may differ from Amazon's; the order
        shows the difference). Facilitator: the total is ``amount``, with no seller tax.
        """
        currency = money["currency"]
        if facilitator:
            taxes = self.env["account.tax"]
            total = amount
        else:
            taxes = self._amazon_line_taxes(money, product)
            total = amount + tax
        base = total
        if taxes:
            result = taxes.with_context(force_price_include=True).compute_all(
                total, currency=currency, quantity=1.0, product=product, partner=money["partner"]
            )
            base = result["total_excluded"] + sum(
                line["amount"] for line in result["taxes"] if line["price_include"]
            )
        return {
            "price_unit": base / quantity if quantity else 0.0,
            "tax_id": [Command.set(taxes.ids)],
            "discount": 0.0,
        }

    def _amazon_prepare_charge_vals(self, order, line, money, run):
        """Lines of an item's charges other than the product itself (shipping, gift wrap...)."""
        vals_list = []
        nothing_booked = not line.quantity_to_book(order.fulfilled_by)
        for charge in line.charges:
            if not (charge.amount or charge.tax) or (charge.kind == "ITEM" and not nothing_booked):
                continue
            vals_list.append(
                self._amazon_charge_line_vals(
                    money,
                    "OTHER" if charge.kind == "ITEM" else charge.kind,
                    charge.amount,
                    charge.tax,
                    line.facilitator,
                    run,
                    item_ref=line.item_ref,
                    label=line.title or line.sku or line.asin,
                )
            )
        return vals_list

    def _amazon_charge_line_vals(
        self, money, kind, amount, tax, facilitator, run, item_ref=False, label=None
    ):
        product = self._amazon_charge_product(kind, run)
        vals = self._amazon_line_price(money, product, float(amount), float(tax), 1.0, facilitator)
        name = product.display_name
        if label:
            name = self.env._("%(charge)s: %(item)s", charge=name, item=label)
        vals.update(
            product_id=product.id,
            name=name,
            product_uom_qty=1.0,
            amazon_item_ref=item_ref,
            amazon_charge_type=kind.lower() if kind in mapping.CHARGE_KINDS else "extra",
            amazon_facilitator_tax=float(tax) if facilitator else 0.0,
        )
        return (0, 0, vals)

    def _amazon_finish_money(self, order, sale_order, money, run):
        """Make ``sale_order``'s total Amazon's (a rounding line) and record the tax gap."""
        self._amazon_finish_money_multi([(order, sale_order)], run)

    def _amazon_finish_money_multi(self, pairs, run):
        """:meth:`_amazon_finish_money` for ``[(mapped order, sale.order)]``: the rounding
        lines of all of them created in one go, then each order's Amazon amounts written."""
        rounding_vals = []
        for order, sale_order in pairs:
            currency = sale_order.currency_id
            target = currency.round(float(order.seller_total))
            residual = currency.round(target - sale_order.amount_total)
            if currency.is_zero(residual):
                continue
            rounding = sale_order.order_line.filtered(
                lambda sol: sol.amazon_charge_type == "rounding"
            )
            if rounding:
                rounding.price_unit += residual
            else:
                rounding_vals.append(
                    {
                        "order_id": sale_order.id,
                        "product_id": self._amazon_charge_product("OTHER", run).id,
                        "name": self.env._("Rounding to Amazon's total"),
                        "product_uom_qty": 1.0,
                        "price_unit": residual,
                        "tax_id": [Command.clear()],
                        "amazon_charge_type": "rounding",
                        "sequence": 9999,
                    }
                )
        if rounding_vals:
            self.env["sale.order.line"].create(rounding_vals)
        for order, sale_order in pairs:
            currency = sale_order.currency_id
            amazon_tax = currency.round(float(order.seller_tax))
            difference = currency.round(sale_order.amount_tax - amazon_tax)
            taxed_lines = len(sale_order.order_line.filtered("tax_id"))
            tolerance = currency.rounding * max(1, taxed_lines)
            sale_order.write(
                {
                    "amazon_total": currency.round(float(order.seller_total)),
                    "amazon_tax_amount": amazon_tax,
                    "amazon_facilitator_tax": currency.round(float(order.facilitator_tax)),
                    "amazon_tax_difference": difference,
                    "amazon_tax_mismatch": abs(difference) > tolerance + currency.rounding / 2,
                }
            )


def _run_cache(run, name):
    """A dict kept on the sync run (``SyncRun``) for lookups that orders never change."""
    if run is None:
        return {}
    caches = run.__dict__.setdefault("amazon_money_caches", {})
    return caches.setdefault(name, {})
