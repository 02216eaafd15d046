import json

from odoo import fields, models
from odoo.exceptions import UserError

ERROR_KINDS = [
    ("malformed", "Malformed order"),
    ("unknown_sku", "Unknown SKU"),
    ("missing_kit", "Missing FBA kit"),
    ("ambiguous_kit", "Ambiguous FBA kit"),
    ("fractional_kit", "Not a whole number of kits"),
    ("refused", "Refused by Odoo"),
    ("unexpected", "Unexpected error"),
]


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

    def action_retry(self):
        """Book the selected orders again from their stored payload, now."""
        for account, errors in (
            self.filtered(lambda e: e.state == "open").grouped("account_id").items()
        ):
            account._amazon_retry_errors(errors)
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
