from odoo import fields, models

from ..spapi import const

AMAZON_STATUSES = [
    (const.FulfillmentStatus.PENDING_AVAILABILITY.value, "Pending availability"),
    (const.FulfillmentStatus.PENDING.value, "Pending"),
    (const.FulfillmentStatus.UNSHIPPED.value, "Unshipped"),
    (const.FulfillmentStatus.PARTIALLY_SHIPPED.value, "Partially shipped"),
    (const.FulfillmentStatus.SHIPPED.value, "Shipped"),
    (const.FulfillmentStatus.CANCELLED.value, "Cancelled"),
    (const.FulfillmentStatus.UNFULFILLABLE.value, "Unfulfillable"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_fulfillment_status = fields.Selection(
        AMAZON_STATUSES,
        "Amazon Status",
        readonly=True,
        copy=False,
        help="The status of this merchant-fulfilled (FBM) order on Amazon when the order sync "
        "last saw it. 'Shipped': Amazon already knows that every item shipped (for example "
        "confirmed in Seller Central), so deliveries validated from then on are not confirmed "
        "to Amazon again.",
    )
    amazon_shipment_confirmation_ids = fields.One2many(
        "amazon.shipment.confirmation",
        "sale_order_id",
        "Amazon Shipment Confirmations",
        readonly=True,
        groups="amazon_fba_kit.amazon_fba_kit_group_user",
    )
