from odoo.tests import tagged

from .common_lots import AmazonLotCase


@tagged("post_install", "-at_install")
class TestLotAttribution(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Three lots: arrival order A, B, C; expiry order B, C, A.
        cls.lot_a = cls._lot_cls("LOT-A", expires_in_days=90)
        cls.lot_b = cls._lot_cls("LOT-B", expires_in_days=10)
        cls.lot_c = cls._lot_cls("LOT-C", expires_in_days=60)

    @classmethod
    def _lot_cls(cls, name, expires_in_days):
        return AmazonLotCase._lot(cls, name, expires_in_days=expires_in_days)

    def _stock_three_lots(self):
        self._arrive(self.lot_b, 2, days_ago=20)
        self._arrive(self.lot_a, 2, days_ago=30)
        self._arrive(self.lot_c, 2, days_ago=10)

    def _sell(self, ref, quantity, sku="VITC-500", **item_kwargs):
        self.sim.set_orders([self._order(ref, [self._item("I1", sku, quantity, **item_kwargs)])])
        self.account.last_orders_sync = self._ago(60)  # each sale in the next run's window
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1, run.failures)
        return self._sale(ref)

    def test_kit_policy_unchanged(self):
        self._stock_three_lots()
        self.assertEqual(self.account.fba_lot_policy, "kit")
        order = self._sell("111-1000001-0000001", 3)
        line = order.order_line
        self.assertEqual(line.product_id, self.lot_kit)
        self.assertEqual(line.qty_delivered, 3)
        self.assertFalse(line.amazon_component_move_ids)
        self.assertFalse(order.amazon_lot_line_ids)
        self.assertEqual(order.amazon_unattributed_qty, 0)
        self.assertEqual(self._at_amazon(self.lot_a), 2, "kit policy leaves WH/Amazon as it was")

    def test_fifo_oldest_arrival_first(self):
        self._stock_three_lots()
        self.account.fba_lot_policy = "fifo"
        order = self._sell("111-1000002-0000001", 3)
        line = order.order_line
        self.assertEqual(line.product_id, self.lot_kit, "the order still sells the kit")
        self.assertEqual(line.qty_delivered, 3, "the component is not counted as delivered")
        self.assertEqual(self._booked_lots(order), {("LOT-A", "fifo"): 2, ("LOT-B", "fifo"): 1})
        component = line.amazon_component_move_ids
        self.assertEqual(component.state, "done")
        self.assertEqual(component.product_id, self.lot_product)
        self.assertFalse(component.sale_line_id)
        self.assertEqual(component.location_id, self.amazon_location)
        self.assertEqual(component.location_dest_id.usage, "customer")
        self.assertEqual(self._at_amazon(self.lot_a), 0)
        self.assertEqual(self._at_amazon(self.lot_b), 1)
        self.assertEqual(self._at_amazon(self.lot_c), 2)
        self.assertEqual(order.amazon_unattributed_qty, 0)

    def test_fefo_first_expiry_first(self):
        self._stock_three_lots()
        self.account.fba_lot_policy = "fefo"
        order = self._sell("111-1000003-0000001", 3)
        if self.has_expiry:
            expected = {("LOT-B", "fefo"): 2, ("LOT-C", "fefo"): 1}
        else:  # without product_expiry, FEFO falls back to arrival
            expected = {("LOT-A", "fefo"): 2, ("LOT-B", "fefo"): 1}
        self.assertEqual(self._booked_lots(order), expected)

    def test_multipack_books_units(self):
        self._stock_three_lots()
        self._create_kit(self.lot_product, qty=2, name="Vitamin C 2-pack", default_code="VITC-2")
        self.account.fba_lot_policy = "fifo"
        order = self._sell("111-1000004-0000001", 2, sku="VITC-2")
        self.assertEqual(
            self._booked_lots(order),
            {("LOT-A", "fifo"): 2, ("LOT-B", "fifo"): 2},
            "two 2-packs are four units",
        )

    def test_several_orders_of_one_run_share_the_stock(self):
        self._stock_three_lots()
        self.account.fba_lot_policy = "fifo"
        self.sim.set_orders(
            [
                self._order("111-1000005-0000001", [self._item("I1", "VITC-500", 3)], 40),
                self._order("111-1000005-0000002", [self._item("I1", "VITC-500", 2)], 30),
            ]
        )
        self._sync()
        first, second = self._sale("111-1000005-0000001"), self._sale("111-1000005-0000002")
        self.assertEqual(self._booked_lots(first), {("LOT-A", "fifo"): 2, ("LOT-B", "fifo"): 1})
        self.assertEqual(self._booked_lots(second), {("LOT-B", "fifo"): 1, ("LOT-C", "fifo"): 1})

    def test_serial_numbers_from_amazon_used_as_sent(self):
        serials = [self._lot(f"SN-{i}", product=self.serial_product) for i in range(1, 5)]
        for days, serial in enumerate(serials):
            self._arrive(serial, 1, days_ago=10 - days)
        # Kit policy: the serials Amazon names are still booked, exactly those.
        order = self._sell("111-1000006-0000001", 2, sku="BPM-1", serial_numbers=["SN-3", "SN-2"])
        line = order.order_line
        self.assertEqual(line.product_id, self.serial_kit)
        self.assertEqual(line.amazon_serial_numbers, "SN-3\nSN-2")
        self.assertEqual(self._booked_lots(order), {("SN-3", "amazon"): 1, ("SN-2", "amazon"): 1})
        self.assertEqual(self._at_amazon(serials[0]), 1, "FIFO would have taken SN-1")
        self.assertEqual(self._at_amazon(serials[2]), 0)

    def test_unknown_serial_stays_unattributed_until_it_arrives(self):
        self.account.fba_lot_policy = "fifo"
        sn1 = self._lot("SN-1", product=self.serial_product)
        sn2 = self._lot("SN-2", product=self.serial_product)
        self._arrive(sn1, 1, days_ago=5)
        self._arrive(sn2, 1, days_ago=4)
        order = self._sell("111-1000007-0000001", 2, sku="BPM-1", serial_numbers=["SN-2", "SN-9"])
        line = order.order_line
        self.assertEqual(self._booked_lots(order), {("SN-2", "amazon"): 1})
        self.assertEqual(line.amazon_unknown_serials, "SN-9")
        self.assertEqual(order.amazon_unattributed_qty, 1, "SN-1 is not taken for SN-9")
        self.assertEqual(self._at_amazon(sn1), 1)
        self.assertTrue(
            order.message_ids.filtered(lambda m: "SN-9" in (m.body or "")),
            "the unknown serial is noted on the order",
        )
        sn9 = self._lot("SN-9", product=self.serial_product)
        self._arrive(sn9, 1, days_ago=0)
        self.sim.set_orders([])
        self._sync()
        self.assertEqual(self._booked_lots(order), {("SN-2", "amazon"): 1, ("SN-9", "amazon"): 1})
        self.assertFalse(line.amazon_unknown_serials)
        self.assertEqual(order.amazon_unattributed_qty, 0)

    def test_shortage_then_replenishment_then_attribution(self):
        self.account.fba_lot_policy = "fifo"
        self._arrive(self.lot_a, 1, days_ago=10)
        order = self._sell("111-1000008-0000001", 3)
        line = order.order_line
        self.assertEqual(order.state, "sale", "the sale happened: the order books")
        self.assertFalse(self._error("111-1000008-0000001"))
        self.assertEqual(line.qty_delivered, 3)
        self.assertEqual(self._booked_lots(order), {("LOT-A", "fifo"): 1})
        self.assertEqual(line.amazon_unattributed_qty, 2)
        self.assertEqual(order.amazon_unattributed_qty, 2)
        self.assertEqual(self.account.fba_unattributed_qty, 2)
        open_move = line.amazon_component_move_ids.filtered(lambda m: m.state != "done")
        self.assertEqual(open_move.state, "confirmed")
        # Odoo's scheduler must not reserve it with its own removal strategy.
        self._arrive(self.lot_c, 1, days_ago=1)
        self.env["stock.move"].search([("id", "=", open_move.id)])._action_assign()
        self.assertFalse(open_move.move_line_ids)
        self._arrive(self.lot_b, 5, days_ago=0)
        self.sim.set_orders([])
        self._sync()
        self.assertEqual(
            self._booked_lots(order),
            {("LOT-A", "fifo"): 1, ("LOT-C", "fifo"): 1, ("LOT-B", "fifo"): 1},
        )
        self.account.invalidate_recordset(["fba_unattributed_qty"])
        self.assertEqual(self.account.fba_unattributed_qty, 0)
        self.assertEqual(order.amazon_unattributed_qty, 0)
        self.assertEqual(self._at_amazon(self.lot_b), 4)

    def test_attribute_now_button(self):
        self.account.fba_lot_policy = "fefo"
        order = self._sell("111-1000009-0000001", 2)
        self.assertEqual(self.account.fba_unattributed_qty, 2)
        self._arrive(self.lot_c, 3, days_ago=0)
        self.account.action_attribute_lots()
        self.assertEqual(self._booked_lots(order), {("LOT-C", "fefo"): 2})

    def test_policy_switch_applies_from_now_on(self):
        self._stock_three_lots()
        before = self._sell("111-1000010-0000001", 1)
        self.account.fba_lot_policy = "fifo"
        after = self._sell("111-1000010-0000002", 1)
        self._sync()
        self.assertFalse(before.order_line.amazon_component_move_ids)
        self.assertEqual(self._booked_lots(after), {("LOT-A", "fifo"): 1})
