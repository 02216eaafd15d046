from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

LOT_SOURCES = [("fifo", "Inferred (FIFO)"), ("fefo", "Inferred (FEFO)")]


class AmazonFbaInventoryAdjust(models.TransientModel):
    """Shows the per-lot changes that align WH/Amazon with Amazon; books them on Apply only."""

    _name = "amazon.fba.inventory.adjust"
    _description = "Amazon FBA Inventory Adjustment"

    inventory_ids = fields.Many2many("amazon.fba.inventory", string="Rows", readonly=True)
    line_ids = fields.One2many(
        "amazon.fba.inventory.adjust.line", "wizard_id", "Changes", readonly=True
    )
    has_changes = fields.Boolean(compute="_compute_has_changes")
    kit_policy_warning = fields.Boolean(
        compute="_compute_kit_policy_warning",
        help="Some rows are tracked products of an account with the 'Kit only' lot policy.",
    )

    @api.depends("line_ids.change", "line_ids.refused")
    def _compute_has_changes(self):
        for wizard in self:
            wizard.has_changes = any(not line.refused and line.change for line in wizard.line_ids)

    @api.depends("inventory_ids")
    def _compute_kit_policy_warning(self):
        for wizard in self:
            wizard.kit_policy_warning = any(
                row.lot_policy == "kit" and row.tracked_product_id.tracking in ("lot", "serial")
                for row in wizard.inventory_ids
            )

    # ------------------------------------------------------------------ actions

    def action_apply(self):
        """Book the changes shown, as done inventory moves, if the stock is still as shown."""
        self.ensure_one()
        self._amazon_check_rights()
        lines = self.line_ids.filtered(lambda line: not line.refused and line.change)
        if not lines:
            raise UserError(
                self.env._("Nothing to adjust: every selected row matches or is refused.")
            )
        move_vals = []
        for line in lines:
            line._amazon_check_unchanged()
            move_vals.extend(line._amazon_prepare_move_vals())
        moves = self.env["stock.move"].create(move_vals)
        moves._action_done()
        self.inventory_ids._amazon_refresh_odoo_qty()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("WH/Amazon adjusted"),
                "message": self.env._(
                    "%(count)s inventory move(s) booked to match Amazon.", count=len(moves)
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------ business

    def _amazon_check_rights(self):
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise UserError(
                self.env._(
                    "Only an Inventory administrator can adjust the stock in the Amazon location."
                )
            )

    @api.model
    def _amazon_plan(self, rows):
        """Create the wizard of ``rows`` with the per-lot changes they need (nothing booked)."""
        self._amazon_check_rights()
        lines = []
        done = {}  # (location, product) -> SKU of the row that already adjusts it
        for row in rows:
            account = row.account_id
            product, kit_qty = row._amazon_stock_target(account.company_id)
            location = row._amazon_pool()
            if not product or row.shared_product:
                lines.append(_refused(row, row.note or self.env._("Not compared.")))
                continue
            if (location, product) in done:
                lines.append(
                    _refused(
                        row,
                        self.env._(
                            "%(product)s is already adjusted by SKU %(sku)s here.",
                            product=product.display_name,
                            sku=done[(location, product)],
                        ),
                    )
                )
                continue
            done[(location, product)] = row.sku
            lines.extend(self._amazon_plan_row(row, product, kit_qty, location))
        return self.create(
            {
                "inventory_ids": [Command.set(rows.ids)],
                "line_ids": [Command.create(vals) for vals in lines],
            }
        )

    def _amazon_plan_row(self, row, product, kit_qty, location):
        """Line values turning the on-hand of ``product`` at ``location`` into Amazon's."""
        rounding = product.uom_id.rounding
        on_hand = row._amazon_on_hand(product, location).get(product, 0.0)
        target = row.amazon_qty * kit_qty
        delta = float_round(target - on_hand, precision_rounding=rounding)
        base = {"inventory_id": row.id, "product_id": product.id, "location_id": location.id}
        if float_is_zero(delta, precision_rounding=rounding):
            return [_refused(row, self.env._("Already matches Amazon."), product=product)]
        if product.tracking == "none":
            return [dict(base, quantity_before=on_hand, change=delta)]
        policy = row.account_id.fba_lot_policy
        source = "fefo" if policy == "fefo" else "fifo"
        Quant = self.env["stock.quant"]
        if delta < 0:
            lines, remaining = [], -delta
            for lot, qty in Quant._amazon_lots_by_policy(product, location, source):
                if float_compare(remaining, 0, precision_rounding=rounding) <= 0:
                    break
                take = min(qty, remaining)
                lines.append(
                    dict(base, lot_id=lot.id, quantity_before=qty, change=-take, lot_source=source)
                )
                remaining = float_round(remaining - take, precision_rounding=rounding)
            if float_compare(remaining, 0, precision_rounding=rounding) > 0:
                lines.append(
                    _refused(
                        row,
                        self.env._(
                            "%(qty)s unit(s) of %(product)s in the Amazon location carry no lot: "
                            "adjust them by hand.",
                            qty=remaining,
                            product=product.display_name,
                        ),
                        product=product,
                    )
                )
            return lines
        if product.tracking == "serial":
            return [
                _refused(
                    row,
                    self.env._(
                        "Amazon holds %(qty)s more unit(s) of %(product)s than Odoo, but not which "
                        "serial numbers: receive them by hand with their serial numbers.",
                        qty=delta,
                        product=product.display_name,
                    ),
                    product=product,
                )
            ]
        lot = self._amazon_last_arrived_lot(product, location)
        if not lot:
            return [
                _refused(
                    row,
                    self.env._(
                        "Amazon holds %(qty)s more unit(s) of %(product)s than Odoo, and no lot "
                        "of it ever arrived in the Amazon location: receive them by hand with "
                        "their lot (no lot is made up).",
                        qty=delta,
                        product=product.display_name,
                    ),
                    product=product,
                )
            ]
        before = sum(_lot_quants(Quant, product, location, lot).mapped("quantity"))
        return [dict(base, lot_id=lot.id, quantity_before=before, change=delta, lot_source=source)]

    @api.model
    def _amazon_last_arrived_lot(self, product, location):
        """The lot of ``product`` that arrived last in ``location``: on hand first, else the
        lot of the last done move line into it."""
        lots = self.env["stock.quant"]._amazon_lots_by_policy(product, location, "fifo")
        if lots:
            return lots[-1][0]
        last = self.env["stock.move.line"].search(
            [
                ("product_id", "=", product.id),
                ("location_dest_id", "child_of", location.id),
                ("lot_id", "!=", False),
                ("state", "=", "done"),
            ],
            order="date desc, id desc",
            limit=1,
        )
        return last.lot_id


class AmazonFbaInventoryAdjustLine(models.TransientModel):
    _name = "amazon.fba.inventory.adjust.line"
    _description = "Amazon FBA Inventory Adjustment Line"

    wizard_id = fields.Many2one(
        "amazon.fba.inventory.adjust", required=True, ondelete="cascade", index=True
    )
    inventory_id = fields.Many2one("amazon.fba.inventory", "Row", ondelete="cascade")
    sku = fields.Char(related="inventory_id.sku")
    product_id = fields.Many2one("product.product")
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number")
    location_id = fields.Many2one("stock.location")
    quantity_before = fields.Float(
        "On Hand", digits="Product Unit of Measure", help="On hand before the adjustment."
    )
    change = fields.Float(
        digits="Product Unit of Measure",
        help="Units added to (positive) or removed from (negative) the Amazon location.",
    )
    lot_source = fields.Selection(
        LOT_SOURCES,
        "Lot Chosen By",
        help="The account's lot policy that chose the lot (the 'Kit only' policy uses FIFO): a "
        "shortage removes the lots consumed first; an excess goes to the lot that arrived last.",
    )
    refused = fields.Boolean(help="Nothing is booked for this line; the message says why.")
    message = fields.Char()

    def _amazon_check_unchanged(self):
        self.ensure_one()
        quants = _lot_quants(
            self.env["stock.quant"], self.product_id, self.location_id, self.lot_id
        )
        current = sum(quants.mapped("quantity"))
        if float_compare(
            current, self.quantity_before, precision_rounding=self.product_id.uom_id.rounding
        ):
            raise UserError(
                self.env._(
                    "The stock of %(product)s %(lot)s in the Amazon location changed since this "
                    "adjustment was prepared (%(before)s, now %(now)s). Close it and start again.",
                    product=self.product_id.display_name,
                    lot=self.lot_id.name or "",
                    before=self.quantity_before,
                    now=current,
                )
            )

    def _amazon_prepare_move_vals(self):
        """Values of the done inventory move(s) of this line, the way Odoo books a count."""
        self.ensure_one()
        product, location = self.product_id, self.location_id
        company = location.company_id or self.env.company
        loss = product.with_company(company).property_stock_inventory
        row = self.inventory_id
        Quant = self.env["stock.quant"].with_context(
            inventory_name=self.env._(
                "Amazon FBA reconciliation: %(sku)s (%(marketplace)s)",
                sku=row.sku,
                marketplace=row.marketplace_id.name,
            )
        )
        quants = _lot_quants(Quant, product, location, self.lot_id)
        vals_list = []
        if self.change > 0:
            quant = quants[:1] or Quant.new(
                {"product_id": product.id, "location_id": location.id, "lot_id": self.lot_id.id}
            )
            vals_list.append(
                quant._get_inventory_move_values(
                    self.change, loss, location, package_dest_id=quant.package_id
                )
            )
        else:
            remaining = -self.change
            for quant in quants.filtered(lambda q: q.quantity > 0):
                take = min(quant.quantity, remaining)
                vals_list.append(
                    quant._get_inventory_move_values(
                        take, quant.location_id, loss, package_id=quant.package_id
                    )
                )
                remaining -= take
                if float_is_zero(remaining, precision_rounding=product.uom_id.rounding):
                    break
        if self.lot_id and self.lot_source:
            for vals in vals_list:
                for command in vals["move_line_ids"]:
                    command[2]["amazon_lot_source"] = self.lot_source
        return vals_list


def _lot_quants(quant_model, product, location, lot):
    """Quants of ``product`` in ``location`` (a stock pool, sub-locations included) with exactly
    ``lot`` (none: without lot)."""
    return quant_model.search(
        [
            ("product_id", "=", product.id),
            ("location_id", "child_of", location.id),
            ("lot_id", "=", lot.id or False),
        ],
        order="in_date, id",
    )


def _refused(row, message, product=None):
    return {
        "inventory_id": row.id,
        "product_id": (product or row.product_id).id,
        "refused": True,
        "message": message,
    }
