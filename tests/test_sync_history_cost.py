"""The order sync's cost does not grow with the database's history (issue #19), clock-free.

A page of orders is synced on a database without history, then again after a history of booked
orders (FBA kit lines whose components left WH/Amazon with lots first in first out, untracked
lines, merchant-fulfilled orders with their delivery), and the two pages are compared:

- SQL queries of the page (``cr.sql_log_count``): the same, within a small constant;
- rows the page's queries return to Odoo (``rowcount`` of every SELECT or RETURNING): a search
  over all the account's orders (or moves, contacts...) returns the whole history, once per page
  or once per order, and fails this, even when it costs no extra query.

The pages are deterministic (each page's stock is exactly what it consumes), so the counts of two
pages differ only by what the history changes. A lookup by an unindexed column costs neither an
extra query nor an extra row returned: tools/benchmark.sh --history shows its time.
"""

from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged

from .common_lots import AmazonLotCase

HISTORY = 150  # booked orders of history
PAGE = 10  # orders of the measured page
QUERY_MARGIN = 3  # queries of the whole page
# Rows returned to the whole page: the same with and without history (Odoo 18.0, batch booking of
# 2026-11-30); Odoo reading every contact of the account's customer on each create made it +228.
# Reading the account's orders (or their lines, moves, contacts...) once more returns at least
# HISTORY rows.
ROW_MARGIN = 2 * PAGE


@tagged("post_install", "-at_install")
class TestSyncHistoryCost(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Lots the history and the pages consume first in, first out (move lines with lots).
        cls.account.fba_lot_policy = "fifo"

    def _orders(self, prefix, count, minutes_ago=30, serials=True):
        """``count`` orders: FBA with a lot or serial tracked line (kit), an untracked line,
        multi-line ones, and one in five merchant-fulfilled (a delivery)."""
        orders = []
        for n in range(count):
            items = [self._item("I1", "VITC-500", 1 + n % 3)]
            if n % 2:
                items.append(self._item("I2", "SHAKER", 1))
            if serials and n % 4 == 1:
                items.append(self._item("I3", "BPM-1", 1))
            fbm = n % 5 == 4
            orders.append(
                self._order(
                    f"{prefix}-{n:07d}-0000001",
                    items,
                    minutes_ago=minutes_ago,
                    fulfilled_by="MERCHANT" if fbm else "AMAZON",
                    status="UNSHIPPED" if fbm else "SHIPPED",
                )
            )
        return orders

    def _stock(self, orders):
        """Lots of VITC-500 and serial numbers of BPM-1 at WH/Amazon for these FBA orders."""
        fba = [o for o in orders if o["fulfillment"]["fulfilledBy"] == "AMAZON"]
        units = sum(
            item["quantityOrdered"]
            for order in fba
            for item in order["orderItems"]
            if item["product"]["sellerSku"] == "VITC-500"
        )
        serials = sum(
            1
            for order in fba
            for item in order["orderItems"]
            if item["product"]["sellerSku"] == "BPM-1"
        )
        tag = orders[0]["orderId"][:3]
        self._arrive(self._lot(f"LOT-{tag}"), units, days_ago=40)
        for n in range(serials):
            self._arrive(self._lot(f"SN-{tag}-{n:04d}", self.serial_product), 1, days_ago=30)

    def _sync_page(self, prefix):
        """(SQL queries, rows returned by them) to sync a page of orders."""
        orders = self._orders(prefix, PAGE)
        self._stock(orders)
        self.sim.set_orders(orders)
        self.account.last_orders_sync = self._ago(60)
        self.env.flush_all()
        self.env.invalidate_all()
        rows = [0]
        execute = Cursor.execute

        def counting_execute(cr, *args, **kwargs):
            result = execute(cr, *args, **kwargs)
            if cr._obj.description is not None:  # a SELECT, or a statement RETURNING rows
                rows[0] += max(cr._obj.rowcount, 0)
            return result

        queries = self.cr.sql_log_count
        with patch.object(Cursor, "execute", counting_execute):
            run = self._sync()
            self.env.flush_all()
        queries = self.cr.sql_log_count - queries
        self.assertEqual(run.counts["booked"], PAGE, run.failures)
        sales = self.env["sale.order"].search([("amazon_order_ref", "=like", f"{prefix}-%")])
        self.assertEqual(len(sales), PAGE)
        self.assertTrue(
            sales.amazon_lot_line_ids.lot_id, "the page's kit lines took lots first in, first out"
        )
        return queries, rows[0]

    def _book_history(self):
        # No serial numbers: each one sold leaves an empty quant at WH/Amazon that FIFO reads
        # until Odoo's daily stock scheduler removes it (2 rows per serial number sold).
        orders = self._orders("800", HISTORY, minutes_ago=50, serials=False)
        self._stock(orders)
        self.sim.set_orders(orders)
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertEqual(run.counts["booked"], HISTORY, run.failures)
        history = self.env["sale.order"].search([("amazon_order_ref", "=like", "800-%")])
        self.assertGreaterEqual(
            len(history.amazon_lot_line_ids.filtered("lot_id")),
            len(history.filtered(lambda o: o.amazon_fulfilled_by == "amazon")) // 2,
            "the history's kit lines left WH/Amazon with lots",
        )

    def test_page_costs_the_same_with_history(self):
        # A first page warms the registry caches, as any earlier run does.
        self._sync_page("111")
        queries_empty, rows_empty = self._sync_page("112")
        self._book_history()
        queries_full, rows_full = self._sync_page("113")
        self.assertAlmostEqual(
            queries_full,
            queries_empty,
            delta=QUERY_MARGIN,
            msg=f"a page of {PAGE} orders took {queries_empty} queries without history and "
            f"{queries_full} with {HISTORY} booked orders of history",
        )
        self.assertLess(
            rows_full,
            rows_empty + ROW_MARGIN,
            f"the queries of a page of {PAGE} orders returned {rows_empty} rows without history "
            f"and {rows_full} with {HISTORY} booked orders of history: a lookup reads the "
            "history (a search over all the account's orders, moves, contacts...)",
        )
