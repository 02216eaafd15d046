"""An order Amazon cancelled after shipping it: its sync error offers the customer return."""

from odoo import fields, models
from odoo.exceptions import UserError


class AmazonSyncError(models.Model):
    _inherit = "amazon.sync.error"

    kind = fields.Selection(
        selection_add=[("shipped_cancel", "Cancelled after shipping")],
        ondelete={"shipped_cancel": "set default"},
    )

    def action_return_from_customer(self):
        """ "Return from Amazon customer" button: the return wizard of the booked order."""
        self.ensure_one()
        self.check_access("write")  # Amazon managers only, as the return it opens
        order = self.sale_order_id or self.env["sale.order"].search(
            [
                ("amazon_account_id", "=", self.account_id.id),
                ("amazon_order_ref", "=", self.amazon_order_ref),
            ],
            limit=1,
        )
        if not order:
            raise UserError(
                self.env._(
                    "Amazon order %(ref)s is not booked in Odoo: there is nothing to return.",
                    ref=self.amazon_order_ref,
                )
            )
        action = order.action_amazon_return()
        action["context"] = dict(action["context"], default_sync_error_id=self.id)
        return action
