"""Recall view of a lot: its attributed and possible FBA orders, exportable to a spreadsheet."""

import base64
import io
import re
from urllib.parse import quote

import xlsxwriter

from odoo import Command, fields, models
from odoo.exceptions import UserError

# Excel refuses these in a sheet name, and names longer than 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
# A downloaded file name keeps letters, digits, dots and dashes of the lot name.
FILE_NAME_FORBIDDEN = re.compile(r"[^\w.-]+")
BUYER_GROUP = "amazon_fba_kit.amazon_fba_kit_group_manager"


def sheet_name(name):
    """``name`` as a valid worksheet name (Excel's rules), never empty."""
    name = SHEET_NAME_FORBIDDEN.sub("_", name or "").strip("'")[:SHEET_NAME_MAX].strip("'")
    if not name or name.casefold() == "history":  # Excel reserves "History"
        name = f"Lot {name}".strip()
    return name


def file_name(name):
    """``amazon-recall-<lot>.xlsx`` with the lot name made safe for any file system."""
    safe = FILE_NAME_FORBIDDEN.sub("_", name or "").strip("._")[:100] or "lot"
    return f"amazon-recall-{safe}.xlsx"


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
        with_buyers = self._amazon_may_see_buyers()
        for order in orders["attributed"] | orders["possible"]:
            attributed = order in orders["attributed"]
            shipping = order.partner_shipping_id
            known_buyer = (
                with_buyers and shipping != order.partner_id and not shipping.amazon_anonymized_date
            )
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
                "export_filename": file_name(self.lot_id.name),
            }
        )
        self._amazon_log_export()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/export_file/"
            f"{quote(self.export_filename)}?download=true",
            "target": "download",
        }

    def _amazon_may_see_buyers(self):
        """Buyer names and addresses are personal data: Amazon managers only."""
        return self.env.user.has_group(BUYER_GROUP)

    def _amazon_log_export(self):
        """Note on the lot who exported its recall list, when, and how many rows."""
        self.ensure_one()
        body = self.env._(
            "Amazon recall list exported by %(user)s on %(date)s UTC: %(rows)s orders, %(buyers)s.",
            user=self.env.user.name,
            date=fields.Datetime.to_string(fields.Datetime.now()),
            rows=len(self.line_ids),
            buyers=self.env._("with buyer names and addresses")
            if self._amazon_may_see_buyers()
            else self.env._("without buyer data"),
        )
        # sudo: the note is an audit trail, written whatever the user's rights on lots.
        self.lot_id.sudo().message_post(
            body=body,
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _export_columns(self):
        columns = [
            ("kind", self.env._("Set")),
            ("order_ref", self.env._("Order")),
            ("amazon_order_ref", self.env._("Amazon Order")),
            ("date", self.env._("Date (UTC)")),
            ("marketplace", self.env._("Marketplace")),
            ("quantity", self.env._("Quantity")),
            ("provenance", self.env._("Provenance")),
        ]
        if self._amazon_may_see_buyers():
            columns += [
                ("buyer_name", self.env._("Buyer")),
                ("buyer_address", self.env._("Address")),
            ]
        return columns

    def _export_rows(self):
        self.ensure_one()
        return [line._export_row() for line in self.line_ids.sorted(lambda r: not r.attributed)]

    def _export_xlsx(self):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(sheet_name(self.lot_id.name))
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
    buyer_name = fields.Char(readonly=True, groups=BUYER_GROUP)
    buyer_address = fields.Char(readonly=True, groups=BUYER_GROUP)

    def _export_row(self):
        self.ensure_one()
        row = {
            "kind": self.env._("Attributed") if self.attributed else self.env._("Possible"),
            "order_ref": self.sale_order_id.name,
            "amazon_order_ref": self.amazon_order_ref or "",
            "date": fields.Datetime.to_string(self.date_order) or "",
            "marketplace": self.marketplace_id.name or "",
            "quantity": self.quantity,
            "provenance": self.provenance or "",
        }
        if self.recall_id._amazon_may_see_buyers():
            row["buyer_name"] = self.buyer_name or ""
            row["buyer_address"] = (self.buyer_address or "").replace("\n", ", ")
        return row
