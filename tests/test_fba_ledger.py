"""FBA inventory ledger: Amazon's reports requested, polled, imported once and booked with lots."""

import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..spapi import reports as spapi_reports
from ..tools.sp_api_payloads import make_inventory_summary
from .common_lots import AmazonLotCase

LEDGER = spapi_reports.REPORT_LEDGER
RETURNS = spapi_reports.REPORT_CUSTOMER_RETURNS


def ledger_row(sku, event, qty, disposition="SELLABLE", reason="", reference="", day="06/01/2026"):
    return {
        "Date": day,
        "FNSKU": "X00TEST",
        "ASIN": "B00TEST",
        "MSKU": sku,
        "Title": "Test product",
        "Event Type": event,
        "Reference ID": reference,
        "Quantity": str(qty),
        "Fulfillment Center": "PHX3",
        "Disposition": disposition,
        "Reason": reason,
        "Country": "US",
        "Date and Time": "2026-06-01T10:00:00-0700",
    }


def return_row(order_ref, sku, qty, disposition, plate):
    return {
        "return-date": "2026-06-02T05:45:35+00:00",
        "order-id": order_ref,
        "sku": sku,
        "asin": "B00TEST",
        "fnsku": "X00TEST",
        "product-name": "Test product",
        "quantity": str(qty),
        "fulfillment-center-id": "PHX3",
        "detailed-disposition": disposition,
        "reason": "UNWANTED_ITEM",
        "status": "Unit returned to inventory",
        "license-plate-number": plate,
    }


