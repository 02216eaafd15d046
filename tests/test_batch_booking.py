"""Batch booking of a page of orders (issue #19): the same result as booking them one by one,
a failure inside a batch isolated to its order, and fewer queries per order, flat in the page size.
"""

from unittest import mock

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.amazon_account_orders import NO_BATCH_KEY, SyncRun
from .common_lots import AmazonLotCase

PAGE_PREFIX = "119-0000"


@tagged("post_install", "-at_install")
class TestBatchBooking(AmazonLotCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Arrival order A, B, C; expiry order B, C, A: FIFO and FEFO take different lots.
        cls.lot_a = AmazonLotCase._lot(cls, "BATCH-A", expires_in_days=90)
        cls.lot_b = AmazonLotCase._lot(cls, "BATCH-B", expires_in_days=10)
        cls.lot_c = AmazonLotCase._lot(cls, "BATCH-C", expires_in_days=60)

    def setUp(self):
        super().setUp()
        self._arrive(self.lot_a, 3, days_ago=30)
        self._arrive(self.lot_b, 2, days_ago=20)
        self._arrive(self.lot_c, 6, days_ago=10)
        serials = [self._lot(f"BATCH-SN-{n}", product=self.serial_product) for n in range(1, 5)]
        for days, serial in enumerate(serials):
            self._arrive(serial, 1, days_ago=15 - days)
        self.env["stock.quant"]._update_available_quantity(
            self.plain_product, self.amazon_location, 50
        )

    # helpers ----------------------------------------------------------------------------------

    def _ref(self, n):
        return f"{PAGE_PREFIX}{n:03d}-0000001"

    def _mixed_page(self):
        """A page of every kind of order, oldest first (Amazon's order), refs 1..13."""
        item, order = self._item, self._order
        repeat_buyer = {
            "name": "Repeat Buyer",
            "addressLine1": "1 Batch Street",
            "city": "Austin",
            "stateOrRegion": "TX",
            "postalCode": "73301",
            "countryCode": "US",
            "phone": "+1 512-555-0101",
        }
        malformed = order(self._ref(9), [item("I1", "SHAKER")], minutes_ago=52)
        malformed["orderItems"][0]["product"] = "not an object"
        page = [
            order(self._ref(1), [item("I1", "VITC-500", 2)], minutes_ago=60, address=repeat_buyer),
            order(
                self._ref(2), [item("I1", "BPM-1", 2, serial_numbers=["BATCH-SN-3", "SN-X"])], 59
            ),
            order(
                self._ref(3),
                [
                    item(
                        "I1",
                        "SHAKER",
                        1,
                        20.0,
                        tax=1.6,
                        tax_model=None,
                        shipping=4.99,
                        shipping_tax=0.4,
                        gift_wrap=3.0,
                        gift_wrap_tax=0.24,
                    )
                ],
                minutes_ago=58,
            ),
            order(
                self._ref(4),
                [item("I1", "VITC-500", 1, 12.0), item("I2", "SHAKER", 2, 7.5, tax=1.2)],
                minutes_ago=57,
            ),
            order(
                self._ref(5),
                [item("I1", "SHAKER", 1, 9.99)],
                fulfilled_by="MERCHANT",
                status="UNSHIPPED",
                minutes_ago=56,
            ),
            order(self._ref(6), [item("I1", "VITC-500", 1)], channel="NON_AMAZON", minutes_ago=55),
            order(self._ref(7), [item("I1", "VITC-500", 1)], status="CANCELLED", minutes_ago=54),
            order(self._ref(8), [item("I1", "NOPE-119")], minutes_ago=53),
            malformed,
            order(self._ref(10), [item("I1", "VITC-500", 2)], minutes_ago=51),
            order(
                self._ref(11),
                [item("I1", "SHAKER", 1)],
                minutes_ago=50,
                address=dict(repeat_buyer, phone="+1 512-555-0199"),
            ),
            # Booked before with 1 of 3 shipped: this page ships the rest (an update).
            order(self._ref(12), [item("I1", "VITC-500", 3, 5.0, shipped=3)], minutes_ago=49),
            order(self._ref(13), [item("I1", "VITC-500", 3, 4.0)], minutes_ago=48),
        ]
        partial = order(
            self._ref(12),
            [item("I1", "VITC-500", 3, 5.0, shipped=1, unshipped=2)],
            status="PARTIALLY_SHIPPED",
            minutes_ago=70,
        )
        return page, partial

    def _sync_page(self, orders, batch=True):
        self.sim.set_orders(orders)
        self.account.last_orders_sync = self._ago(90)
        account = self.account if batch else self.account.with_context(**{NO_BATCH_KEY: True})
        return self._sync(account)

    def _booked(self, refs, run):
        """What a sync booked for ``refs``, free of ids and sequence numbers."""

        def move_lines(moves):
            return sorted(
                (
                    ml.product_id.default_code or ml.product_id.name,
                    ml.lot_id.name or "",
                    ml.quantity,
                    ml.amazon_lot_source or "",
                    ml.location_id.complete_name,
                    ml.location_dest_id.complete_name,
                )
                for ml in moves.move_line_ids
            )

        def moves(records):
            return sorted(
                (
                    move.product_id.name,
                    move.product_uom_qty,
                    move.quantity,
                    move.state,
                    move.location_id.complete_name,
                    move.location_dest_id.complete_name,
                    move.sale_line_id.amazon_item_ref or "",
                    move.amazon_sale_line_id.amazon_item_ref or "",
                    move.amazon_lot_policy or "",
                    bool(move.picking_id),
                )
                for move in records
            )

        result = {
            "counts": dict(run.counts),
            "kit_lines": run.kit_lines,
            "failures": sorted(run.failures),
        }
        for order in self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "in", refs)]
        ):
            shipping = order.partner_shipping_id
            all_moves = order.order_line.move_ids | order.order_line.amazon_component_move_ids
            result[order.amazon_order_ref] = {
                "order": (
                    order.state,
                    order.locked,
                    order.date_order,
                    order.amazon_fulfilled_by,
                    order.amount_untaxed,
                    order.amount_tax,
                    order.amount_total,
                    order.amazon_total,
                    order.amazon_tax_amount,
                    order.amazon_tax_difference,
                    order.amazon_tax_mismatch,
                    order.fiscal_position_id.name,
                    order.pricelist_id.name,
                    order.amazon_unattributed_qty,
                ),
                "shipping": (
                    shipping.name,
                    shipping.street,
                    shipping.phone,
                    shipping.email,
                    shipping.parent_id.name,
                    shipping.type,
                ),
                "lines": sorted(
                    (
                        line.amazon_item_ref or "",
                        line.amazon_charge_type or "",
                        line.product_id.name,
                        line.name,
                        line.product_uom_qty,
                        line.price_unit,
                        line.discount,
                        tuple(line.tax_id.mapped("name")),
                        line.price_total,
                        line.qty_delivered,
                        line.amazon_tracked_product_id.name,
                        line.amazon_qty_shipped,
                        line.amazon_facilitator_tax,
                        line.amazon_unknown_serials or "",
                    )
                    for line in order.order_line
                ),
                "moves": moves(all_moves),
                "move_lines": move_lines(all_moves),
                "pickings": sorted(
                    (picking.state, moves(picking.move_ids)) for picking in order.picking_ids
                ),
                "notes": sorted(
                    message.body
                    for message in order.message_ids
                    if "not at" in (message.body or "")
                ),
            }
        for mcf in self.env["amazon.mcf.order"].search([("amazon_order_ref", "in", refs)]):
            result[mcf.amazon_order_ref] = {"mcf": move_lines(mcf.move_ids), "note": mcf.note}
        for error in self.env["amazon.sync.error"].search(
            [("account_id", "=", self.account.id), ("amazon_order_ref", "in", refs)]
        ):
            result[error.amazon_order_ref] = (error.kind, error.message, error.state)
        result["contacts"] = sorted(
            (contact.name, contact.street, contact.phone, contact.email)
            for contact in self.account.partner_id.child_ids
        )
        result["stock"] = sorted(
            (quant.product_id.name, quant.lot_id.name or "", quant.quantity)
            for quant in self.env["stock.quant"].search(
                [("location_id", "child_of", self.amazon_location.id)]
            )
            if quant.quantity
        )
        return result

    def _recording_batches(self, sizes):
        """Patch: the size of each group of new orders booked together goes to ``sizes``."""
        Account = type(self.account)
        real_book = Account._amazon_book_new_orders

        def book(account, new_orders, run):
            sizes.append(len(new_orders))
            return real_book(account, new_orders, run)

        return mock.patch.object(Account, "_amazon_book_new_orders", book)

    def _book_both_ways(self, orders, before=()):
        """Book ``orders`` in batch, then (rolled back in between) one by one: both outcomes."""
        refs = sorted({order["orderId"] for order in orders if isinstance(order, dict)})
        outcomes = []
        for batch in (True, False):
            sizes = []
            savepoint = self.env.cr.savepoint()
            try:
                for earlier in before:
                    self._sync_page([earlier])
                with self._recording_batches(sizes):
                    run = self._sync_page(orders, batch=batch)
                self.env.flush_all()
                outcomes.append(dict(self._booked(refs, run), batches=sizes))
            finally:
                savepoint.close(rollback=True)
        return outcomes

    # tests ------------------------------------------------------------------------------------

    def test_mixed_page_books_as_one_by_one(self):
        page, partial = self._mixed_page()
        for policy in ("fifo", "fefo", "kit"):
            with self.subTest(policy=policy):
                self.account.fba_lot_policy = policy
                batch, one_by_one = self._book_both_ways(page, before=[partial])
                # New orders 1-5 wait for the MCF order 6, 10-11 for the update 12, then 13.
                self.assertEqual(batch.pop("batches"), [5, 2, 1])
                self.assertEqual(one_by_one.pop("batches"), [1] * 8)
                self.assertEqual(batch, one_by_one)
                counts = batch["counts"]
                self.assertEqual(
                    (counts["booked"], counts["failed"], counts["ignored"], counts["updated"]),
                    (9, 2, 1, 1),
                    batch["failures"],
                )
                self.assertEqual(batch[self._ref(8)][0], "unknown_sku")
                self.assertEqual(batch[self._ref(9)][0], "malformed")
                self.assertEqual(
                    batch[self._ref(1)]["shipping"][:3],
                    ("Repeat Buyer", "1 Batch Street", "+1 512-555-0199"),
                    "the repeat buyer's contact is reused and has the latest phone",
                )
                self.assertEqual(len(batch["contacts"]), len(set(batch["contacts"])))
                self.assertIn(
                    ("BATCH-SN-3", 1.0, "amazon"),
                    [ml[1:4] for ml in batch[self._ref(2)]["move_lines"]],
                    "the serial number Amazon sent is booked, whatever the policy",
                )
                if policy != "kit":
                    self.assertIn(
                        policy,
                        [ml[3] for ml in batch[self._ref(1)]["move_lines"]],
                        "lots attributed per the policy",
                    )
                self.assertTrue(batch[self._ref(2)]["notes"], "SN-X is noted as unknown")
                self.assertTrue(batch[self._ref(5)]["pickings"], "the FBM order has a delivery")
                mcf = batch[self._ref(6)]
                if policy == "kit":
                    self.assertIn("not booked", mcf["note"], "kit policy: MCF takes no lot")
                else:
                    self.assertTrue(mcf["mcf"], "the MCF order booked its stock")

    def test_fifo_lots_follow_the_page_around_an_mcf_order(self):
        """An MCF order between two new FBA orders takes its lot in page order."""
        self.account.fba_lot_policy = "fifo"
        page, _partial = self._mixed_page()
        page = [page[0], page[5], page[9]]  # FBA 2 units, MCF 1 unit, FBA 2 units
        batch, one_by_one = self._book_both_ways(page)
        self.assertEqual((batch.pop("batches"), one_by_one.pop("batches")), ([1, 1], [1, 1]))
        self.assertEqual(batch, one_by_one)
        self.assertEqual(
            [ml[1:3] for ml in batch[self._ref(1)]["move_lines"] if ml[1]],
            [("BATCH-A", 2.0)],
        )
        self.assertEqual(batch[self._ref(6)]["mcf"][0][1:3], ("BATCH-A", 1.0))

    def test_a_failure_inside_the_batch_falls_back_to_one_by_one(self):
        self.account.fba_lot_policy = "fifo"
        page = [
            self._order(self._ref(20 + n), [self._item("I1", sku, 1)], minutes_ago=60 - n)
            for n, sku in enumerate(["VITC-500", "SHAKER", "VITC-500", "BPM-1", "SHAKER"])
        ]
        bad = self._ref(22)
        SaleOrder = type(self.env["sale.order"])
        real_create = SaleOrder.create
        batches = []

        def create(records, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            refs = [vals.get("amazon_order_ref") for vals in vals_list]
            batches.append(len(refs))
            if bad in refs:
                raise ValueError("simulated failure of one order")
            return real_create(records, vals_list)

        with mock.patch.object(SaleOrder, "create", create):
            run = self._sync_page(page)
        self.assertEqual(batches, [5, 1, 1, 1, 1, 1], "the batch, then each order alone")
        self.assertEqual((run.counts["booked"], run.counts["failed"]), (4, 1), run.failures)
        self.assertEqual([ref for ref, _message in run.failures], [bad])
        error = self._error(bad)
        self.assertEqual(error.kind, "unexpected")
        self.assertIn("simulated failure of one order", error.message)
        self.assertFalse(self._sale(bad))
        for raw in page:
            if raw["orderId"] == bad:
                continue
            order = self._sale(raw["orderId"])
            self.assertEqual(len(order), 1)
            self.assertEqual(order.state, "sale")
            self.assertEqual(set(order.order_line.move_ids.mapped("state")), {"done"})
        # Nothing of the rolled-back batch stays: one move per kit, lots taken once.
        kits = self.env["sale.order"].search([("amazon_order_ref", "like", PAGE_PREFIX)])
        self.assertEqual(len(kits.order_line.amazon_component_move_ids), 2)
        self.assertEqual(self._at_amazon(self.lot_a), 2)
        self.assertEqual(run.kit_lines, 2)
        # The failed order books at the next try, once the failure is gone.
        self.account._amazon_retry_errors(error)
        self.assertEqual(error.state, "resolved")
        self.assertEqual(len(self._sale(bad)), 1)

    def test_a_database_error_in_the_batch_is_isolated_too(self):
        """The same new order twice on a page: the batch violates the unique reference."""
        raw = self._order(self._ref(30), [self._item("I1", "SHAKER", 1)])
        other = self._order(self._ref(31), [self._item("I1", "VITC-500", 1)])
        run = SyncRun(self.account)
        with mute_logger("odoo.sql_db"):
            self.account._amazon_apply_orders([raw, other, raw], run)
        self.assertEqual((run.counts["booked"], run.counts["failed"]), (2, 1), run.failures)
        self.assertEqual(len(self._sale(self._ref(30))), 1)
        self.assertEqual(len(self._sale(self._ref(31))), 1)
        self.assertEqual(self._error(self._ref(30)).kind, "unexpected")

    def test_batches_are_cut_at_batch_size(self):
        page = [
            self._order(self._ref(40 + n), [self._item("I1", "SHAKER", 1)], minutes_ago=60 - n)
            for n in range(7)
        ]
        sizes = []
        with (
            mock.patch("odoo.addons.amazon_fba_kit.models.amazon_account_orders.BATCH_SIZE", 3),
            self._recording_batches(sizes),
        ):
            run = self._sync_page(page)
        self.assertEqual(sizes, [3, 3, 1])
        self.assertEqual(run.counts["booked"], 7)

    def _queries(self, count, batch, start):
        """SQL queries of one run booking ``count`` new orders (kits with FIFO lots, untracked
        and multi-line orders, one address each)."""
        skus = ["VITC-500", "SHAKER", "VITC-500"]
        page = []
        for n in range(count):
            items = [self._item("I1", skus[n % 3], 1)]
            if n % 4 == 3:
                items.append(self._item("I2", "SHAKER", 2))
            address = {
                "name": f"Buyer {start + n}",
                "addressLine1": f"{n} Query Street",
                "city": "Seattle",
                "stateOrRegion": "WA",
                "postalCode": "98109",
                "countryCode": "US",
            }
            page.append(
                self._order(f"119-{start + n:07d}-0000002", items, 60 - n % 50, address=address)
            )
        self.sim.set_orders(page)
        self.account.last_orders_sync = self._ago(90)
        account = self.account if batch else self.account.with_context(**{NO_BATCH_KEY: True})
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        run = self._sync(account)
        self.env.flush_all()
        self.assertEqual(run.counts["booked"], count, run.failures)
        return self.cr.sql_log_count - before

    def test_queries_per_order_lower_in_batch_and_flat_in_page_size(self):
        self.account.fba_lot_policy = "fifo"
        self._arrive(self.lot_c, 100, days_ago=5)
        self._queries(3, True, 1000)  # warm the registry caches and the offers
        one_by_one = self._queries(10, False, 2000)
        small = self._queries(10, True, 3000)
        large = self._queries(40, True, 4000)
        self.assertLess(
            small / 10,
            one_by_one / 10,
            f"a page of 10 took {small} queries in batch, {one_by_one} one by one",
        )
        self.assertLessEqual(
            large / 40,
            small / 10,
            f"{small} queries for a page of 10, {large} for 40: the cost per order grows",
        )
        self.assertLessEqual(
            (large - small) / 30,
            small / 10,
            f"{small} queries for a page of 10, {large} for 40: each more order costs more",
        )
