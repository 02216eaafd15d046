"""Lots of Multi-Channel Fulfilment shipments, as Amazon reports them (getFulfillmentOrder).

The order sync does not call Amazon per MCF order: for the tracked units of a shipped MCF order
it leaves a *pending* move out of the Amazon location (confirmed, never reserved by Odoo) and
wakes the scheduled action "Amazon: read the lots of MCF shipments". That job reads each
fulfilment order once it is due (one commit per order), books the lot codes and serial numbers
Amazon reports with provenance ``amazon``, and falls back to the account's FBA lot policy for
the units Amazon names no lot for, or when Amazon has no shipment for the order after the
account's wait.
"""

import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..spapi import fulfillment_outbound
from ..spapi.exceptions import (
    AmazonBudgetExhausted,
    AmazonError,
    AmazonMappingError,
    AmazonPermanentError,
)
from ..spapi.ratelimit import capped_backoff
from .amazon_account_jobs import MAX_RATE_LIMIT_WAIT, lock_row_in_state

_logger = logging.getLogger(__name__)

CRON_XMLID = "ir_cron_amazon_mcf_lots"
BATCH_SIZE = 20  # MCF orders read per cron call; the cron worker calls again while some remain
RETRY_FIRST = timedelta(minutes=15)  # wait after the first unsuccessful read, doubled each time
RETRY_CAP = timedelta(hours=6)  # 15 min, 30, 1 h, 2 h, 4 h, then every 6 hours
LOT_STATES = [
    ("pending", "Waiting for Amazon's lots"),
    ("done", "Lots booked"),
    ("error", "Needs attention"),
]


def retry_delay(attempts):
    """The wait after ``attempts`` unsuccessful reads of a fulfilment order."""
    return capped_backoff(attempts, RETRY_FIRST, RETRY_CAP)


class _ReadJob:
    """One call of the scheduled action: its time budget and one adapter per account."""

    def __init__(self, env):
        Account = env["amazon.account"]
        self.budget = Account._amazon_job_budget()
        self.deadline = Account._amazon_job_deadline(self.budget)
        self.adapters = {}

    def over(self):
        return time.monotonic() > self.deadline

    def adapter(self, account):
        if account not in self.adapters:
            self.adapters[account] = account._get_sp_api_adapter(
                label=account.name,
                deadline=self.deadline,
                max_wait=MAX_RATE_LIMIT_WAIT,
                timeout=account._amazon_request_timeout(self.budget),
            )
        return self.adapters[account]

    def close(self):
        for adapter in self.adapters.values():
            adapter.close()


class _LotProblem(UserError):
    """A fulfilment order whose reported lots Odoo cannot book as they are (user must act)."""


