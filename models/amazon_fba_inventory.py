from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

INVENTORY_STATES = [
    ("match", "Matches"),
    ("short", "Amazon has less"),
    ("excess", "Amazon has more"),
    ("unmapped", "Not compared"),
]


class AmazonFbaInventory(models.Model):
    """What Amazon holds at its fulfilment centres for one SKU, next to what Odoo thinks.

    One record per (account, marketplace, SKU), upserted by ``amazon.account._sync_fba_inventory``.
    """

    _name = "amazon.fba.inventory"
    _description = "Amazon FBA Inventory"
    _check_company_auto = True
    _order = "account_id, marketplace_id, sku"
    _rec_name = "sku"

    account_id = fields.Many2one(
        "amazon.account",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one(
        "amazon.marketplace", required=True, readonly=True, ondelete="cascade"
    )
    sku = fields.Char("SKU", required=True, readonly=True)
    location_id = fields.Many2one(
        "stock.location",
        "Stock Pool",
        readonly=True,
        check_company=True,
        help="The stock pool of the marketplace's fulfilment network (e.g. WH/Amazon/EU) whose "
        "on-hand quantity is compared. Amazon reports a network's pooled stock for each of its "
        "marketplaces, so each pool is compared once, through its first marketplace.",
    )
    offer_id = fields.Many2one(
        "amazon.offer",
        readonly=True,
        ondelete="set null",
        check_company=True,
        help="The offer of this SKU: choose the product behind the SKU there.",
    )
    product_id = fields.Many2one(
        related="offer_id.product_id",
        store=True,
        index=True,
        string="Product",
        help="The product behind the SKU (from its offer). Empty for a SKU Odoo does not know: "
        "the row is listed anyway; link the offer to a product, then refresh.",
    )
    tracked_product_id = fields.Many2one(
        "product.product",
        "Product at Amazon",
        readonly=True,
        check_company=True,
        help="The product whose on-hand quantity in the Amazon location is compared: the "
        "product itself, or for an FBA kit its tracked component.",
    )
    kit_qty = fields.Float(
        "Units per SKU",
        readonly=True,
        default=1.0,
        digits="Product Unit of Measure",
        help="Units of the product at Amazon in one unit of the SKU (the kit quantity of a "
        "multipack kit; 1 otherwise).",
    )
    asin = fields.Char("ASIN", readonly=True)
    fnsku = fields.Char("FNSKU", readonly=True)
    amazon_product_name = fields.Char("Amazon Title", readonly=True)
    condition = fields.Char(readonly=True)
    fulfillable_qty = fields.Integer(
        "Fulfillable", readonly=True, help="Units Amazon can pick, pack and ship."
    )
    inbound_qty = fields.Integer(
        "Inbound",
        readonly=True,
        help="Units on their way to Amazon (working, shipped and receiving). Listed, not "
        "compared: they are still in WH/Stock or in transit in Odoo.",
    )
    reserved_qty = fields.Integer(
        "Reserved",
        readonly=True,
        help="Units at Amazon reserved for customer orders, transfers or processing.",
    )
    unfulfillable_qty = fields.Integer(
        "Unfulfillable",
        readonly=True,
        help="Units at Amazon it cannot sell (damaged, defective, expired...).",
    )
    researching_qty = fields.Integer(
        "Researching",
        readonly=True,
        help="Units Amazon misplaced and is looking for. Not counted as at Amazon.",
    )
    amazon_qty = fields.Integer(
        "At Amazon",
        compute="_compute_amazon_qty",
        store=True,
        help="What is physically at Amazon and compared with Odoo: fulfillable + reserved + "
        "unfulfillable. Inbound and researching units are not counted.",
    )
    odoo_qty = fields.Float(
        "In Odoo",
        readonly=True,
        digits="Product Unit of Measure",
        help="On hand in the row's stock pool (e.g. WH/Amazon/EU) of the product behind the "
        "SKU, in SKU units: for an FBA kit, its tracked component divided by the kit quantity. "
        "Computed at the last refresh.",
    )
    difference = fields.Float(
        readonly=True,
        digits="Product Unit of Measure",
        help="At Amazon minus In Odoo: negative when Amazon holds less than Odoo thinks (lost, "
        "damaged, removed units), positive when it holds more (returns, found units).",
    )
    state = fields.Selection(
        INVENTORY_STATES, readonly=True, default="unmapped", required=True, index=True
    )
    listed = fields.Boolean(
        "Reported by Amazon",
        readonly=True,
        default=True,
        help="Unset when the last complete pull of the marketplace no longer returned this "
        "SKU: its Amazon quantities are then zero.",
    )
    shared_product = fields.Boolean(
        readonly=True,
        help="Several SKUs of this account and marketplace stand for the same product at "
        "Amazon: each row compares with the same on-hand quantity, so reconcile them by hand.",
    )
    last_seen = fields.Datetime(
        "Reported On", readonly=True, help="When Amazon last reported this SKU."
    )
    refreshed_on = fields.Datetime(
        readonly=True, help="When the Odoo quantity and the difference were last computed."
    )
    lot_policy = fields.Selection(related="account_id.fba_lot_policy")
    note = fields.Char(compute="_compute_note", help="What to know before reconciling this row.")

    _sql_constraints = (
        (
            "sku_uniq",
            "unique(account_id, marketplace_id, sku)",
            "An Amazon account has one FBA inventory row per marketplace and SKU.",
        ),
    )

    @api.depends("fulfillable_qty", "reserved_qty", "unfulfillable_qty")
    def _compute_amazon_qty(self):
        for row in self:
            row.amazon_qty = row.fulfillable_qty + row.reserved_qty + row.unfulfillable_qty

    @api.depends("product_id", "tracked_product_id", "shared_product", "lot_policy", "listed")
    def _compute_note(self):
        for row in self:
            row.note = row._amazon_note()

    def _amazon_note(self):
        self.ensure_one()
        if not self.product_id:
            return self.env._(
                "Unknown SKU: choose the product it sells on its offer, then refresh."
            )
        if not self.tracked_product_id:
            if self.product_id.amazon_fba_kit:
                return self.env._("FBA kit without a valid kit Bill of Materials: not compared.")
            return self.env._(
                "%(product)s is not stocked: not compared.", product=self.product_id.display_name
            )
        if self.shared_product:
            return self.env._(
                "Other SKUs stand for %(product)s too: compare their sum by hand.",
                product=self.tracked_product_id.display_name,
            )
        if self.lot_policy == "kit" and self.tracked_product_id.tracking != "none":
            return self.env._(
                "Lot policy 'Kit only': FBA sales do not consume this tracked product in "
                "WH/Amazon, so a difference is expected. Use the FIFO or FEFO lot policy."
            )
        if not self.listed:
            return self.env._("Amazon no longer reports this SKU.")
        return False

    # ------------------------------------------------------------------ actions

    def action_refresh_odoo_qty(self):
        """Recompute Odoo's side from the current stock (no call to Amazon)."""
        self._amazon_refresh_odoo_qty()
        return True

    def action_open_adjust(self):
        """Open the adjustment wizard on these rows: it shows the changes, Apply books them."""
        if not self:
            raise UserError(self.env._("Select the rows to reconcile first."))
        wizard = self.env["amazon.fba.inventory.adjust"]._amazon_plan(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust WH/Amazon to Amazon"),
            "res_model": "amazon.fba.inventory.adjust",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    # ------------------------------------------------------------------ business

    def _amazon_refresh_odoo_qty(self):
        """Compute the product at Amazon, Odoo's quantity, the difference and the state.

        Whether a product stands behind several SKUs is judged over all the rows of the
        account, so a sibling row's flag is updated too. One query for the on-hand quantities
        per account, whatever the number of rows.
        """
        now = fields.Datetime.now()
        for account, rows in self.grouped("account_id").items():
            company = account.company_id
            siblings = self.search([("account_id", "=", account.id)])
            targets = {row: row._amazon_stock_target(company) for row in siblings | rows}
            shared = Counter(
                (row._amazon_pool(), product) for row, (product, _qty) in targets.items() if product
            )
            on_hand = {}
            for pool, pool_rows in rows.grouped(lambda row: row._amazon_pool()).items():
                products = self.env["product.product"].union(
                    *[targets[row][0] for row in pool_rows if targets[row][0]]
                )
                on_hand[pool] = self._amazon_on_hand(products, pool)
            for row, (product, kit_qty) in targets.items():
                is_shared = bool(product) and shared[(row._amazon_pool(), product)] > 1
                if row not in rows:
                    if row.shared_product != is_shared:
                        row.shared_product = is_shared
                    continue
                vals = {
                    "location_id": row._amazon_pool().id,
                    "tracked_product_id": product.id,
                    "kit_qty": kit_qty or 1.0,
                    "refreshed_on": now,
                    "shared_product": is_shared,
                }
                if not product:
                    vals.update(odoo_qty=0.0, difference=0.0, state="unmapped")
                else:
                    odoo_qty = on_hand[row._amazon_pool()].get(product, 0.0) / kit_qty
                    difference = row.amazon_qty - odoo_qty
                    rounding = product.uom_id.rounding
                    compare = float_compare(difference, 0.0, precision_rounding=rounding)
                    vals.update(
                        odoo_qty=odoo_qty,
                        difference=0.0 if compare == 0 else difference,
                        state={0: "match", -1: "short", 1: "excess"}[compare],
                    )
                row.write(vals)

    def _amazon_pool(self):
        """The stock pool this row compares: its own, else its marketplace's."""
        self.ensure_one()
        return self.location_id or self.account_id._amazon_pool_location(self.marketplace_id)

    def _amazon_stock_target(self, company):
        """``(product at Amazon, its units per SKU unit)``; an empty product when not compared."""
        self.ensure_one()
        empty = (self.env["product.product"], 0.0)
        product = self.product_id
        if not product:
            return empty
        if product.amazon_fba_kit:
            component, qty = product._get_amazon_fba_kit_component(company)
            if not component or float_is_zero(qty, precision_digits=6):
                return empty
            return component, qty
        if not product.is_storable:
            return empty
        return product, 1.0

    @api.model
    def _amazon_on_hand(self, products, location):
        """``{product: quantity on hand in location}`` (sub-locations included, in product
        UoM)."""
        if not products or not location:
            return {}
        # sudo: a read-only sum of quantities, so an Amazon manager without Inventory rights can
        # refresh the comparison; nothing is returned but the totals.
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [("product_id", "in", products.ids), ("location_id", "child_of", location.id)],
                ["product_id"],
                ["quantity:sum"],
            )
        )
        result = defaultdict(float)
        for product, quantity in groups:
            result[self.env["product.product"].browse(product.id)] += quantity
        return result
