"""The recall export: any lot name, buyer columns for Amazon managers only, logged on the lot."""

import io
import zipfile
from urllib.parse import unquote

from odoo import Command
from odoo.tests import tagged

from ..wizards.stock_lot_amazon_recall import SHEET_NAME_MAX, file_name, sheet_name
from .common_lots import AmazonLotCase

HARD_NAMES = [
    "LOT/2026/001",
    "A:B",
    "[EU]-7",
    "star*lot?",
    "back\\slash",
    "'quoted'",
    "History",
    "L" * 40,
    "LOT-" + "/:[]*?\\" * 6,
    "Lötnummer ÄÖÜ 12",
]


@tagged("post_install", "-at_install")
class TestRecallExport(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "amazon_fba_kit.amazon_fba_kit_group_"
        cls.amazon_user = cls.env["res.users"].create(
            {
                "name": "Amazon User (recall)",
                "login": "amazon_user_recall",
                "groups_id": [
                    Command.set(
                        [cls.env.ref(groups + "user").id, cls.env.ref("stock.group_stock_user").id]
                    )
                ],
            }
        )
        cls.amazon_manager = cls.env["res.users"].create(
            {
                "name": "Amazon Manager (recall)",
                "login": "amazon_manager_recall",
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref(groups + "manager").id,
                            cls.env.ref("stock.group_stock_user").id,
                        ]
                    )
                ],
            }
        )

    def _sold_lot(self, name, ref):
        lot = self._lot(name)
        self._arrive(lot, 1, days_ago=2)  # sold out by the order: the next lot is next
        self.account.fba_lot_policy = "fifo"
        self.sim.set_orders([self._order(ref, [self._item("I1", "VITC-500", 1)], minutes_ago=5)])
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertFalse(run.failures)
        return lot

    def _export(self, lot, user):
        recall = self.env["stock.lot.amazon.recall"].with_user(user).create({"lot_id": lot.id})
        action = recall.action_export()
        with zipfile.ZipFile(io.BytesIO(recall._export_xlsx())) as xlsx:
            workbook = xlsx.read("xl/workbook.xml").decode()
            strings = xlsx.read("xl/sharedStrings.xml").decode()
        return recall, action, workbook, strings

    def test_sheet_and_file_names(self):
        for name in HARD_NAMES:
            sheet = sheet_name(name)
            self.assertTrue(0 < len(sheet) <= SHEET_NAME_MAX, name)
            self.assertFalse(set(sheet) & set("[]:*?/\\"), name)
            self.assertFalse(sheet.startswith("'") or sheet.endswith("'"), name)
            self.assertNotEqual(sheet.casefold(), "history")
            fname = file_name(name)
            self.assertRegex(fname, r"^amazon-recall-[\w.-]+\.xlsx$", name)
            self.assertNotIn("/", fname)

    def test_export_every_lot_name(self):
        """Each hard name exports: a valid workbook, a download URL that names the file."""
        for index, name in enumerate(HARD_NAMES):
            with self.subTest(name=name):
                lot = self._sold_lot(name, f"111-3000000-{index:07d}")
                recall, action, workbook, strings = self._export(lot, self.amazon_manager)
                self.assertEqual(action["type"], "ir.actions.act_url")
                self.assertIn(f'name="{sheet_name(name)}"'.replace("'", "&apos;"), workbook)
                url_name = unquote(action["url"].split("/export_file/")[1].split("?")[0])
                self.assertEqual(url_name, recall.export_filename)
                self.assertEqual(url_name, file_name(name))
                self.assertNotIn("/", url_name)
                self.assertIn(f"111-3000000-{index:07d}", strings)

    def test_buyer_columns_for_managers_only(self):
        lot = self._sold_lot("BUY-1", "111-3000001-0000001")
        _recall, _action, _workbook, strings = self._export(lot, self.amazon_manager)
        self.assertIn("Buyer of 111-3000001-0000001", strings)
        self.assertIn("Seattle", strings)
        recall, _action, _workbook, strings = self._export(lot, self.amazon_user)
        self.assertIn("111-3000001-0000001", strings)
        self.assertNotIn("Buyer of", strings)
        self.assertNotIn("Seattle", strings)
        self.assertNotIn("buyer_name", [key for key, _label in recall._export_columns()])
        fields = recall.get_views([(False, "form")])["models"]["stock.lot.amazon.recall.line"]
        self.assertNotIn("buyer_name", fields["fields"])
        self.assertFalse(recall.sudo().line_ids.buyer_name, "not even stored for a user")

    def test_export_logged_on_the_lot(self):
        lot = self._sold_lot("LOG-1", "111-3000002-0000001")
        before = lot.message_ids
        self._export(lot, self.amazon_user)
        self._export(lot, self.amazon_manager)
        notes = (lot.message_ids - before).sorted("id")
        self.assertEqual(len(notes), 2)
        self.assertEqual(
            notes.author_id, self.amazon_user.partner_id | self.amazon_manager.partner_id
        )
        self.assertIn("Amazon User (recall)", str(notes[0].body))
        self.assertIn("1 orders, without buyer data", str(notes[0].body))
        self.assertIn("with buyer names and addresses", str(notes[1].body))
        self.assertIn("UTC", str(notes[0].body))
        self.assertTrue(all(note.date for note in notes))
