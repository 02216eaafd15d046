"""Return from the Amazon customer: what an FBA order shipped comes back to its stock pool."""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError


class SaleOrderAmazonReturn(models.TransientModel):
    _name = "sale.order.amazon.return"
    _description = "Return from Amazon Customer"
    _check_company_auto = True

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True)
    company_id = fields.Many2one(related="sale_order_id.company_id")
    sync_error_id = fields.Many2one(
        "amazon.sync.error",
        readonly=True,
        help="The sync error of the cancellation this return answers: resolved once the whole "
        "order is back.",
    )
    location_id = fields.Many2one(
        "stock.location",
        "Return To",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where the returned units go. Empty: back to the stock pool each line left from "
        "(Amazon keeps customer returns, sellable or not, in its fulfilment centres).",
    )
    line_ids = fields.One2many("sale.order.amazon.return.line", "wizard_id", "Lines")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["sale.order"].browse(values.get("sale_order_id"))
        if order and "line_ids" in fields_list:
            values["line_ids"] = [
                Command.create({"sale_line_id": line.id, "quantity": line.qty_delivered})
                for line in order.order_line
                if line.product_id.type == "consu" and line.qty_delivered > 0
            ]
        return values

    def action_apply(self):
        """Book the return: the same lots back to the pool, delivered quantities go down."""
        self.ensure_one()
        order = self.sale_order_id
        lines_qty = {}
        for line in self.line_ids.filtered("quantity"):
            lines_qty[line.sale_line_id] = lines_qty.get(line.sale_line_id, 0.0) + line.quantity
        if not lines_qty:
            raise UserError(self.env._("Enter the quantity the customer returned."))
        order._amazon_return_from_customer(lines_qty, destination=self.location_id or None)
        error = self.sync_error_id
        if error.state == "open" and order._amazon_fully_returned():
            error.action_retry()  # the cancellation can now be applied
        elif order._amazon_fully_returned():
            # Returned from the order: the next run applies a pending cancellation.
            self.env["amazon.sync.error"]._amazon_retry_soon(
                [
                    ("account_id", "=", order.amazon_account_id.id),
                    ("amazon_order_ref", "=", order.amazon_order_ref),
                ]
            )
        return {"type": "ir.actions.act_window_close"}


class SaleOrderAmazonReturnLine(models.TransientModel):
    _name = "sale.order.amazon.return.line"
    _description = "Line Returned from an Amazon Customer"

    wizard_id = fields.Many2one("sale.order.amazon.return", required=True, ondelete="cascade")
    sale_line_id = fields.Many2one(
        "sale.order.line",
        "Order Line",
        required=True,
        domain="[('order_id', '=', parent.sale_order_id), ('qty_delivered', '>', 0)]",
    )
    product_id = fields.Many2one(related="sale_line_id.product_id")
    qty_delivered = fields.Float(related="sale_line_id.qty_delivered", string="Delivered")
    product_uom = fields.Many2one(related="sale_line_id.product_uom")
    quantity = fields.Float(
        "Quantity Returned",
        digits="Product Unit of Measure",
        help="In the order line's unit (kits for a kit line: its tracked units come back with "
        "the lots they left with).",
    )

    @api.constrains("quantity")
    def _check_quantity(self):
        if any(line.quantity < 0 for line in self):
            raise ValidationError(self.env._("A returned quantity cannot be negative."))
