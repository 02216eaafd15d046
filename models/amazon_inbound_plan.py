"""Inbound plans: an FBA replenishment transfer sent to Amazon with its lots and expiry dates.

*Send to Amazon* on the transfer only records the plan (state *queued*, with the items and the
request body checked against Amazon's model); the scheduled action ``ir_cron_amazon_inbound_plans``
sends it (``createInboundPlan``) and follows Amazon's asynchronous operation
(``getInboundOperationStatus``) across runs, one commit per plan:

- *queued*: to send; a throttled or unreachable Amazon leaves it queued, retried with a capped
  backoff (``next_attempt``);
- *creating*: Amazon accepted it (inbound plan id and operation id stored) and is still creating
  it: polled again a few seconds later (the scheduled action is triggered, never sleeping);
- *created*: the operation succeeded: the plan continues in Seller Central (*Send to Amazon*);
- *failed*: Amazon refused the request or the operation failed: its problems are shown on the
  transfer with what to do; the transfer can be sent again once fixed.
"""

import json
import logging
import time
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..spapi import fulfillment_inbound
from ..spapi.exceptions import (
    AmazonAuthError,
    AmazonBudgetExhausted,
    AmazonError,
    AmazonPermanentError,
    AmazonRetryableError,
)
from .amazon_account_jobs import MAX_RATE_LIMIT_WAIT, lock_row_in_state

_logger = logging.getLogger(__name__)

CRON_XMLID = "ir_cron_amazon_inbound_plans"
BATCH_SIZE = 20  # plans per call of the scheduled action; the cron worker calls again for more
PLAN_STATES = [
    ("queued", "Queued"),
    ("creating", "Being Created by Amazon"),
    ("created", "Created"),
    ("failed", "Failed"),
]
OWNER_SELECTION = [("SELLER", "Seller"), ("AMAZON", "Amazon"), ("NONE", "None")]


