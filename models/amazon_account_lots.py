"""Lot attribution of an Amazon account's FBA sales: the open (unattributed) quantities."""

import logging

from odoo import fields, models

from .stock_move import OPEN_STATES

_logger = logging.getLogger(__name__)


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    fba_unattributed_qty = fields.Float(
        "Unattributed Quantity",
        compute="_compute_fba_unattributed_qty",
        digits="Product Unit of Measure",
        help="Units of tracked products Amazon shipped for this account's FBA orders whose lot "
        "is not known yet (not enough tracked stock at the Amazon location when booked). Each "
        "order sync attributes what the stock there allows.",
    )

    def _compute_fba_unattributed_qty(self):
        for account in self:
            account.fba_unattributed_qty = sum(
                account._amazon_open_component_moves().mapped("product_qty")
            )

    def action_attribute_lots(self):
        """ "Attribute lots now" button: book the open quantities that stock now covers."""
        self.ensure_one()
        self.check_access("write")  # books stock moves: Amazon managers only
        done = self.with_company(self.company_id)._amazon_attribute_pending_lots()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Amazon lot attribution"),
                "message": self.env._(
                    "%(count)s open component move(s) attributed; %(qty)s unit(s) still "
                    "without lot.",
                    count=len(done),
                    qty=self.fba_unattributed_qty,
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_unattributed(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Unattributed FBA Quantities"),
            "res_model": "stock.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self._amazon_open_component_moves().ids)],
        }

    def _amazon_open_component_moves(self):
        self.ensure_one()
        return self.env["stock.move"].search(
            [
                ("amazon_sale_line_id.order_id.amazon_account_id", "=", self.id),
                ("state", "in", OPEN_STATES),
            ]
        )

    def _amazon_attribute_pending_lots(self):
        """Attribute what stock now allows to the open component moves of this account.

        Runs in a savepoint: a failure is logged and leaves the open quantities as they were;
        it never fails the order sync. Returns the moves done.
        """
        self.ensure_one()
        moves = self._amazon_open_component_moves()
        if not moves:
            return moves
        try:
            with self.env.cr.savepoint():
                return moves._amazon_attribute_lots()
        except Exception:  # a sale already happened: never block the sync for its lots
            _logger.exception("Amazon account %s: lot attribution failed", self.name)
            return self.env["stock.move"]
