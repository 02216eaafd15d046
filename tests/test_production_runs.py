"""The order sync as production runs it: time budget from Odoo's cron limit, commit points per page,
a kill between two pages, rate-limit waits outside the transaction, error retries with backoff.

The prefork server itself (workers, SIGKILL, --limit-time-real-cron) is exercised by
test_production_prefork.py; these tests check the same rules inside one transaction.
"""

from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.tests import Form, tagged
from odoo.tools import config

from ..models.amazon_account_jobs import DEFAULT_TIME_BUDGET
from ..models.amazon_sync_error import RETRY_BACKOFF_MAX
from ..spapi import const, ratelimit
from .common_sync import AmazonSyncCase


class _Killed(BaseException):
    """What SIGKILL does to a run: it stops where it is, nothing after runs."""


@tagged("post_install", "-at_install")
class TestProductionRuns(AmazonSyncCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(ratelimit.forget)
        self.addCleanup(setattr, self.sim, "page_size", self.sim.page_size)

    def _orders(self, count, prefix="111-0000090"):
        return [
            self._order(f"{prefix}-{n:07d}", [self._item("I1", "SHAKER")], minutes_ago=60 - n)
            for n in range(count)
        ]

    # -- time budget --------------------------------------------------------------------------

    def test_budget_fits_odoos_cron_limit(self):
        Account = self.env["amazon.account"]
        Param = self.env["ir.config_parameter"].sudo()
        with mock.patch.dict(config.options, {"workers": 0}):
            self.assertEqual(Account._amazon_job_budget(), DEFAULT_TIME_BUDGET)  # Odoo never kills
        # 120 s, less the cron worker's idle sleep (up to 70 s): a third of the 50 s left.
        with mock.patch.dict(config.options, {"workers": 2, "limit_time_real_cron": 120}):
            budget = Account._amazon_job_budget()
            self.assertAlmostEqual(budget, 50 / 3)
            Param.set_param("amazon_fba_kit.sync_time_budget", "10")
            self.assertEqual(Account._amazon_job_budget(), 10)  # the parameter lowers it...
            Param.set_param("amazon_fba_kit.sync_time_budget", "1000")
            self.assertEqual(Account._amazon_job_budget(), budget)  # ...and never raises it
            # Requests end, and the work on the last one stops, within half of the room left.
            self.assertLessEqual(Account._amazon_job_overtime(100.0, budget) - 100.0 + budget, 25)
            self.assertLessEqual(Account._amazon_request_timeout(budget), budget / 2)
        with mock.patch.dict(
            config.options, {"workers": 2, "limit_time_real_cron": -1, "limit_time_real": 190}
        ):
            self.assertEqual(Account._amazon_job_budget(), 40)  # -1: the HTTP limit applies
        with (
            mock.patch.dict(config.options, {"workers": 2, "limit_time_real_cron": 60}),
            self.assertLogs("odoo.addons.amazon_fba_kit.models.amazon_account_jobs", "WARNING"),
        ):
            self.assertEqual(Account._amazon_job_budget(), 5)  # Odoo kills idle workers there
        with mock.patch.dict(config.options, {"workers": 2, "limit_time_real_cron": 0}):
            self.assertEqual(Account._amazon_job_budget(), DEFAULT_TIME_BUDGET)  # 0: no limit

    # -- commit points ------------------------------------------------------------------------

    def test_killed_between_pages_resumes_without_loss_or_duplicate(self):
        """Each page is committed with its resume token: a kill in the middle of the third page
        leaves two pages booked and the token of the third; the next run books the rest once."""
        self.sim.page_size = 2
        orders = self._orders(5)
        self.sim.set_orders(orders)
        refs = [order["orderId"] for order in orders]
        watermark = self.account.last_orders_sync
        commits = []
        Account = type(self.account)
        real_commit = Account._amazon_commit

        def commit_or_die(account):
            real_commit(account)
            booked = account.env["sale.order"].search_count([("amazon_order_ref", "in", refs)])
            if booked == len(refs):
                raise _Killed()  # the third page is booked but its commit never happens
            account.env.cr.execute("SAVEPOINT afk_committed")
            commits.append(account.orders_sync_token)

        # (not assertRaises: Odoo's rolls back to before the sync)
        killed = False
        with mock.patch.object(Account, "_amazon_commit", commit_or_die):
            try:
                self._sync()
            except _Killed:
                killed = True
        self.assertTrue(killed)
        self.env.cr.execute("ROLLBACK TO SAVEPOINT afk_committed")
        self.env.invalidate_all()
        booked = self.env["sale.order"].search([("amazon_order_ref", "in", refs)])
        self.assertEqual(sorted(booked.mapped("amazon_order_ref")), refs[:4])
        self.assertTrue(self.account.orders_sync_token, "the resume token was committed")
        self.assertEqual(self.account.last_orders_sync, watermark, "window not complete yet")

        run = self._sync()
        self.assertEqual(run.counts["booked"], 1)
        for ref in refs:
            self.assertEqual(
                self.env["sale.order"].search_count([("amazon_order_ref", "=", ref)]), 1
            )
        self.assertFalse(self.account.orders_sync_token)
        self.assertGreater(self.account.last_orders_sync, watermark)
        # The second run asked Amazon for the page in flight with the committed token.
        last_request = self.sim.api_requests("/orders/2026-01-01/orders")[-1]
        self.assertEqual(last_request["params"].get("paginationToken"), commits[-1])

    def test_out_of_budget_stops_between_pages_and_triggers_itself_at_once(self):
        self.sim.page_size = 1
        orders = self._orders(3, prefix="111-0000091")
        self.sim.set_orders(orders)
        self.sim.orders_delay = 1.5  # every page answers slowly
        self.addCleanup(setattr, self.sim, "orders_delay", 0.0)
        cron = self.env.ref("amazon_fba_kit.ir_cron_amazon_sync_orders")
        with mock.patch.object(type(self.account), "_amazon_job_budget", return_value=1):
            runs = self.account._sync_orders()
        self.assertEqual(runs[0].counts["booked"], 1)
        self.assertEqual(runs[0].again_in, 0)
        self.assertTrue(self.account.orders_sync_token)
        self.assertIn("next one resumes", self.account.last_sync_message)
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)], limit=1)
        self.assertTrue(trigger)
        self.assertLessEqual(trigger.call_at, fields.Datetime.now())
        run = self._sync()
        self.assertEqual(run.counts["booked"], 2)
        self.assertFalse(self.account.orders_sync_token)

    def test_out_of_time_inside_a_page_keeps_what_is_booked_and_reads_it_again(self):
        orders = self._orders(6, prefix="111-0000095")
        self.sim.set_orders(orders)
        Account = type(self.account)
        real_apply = Account._amazon_apply_order
        calls = []

        def apply_then_run_out_of_time(account, raw, sale_order, run):
            calls.append(raw["orderId"])
            if len(calls) == 3:
                run.overtime = 0.0  # time is up once this third order is booked
            return real_apply(account, raw, sale_order, run)

        with mock.patch.object(Account, "_amazon_apply_order", apply_then_run_out_of_time):
            runs = self.account._sync_orders()
        self.assertEqual(runs[0].counts["booked"], 3)
        self.assertEqual(runs[0].again_in, 0)
        self.assertIn("Out of time", self.account.last_sync_message)
        self.assertTrue(self.account.orders_sync_window_end, "the window is not complete")
        run = self._sync()
        self.assertEqual((run.counts["booked"], run.counts["unchanged"]), (3, 3))
        for order in orders:
            self.assertEqual(len(self._sale(order["orderId"])), 1)
        self.assertFalse(self.account.orders_sync_window_end)

    def test_rate_limit_wait_is_not_slept_in_the_transaction(self):
        """When Amazon's quota asks for a long wait, the run stops and comes back then."""
        self.sim.set_orders(self._orders(1, prefix="111-0000092"))
        adapter = self.account._get_sp_api_adapter()
        bucket = adapter.bucket(const.OP_SEARCH_ORDERS)
        bucket.set_rate(0.01)
        bucket.drain()  # next token in 100 s
        cron = self.env.ref("amazon_fba_kit.ir_cron_amazon_sync_orders")
        with mock.patch("time.sleep") as sleep:
            runs = self.account._sync_orders()
        self.assertFalse([call for call in sleep.call_args_list if call.args[0] > 5])
        self.assertFalse(self.sim.api_requests("/orders/2026-01-01/orders"))
        self.assertGreater(runs[0].again_in, 90)
        self.assertIn("rate limit", self.account.last_sync_message)
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id)], order="call_at desc", limit=1
        )
        self.assertGreater(trigger.call_at, fields.Datetime.now() + timedelta(seconds=90))
        self.assertLess(trigger.call_at, fields.Datetime.now() + timedelta(seconds=110))

    def test_a_sku_that_cannot_be_stored_does_not_stop_the_page(self):
        good = self._order("111-0000096-0000001", [self._item("I1", "SHAKER")])
        nul = self._order("111-0000096-0000002", [self._item("I1", "SHAKER")])
        nul["orderItems"][0]["product"]["sellerSku"] = "BAD\x00SKU"
        odd = self._order("111-0000096-0000003", [self._item("I1", "SHAKER")])
        odd["orderItems"][0]["product"] = "not an object"
        self.sim.set_orders([good, nul, odd])
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1)
        self.assertEqual(run.counts["failed"], 2)
        self.assertEqual(self._error("111-0000096-0000002").kind, "malformed")
        self.assertEqual(self._error("111-0000096-0000003").kind, "malformed")
        self.assertFalse(self.account.orders_sync_token, "the window completed")

    # -- retries ------------------------------------------------------------------------------

    def test_open_errors_are_retried_with_backoff(self):
        self.sim.set_orders([self._order("111-0000093-0000001", [self._item("I1", "NOPE-93")])])
        self._sync()
        error = self._error("111-0000093-0000001")
        self.assertEqual(error.attempt_count, 1)
        self.assertEqual(error.next_attempt, error.last_attempt + timedelta(minutes=15))
        self.sim.set_orders([])
        self._sync()
        self.assertEqual(error.attempt_count, 1, "not due yet: not retried")
        error.next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        self._sync()
        self.assertEqual(error.attempt_count, 2)
        self.assertEqual(error.next_attempt, error.last_attempt + timedelta(minutes=30))
        Error = self.env["amazon.sync.error"]
        self.assertEqual(Error._amazon_backoff(30), RETRY_BACKOFF_MAX)
        # The Retry button does not wait for the backoff.
        error.action_retry()
        self.assertEqual(error.attempt_count, 3)

    def test_order_cancelled_after_shipping_waits_for_a_person(self):
        raw = self._order("111-0000094-0000001", [self._item("I1", "SHAKER")])
        self.sim.set_orders([raw])
        self._sync()
        self.assertEqual(self._sale("111-0000094-0000001").order_line.move_ids.state, "done")
        cancelled = self._order(
            "111-0000094-0000001", [self._item("I1", "SHAKER")], status="CANCELLED", minutes_ago=5
        )
        self.sim.set_orders([cancelled])
        self._sync()
        error = self._error("111-0000094-0000001")
        self.assertEqual(error.kind, "shipped_cancel")
        self.assertIn("return", error.message)
        self.sim.set_orders([])
        self.assertFalse(error.next_attempt)
        self._sync()
        self.assertEqual(error.attempt_count, 1, "Amazon cannot fix it: no automatic retry")
        # Returned from the order (not from the error): the next run applies the cancellation.
        sale = self._sale("111-0000094-0000001")
        action = sale.action_amazon_return()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        with form.line_ids.edit(0) as line:
            line.quantity = 1
        form.save().action_apply()
        self.assertTrue(error.next_attempt)
        self._sync()
        self.assertEqual(error.state, "resolved")
        self.assertEqual(sale.state, "cancel")
