import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..spapi.ratelimit import capped_backoff

ERROR_KINDS = [
    ("malformed", "Malformed order"),
    ("unknown_sku", "Unknown SKU"),
    ("missing_kit", "Missing FBA kit"),
    ("ambiguous_kit", "Ambiguous FBA kit"),
    ("fractional_kit", "Not a whole number of kits"),
    ("refused", "Refused by Odoo"),
    ("unexpected", "Unexpected error"),
]
# Errors that no later answer of Amazon fixes: a person handles them (an order cancelled after
# shipping: return it), and runs retry them only once that person made them due again.
MANUAL_KINDS = ("shipped_cancel",)
RETRY_BACKOFF_FIRST = timedelta(minutes=15)  # wait before the 2nd attempt, doubled each time
RETRY_BACKOFF_MAX = timedelta(hours=24)


class AmazonSyncError(models.Model):
    _name = "amazon.sync.error"
    _description = "Amazon Sync Error"
    _check_company_auto = True
    _order = "state, write_date desc, id desc"
    _rec_name = "amazon_order_ref"

    account_id = fields.Many2one(
        "amazon.account", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    amazon_order_ref = fields.Char("Amazon Order", required=True, index=True)
    kind = fields.Selection(ERROR_KINDS, required=True, default="unexpected")
    message = fields.Text(required=True, help="What went wrong, and what to do about it.")
    # Buyer personal data: Amazon managers only; anonymised after the account's retention days
    # (amazon_account_privacy.py).
    payload = fields.Text(
        groups="amazon_fba_kit.amazon_fba_kit_group_manager",
        help="The order exactly as Amazon sent it (JSON). Retries book from it, so nothing is "
        "lost even when Amazon does not send the order again. Its buyer and recipient parts are "
        "removed once the account's buyer data retention is over.",
    )
    payload_anonymized = fields.Boolean(
        "Buyer Data Removed",
        readonly=True,
        copy=False,
        help="The payload's buyer and recipient parts were removed at the end of the account's "
        "buyer data retention (country, state and postal code are kept).",
    )
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved")], default="open", required=True, index=True
    )
    attempt_count = fields.Integer(default=1, help="How many times booking this order failed.")
    last_attempt = fields.Datetime(default=fields.Datetime.now)
    next_attempt = fields.Datetime(
        index=True,
        help="When the order sync retries this order by itself: 15 minutes after the first "
        "failure, then twice as long after each further one (at most a day). Errors Amazon "
        "cannot fix (an order cancelled after shipping) are never retried by themselves. "
        "'Retry' retries at once.",
    )
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="The product to fix (for example the lot/serial tracked product without FBA kit).",
    )
    offer_id = fields.Many2one("amazon.offer", check_company=True, ondelete="set null")
    sale_order_id = fields.Many2one(
        "sale.order", readonly=True, help="The sale order the order was booked as, once resolved."
    )

    _sql_constraints = (
        (
            "order_uniq",
            "unique(account_id, amazon_order_ref)",
            "An Amazon order has one sync error record per account.",
        ),
    )

    def _raw_order(self):
        self.ensure_one()
        try:
            return json.loads(self.payload or "")
        except ValueError:
            return None

    @api.model
    def _amazon_backoff(self, attempts):
        """How long to wait after the ``attempts``-th failure before retrying by itself."""
        return capped_backoff(attempts, RETRY_BACKOFF_FIRST, RETRY_BACKOFF_MAX)

    @api.model
    def _amazon_due_domain(self, account):
        """Open errors of ``account`` that its next run retries by itself."""
        now = fields.Datetime.now()
        return [
            ("account_id", "=", account.id),
            ("state", "=", "open"),
            "|",
            "&",
            ("next_attempt", "=", False),
            ("kind", "not in", MANUAL_KINDS),
            ("next_attempt", "<=", now),
        ]

    @api.model
    def _amazon_retry_soon(self, domain):
        """Make the open errors of ``domain`` due now: what blocked them may be fixed."""
        # sudo: the person fixing the cause (a product, an offer, a return) may not manage
        # Amazon errors; only the retry time changes.
        self.sudo().search([*domain, ("state", "=", "open")]).next_attempt = fields.Datetime.now()

    def action_retry(self):
        """Book the selected orders again from their stored payload, now.

        The same guarded path as the order sync: Amazon managers only, under the account's
        lock (refused while a sync of the account runs), in the account's company, booked as
        the scheduled action books (superuser: partners, pricelists, stock moves).
        """
        for account, errors in (
            self.filtered(lambda e: e.state == "open").grouped("account_id").items()
        ):
            account.check_access("write")  # Amazon managers only
            account = account.sudo().with_company(account.company_id)
            account._amazon_lock_or_refuse()
            account._amazon_retry_errors(errors.sudo())
        return True

    def action_create_fba_kit(self):
        """Create the FBA kit of the tracked product that blocked the order, then retry."""
        self.ensure_one()
        if not self.product_id:
            raise UserError(self.env._("This error names no product to create an FBA kit for."))
        self.product_id._create_amazon_fba_kit()
        self.action_retry()
        return self.product_id.action_create_amazon_fba_kit()

    def action_open_offer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "amazon.offer",
            "res_id": self.offer_id.id,
            "view_mode": "form",
        }
