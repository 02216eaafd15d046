"""The order sync's part of FBM shipment confirmation: remember Amazon's status of FBM orders."""

from odoo import models

from ..spapi import const


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    def _amazon_prepare_order_vals(self, order, line_vals, run, partners=None):
        vals = super()._amazon_prepare_order_vals(order, line_vals, run, partners=partners)
        if order.fulfilled_by == const.FULFILLED_BY_MERCHANT:
            vals["amazon_fulfillment_status"] = order.status
        return vals

    def _amazon_apply_order(self, raw, sale_order, run):
        outcome, booked = super()._amazon_apply_order(raw, sale_order, run)
        if sale_order and booked and booked.amazon_fulfilled_by == "merchant":
            status = (raw.get("fulfillment") or {}).get("fulfillmentStatus")
            if status in const.FULFILLMENT_STATUSES and status != booked.amazon_fulfillment_status:
                # e.g. SHIPPED: confirmed in Seller Central, or by our own confirmations.
                booked.amazon_fulfillment_status = status
        return outcome, booked
