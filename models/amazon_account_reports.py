"""The FBA inventory ledger of an Amazon account: the button that starts its import."""

from odoo import fields, models

from .amazon_report import CRON_XMLID


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    amazon_report_ids = fields.One2many("amazon.report", "account_id", "Amazon Reports")

    def action_import_amazon_ledger(self):
        """ "Import Amazon Ledger" button: run the reports job in the background, now."""
        self.check_access("write")
        self._amazon_trigger_job(CRON_XMLID)
        return self._notification(
            self.env._("Amazon ledger import started"),
            self.env._(
                "The FBA inventory ledger and customer returns are requested from Amazon and "
                "imported in the background: see Sales > Amazon > FBA Inventory Ledger."
            ),
            "info",
        )
