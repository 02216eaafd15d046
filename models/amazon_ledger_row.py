"""Rows of Amazon's FBA inventory ledger and customer returns, and what each became in Odoo.

Each row is stored once per account (its identity, see ``spapi.reports.row_identity``) and
applied once:

- a customer return (returns report) of an FBA order: a return of the sale found by Amazon's
  order id (``sale.order._amazon_return_from_customer``), with the lots the sale gave out;
  sellable units go back to the pool they left, unsellable ones to *Amazon Unfulfillable*
  under WH/Amazon;
- an adjustment (lost, found, damaged, disposed...): a move between WH/Amazon (its pool, or
  the unfulfillable place for units not sellable) and Odoo's inventory-loss location, with
  Amazon's reason and reference; lots leave by the account's lot policy, and come back (found,
  disposition change) as the lots the ledger booked lost last;
- customer shipments, receipts and the ledger's own CustomerReturns lines are already reflected
  (order sync, replenishment, returns report): matched, skipped; warehouse transfers stay
  inside Amazon; removals (VendorReturns) are not booked by this version (skipped, said so).

A row that cannot be applied (unknown SKU or order, not enough stock of a lot) keeps the reason
and is retried by the next run of the scheduled action.
"""

import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..spapi import reports as spapi_reports
from .stock_move import _QuantStock

_logger = logging.getLogger(__name__)

KIND_RETURN = "return"
KINDS = [
    (KIND_RETURN, "Customer Return"),
    (spapi_reports.EVENT_ADJUSTMENTS, "Adjustment"),
    (spapi_reports.EVENT_SHIPMENTS, "Customer Shipment"),
    (spapi_reports.EVENT_RECEIPTS, "Receipt"),
    (spapi_reports.EVENT_CUSTOMER_RETURNS, "Customer Return (ledger)"),
    (spapi_reports.EVENT_VENDOR_RETURNS, "Removal"),
    (spapi_reports.EVENT_WHSE_TRANSFERS, "Transfer between Fulfilment Centres"),
    ("other", "Other"),
]
KIND_CODES = {code for code, _label in KINDS}
RETRY_LIMIT = 500  # rows in error retried per account and run


