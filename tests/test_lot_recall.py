import io
import zipfile

from odoo.tests import Form, tagged

from .common_lots import AmazonLotCase


@tagged("post_install", "-at_install")
class TestLotRecall(AmazonLotCase):
    def _book(self, orders):
        self.sim.set_orders(orders)
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertFalse(run.failures)

    def _scenario(self):
        """O0 (12 days ago, kit policy), lot A arrives 10 days ago, lot B 3 days ago, then
        O1 (5 days ago) and O2 (1 day ago) booked FIFO: O1 gets A, O2 gets B."""
        self.lot_a, self.lot_b = self._lot("REC-A"), self._lot("REC-B")
        self._book(
            [
                self._order(
                    "111-2000000-0000000",
                    [self._item("I1", "VITC-500", 1)],
                    created=self._days_ago(12),
                )
            ]
        )
        self._arrive(self.lot_a, 2, days_ago=10)
        self._arrive(self.lot_b, 5, days_ago=3)
        self.account.fba_lot_policy = "fifo"
        self._book(
            [
                self._order(
                    "111-2000000-0000001",
                    [self._item("I1", "VITC-500", 2)],
                    created=self._days_ago(5),
                ),
                self._order(
                    "111-2000000-0000002",
                    [self._item("I1", "VITC-500", 3)],
                    created=self._days_ago(1),
                ),
            ]
        )
        orders = [self._sale(f"111-2000000-000000{i}") for i in range(3)]
        # Confirming an order dates it when it is booked: book as if each sync ran that day.
        for order, days in zip(orders, (12, 5, 1), strict=True):
            order.date_order = self._days_ago(days)
        return orders

    def test_recall_sets(self):
        o0, o1, o2 = self._scenario()
        sets_a = self.lot_a._amazon_recall_orders()
        sets_b = self.lot_b._amazon_recall_orders()
        self.assertEqual(sets_a["attributed"], o1)
        self.assertEqual(sets_b["attributed"], o2)
        # A's last units left WH/Amazon with O1's booking (now): O2 possibly got it.
        self.assertEqual(sets_a["possible"], o1 | o2)
        self.assertEqual(sets_b["possible"], o2, "O1 was sold before B arrived")
        for sets in (sets_a, sets_b):
            self.assertLessEqual(sets["attributed"], sets["possible"])
            self.assertNotIn(o0, sets["possible"], "O0 was sold before any lot arrived")
        # Date A's sale out of WH/Amazon back to O1's date: A was gone before O2.
        o1.amazon_lot_line_ids.date = self._days_ago(4)
        self.assertEqual(self.lot_a._amazon_recall_orders()["possible"], o1)

    def test_recall_view_and_export(self):
        _o0, o1, o2 = self._scenario()
        action = self.lot_a.action_amazon_recall()
        recall = self.env["stock.lot.amazon.recall"].browse(action["res_id"])
        self.assertEqual(recall.attributed_count, 1)
        self.assertEqual(recall.possible_count, 2)
        booked = recall.line_ids.filtered("attributed")
        self.assertEqual(booked.sale_order_id, o1)
        self.assertEqual(booked.quantity, 2)
        self.assertEqual(booked.provenance, "Inferred (FIFO)")
        self.assertEqual(booked.buyer_name, "Buyer of 111-2000000-0000001")
        self.assertIn("Seattle", booked.buyer_address)
        possible = recall.line_ids - booked
        self.assertEqual(possible.sale_order_id, o2)
        self.assertEqual(possible.quantity, 3)
        rows = recall._export_rows()
        self.assertEqual(
            [(r["kind"], r["amazon_order_ref"], r["quantity"]) for r in rows],
            [("Attributed", "111-2000000-0000001", 2), ("Possible", "111-2000000-0000002", 3)],
        )
        self.assertEqual(rows[0]["marketplace"], self.us.name)
        download = recall.action_export()
        self.assertEqual(download["type"], "ir.actions.act_url")
        self.assertIn(f"/{recall.id}/export_file/", download["url"])
        with zipfile.ZipFile(io.BytesIO(recall._export_xlsx())) as xlsx:
            strings = xlsx.read("xl/sharedStrings.xml").decode()
        for text in ("REC-A", "111-2000000-0000001", "Inferred (FIFO)", "Possible"):
            self.assertIn(text, strings)

    def test_recall_from_menu_form(self):
        _o0, o1, _o2 = self._scenario()
        with Form(self.env["stock.lot.amazon.recall"]) as form:
            form.lot_id = self.lot_a
        recall = form.record
        recall.action_find_orders()
        self.assertEqual(recall.line_ids.filtered("attributed").sale_order_id, o1)

    def test_manual_correction(self):
        _o0, o1, _o2 = self._scenario()
        self.assertEqual(self._booked_lots(o1), {("REC-A", "fifo"): 2})
        at_b = self._at_amazon(self.lot_b)
        action = o1.action_amazon_reattribute()
        wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(len(wizard_form.line_ids), 1)
        with wizard_form.line_ids.edit(0) as line:
            self.assertEqual(line.quantity, 2)
            line.quantity = 1
        with wizard_form.line_ids.new() as line:
            line.sale_line_id = o1.order_line
            line.lot_id = self.lot_b
            line.quantity = 1
        wizard_form.save().action_apply()
        self.assertEqual(o1.order_line._amazon_net_lots(), {self.lot_a: 1, self.lot_b: 1})
        self.assertEqual(self._at_amazon(self.lot_a), 1, "lot A's unit came back")
        self.assertEqual(self._at_amazon(self.lot_b), at_b - 1, "lot B's unit went out")
        manual = o1.amazon_lot_line_ids.filtered(lambda ml: ml.amazon_lot_source == "manual")
        self.assertEqual(len(manual), 2)
        self.assertEqual(o1.amazon_unattributed_qty, 0)
        sets_b = self.lot_b._amazon_recall_orders()
        self.assertIn(o1, sets_b["attributed"])
        self.assertIn("Corrected by hand", self.lot_b._amazon_provenance()[o1.id])

    def test_correction_refuses_more_than_shipped_or_on_hand(self):
        _o0, o1, _o2 = self._scenario()
        wizard = self.env["sale.order.amazon.reattribute"].create(
            {
                "sale_order_id": o1.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {"sale_line_id": o1.order_line.id, "lot_id": self.lot_b.id, "quantity": 3},
                    ),
                ],
            }
        )
        with self.assertRaisesRegex(Exception, "cannot add up to more"):
            wizard.action_apply()
        stranger = self._lot("REC-X")
        wizard.line_ids.write({"lot_id": stranger.id, "quantity": 1})
        with self.assertRaisesRegex(Exception, "Only 0 unit"):
            wizard.action_apply()

    def test_multi_company(self):
        _o0, o1, o2 = self._scenario()
        other = self.env["res.company"].create({"name": "Other Co"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        other_location = warehouse._get_amazon_location()
        self.env.user.company_ids |= other
        other_lot = self._lot("REC-A", company=other)
        self._arrive(other_lot, 2, days_ago=10, location=other_location)
        partner = self.env["res.partner"].create({"name": "Other buyer", "company_id": other.id})
        other_order = (
            self.env["sale.order"]
            .with_company(other)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": other.id,
                    "date_order": self._days_ago(2),
                    "amazon_fulfilled_by": "amazon",
                    "order_line": [(0, 0, {"product_id": self.lot_kit.id, "product_uom_qty": 1})],
                }
            )
        )
        other_order.order_line.amazon_tracked_product_id = self.lot_product
        other_order.with_context(skip_procurement=True).action_confirm()
        sets_a = self.lot_a._amazon_recall_orders()
        self.assertEqual(sets_a["possible"], o1 | o2, "the other company's order is not seen")
        sets_other = other_lot._amazon_recall_orders()
        self.assertFalse(sets_other["attributed"])
        self.assertEqual(sets_other["possible"], other_order)