@tagged("post_install", "-at_install")
class TestFbaLedger(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.fba_lot_policy = "fifo"
        cls.lot_a = cls._lot_cls("LED-A")
        cls.lot_b = cls._lot_cls("LED-B")
        cls.cron = cls.env.ref("amazon_fba_kit.ir_cron_amazon_reports")

    @classmethod
    def _lot_cls(cls, name):
        return AmazonLotCase._lot(cls, name)

    def setUp(self):
        super().setUp()
        self.sim.report_polls_until_done = 1
        self.sim._cancelled_types.clear()
        self.sim.set_report_rows(LEDGER, [])
        self.sim.set_report_rows(RETURNS, [])

    # helpers --------------------------------------------------------------------------------

    def _run(self, now=None):
        self.env["amazon.report"]._amazon_reports_run(self.account, now=now)

    def _import(self, now=None):
        """Runs until every report requested is no longer pending (at most 4 runs)."""
        for _attempt in range(4):
            self._run(now)
            if not self._reports().filtered(
                lambda r: r.state in ("requested", "in_progress", "done")
            ):
                break
        return self._reports()

    def _reports(self):
        return self.env["amazon.report"].search([("account_id", "=", self.account.id)])

    def _rows(self, **domain):
        return self.env["amazon.ledger.row"].search(
            [("account_id", "=", self.account.id)] + [(k, "=", v) for k, v in domain.items()],
            order="id",
        )

    def _sell(self, ref, items):
        self.sim.set_orders([self._order(ref, items)])
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1, run.failures)
        return self._sale(ref)

    def _qty(self, lot, location):
        return self.env["stock.quant"]._get_available_quantity(
            lot.product_id, location, lot_id=lot, strict=True
        )

    def _unfulfillable(self):
        return self.env["stock.location"].search(
            [("amazon_unfulfillable_of_id", "=", self.amazon_location.id)]
        )

    # tests ----------------------------------------------------------------------------------

    def test_customer_returns_come_back_with_the_lots_sold(self):
        """A sellable return goes back to the pool, a damaged one to Amazon Unfulfillable, each
        with a lot the sale gave out; the delivered quantity and the recall follow."""
        self._arrive(self.lot_a, 2, days_ago=30)
        self._arrive(self.lot_b, 2, days_ago=20)
        order = self._sell("111-5000001-0000001", [self._item("I1", "VITC-500", 3)])
        self.assertEqual(self._booked_lots(order), {("LED-A", "fifo"): 2, ("LED-B", "fifo"): 1})
        self.sim.set_report_rows(
            RETURNS,
            [
                return_row("111-5000001-0000001", "VITC-500", 1, "SELLABLE", "LPN1"),
                return_row("111-5000001-0000001", "VITC-500", 1, "CUSTOMER_DAMAGED", "LPN2"),
            ],
        )
        reports = self._import()
        self.assertEqual(set(reports.mapped("state")), {"imported"})
        rows = self._rows(kind="return")
        self.assertEqual(rows.mapped("state"), ["applied", "applied"], rows.mapped("message"))
        self.assertEqual(rows.sale_order_id, order)
        self.assertEqual(order.order_line.qty_delivered, 1)
        # The lot booked last (LED-B) comes back first, to the pool; then LED-A, damaged.
        self.assertEqual(self._at_amazon(self.lot_b), 2)
        self.assertEqual(self._at_amazon(self.lot_a), 0)
        unfulfillable = self._unfulfillable()
        self.assertEqual(unfulfillable.location_id, self.account.location_id, "beside the pool")
        self.assertTrue(unfulfillable.name.startswith("Amazon Unfulfillable"))
        self.assertEqual(self._qty(self.lot_a, unfulfillable), 1)
        self.assertEqual(self._booked_lots(order), {("LED-A", "fifo"): 1})
        back = rows.move_ids.move_line_ids.filtered(lambda ml: ml.lot_id)
        self.assertEqual(set(back.mapped("amazon_lot_source")), {"fifo"}, "provenance kept")
        self.assertEqual(self.lot_a._amazon_recall_orders()["attributed"], order)
        self.assertFalse(self.lot_b._amazon_recall_orders()["attributed"])

    def test_damaged_adjustment_moves_the_lot_to_unfulfillable(self):
        """E (damaged, out of sellable) then P (into warehouse-damaged): the same lot leaves
        the pool for the unfulfillable place through the inventory loss, with Amazon's reason
        and reference; shipments and receipts are matched, not booked."""
        self._arrive(self.lot_a, 3, days_ago=30)
        self._arrive(self.lot_b, 2, days_ago=10)
        self.sim.set_report_rows(
            LEDGER,
            [
                ledger_row("VITC-500", "Adjustments", -1, "SELLABLE", "E", "13895071006"),
                ledger_row("VITC-500", "Adjustments", 1, "WAREHOUSE_DAMAGED", "P", "13895071006"),
                ledger_row("VITC-500", "Shipments", -1),
                ledger_row("VITC-500", "Receipts", 5, reference="FBA19CBC1Q88"),
            ],
        )
        self._import()
        adjustments = self._rows(kind="Adjustments")
        self.assertEqual(adjustments.mapped("state"), ["applied", "applied"])
        self.assertEqual(self._rows(kind="Shipments").state, "skipped")
        self.assertEqual(self._rows(kind="Receipts").state, "skipped")
        self.assertEqual(self._at_amazon(self.lot_a), 2, "FIFO: the oldest lot was damaged")
        self.assertEqual(self._at_amazon(self.lot_b), 2)
        self.assertEqual(self._qty(self.lot_a, self._unfulfillable()), 1)
        out, back = adjustments.move_ids.sorted("id")
        self.assertEqual(out.location_dest_id.usage, "inventory")
        self.assertEqual(back.location_id.usage, "inventory")
        self.assertIn("13895071006", out.origin)
        self.assertIn("from sellable stock", out.name)
        self.assertEqual(out.move_line_ids.lot_id, self.lot_a)
        self.assertEqual(back.move_line_ids.lot_id, self.lot_a)
        self.assertEqual(back.move_line_ids.amazon_lot_source, "fifo")

    def test_reconciliation_matches_after_the_ledger(self):
        """Amazon: 3 lost-then-damaged units of 5 -> 2 fulfillable, 1 unfulfillable; Odoo after
        the ledger: 2 in the pool, 1 in Amazon Unfulfillable, 2 lost: no difference."""
        self._arrive(self.lot_a, 5, days_ago=30)
        self.sim.set_report_rows(
            LEDGER,
            [
                ledger_row("VITC-500", "Adjustments", -1, "SELLABLE", "E", "1"),
                ledger_row("VITC-500", "Adjustments", 1, "WAREHOUSE_DAMAGED", "P", "1"),
                ledger_row("VITC-500", "Adjustments", -2, "SELLABLE", "M", "2"),
            ],
        )
        self._import()
        self.assertEqual(set(self._rows().mapped("state")), {"applied"})
        self.sim.set_inventory([make_inventory_summary("VITC-500", fulfillable=2, unfulfillable=1)])
        self.account._amazon_sync_inventory_one()
        row = self.env["amazon.fba.inventory"].search(
            [("account_id", "=", self.account.id), ("sku", "=", "VITC-500")]
        )
        self.assertEqual((row.amazon_qty, row.odoo_qty, row.difference), (3, 3, 0))

    def test_removal_is_an_incoming_transfer_with_lots(self):
        self._arrive(self.lot_a, 2, days_ago=30)
        self._arrive(self.lot_b, 3, days_ago=10)
        self.sim.set_report_rows(
            LEDGER, [ledger_row("VITC-500", "VendorReturns", -3, reference="RM-20260701-01")]
        )
        self._import()
        row = self._rows(kind="VendorReturns")
        self.assertEqual(row.state, "applied", row.message)
        picking = row.move_ids.picking_id
        self.assertEqual(picking.picking_type_id, self.warehouse.in_type_id)
        self.assertEqual(picking.location_id, self.amazon_location)
        self.assertEqual(picking.location_dest_id, self.warehouse.lot_stock_id)
        self.assertIn("RM-20260701-01", picking.origin)
        self.assertEqual(picking.state, "assigned")
        lots = {ml.lot_id.name: ml.quantity for ml in picking.move_line_ids}
        self.assertEqual(lots, {"LED-A": 2, "LED-B": 1}, "FIFO lots reserved")
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.lot_product.id),
                ("location_id", "=", self.amazon_location.id),
            ]
        )
        self.assertEqual(sum(quants.mapped("reserved_quantity")), 3, "sales cannot take them")
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._at_amazon(self.lot_a), 0)
        self.assertEqual(self._at_amazon(self.lot_b), 2)
        self.assertEqual(self._qty(self.lot_a, self.warehouse.lot_stock_id), 2)

    def test_same_rows_imported_twice_book_once(self):
        self._arrive(self.lot_a, 3, days_ago=30)
        rows = [ledger_row("VITC-500", "Adjustments", -1, "SELLABLE", "M", "21188081")]
        self.sim.set_report_rows(LEDGER, rows)
        self._import()
        self.assertEqual(self._at_amazon(self.lot_a), 2)
        # The next day's report covers the same day again: its row is known, not booked.
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        self._import(now=tomorrow)
        ledger_reports = self._reports().filtered(lambda r: r.report_type == LEDGER)
        self.assertEqual(len(ledger_reports), 2)
        self.assertEqual(sorted(ledger_reports.mapped("row_count")), [0, 1])
        self.assertEqual(len(self._rows(kind="Adjustments")), 1)
        self.assertEqual(self._at_amazon(self.lot_a), 2)
        # A run the same day neither requests nor imports anything again.
        calls = len(self.sim.api_requests())
        self._run(now=tomorrow)
        self.assertEqual(len(self.sim.api_requests()), calls)

    def test_cancelled_report(self):
        self.sim.cancel_reports(LEDGER)
        self.sim.set_report_rows(LEDGER, [ledger_row("VITC-500", "Adjustments", -1, reason="M")])
        self._import()
        report = self._reports().filtered(lambda r: r.report_type == LEDGER)
        self.assertEqual(report.state, "cancelled")
        self.assertIn("cancelled", report.message)
        self.assertFalse(self._rows())

    def test_unknown_sku_kept_and_retried(self):
        self.sim.set_report_rows(
            LEDGER, [ledger_row("NEW-SKU-1", "Adjustments", 2, "SELLABLE", "F", "777")]
        )
        self._import()
        row = self._rows(kind="Adjustments")
        self.assertEqual(row.state, "error")
        self.assertIn("SKU NEW-SKU-1 is not linked to a product", row.message)
        product = self.env["product.product"].create(
            {"name": "New thing", "default_code": "NEW-SKU-1", "is_storable": True}
        )
        self._run()  # no new report today: the row is retried
        self.assertEqual(row.state, "applied", row.message)
        self.assertEqual(row.product_id, product)
        self.assertEqual(
            self.env["stock.quant"]._get_available_quantity(product, self.amazon_location), 2
        )
        self.assertEqual(row.attempts, 2)

    def test_cron_resumes_a_pending_report_without_blocking(self):
        self.sim.report_polls_until_done = 2
        self._arrive(self.lot_a, 1, days_ago=5)
        self.sim.set_report_rows(LEDGER, [ledger_row("VITC-500", "Adjustments", -1, reason="D")])
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        started = time.monotonic()
        self._run()
        self.assertLess(time.monotonic() - started, 10, "no sleeping while Amazon works")
        self.assertEqual(set(self._reports().mapped("state")), {"in_progress"})
        new = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]) - triggers
        self.assertTrue(new, "the scheduled action comes back for the pending reports")
        self.assertGreater(
            min(new.mapped("call_at")), fields.Datetime.now() + timedelta(seconds=30)
        )
        self._run()
        self.assertEqual(set(self._reports().mapped("state")), {"in_progress"})
        self._run()
        self.assertEqual(set(self._reports().mapped("state")), {"imported"})
        self.assertEqual(self._at_amazon(self.lot_a), 0)
        self.assertEqual(len(self.sim.api_requests("/reports/2021-06-30/reports")), 2)

    def test_button_triggers_the_job(self):
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        self.account.action_import_amazon_ledger()
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]),
            triggers + 1,
        )
        self.assertFalse(self._reports(), "nothing is requested in the user's request")

    def test_throttling_and_outage_resume_later(self):
        """A 429 is retried by the shared transport; a 5xx stops the run, which comes back."""
        self.sim.set_report_rows(LEDGER, [ledger_row("VITC-500", "Shipments", -1)])
        self.sim.throttle_next(1)
        self._run()
        self.assertEqual(len(self._reports()), 2, "createReport retried after the 429")
        statuses = [r["status"] for r in self.sim.api_requests("/reports/2021-06-30/reports")]
        self.assertEqual(statuses, [429, 202, 202])
        self.sim.fail_next(1, status=503)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        self._run()
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]),
            triggers + 1,
            "Amazon unavailable: the job comes back later",
        )
        self._import()
        self.assertEqual(set(self._reports().mapped("state")), {"imported"})
        self.assertEqual(self._rows(kind="Shipments").state, "skipped")

    def test_malformed_row_and_unknown_order_are_kept(self):
        self.sim.set_report_rows(
            LEDGER,
            [
                ledger_row("VITC-500", "Adjustments", "lots", reason="M"),
                ledger_row("VITC-500", "CustomerReturns", 1),
            ],
        )
        self.sim.set_report_rows(
            RETURNS, [return_row("111-5999999-0000001", "VITC-500", 1, "SELLABLE", "LPN9")]
        )
        self._import()
        malformed = self._rows(kind="other")
        self.assertEqual(malformed.state, "error")
        self.assertIn("Quantity 'lots' is not a whole number", malformed.message)
        self.assertIn('"lots"', malformed.raw)
        self.assertEqual(self._rows(kind="CustomerReturns").state, "skipped")
        unknown = self._rows(kind="return")
        self.assertEqual(unknown.state, "error")
        self.assertIn("No Amazon order 111-5999999-0000001", unknown.message)
        ledger = self._reports().filtered(lambda r: r.report_type == LEDGER)
        self.assertIn("1 malformed", ledger.message)