class AmazonMcfOrder(models.Model):
    _inherit = "amazon.mcf.order"

    fulfillment_order_ref = fields.Char(
        "Fulfilment Order ID",
        readonly=True,
        help="The sellerFulfillmentOrderId whose shipments say which lots Amazon shipped: the "
        "order's SELLER_ORDER_ID alias (Orders API), else its Amazon order reference.",
    )
    lot_state = fields.Selection(
        LOT_STATES,
        "Lots from Amazon",
        readonly=True,
        index=True,
        copy=False,
        help="For orders with lot/serial tracked units: waiting for the lot codes Amazon "
        "reports on the shipment, booked, or stopped on a problem to fix (see the message).",
    )
    lot_attempt_count = fields.Integer("Reads of Amazon's Shipment", readonly=True, copy=False)
    lot_next_attempt = fields.Datetime(
        "Next Read",
        readonly=True,
        index=True,
        copy=False,
        help="When the scheduled action reads the fulfilment order (again).",
    )
    lot_wait_until = fields.Datetime(
        "Lot Policy From",
        readonly=True,
        copy=False,
        help="If Amazon has still not reported the shipment then, the pending units are booked "
        "with the account's FBA lot policy.",
    )
    lot_message = fields.Text("Lot Reading", readonly=True, copy=False)

    def action_amazon_read_lots(self):
        """Button "Read lots again": back in the queue of the scheduled action, due now."""
        self.check_access("write")
        todo = self.filtered(lambda mcf: mcf.lot_state in ("pending", "error"))
        todo.write({"lot_state": "pending", "lot_next_attempt": fields.Datetime.now()})
        if todo:
            self.env["amazon.account"]._amazon_trigger_job(CRON_XMLID)
        return True

    @api.model
    def _cron_amazon_read_lots(self, limit=BATCH_SIZE):
        """Scheduled action: read the due fulfilment orders, one commit each."""
        due = [("lot_state", "=", "pending"), ("lot_next_attempt", "<=", fields.Datetime.now())]
        mcf_orders = self.search(due, order="lot_next_attempt, id", limit=limit)
        job = _ReadJob(self.env)
        done = 0
        try:
            for mcf in mcf_orders:
                if job.over():
                    break  # the cron worker calls again for the rest
                if not mcf._amazon_lock_pending():
                    continue
                mcf._amazon_read_lots_guarded(job)
                done += 1
                mcf.account_id._amazon_commit()
        finally:
            job.close()
        remaining = self.search_count(due)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if not remaining:
            later = self.search([("lot_state", "=", "pending")], order="lot_next_attempt", limit=1)
            if later.lot_next_attempt:
                delay = (later.lot_next_attempt - fields.Datetime.now()).total_seconds()
                self.env["amazon.account"]._amazon_trigger_job(CRON_XMLID, delay=delay)
        return done

    def _amazon_lock_pending(self):
        return lock_row_in_state(self, "lot_state", ("pending",))

    def _amazon_read_lots_guarded(self, job):
        """Read and book one order in a savepoint: a problem is recorded on it, nothing half
        booked, and the other orders still go on."""
        try:
            with self.env.cr.savepoint():
                self._amazon_read_lots(job)
        except _LotProblem as problem:
            self._amazon_lot_error(str(problem))
        except Exception as exc:  # recorded on the order; the others still go on
            _logger.exception("Reading the lots of Amazon MCF order %s failed", self.id)
            self._amazon_lot_error(
                self.env._(
                    "Unexpected error while booking the lots Amazon reports (%(error)s): report "
                    "it to your Odoo administrator, then press Read Lots Again.",
                    error=self.account_id._hide_secrets(str(exc)),
                )
            )

    def _amazon_pending_moves(self):
        return self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))

    def _amazon_read_lots(self, job):
        """Ask Amazon for the fulfilment order's shipments and book the pending moves."""
        self.ensure_one()
        account = self.account_id
        moves = self._amazon_pending_moves()
        if not moves:
            self.write({"lot_state": "done", "lot_next_attempt": False})
            return
        self.lot_attempt_count += 1
        try:
            payload = job.adapter(account).get_fulfillment_order(self.fulfillment_order_ref)
            fulfilment = fulfillment_outbound.map_fulfillment_order(payload)
        except AmazonBudgetExhausted as exc:
            # Our own time budget or Amazon's quota: not an attempt; back when the quota allows.
            when = fields.Datetime.now() + timedelta(seconds=int(exc.retry_in or 0))
            self.write({"lot_attempt_count": self.lot_attempt_count - 1, "lot_next_attempt": when})
            return
        except AmazonMappingError as exc:
            raise _LotProblem(
                self.env._(
                    "Amazon's answer for fulfilment order %(ref)s is unreadable: %(error)s",
                    ref=self.fulfillment_order_ref,
                    error=str(exc),
                )
            ) from None
        except AmazonPermanentError as exc:
            if exc.status != 404:
                raise _LotProblem(account._hide_secrets(str(exc))) from None
            self._amazon_lots_later(
                moves,
                self.env._(
                    "Amazon does not know fulfilment order %(ref)s (yet).",
                    ref=self.fulfillment_order_ref,
                ),
            )
            return
        except (AmazonError, UserError) as exc:
            # Amazon unreachable or busy, or the account's credentials: nothing is wrong with
            # the order; read again later (no fallback: Amazon's answer may still name lots).
            when = fields.Datetime.now() + retry_delay(self.lot_attempt_count)
            self.write(
                {
                    "lot_next_attempt": when,
                    "lot_message": self.env._(
                        "%(error)s Read again at %(when)s.",
                        error=account._hide_secrets(str(exc)),
                        when=fields.Datetime.to_string(when),
                    ),
                }
            )
            return
        shipped = {}
        for item in fulfilment.shipped_items:
            shipped.setdefault(item.sku, []).append(item)
        waiting = moves.filtered(lambda m: m.amazon_mcf_sku not in shipped)
        if waiting:
            self._amazon_lots_later(
                waiting,
                self.env._(
                    "Amazon has no shipped shipment yet for %(skus)s of fulfilment order %(ref)s.",
                    skus=", ".join(sorted(set(waiting.mapped("amazon_mcf_sku")))),
                    ref=self.fulfillment_order_ref,
                ),
            )
            if waiting == moves:
                return
        notes, reported = [], {}
        for move in (moves - waiting).sorted("id"):
            if move.amazon_mcf_sku not in reported:
                tracking = move.product_id.tracking
                per_unit = move.amazon_mcf_units_per_item or 1.0
                reported[move.amazon_mcf_sku] = [
                    [code, quantity * per_unit]
                    for item in shipped[move.amazon_mcf_sku]
                    for code, quantity in item.lot_quantities(tracking)
                ]
            notes += move._amazon_book_reported(reported[move.amazon_mcf_sku])
        self._amazon_lots_finish(notes)

    def _amazon_lots_later(self, moves, reason):
        """No lots for ``moves`` yet: read again later, or book them with the lot policy once
        the account's wait is over."""
        now = fields.Datetime.now()
        if self.lot_wait_until and now >= self.lot_wait_until:
            notes = [
                self.env._(
                    "%(reason)s Waited until %(until)s: booked with the account's lot policy.",
                    reason=reason,
                    until=fields.Datetime.to_string(self.lot_wait_until),
                )
            ]
            for move in moves:
                notes += move._amazon_book_policy(move.product_qty)
            self._amazon_lots_finish(notes)
            return
        when = now + retry_delay(self.lot_attempt_count)
        if self.lot_wait_until:
            when = min(when, self.lot_wait_until)
        self.write(
            {
                "lot_next_attempt": when,
                "lot_message": self.env._(
                    "%(reason)s Read again at %(when)s (read %(count)s times so far).",
                    reason=reason,
                    when=fields.Datetime.to_string(when),
                    count=self.lot_attempt_count,
                ),
            }
        )

    def _amazon_lots_finish(self, notes):
        """Record ``notes`` on the order; done once no move waits for Amazon any more."""
        vals = {"note": "\n".join(filter(None, [self.note, *notes]))} if notes else {}
        if self._amazon_pending_moves():  # other items wait for their shipment
            vals["lot_message"] = "\n".join(filter(None, [self.lot_message, *notes]))
        else:
            vals.update(
                lot_state="done",
                lot_next_attempt=False,
                lot_message="\n".join(notes) or self.lot_message,
            )
        self.write(vals)

    def _amazon_lot_error(self, message):
        self.write({"lot_state": "error", "lot_next_attempt": False, "lot_message": message})


