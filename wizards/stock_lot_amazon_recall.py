"""Recall view of a lot: its attributed and possible FBA orders, exportable to a spreadsheet."""

import base64
import io

import xlsxwriter

from odoo import Command, fields, models
from odoo.exceptions import UserError


class StockLotAmazonRecall(models.TransientModel):
    _name = "stock.lot.amazon.recall"
    _description = "Amazon Recall of a Lot"
    _check_company_auto = True

    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", required=True, check_company=True)
    company_id = fields.Many2one(related="lot_id.company_id")
    product_id = fields.Many2one(related="lot_id.product_id")
    line_ids = fields.One2many("stock.lot.amazon.recall.line", "recall_id", "Orders")
    attributed_count = fields.Integer(compute="_compute_counts")
    possible_count = fields.Integer(compute="_compute_counts")
    export_file = fields.Binary(readonly=True, attachment=False)
    export_filename = fields.Char(readonly=True)

    def _compute_counts(self):
        for recall in self:
            recall.attributed_count = len(recall.line_ids.filtered(lambda r: r.attributed))
            recall.possible_count = len(recall.line_ids)

    def _get_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Amazon Recall"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_find_orders(self):
        """Fill the list: every possible order, those the lot is attributed to first."""
        self.ensure_one()
        lot = self.lot_id
        orders = lot._amazon_recall_orders()
        attributed_qty = lot._amazon_attributed_qty()
        provenance = lot._amazon_provenance()
        commands = [Command.clear()]
        for order in orders["attributed"] | orders["possible"]:
            attributed = order in orders["attributed"]
            shipping = order.partner_shipping_id
            known_buyer = shipping != order.partner_id
            commands.append(
                Command.create(
                    {
                        "sale_order_id": order.id,
                        "attributed": attributed,
                        "quantity": attributed_qty[order.id]
                        if attributed
                        else lot._amazon_product_qty(order),
                        "provenance": provenance.get(order.id)
                        or self.env._("Possible (not attributed)"),
                        "buyer_name": shipping.name if known_buyer else False,
                        "buyer_address": shipping._display_address(without_company=True)
                        if known_buyer
                        else False,
                    }
                )
            )
        self.write({"line_ids": commands, "export_file": False, "export_filename": False})
        return self._get_action()

    def action_export(self):
        """Download both sets as an .xlsx a recall notice can be built from."""
        self.ensure_one()
        if not self.line_ids:
            self.action_find_orders()
        if not self.line_ids:
            raise UserError(
                self.env._("No Amazon order received lot %(lot)s.", lot=self.lot_id.name)
            )
        self.write(
            {
                "export_file": base64.b64encode(self._export_xlsx()),
                "export_filename": f"amazon-recall-{self.lot_id.name}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/export_file/"
            f"{self.export_filename}?download=true",
            "target": "download",
        }

    def _export_columns(self):
        return [
            ("kind", self.env._("Set")),
            ("order_ref", self.env._("Order")),
            ("amazon_order_ref", self.env._("Amazon Order")),
            ("date", self.env._("Date (UTC)")),
            ("marketplace", self.env._("Marketplace")),
            ("quantity", self.env._("Quantity")),
            ("provenance", self.env._("Provenance")),
            ("buyer_name", self.env._("Buyer")),
            ("buyer_address", self.env._("Address")),
        ]

    def _export_rows(self):
        self.ensure_one()
        return [line._export_row() for line in self.line_ids.sorted(lambda r: not r.attributed)]

    def _export_xlsx(self):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(self.lot_id.name[:31])
        bold = workbook.add_format({"bold": True})
        sheet.write(0, 0, self.env._("Lot"), bold)
        sheet.write(0, 1, self.lot_id.name)
        sheet.write(0, 2, self.product_id.display_name)
        columns = self._export_columns()
        for col, (_key, label) in enumerate(columns):
            sheet.write(2, col, label, bold)
        for row, values in enumerate(self._export_rows(), start=3):
            for col, (key, _label) in enumerate(columns):
                sheet.write(row, col, values[key])
        workbook.close()
        return buffer.getvalue()


class StockLotAmazonRecallLine(models.TransientModel):
    _name = "stock.lot.amazon.recall.line"
    _description = "Amazon Recall Order"
    _order = "attributed desc, date_order, id"

    recall_id = fields.Many2one("stock.lot.amazon.recall", required=True, ondelete="cascade")
    sale_order_id = fields.Many2one("sale.order", "Order", required=True, readonly=True)
    attributed = fields.Boolean(
        readonly=True, help="The lot is booked to this order; else the order possibly got it."
    )
    amazon_order_ref = fields.Char(related="sale_order_id.amazon_order_ref")
    date_order = fields.Datetime(related="sale_order_id.date_order")
    marketplace_id = fields.Many2one(related="sale_order_id.amazon_marketplace_id")
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    provenance = fields.Char(readonly=True)
    buyer_name = fields.Char(readonly=True)
    buyer_address = fields.Char(readonly=True)

    def _export_row(self):
        self.ensure_one()
        return {
            "kind": self.env._("Attributed") if self.attributed else self.env._("Possible"),
            "order_ref": self.sale_order_id.name,
            "amazon_order_ref": self.amazon_order_ref or "",
            "date": fields.Datetime.to_string(self.date_order) or "",
            "marketplace": self.marketplace_id.name or "",
            "quantity": self.quantity,
            "provenance": self.provenance or "",
            "buyer_name": self.buyer_name or "",
            "buyer_address": (self.buyer_address or "").replace("\n", ", "),
        }
