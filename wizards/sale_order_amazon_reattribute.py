"""Manual correction of the lots booked to an FBA order: the stock follows, provenance manual."""

from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError


class SaleOrderAmazonReattribute(models.TransientModel):
    _name = "sale.order.amazon.reattribute"
    _description = "Correct the Lots of an FBA Order"
    _check_company_auto = True

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True)
    company_id = fields.Many2one(related="sale_order_id.company_id")
    line_ids = fields.One2many("sale.order.amazon.reattribute.line", "wizard_id", "Lots")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["sale.order"].browse(values.get("sale_order_id"))
        if order and "line_ids" in fields_list:
            values["line_ids"] = [
                Command.create(
                    {
                        "sale_line_id": sale_line.id,
                        "product_id": sale_line.amazon_tracked_product_id.id,
                        "lot_id": lot.id,
                        "quantity": qty,
                    }
                )
                for sale_line in order.order_line.filtered("amazon_tracked_product_id")
                for lot, qty in sale_line._amazon_net_lots().items()
            ]
        return values

    def action_apply(self):
        """Book the difference: lots taken back return to the Amazon location, lots added go out
        of it, both done with provenance ``manual``; the unattributed rest follows."""
        self.ensure_one()
        order = self.sale_order_id
        wanted = defaultdict(lambda: defaultdict(float))
        for line in self.line_ids:
            if line.sale_line_id.order_id != order:
                raise UserError(self.env._("Choose a line of %(order)s.", order=order.name))
            wanted[line.sale_line_id][line.lot_id] += line.quantity
        changed = []
        for sale_line in order.order_line.filtered("amazon_tracked_product_id"):
            if sale_line._amazon_reattribute(wanted[sale_line]):
                changed.append(sale_line.amazon_tracked_product_id.display_name)
        if changed:
            order.message_post(
                body=self.env._(
                    "Lots of %(products)s corrected by %(user)s.",
                    products=", ".join(changed),
                    user=self.env.user.name,
                )
            )
        return {"type": "ir.actions.act_window_close"}


class SaleOrderAmazonReattributeLine(models.TransientModel):
    _name = "sale.order.amazon.reattribute.line"
    _description = "Corrected Lot of an FBA Order"

    wizard_id = fields.Many2one("sale.order.amazon.reattribute", required=True, ondelete="cascade")
    sale_line_id = fields.Many2one(
        "sale.order.line",
        "Order Line",
        required=True,
        domain="[('order_id', '=', parent.sale_order_id), "
        "('amazon_tracked_product_id', '!=', False)]",
    )
    product_id = fields.Many2one(
        "product.product", compute="_compute_product_id", store=True, readonly=True
    )
    lot_id = fields.Many2one(
        "stock.lot",
        "Lot/Serial Number",
        required=True,
        domain="[('product_id', '=', product_id)]",
    )
    quantity = fields.Float(required=True, default=1.0, digits="Product Unit of Measure")

    @api.depends("sale_line_id")
    def _compute_product_id(self):
        for line in self:
            line.product_id = line.sale_line_id.amazon_tracked_product_id

    @api.constrains("quantity")
    def _check_quantity(self):
        if any(line.quantity <= 0 for line in self):
            raise ValidationError(self.env._("A corrected lot needs a positive quantity."))