class AmazonInboundPlan(models.Model):
    _name = "amazon.inbound.plan"
    _description = "Amazon Inbound Plan"
    _check_company_auto = True
    _order = "id desc"

    name = fields.Char(
        required=True, readonly=True, help="The plan's name in Seller Central (the transfer's)."
    )
    picking_id = fields.Many2one(
        "stock.picking",
        "Transfer",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, help="The transfer's company."
    )
    account_id = fields.Many2one(
        "amazon.account",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    marketplace_id = fields.Many2one(
        "amazon.marketplace",
        "Destination Marketplace",
        required=True,
        readonly=True,
        ondelete="restrict",
    )
    state = fields.Selection(
        PLAN_STATES, required=True, default="queued", readonly=True, index=True
    )
    label_owner = fields.Selection(OWNER_SELECTION, required=True, readonly=True)
    prep_owner = fields.Selection(OWNER_SELECTION, required=True, readonly=True)
    item_ids = fields.One2many("amazon.inbound.plan.item", "plan_id", "Items", readonly=True)
    inbound_plan_ref = fields.Char(
        "Inbound Plan ID", readonly=True, copy=False, index="btree_not_null"
    )
    operation_ref = fields.Char(
        "Operation ID",
        readonly=True,
        copy=False,
        help="Amazon's id of the asynchronous creation of the plan.",
    )
    seller_central_url = fields.Char(
        "Seller Central",
        compute="_compute_seller_central_url",
        help="Send to Amazon in Seller Central, opened on this inbound plan: choose the boxes, "
        "placement and transport there.",
    )
    request_body = fields.Text(
        "Request", readonly=True, help="The createInboundPlan request (JSON), checked when queued."
    )
    attempt_count = fields.Integer(
        "Attempts", readonly=True, help="Calls to Amazon that failed for a transient reason."
    )
    poll_count = fields.Integer(
        "Polls", readonly=True, help="Times Amazon answered that it was still creating the plan."
    )
    next_attempt = fields.Datetime(readonly=True, index=True, default=fields.Datetime.now)
    last_attempt = fields.Datetime(readonly=True)
    date_sent = fields.Datetime("Sent On", readonly=True)
    date_done = fields.Datetime("Created On", readonly=True)
    message = fields.Text(readonly=True, help="Where the plan stands, and what to do.")
    problems = fields.Text(
        "Amazon's Problems",
        readonly=True,
        help="The problems Amazon reported on the operation (code, severity, message, details), "
        "each with what to do.",
    )

    @api.depends("inbound_plan_ref", "marketplace_id.code", "state")
    def _compute_seller_central_url(self):
        for plan in self:
            if plan.state == "created" and plan.inbound_plan_ref:
                plan.seller_central_url = fulfillment_inbound.send_to_amazon_url(
                    plan.marketplace_id.code, plan.inbound_plan_ref
                )
            else:
                plan.seller_central_url = False

    @api.constrains("account_id", "company_id")
    def _check_account_company(self):
        for plan in self:
            if plan.account_id.company_id != plan.company_id:
                raise ValidationError(
                    self.env._(
                        "Amazon account %(account)s belongs to %(account_company)s, not to "
                        "%(company)s, the company of transfer %(picking)s.",
                        account=plan.account_id.name,
                        account_company=plan.account_id.company_id.name,
                        company=plan.company_id.name,
                        picking=plan.picking_id.name,
                    )
                )

    def action_open_picking(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": self.picking_id.id,
            "view_mode": "form",
        }

    # -- the scheduled action -----------------------------------------------------------------

    @api.model
    def _cron_amazon_inbound_plans(self, limit=BATCH_SIZE):
        """Scheduled action: send the queued plans and poll those Amazon is creating, one
        commit per plan; come back (``ir.cron._trigger``) when the next one is due."""
        Account = self.env["amazon.account"]
        budget = Account._amazon_job_budget()
        deadline = Account._amazon_job_deadline(budget)
        due = [
            ("state", "in", ("queued", "creating")),
            ("next_attempt", "<=", fields.Datetime.now()),
        ]
        plans = self.search(due, order="next_attempt, id", limit=limit)
        adapters, held = {}, {}
        done = 0
        try:
            for plan in plans:
                if time.monotonic() > deadline:
                    break  # the cron worker calls again for the rest
                if not plan._amazon_lock():
                    continue  # handled by another worker meanwhile
                plan = plan.with_company(plan.company_id)
                if plan.account_id in held:
                    # Amazon just asked to wait for this account: the plan waits too.
                    plan.next_attempt = held[plan.account_id]
                else:
                    hold = plan._amazon_advance_guarded(adapters, deadline, budget)
                    if hold:
                        held[plan.account_id] = hold
                done += 1
                Account._amazon_commit()
        finally:
            for adapter in adapters.values():
                adapter.close()
        remaining = self.search_count(due)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if not remaining:
            self._amazon_trigger_next()
        return done

    @api.model
    def _amazon_trigger_next(self):
        """Ask the scheduled action to come back when the next pending plan is due."""
        pending = self.search(
            [("state", "in", ("queued", "creating"))], order="next_attempt", limit=1
        )
        if pending:
            delay = (pending.next_attempt - fields.Datetime.now()).total_seconds()
            self.env["amazon.account"]._amazon_trigger_job(CRON_XMLID, delay=max(0, delay))

    def _amazon_lock(self):
        """Lock the row of a plan still to send or poll; False when another transaction holds it
        or it moved on."""
        return lock_row_in_state(self, "state", ("queued", "creating"))

    def _amazon_advance_guarded(self, adapters, deadline, budget):
        """:meth:`_amazon_advance` in a savepoint: an unexpected error is recorded on the plan
        (failed), and the other plans still go out."""
        try:
            with self.env.cr.savepoint():
                return self._amazon_advance(adapters, deadline, budget)
        except Exception as error:  # recorded on the plan; the others still go out
            _logger.exception("Amazon inbound plan %s failed", self.id)
            self.invalidate_recordset()
            self._amazon_fail(
                self.env._(
                    "Unexpected error while sending this inbound plan (%(error)s): report it to "
                    "your Odoo administrator, then send the transfer again.",
                    error=self.account_id._hide_secrets(str(error)),
                )
            )
            return None

    def _amazon_advance(self, adapters, deadline, budget):
        """Send this queued plan, or poll its operation; returns the moment the account's calls
        should wait until (Amazon throttled or unreachable), or None."""
        self.ensure_one()
        account = self.account_id
        Account = self.env["amazon.account"]
        try:
            if account not in adapters:
                adapters[account] = account._get_sp_api_adapter(
                    deadline=deadline,
                    timeout=Account._amazon_request_timeout(budget),
                    max_wait=MAX_RATE_LIMIT_WAIT,
                    label=account.name,
                )
            adapter = adapters[account]
            if self.state == "queued":
                self._amazon_create(adapter)
            if self.state == "creating" and self.next_attempt <= fields.Datetime.now():
                self._amazon_poll(adapter)
        except AmazonBudgetExhausted as error:
            # Amazon's quota (or this run's time) says stop: no attempt is counted.
            self.next_attempt = fields.Datetime.now() + timedelta(
                seconds=max(1, int(error.retry_in or 0) + 1)
            )
            return self.next_attempt
        except (AmazonRetryableError, AmazonAuthError, UserError) as error:
            # Throttled, 5xx, unreachable, credentials refused or missing: nothing is wrong
            # with the plan; it goes out (or is polled) again later.
            return self._amazon_retry_later(account._hide_secrets(str(error)))
        except AmazonPermanentError as error:
            answer = account._hide_secrets(str(error))
            self._amazon_fail(
                self.env._(
                    "Amazon refused the inbound plan: %(answer)s What to do: %(hint)s",
                    answer=answer,
                    hint=fulfillment_inbound.problem_hint(
                        fulfillment_inbound.Problem("", answer, "ERROR")
                    ),
                )
            )
        except AmazonError as error:
            self._amazon_fail(account._hide_secrets(str(error)))
        return None

    def _amazon_create(self, adapter):
        body = json.loads(self.request_body)
        plan_ref, operation_ref = adapter.create_inbound_plan(body)
        now = fields.Datetime.now()
        self.write(
            {
                "state": "creating",
                "inbound_plan_ref": plan_ref,
                "operation_ref": operation_ref,
                "date_sent": now,
                "last_attempt": now,
                "next_attempt": now,
                "message": self.env._(
                    "Amazon accepted inbound plan %(plan)s and is creating it.", plan=plan_ref
                ),
            }
        )

    def _amazon_poll(self, adapter):
        status = adapter.get_inbound_operation_status(self.operation_ref)
        now = fields.Datetime.now()
        self.last_attempt = now
        if status.status == fulfillment_inbound.STATUS_IN_PROGRESS:
            if self.date_sent and now - self.date_sent > fulfillment_inbound.OPERATION_TIMEOUT:
                self._amazon_fail(
                    self.env._(
                        "Amazon has been creating inbound plan %(plan)s for more than a day. "
                        "Look for it in Seller Central (Send to Amazon); send the transfer "
                        "again if it is not there.",
                        plan=self.inbound_plan_ref,
                    )
                )
                return
            polls = self.poll_count + 1
            self.write(
                {
                    "poll_count": polls,
                    "next_attempt": now + timedelta(seconds=fulfillment_inbound.poll_delay(polls)),
                }
            )
            return
        problems = self._amazon_format_problems(status.problems)
        if status.status == fulfillment_inbound.STATUS_SUCCESS:
            self.write(
                {
                    "state": "created",
                    "date_done": now,
                    "next_attempt": False,
                    "problems": problems or False,
                    "message": self.env._(
                        "Amazon created inbound plan %(plan)s with the transfer's lots and "
                        "expiration dates. Continue in Seller Central (Send to Amazon): pack the "
                        "boxes, confirm the placement and the transport, print the labels.",
                        plan=self.inbound_plan_ref,
                    ),
                }
            )
            self.picking_id.message_post(
                body=self.env._(
                    "Amazon created inbound plan %(plan)s (%(items)s items). Continue it in "
                    "Seller Central: %(url)s",
                    plan=self.inbound_plan_ref,
                    items=len(self.item_ids),
                    url=self.seller_central_url,
                )
            )
            return
        self._amazon_fail(
            self.env._(
                "Amazon could not create inbound plan %(plan)s: see its problems below, fix "
                "them, then press Send to Amazon on the transfer again.",
                plan=self.inbound_plan_ref,
            ),
            problems=problems
            or self.env._("Amazon reported the operation as failed without a problem."),
        )

    def _amazon_format_problems(self, problems):
        lines = []
        for problem in problems:
            line = f"[{problem.severity}] {problem.code}: {problem.message}"
            if problem.details:
                line += f" ({problem.details})"
            if problem.is_error:
                line += " " + self.env._(
                    "What to do: %(hint)s", hint=fulfillment_inbound.problem_hint(problem)
                )
            lines.append(line)
        return "\n".join(lines)

    def _amazon_retry_later(self, message):
        attempts = self.attempt_count + 1
        now = fields.Datetime.now()
        self.write(
            {
                "attempt_count": attempts,
                "last_attempt": now,
                "next_attempt": now + fulfillment_inbound.retry_delay(attempts),
                "message": self.env._(
                    "%(error)s Tried %(count)s time(s); next attempt by itself.",
                    error=message,
                    count=attempts,
                ),
            }
        )
        return self.next_attempt

    def _amazon_fail(self, message, problems=False):
        self.write(
            {
                "state": "failed",
                "next_attempt": False,
                "message": message,
                "problems": problems,
            }
        )
        lines = [message] + (problems.splitlines() if problems else [])
        self.picking_id.message_post(body=Markup("<br/>").join(lines))


class AmazonInboundPlanItem(models.Model):
    _name = "amazon.inbound.plan.item"
    _description = "Amazon Inbound Plan Item"
    _order = "plan_id, id"

    plan_id = fields.Many2one(
        "amazon.inbound.plan", required=True, index=True, ondelete="cascade", readonly=True
    )
    product_id = fields.Many2one("product.product", required=True, readonly=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", readonly=True)
    msku = fields.Char("SKU", required=True, readonly=True, help="The offer's seller SKU sent.")
    lot_code = fields.Char(
        "Manufacturing Lot Code", readonly=True, help="The lot name sent to Amazon."
    )
    expiration = fields.Date(readonly=True, help="The lot's expiration date sent to Amazon.")
    quantity = fields.Integer(readonly=True, help="Units of the SKU sent.")
    product_qty = fields.Float(
        "Product Quantity",
        digits="Product Unit of Measure",
        readonly=True,
        help="The transfer's quantity of the product (a multipack SKU counts packs).",
    )
