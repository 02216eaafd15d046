"""FBM shipment confirmations: one record per package of a validated delivery, sent by a cron."""

import json
import logging
import threading
import time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import create_unique_index

from ..spapi import orders_v0
from ..spapi.exceptions import (
    AmazonAuthError,
    AmazonError,
    AmazonPermanentError,
    AmazonRetryableError,
)
from .amazon_account_jobs import lock_row_in_state

_logger = logging.getLogger(__name__)

CONFIRMATION_STATES = [
    ("pending", "To Send"),
    ("done", "Confirmed"),
    ("failed", "Refused by Amazon"),
    ("error", "Cannot Be Sent"),
]
CRON_XMLID = "amazon_fba_kit.ir_cron_amazon_confirm_shipments"
BATCH_SIZE = 20  # confirmations per cron call; the cron worker calls again while some remain
# Seconds of sending per cron call, well within the cron worker's real-time limit (120 s by
# default) even when the last call waits for its whole timeout (30 s).
SEND_TIME_BUDGET = 60


class AmazonShipmentConfirmation(models.Model):
    _name = "amazon.shipment.confirmation"
    _description = "Amazon Shipment Confirmation"
    _check_company_auto = True
    _order = "id desc"

    picking_id = fields.Many2one(
        "stock.picking",
        "Delivery",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    package_id = fields.Many2one(
        "stock.quant.package",
        readonly=True,
        ondelete="restrict",
        help="The package of the delivery this confirmation is for; empty for what the delivery "
        "shipped outside any package.",
    )
    sale_order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, check_company=True
    )
    account_id = fields.Many2one(
        "amazon.account",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    amazon_order_ref = fields.Char("Amazon Order", required=True, readonly=True, index=True)
    package_ref = fields.Char(
        "Package Reference",
        readonly=True,
        copy=False,
        help="Amazon's packageReferenceId of this package, unique within the order. Sending it "
        "again updates that package on Amazon: a retry never adds a second package.",
    )
    item_data = fields.Text(
        readonly=True,
        help="What the delivery shipped in this package, as Amazon order item ids and "
        "quantities (JSON), recorded at validation.",
    )
    items_summary = fields.Char("Items", compute="_compute_items_summary")
    state = fields.Selection(
        CONFIRMATION_STATES, required=True, default="pending", readonly=True, index=True
    )
    attempt_count = fields.Integer(readonly=True, help="Calls to Amazon made so far.")
    next_attempt = fields.Datetime(
        readonly=True,
        index=True,
        default=fields.Datetime.now,
        help="When the scheduled action sends it (again), for a confirmation to send.",
    )
    last_attempt = fields.Datetime(readonly=True)
    date_done = fields.Datetime("Confirmed On", readonly=True)
    request_body = fields.Text("Request", readonly=True, help="The last request sent (JSON).")
    message = fields.Text(
        "Amazon's Answer",
        readonly=True,
        help="What Amazon answered, or why the confirmation could not be sent, and what to do.",
    )

    def init(self):
        # At most one confirmation per package of a delivery (NULL package = outside packages).
        create_unique_index(
            self.env.cr,
            "amazon_shipment_confirmation_package_uniq",
            self._table,
            ["picking_id", "COALESCE(package_id, 0)"],
        )

    @api.depends("item_data")
    def _compute_items_summary(self):
        for confirmation in self:
            confirmation.items_summary = ", ".join(
                f"{ref} × {qty:g}" for ref, qty in confirmation._items()
            )

    @api.depends("amazon_order_ref", "package_ref")
    def _compute_display_name(self):
        for confirmation in self:
            confirmation.display_name = self.env._(
                "%(order)s, package %(package)s",
                order=confirmation.amazon_order_ref,
                package=confirmation.package_ref or "?",
            )

    @api.model_create_multi
    def create(self, vals_list):
        confirmations = super().create(vals_list)
        for confirmation in confirmations.filtered(lambda c: not c.package_ref):
            # A positive number unique within the order, as Amazon requires: the record's id.
            confirmation.package_ref = str(confirmation.id)
        return confirmations

    # -- actions ----------------------------------------------------------------------------

    def action_retry(self):
        """Send again (by the scheduled action, within a minute), after fixing the delivery."""
        retry = self.filtered(lambda c: c.state in ("pending", "failed", "error"))
        retry.write({"state": "pending", "next_attempt": fields.Datetime.now()})
        if retry:
            self._amazon_trigger_cron()
        return True

    def action_mark_done(self):
        """The seller confirmed these packages in Seller Central: stop sending them."""
        for confirmation in self.filtered(lambda c: c.state != "done"):
            confirmation._amazon_done(
                self.env._(
                    "Marked as confirmed in Seller Central by %(user)s: not sent to Amazon.",
                    user=self.env.user.name,
                )
            )
        return True

    def action_open_picking(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": self.picking_id.id,
            "view_mode": "form",
        }

    # -- sending ----------------------------------------------------------------------------

    @api.model
    def _amazon_trigger_cron(self, at=None):
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            # sudo: scheduling the addon's own job; whoever validates a delivery may do that.
            cron.sudo()._trigger(at)

    @api.model
    def _cron_send_pending(self, limit=BATCH_SIZE):
        """Scheduled action: send the confirmations that are due, one commit each."""
        due = [("state", "=", "pending"), ("next_attempt", "<=", fields.Datetime.now())]
        confirmations = self.search(due, order="next_attempt, id", limit=limit)
        sent = confirmations._amazon_send()
        remaining = self.search_count(due)
        self.env["ir.cron"]._notify_progress(done=sent, remaining=remaining)
        if not remaining:
            # Wake up for the next retry when it is due before the cron's next run.
            later = self.search([("state", "=", "pending")], order="next_attempt", limit=1)
            cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
            if later.next_attempt and cron and later.next_attempt < cron.sudo().nextcall:
                self._amazon_trigger_cron(later.next_attempt)
        return sent

    def _amazon_send(self):
        """Send each pending confirmation of ``self`` to Amazon, committing after each one (not
        under test). Returns how many were handled."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        deadline = time.monotonic() + SEND_TIME_BUDGET
        adapters, unreachable = {}, {}
        handled = 0
        try:
            for confirmation in self:
                if time.monotonic() > deadline:
                    break  # the cron worker calls again for the rest
                if not confirmation._amazon_lock():
                    continue  # sent by someone else meanwhile, or being sent right now
                account = confirmation.account_id
                if account in unreachable:
                    # Amazon just failed for this account: wait with the one that tried.
                    confirmation.write(unreachable[account])
                else:
                    confirmation._amazon_send_guarded(adapters, unreachable)
                handled += 1
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        finally:
            for adapter in adapters.values():
                adapter.close()
        return handled

    def _amazon_send_guarded(self, adapters, unreachable):
        """Send one confirmation in a savepoint: an unexpected error is recorded on it, and
        the others still go out. Notes in ``unreachable`` an account Amazon failed for."""
        try:
            with self.env.cr.savepoint():
                if self._amazon_send_one(adapters) == "unreachable":
                    unreachable[self.account_id] = {
                        "next_attempt": self.next_attempt,
                        "message": self.message,
                    }
        except Exception as exc:  # recorded on the confirmation; the others still go out
            _logger.exception("Amazon shipment confirmation %s failed", self.id)
            self._amazon_problem(
                "error",
                self.env._(
                    "Unexpected error while confirming this package (%(error)s): report it to "
                    "your Odoo administrator, then press Retry.",
                    error=self.account_id._hide_secrets(str(exc)),
                ),
            )

    def _amazon_lock(self):
        """Lock the row of a pending confirmation, or False when another transaction holds it or
        it is no longer pending."""
        return lock_row_in_state(self, "state", ("pending",))

    def _amazon_send_one(self, adapters):
        """Send one confirmation; returns "unreachable" when Amazon could not be reached (or was
        too busy) for its account."""
        self.ensure_one()
        order = self.sale_order_id
        if order.amazon_fulfillment_status == "SHIPPED":
            self._amazon_done(self._amazon_already_shipped_message())
            return
        try:
            body = self._amazon_prepare_request()
        except orders_v0.ConfirmShipmentInvalid as exc:
            self._amazon_problem("error", str(exc))
            return
        self.write(
            {
                "request_body": json.dumps(body, indent=2),
                "attempt_count": self.attempt_count + 1,
                "last_attempt": fields.Datetime.now(),
            }
        )
        account = self.account_id
        try:
            if account not in adapters:
                adapters[account] = account._get_sp_api_adapter(label=account.name)
            adapters[account].confirm_shipment(self.amazon_order_ref, body)
        except (AmazonRetryableError, AmazonAuthError, UserError) as exc:
            # Amazon unreachable or busy, or the account's credentials refused/missing: nothing
            # is wrong with this package; it goes out once Amazon (or the account) answers.
            self._amazon_retry_later(account._hide_secrets(str(exc)))
            return "unreachable"
        except AmazonPermanentError as exc:
            answer = account._hide_secrets(str(exc))
            if orders_v0.means_already_shipped(answer):
                self._amazon_done(
                    self.env._(
                        "Amazon already has this shipment (confirmed before, e.g. in Seller "
                        "Central); it was not confirmed again. Amazon said: %(answer)s",
                        answer=answer,
                    )
                )
            else:
                self._amazon_problem(
                    "failed",
                    self.env._(
                        "%(answer)s What to do: %(hint)s Then press Retry.",
                        answer=answer,
                        hint=orders_v0.refusal_hint(answer),
                    ),
                )
        except AmazonError as exc:
            self._amazon_problem("error", account._hide_secrets(str(exc)))
        else:
            self._amazon_done(
                self.env._(
                    "Amazon confirmed the shipment of package %(package)s: %(carrier)s, tracking "
                    "%(tracking)s.",
                    package=self.package_ref,
                    carrier=body["packageDetail"].get("carrierName")
                    or body["packageDetail"]["carrierCode"],
                    tracking=body["packageDetail"]["trackingNumber"],
                )
            )

    def _amazon_prepare_request(self):
        self.ensure_one()
        picking = self.picking_id
        carrier = picking.carrier_id
        if not carrier:
            raise orders_v0.ConfirmShipmentInvalid(
                self.env._(
                    "Delivery %(picking)s has no carrier: set its Carrier (tab Additional Info), "
                    "then press Retry.",
                    picking=picking.name,
                ),
                field="packageDetail.carrierCode",
            )
        code, name = orders_v0.carrier_for(
            code=carrier.amazon_carrier_code, name=carrier.name, provider=carrier.delivery_type
        )
        tracking = picking._amazon_tracking_ref_for(self)
        if not tracking:
            raise orders_v0.ConfirmShipmentInvalid(
                self.env._(
                    "Delivery %(picking)s has no tracking reference, which Amazon requires: enter "
                    "it (tab Additional Info, Tracking Reference), then press Retry.",
                    picking=picking.name,
                ),
                field="packageDetail.trackingNumber",
            )
        return orders_v0.build_request(
            marketplace_id=self.sale_order_id.amazon_marketplace_id.api_ref,
            package_ref=self.package_ref,
            carrier_code=code,
            carrier_name=name,
            shipping_method=carrier.amazon_shipping_method or carrier.name,
            tracking_number=tracking,
            shipped_at=picking.date_done or fields.Datetime.now(),
            items=[orders_v0.PackageItem(ref, qty) for ref, qty in self._items()],
        )

    def _items(self):
        self.ensure_one()
        try:
            return [(ref, float(qty)) for ref, qty in json.loads(self.item_data or "[]")]
        except (TypeError, ValueError):
            return []

    def _amazon_already_shipped_message(self):
        return self.env._(
            "Amazon already shows order %(order)s as shipped (confirmed outside Odoo, e.g. in "
            "Seller Central): this package was not confirmed again.",
            order=self.amazon_order_ref,
        )

    def _amazon_done(self, message):
        self.write({"state": "done", "date_done": fields.Datetime.now(), "message": message})
        self.picking_id.message_post(body=message)

    def _amazon_problem(self, state, message):
        """Refused by Amazon (``failed``) or not sendable as it is (``error``): shown on the
        delivery, waits for the user's Retry."""
        self.write({"state": state, "message": message, "next_attempt": False})
        self.picking_id.message_post(
            body=Markup("<p><strong>%s</strong></p><p>%s</p>")
            % (
                self.env._(
                    "Amazon shipment confirmation of package %(package)s not done",
                    package=self.package_ref,
                ),
                message,
            )
        )

    def _amazon_retry_later(self, message):
        delay = orders_v0.retry_delay(self.attempt_count)
        when = fields.Datetime.now() + delay
        self.write(
            {
                "next_attempt": when,
                "message": self.env._(
                    "%(answer)s Sent again automatically at %(when)s (attempt %(count)s so far).",
                    answer=message,
                    when=fields.Datetime.to_string(when),
                    count=self.attempt_count,
                ),
            }
        )