class StockMove(models.Model):
    _inherit = "stock.move"

    amazon_mcf_sku = fields.Char("Amazon MCF SKU", readonly=True)

    def _action_assign(self, force_qty=False):
        # A pending MCF move waits for the lots Amazon reports: never reserved by Odoo.
        others = self.filtered(lambda move: not (move.amazon_mcf_order_id and move.amazon_mcf_sku))
        return super(StockMove, others)._action_assign(force_qty=force_qty)

    def _amazon_book_reported(self, reported):
        """Book this pending MCF move with the lots Amazon reports, ``reported``: ``[[code,
        units]]`` of its SKU's shipped items, consumed in order (the units taken are deducted,
        so the next move of the same SKU gets the rest); the units Amazon names no lot for go
        with the lot policy. Returns notes. Raises :class:`_LotProblem` for a lot Odoo cannot
        take."""
        self.ensure_one()
        mcf = self.amazon_mcf_order_id
        product = self.product_id
        rounding = product.uom_id.rounding
        remaining = self.product_qty
        attributions = []
        for entry in reported:
            code, available = entry
            if float_compare(remaining, 0, precision_rounding=rounding) <= 0:
                break
            if float_compare(available, 0, precision_rounding=rounding) <= 0:
                continue
            units = min(available, remaining)
            entry[1] -= units
            lot, created = self._amazon_reported_lot(code)
            if created:  # no stock of it at Amazon in Odoo: booked loose, the quant goes negative
                attributions.append((lot, units, "amazon"))
                remaining -= units
                continue
            taken = self.env["stock.quant"]._amazon_take_lot(product, self.location_id, lot, units)
            missing = units - sum(qty for _quant, qty in taken)
            if float_compare(missing, 0, precision_rounding=rounding) > 0:
                raise _LotProblem(
                    self.env._(
                        "Amazon reports %(qty)s unit(s) of lot %(lot)s of %(product)s shipped "
                        "for MCF order %(ref)s, and %(location)s has %(available)s of that "
                        "lot free. Correct the stock of the Amazon location (e.g. an "
                        "inventory adjustment or the FBA reconciliation), then press Read "
                        "Lots Again.",
                        qty=units,
                        lot=code,
                        product=product.display_name,
                        ref=mcf.amazon_order_ref,
                        location=self.location_id.display_name,
                        available=units - missing,
                    )
                )
            attributions += [(quant, qty, "amazon") for quant, qty in taken]
            remaining -= units
        booked = self.product_qty - remaining
        notes = []
        if not float_is_zero(booked, precision_rounding=rounding):
            notes.append(
                self.env._(
                    "%(qty)s unit(s) of %(product)s booked with the lots Amazon reports: %(lots)s.",
                    qty=booked,
                    product=product.display_name,
                    lots=", ".join(
                        dict.fromkeys(
                            (src.lot_id if src._name == "stock.quant" else src).name
                            for src, _qty, _provenance in attributions
                        )
                    ),
                )
            )
        if float_compare(remaining, 0, precision_rounding=rounding) > 0:
            notes.append(
                self.env._(
                    "Amazon names no lot for %(qty)s unit(s) of %(product)s: lot policy.",
                    qty=remaining,
                    product=product.display_name,
                )
            )
        return notes + self._amazon_book_policy(remaining, attributions)

    def _amazon_reported_lot(self, code):
        """``(lot, created)``: the lot of this move's product named ``code`` by Amazon;
        created when the account says so, else :class:`_LotProblem`."""
        product = self.product_id
        company = self.company_id
        lot = self.env["stock.lot"].search(
            [
                ("product_id", "=", product.id),
                ("name", "=", code),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", company.id),
            ],
            limit=1,
        )
        if lot:
            return lot, False
        account = self.amazon_mcf_order_id.account_id
        if account.amazon_mcf_unknown_lot == "create":
            lot = self.env["stock.lot"].create(
                {"name": code, "product_id": product.id, "company_id": company.id}
            )
            return lot, True
        raise _LotProblem(
            self.env._(
                "Amazon reports lot code %(lot)s of %(product)s shipped for MCF order %(ref)s, "
                "and Odoo has no lot %(lot)s of that product. Check the code with the lots you "
                "sent to Amazon; create the lot (Inventory > Products > Lots/Serial Numbers) or "
                "correct its name, or set the account's Unknown Lot Codes to Create them, then "
                "press Read Lots Again.",
                lot=code,
                product=product.display_name,
                ref=self.amazon_mcf_order_id.amazon_order_ref,
            )
        )

    def _amazon_book_policy(self, quantity, attributions=None):
        """Finish this pending MCF move: ``attributions`` (reported) plus ``quantity`` units
        with the account's lot policy (FIFO/FEFO); under Kit only those units are not booked
        (their part of the move is cancelled). Returns notes."""
        self.ensure_one()
        attributions = list(attributions or [])
        account = self.amazon_mcf_order_id.account_id
        policy = account.fba_lot_policy or "kit"
        product = self.product_id
        rounding = product.uom_id.rounding
        notes = []
        if float_compare(quantity, 0, precision_rounding=rounding) > 0 and policy != "kit":
            remaining = quantity
            for lot, available in self.env["stock.quant"]._amazon_lots_by_policy(
                product, self.location_id, policy
            ):
                if float_is_zero(remaining, precision_rounding=rounding):
                    break
                taken = min(available, remaining)
                attributions.append((lot, taken, policy))
                remaining -= taken
            if float_compare(remaining, 0, precision_rounding=rounding) > 0:
                raise _LotProblem(
                    self.env._(
                        "MCF order %(ref)s: %(qty)s unit(s) of %(product)s to book with the lot "
                        "policy, and %(location)s has lots for %(available)s only. Replenish "
                        "the Amazon location (or correct its stock), then press Read Lots Again.",
                        ref=self.amazon_mcf_order_id.amazon_order_ref,
                        qty=quantity,
                        product=product.display_name,
                        location=self.location_id.display_name,
                        available=quantity - remaining,
                    )
                )
        elif float_compare(quantity, 0, precision_rounding=rounding) > 0:
            notes.append(
                self.env._(
                    "%(qty)s unit(s) of %(product)s not booked: Amazon names no lot for them and "
                    "the account's lot policy is Kit only.",
                    qty=quantity,
                    product=product.display_name,
                )
            )
        if not attributions:
            self._action_cancel()
            return notes
        self.move_line_ids.unlink()
        self.env["stock.move.line"].create(self._amazon_prepare_lot_line_vals(attributions))
        self.picked = True
        # What Kit only leaves unbooked becomes a cancelled move of the same MCF item.
        self._action_done(cancel_backorder=True)
        return notes


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    amazon_mcf_lot_wait_hours = fields.Integer(
        "Wait for Amazon's Lots (hours)",
        default=48,
        help="How long after a Multi-Channel Fulfilment order is booked as shipped the "
        "scheduled action keeps asking Amazon for the lot codes of its shipment "
        "(getFulfillmentOrder). Then the units Amazon has not reported are booked with the FBA "
        "lot policy.",
    )
    amazon_mcf_unknown_lot = fields.Selection(
        [
            ("error", "Stop and tell me"),
            ("create", "Create the lot"),
        ],
        "Unknown Lot Codes",
        default="error",
        required=True,
        help="A lot code Amazon reports on an MCF shipment that Odoo has no lot of that "
        "product by. Stop and tell me: the order waits, with a message naming the lot code and "
        "the product (a typo or a label mix-up is caught before stock is booked to a lot that "
        "never existed). Create the lot: a new lot of that name is booked out of the Amazon "
        "location (its stock there goes negative until corrected).",
    )

    def _amazon_mcf_book_line(self, mcf, order, line, product, quantity, notes):
        """Tracked units: a pending move, booked later with the lots Amazon reports."""
        tracked, per_unit = product, 1.0
        if product.amazon_fba_kit:
            component, per_kit = product._get_amazon_fba_kit_component(self.company_id)
            if component:
                tracked, per_unit = component, per_kit
        if not tracked.is_storable or tracked.tracking == "none":
            return super()._amazon_mcf_book_line(mcf, order, line, product, quantity, notes)
        pool = self._amazon_pool_location(
            self.env["amazon.marketplace"].search([("api_ref", "=", order.marketplace_id)], limit=1)
            if order.marketplace_id
            else self.env["amazon.marketplace"]
        )
        move = self.env["stock.move"].create(
            {
                "name": self.env._(
                    "Amazon MCF %(ref)s: %(product)s", ref=order.order_ref, product=tracked.name
                ),
                "origin": self.env._("Amazon MCF %(ref)s", ref=order.order_ref),
                "company_id": self.company_id.id,
                "product_id": tracked.id,
                "product_uom": tracked.uom_id.id,
                "product_uom_qty": quantity * per_unit,
                "location_id": pool.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "warehouse_id": pool.warehouse_id.id,
                "amazon_mcf_order_id": mcf.id,
                "amazon_mcf_item_ref": line.item_ref,
                "amazon_mcf_sku": line.sku,
                "amazon_mcf_units_per_item": per_unit,
            }
        )
        move._action_confirm(merge=False)
        now = fields.Datetime.now()
        vals = {
            "fulfillment_order_ref": order.seller_order_ref or order.order_ref,
            "lot_state": "pending",
            "lot_next_attempt": now,
            "lot_message": self.env._("Waiting for the lots Amazon reports on its shipment."),
        }
        if mcf.lot_state != "pending" or not mcf.lot_wait_until:
            vals["lot_wait_until"] = now + timedelta(hours=max(0, self.amazon_mcf_lot_wait_hours))
        mcf.write(vals)
        self._amazon_trigger_job(CRON_XMLID)
        return move