class AmazonLedgerRow(models.Model):
    _name = "amazon.ledger.row"
    _description = "Amazon FBA Ledger Row"
    _check_company_auto = True
    _order = "date desc, id desc"
    _rec_name = "sku"

    account_id = fields.Many2one(
        "amazon.account", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    report_id = fields.Many2one("amazon.report", ondelete="set null", readonly=True, index=True)
    date = fields.Date(required=True, readonly=True)
    kind = fields.Selection(KINDS, required=True, readonly=True)
    event_type = fields.Char(readonly=True, help="Amazon's event type, as the ledger names it.")
    sku = fields.Char("SKU", readonly=True)
    fnsku = fields.Char("FNSKU", readonly=True)
    quantity = fields.Integer(
        readonly=True, help="Units: negative when they leave Amazon's stock, positive when added."
    )
    disposition = fields.Char(readonly=True)
    reason = fields.Char(readonly=True, help="Amazon's reason code (adjustments) or return reason.")
    reference = fields.Char(
        readonly=True, help="Amazon's reference: adjustment or shipment id, license plate number."
    )
    amazon_order_ref = fields.Char("Amazon Order ID", readonly=True, index="btree_not_null")
    fulfillment_center = fields.Char(readonly=True)
    country = fields.Char(readonly=True)
    line = fields.Integer(readonly=True, help="Line of the row in Amazon's document.")
    raw = fields.Text("Row as Received", readonly=True)
    identity = fields.Char(required=True, readonly=True, index=True)
    state = fields.Selection(
        [
            ("pending", "To Apply"),
            ("applied", "Applied"),
            ("skipped", "Already Reflected"),
            ("error", "Not Applied"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    message = fields.Text(readonly=True)
    attempts = fields.Integer(readonly=True)
    product_id = fields.Many2one("product.product", readonly=True, check_company=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, check_company=True)
    move_ids = fields.Many2many("stock.move", string="Stock Moves", readonly=True, copy=False)

    _sql_constraints = (
        (
            "identity_uniq",
            "unique(account_id, identity)",
            "A ledger row is imported once per account.",
        ),
    )

    # ------------------------------------------------------------------ actions

    def action_retry(self):
        """ "Retry" button: apply these rows again now (Amazon managers: it books stock)."""
        self.check_access("write")
        self.filtered(lambda row: row.state in ("pending", "error"))._amazon_apply()

    # ------------------------------------------------------------------ import

    @api.model
    def _amazon_store(self, report, rows):
        """Store the rows of ``report`` not seen before for its account: the new records."""
        account = report.account_id
        pairs = spapi_reports.identities(report.report_type, rows)
        known = set(
            self.search(
                [("account_id", "=", account.id), ("identity", "in", [i for _r, i in pairs])]
            ).mapped("identity")
        )
        vals_list = []
        for row, identity in pairs:
            if identity in known:
                continue
            known.add(identity)
            vals_list.append(
                dict(
                    self._amazon_row_vals(row),
                    account_id=account.id,
                    report_id=report.id,
                    identity=identity,
                    line=row.line,
                    raw=row.raw,
                )
            )
        return self.create(vals_list)

    @api.model
    def _amazon_row_vals(self, row):
        if isinstance(row, spapi_reports.MalformedRow):
            return {
                "date": fields.Date.context_today(self),
                "kind": "other",
                "state": "error",
                "message": self.env._(
                    "Line %(line)s could not be read: %(reason)s", line=row.line, reason=row.reason
                ),
            }
        if isinstance(row, spapi_reports.ReturnRow):
            return {
                "date": row.date,
                "kind": KIND_RETURN,
                "event_type": "CustomerReturn",
                "sku": row.sku,
                "fnsku": row.fnsku,
                "quantity": row.quantity,
                "disposition": row.disposition,
                "reason": row.reason,
                "reference": row.license_plate,
                "amazon_order_ref": row.order_id,
                "fulfillment_center": row.fulfillment_center,
            }
        return {
            "date": row.date,
            "kind": row.event_type if row.event_type in KIND_CODES else "other",
            "event_type": row.event_type,
            "sku": row.sku,
            "fnsku": row.fnsku,
            "quantity": row.quantity,
            "disposition": row.disposition,
            "reason": row.reason,
            "reference": row.reference,
            "fulfillment_center": row.fulfillment_center,
            "country": row.country,
        }

    # ------------------------------------------------------------------ apply

    @api.model
    def _amazon_retry(self, account, exclude=None):
        """Apply again the rows of ``account`` not applied yet (oldest first), but those in
        ``exclude`` (just tried)."""
        rows = self.search(
            [
                ("account_id", "=", account.id),
                ("id", "not in", (exclude or self).ids),
                ("state", "in", ("pending", "error")),
                ("raw", "!=", False),
                ("kind", "!=", "other"),
            ],
            order="date, id",
            limit=RETRY_LIMIT,
        )
        rows._amazon_apply()
        return rows

    def _amazon_apply(self):
        """Apply each row in its own savepoint; a failure is kept on the row with its reason."""
        for row in self.sorted(lambda r: (r.date, r.report_id.id, r.line, r.id)):
            if row.state in ("applied", "skipped") or row.kind == "other":
                continue
            try:
                with self.env.cr.savepoint():
                    vals = row._amazon_apply_one()
            except UserError as error:
                vals = {"state": "error", "message": str(error)}
            row.write(dict(vals, attempts=row.attempts + 1))

    def _amazon_apply_one(self):
        """Book this row: the values to write on it (state, message, links)."""
        self.ensure_one()
        if self.kind == KIND_RETURN:
            return self._amazon_apply_return()
        if self.kind == spapi_reports.EVENT_ADJUSTMENTS:
            return self._amazon_apply_adjustment()
        if self.kind == spapi_reports.EVENT_VENDOR_RETURNS and self.quantity < 0:
            return self._amazon_apply_removal()
        reasons = {
            spapi_reports.EVENT_SHIPMENTS: self.env._(
                "Customer shipment: booked by the order synchronisation."
            ),
            spapi_reports.EVENT_RECEIPTS: self.env._(
                "Receipt at Amazon: booked by the FBA replenishment transfer."
            ),
            spapi_reports.EVENT_CUSTOMER_RETURNS: self.env._(
                "Customer return: booked from Amazon's customer returns report (with its order)."
            ),
            spapi_reports.EVENT_WHSE_TRANSFERS: self.env._(
                "Transfer between Amazon's fulfilment centres: the stock stays at Amazon."
            ),
            spapi_reports.EVENT_VENDOR_RETURNS: self.env._(
                "Removal without units leaving Amazon: nothing to receive."
            ),
        }
        return {"state": "skipped", "message": reasons[self.kind]}

    # -- customer returns ------------------------------------------------------------------

    def _amazon_apply_return(self):
        order = self.env["sale.order"].search(
            [
                ("amazon_account_id", "=", self.account_id.id),
                ("amazon_order_ref", "=", self.amazon_order_ref),
            ],
            limit=1,
        )
        if not order:
            raise UserError(
                self.env._(
                    "No Amazon order %(order)s of this account in Odoo yet: retried once the "
                    "order is synchronised.",
                    order=self.amazon_order_ref,
                )
            )
        lines = order.order_line.filtered(
            lambda line: (
                line.amazon_offer_id.sku == self.sku
                or (not line.amazon_offer_id and line.product_id.default_code == self.sku)
            )
        )
        line = lines.filtered(lambda line: line.qty_delivered > 0)[:1] or lines[:1]
        if not line:
            raise UserError(
                self.env._(
                    "Amazon order %(order)s has no line of SKU %(sku)s.",
                    order=self.amazon_order_ref,
                    sku=self.sku,
                )
            )
        sellable = self.disposition in ("", spapi_reports.SELLABLE)
        pool = self.account_id._amazon_pool_location(order.amazon_marketplace_id)
        destination = None if sellable else pool._amazon_unfulfillable()
        moves = order._amazon_return_from_customer({line: self.quantity}, destination=destination)
        where = destination.display_name if destination else self.env._("its stock pool")
        return {
            "state": "applied",
            "sale_order_id": order.id,
            "product_id": line.product_id.id,
            "move_ids": [fields.Command.set(moves.ids)],
            "message": self.env._(
                "%(qty)s returned to %(where)s (%(disposition)s).",
                qty=self.quantity,
                where=where,
                disposition=self.disposition or "-",
            ),
        }

    # -- adjustments ----------------------------------------------------------------------------

    def _amazon_stock_product(self):
        """``(product whose stock moves, units per ledger unit)`` for this row's SKU."""
        offer = self.env["amazon.offer"].search(
            [("account_id", "=", self.account_id.id), ("sku", "=", self.sku)], limit=1
        )
        product = offer.product_id
        if not product:
            product = self.env["product.product"].search(
                [
                    ("default_code", "=", self.sku),
                    ("company_id", "in", [False, self.account_id.company_id.id]),
                ]
            )
            if len(product) > 1:
                product = product.filtered("amazon_fba_kit")
            product = product if len(product) == 1 else product.browse()
        if not product:
            raise UserError(
                self.env._(
                    "SKU %(sku)s is not linked to a product: set the product on its Amazon offer; "
                    "the row is retried by the next run.",
                    sku=self.sku,
                )
            )
        component, per_kit = product._get_amazon_fba_kit_component(self.account_id.company_id)
        if component:
            return component, per_kit
        if not product.is_storable:
            raise UserError(
                self.env._("Product %(product)s is not tracked in stock.", product=product.name)
            )
        return product, 1.0

    def _amazon_location_at_amazon(self):
        """Where these units are at Amazon: the pool of the row's country (sellable) or its
        Amazon Unfulfillable location."""
        account = self.account_id
        if not account.location_id:
            raise UserError(
                self.env._(
                    "Amazon account %(account)s has no Amazon location.", account=account.name
                )
            )
        marketplace = account.marketplace_ids.filtered(
            lambda m: self.country and m.code == self.country
        )[:1]
        pool = account._amazon_pool_location(marketplace)
        if self.disposition in ("", spapi_reports.SELLABLE):
            return pool
        return pool._amazon_unfulfillable()

    def _amazon_apply_adjustment(self):
        product, per_unit = self._amazon_stock_product()
        company = self.account_id.company_id
        loss = product.with_company(company).property_stock_inventory
        at_amazon = self._amazon_location_at_amazon()
        qty = abs(self.quantity) * per_unit
        if float_is_zero(qty, precision_rounding=product.uom_id.rounding):
            return {"state": "skipped", "message": self.env._("No quantity.")}
        code = self.reason or ""
        label = spapi_reports.ADJUSTMENT_REASONS.get(code, code or self.env._("no reason"))
        name = self.env._("Amazon adjustment %(code)s: %(reason)s", code=code, reason=label)
        origin = self.env._("Amazon ledger %(reference)s", reference=self.reference or "-")
        if self.quantity < 0:
            source, dest = at_amazon, loss
            lots = (
                self._amazon_lots_out(product, at_amazon, qty) if product.tracking != "none" else []
            )
        else:
            source, dest = loss, at_amazon
            lots = self._amazon_lots_back(product, qty) if product.tracking != "none" else []
        move = self.env["stock.move"].create(
            {
                "name": name[:2000],
                "origin": origin,
                "company_id": company.id,
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "procure_method": "make_to_stock",
            }
        )
        move._action_confirm(merge=False)
        move.move_line_ids.unlink()
        if lots:
            self.env["stock.move.line"].create(move._amazon_prepare_lot_line_vals(lots))
        else:
            self.env["stock.move.line"].create(
                move._amazon_prepare_lot_line_vals([(self.env["stock.lot"], qty, False)])
            )
        move.picked = True
        move._action_done()
        return {
            "state": "applied",
            "product_id": product.id,
            "move_ids": [fields.Command.set(move.ids)],
            "message": self.env._(
                "%(qty)s %(product)s from %(origin)s to %(dest)s.",
                qty=qty,
                product=product.display_name,
                origin=source.display_name,
                dest=dest.display_name,
            ),
        }

    # -- removals -------------------------------------------------------------------------------

    def _amazon_apply_removal(self):
        """A removal shipment: an incoming transfer from WH/Amazon (its pool, or Amazon
        Unfulfillable) to the warehouse's stock, its lots reserved by the account's lot policy,
        for the warehouse to receive (validate) when the parcel arrives."""
        product, per_unit = self._amazon_stock_product()
        qty = abs(self.quantity) * per_unit
        source = self._amazon_location_at_amazon()
        warehouse = self.account_id.warehouse_id or source.warehouse_id
        picking_type = warehouse.in_type_id
        if not picking_type:
            raise UserError(
                self.env._("Warehouse %(warehouse)s has no receipt type.", warehouse=warehouse.name)
            )
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "origin": self.env._(
                    "Amazon removal %(reference)s", reference=self.reference or "-"
                ),
                "company_id": self.account_id.company_id.id,
            }
        )
        move = self.env["stock.move"].create(
            {
                "name": self.env._("Amazon removal: %(sku)s", sku=self.sku),
                "picking_id": picking.id,
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "location_id": source.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "company_id": self.account_id.company_id.id,
            }
        )
        picking.action_confirm()
        if product.tracking != "none":
            move.move_line_ids.unlink()
            vals = move._amazon_prepare_lot_line_vals(self._amazon_lots_out(product, source, qty))
            for line_vals in vals:
                line_vals.update(
                    picked=False, picking_id=picking.id, location_dest_id=warehouse.lot_stock_id.id
                )
            self.env["stock.move.line"].create(vals)
        else:
            picking.action_assign()
        return {
            "state": "applied",
            "product_id": product.id,
            "move_ids": [fields.Command.set(move.ids)],
            "message": self.env._(
                "Incoming transfer %(picking)s: %(qty)s %(product)s to receive at %(dest)s.",
                picking=picking.name,
                qty=qty,
                product=product.display_name,
                dest=warehouse.lot_stock_id.display_name,
            ),
        }

    def _amazon_lots_out(self, product, location, qty):
        """``[(quant, qty, provenance)]`` leaving ``location`` by the account's lot policy."""
        policy = self.account_id.fba_lot_policy
        policy = policy if policy in ("fifo", "fefo") else "fifo"
        taken = _QuantStock(self.env["stock.quant"]).take(product, location, policy, qty)
        got = sum(q for _quant, q in taken)
        if float_compare(got, qty, precision_rounding=product.uom_id.rounding) < 0:
            raise UserError(
                self.env._(
                    "Only %(got)s of the %(qty)s units of %(product)s to book out are on hand "
                    "with a lot at %(location)s: the row is retried by the next run.",
                    got=got,
                    qty=qty,
                    product=product.display_name,
                    location=location.display_name,
                )
            )
        return [(quant, q, policy) for quant, q in taken]

    def _amazon_lots_back(self, product, qty):
        """``[(lot, qty, provenance)]`` coming back from the inventory loss: the lots the ledger
        booked lost last (net of those already back), newest first."""
        moves = self.search(
            [
                ("account_id", "=", self.account_id.id),
                ("state", "=", "applied"),
                ("kind", "=", spapi_reports.EVENT_ADJUSTMENTS),
                ("product_id", "=", product.id),
            ]
        ).move_ids.filtered(lambda m: m.product_id == product and m.state == "done")
        net = defaultdict(float)
        order = []
        for line in moves.move_line_ids.sorted("id", reverse=True):
            sign = 1 if line.location_dest_id.usage == "inventory" else -1
            net[line.lot_id] += sign * line.quantity
            if line.lot_id not in order:
                order.append(line.lot_id)
        lots, remaining = [], qty
        for lot in order:
            take = min(net[lot], remaining)
            if take > 0:
                source = next(
                    (
                        line.amazon_lot_source
                        for line in moves.move_line_ids.sorted("id", reverse=True)
                        if line.lot_id == lot and line.amazon_lot_source
                    ),
                    "fifo",
                )
                lots.append((lot, take, source))
                remaining -= take
        if float_compare(remaining, 0, precision_rounding=product.uom_id.rounding) > 0:
            raise UserError(
                self.env._(
                    "%(qty)s units of %(product)s come back at Amazon, but the ledger booked no "
                    "lot lost to return them as: the row is retried by the next run; book it by "
                    "hand if Amazon found stock Odoo never sent.",
                    qty=qty,
                    product=product.display_name,
                )
            )
        return lots
