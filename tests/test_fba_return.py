"""Returns of FBA sales: the same lots back to the pool, delivered quantities down."""

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common_lots import AmazonLotCase


@tagged("post_install", "-at_install")
class TestFbaReturn(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.fba_lot_policy = "fifo"
        cls.lot_a = cls._lot_cls("RET-A")
        cls.lot_b = cls._lot_cls("RET-B")

    @classmethod
    def _lot_cls(cls, name):
        return AmazonLotCase._lot(cls, name)

    def _sell(self, ref, items, **order_kwargs):
        self.sim.set_orders([self._order(ref, items, **order_kwargs)])
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1, run.failures)
        return self._sale(ref)

    def _return_wizard(self, action, quantities):
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        for index, quantity in enumerate(quantities):
            with form.line_ids.edit(index) as line:
                line.quantity = quantity
        return form.save()

    def test_partial_return_brings_back_the_lots_it_took(self):
        self._arrive(self.lot_a, 2, days_ago=30)
        self._arrive(self.lot_b, 2, days_ago=20)
        order = self._sell("111-4000001-0000001", [self._item("I1", "VITC-500", 3)])
        line = order.order_line
        self.assertEqual(self._booked_lots(order), {("RET-A", "fifo"): 2, ("RET-B", "fifo"): 1})
        wizard = self._return_wizard(order.action_amazon_return(), [2])
        self.assertEqual(wizard.line_ids.qty_delivered, 3)
        wizard.action_apply()
        self.assertEqual(line.qty_delivered, 1, "the kit line's delivered quantity follows")
        # The lot booked last comes back first, with the provenance it left with.
        self.assertEqual(self._booked_lots(order), {("RET-A", "fifo"): 1})
        self.assertEqual(self._at_amazon(self.lot_a), 1)
        self.assertEqual(self._at_amazon(self.lot_b), 2)
        back = order.amazon_lot_line_ids.filtered(lambda ml: ml.location_id.usage == "customer")
        self.assertEqual(set(back.mapped("amazon_lot_source")), {"fifo"})
        self.assertEqual(back.location_dest_id, self.amazon_location)
        self.assertTrue(back.move_id.origin_returned_move_id)
        kit_return = line.move_ids.filtered(lambda m: m.location_id.usage == "customer")
        self.assertTrue(kit_return.to_refund)
        self.assertEqual(kit_return.origin_returned_move_id.location_dest_id.usage, "customer")
        # The recall follows the net quantity at the customer.
        self.assertFalse(self.lot_b._amazon_recall_orders()["attributed"])
        self.assertEqual(self.lot_a._amazon_recall_orders()["attributed"], order)
        with self.assertRaisesRegex(UserError, "only 1.0 delivered"):
            order._amazon_return_from_customer({line: 2})

    def test_serial_from_amazon_and_untracked_line_come_back(self):
        serial = self._lot("RET-SN-1", product=self.serial_product)
        self._arrive(serial, 1, days_ago=3)
        self.env["stock.quant"]._update_available_quantity(
            self.plain_product, self.amazon_location, 5
        )
        order = self._sell(
            "111-4000002-0000001",
            [
                self._item("I1", "BPM-1", 1, serial_numbers=["RET-SN-1"]),
                self._item("I2", "SHAKER", 2),
            ],
        )
        self.assertEqual(self._at_amazon(serial), 0)
        moves = order._amazon_return_from_customer(
            {line: line.qty_delivered for line in order.order_line}
        )
        self.assertTrue(moves)
        self.assertEqual(order.order_line.mapped("qty_delivered"), [0, 0])
        self.assertEqual(self._at_amazon(serial), 1, "the serial Amazon named is back")
        self.assertEqual(
            self.env["stock.quant"]._get_available_quantity(
                self.plain_product, self.amazon_location
            ),
            5,
        )
        back = order.amazon_lot_line_ids.filtered(lambda ml: ml.location_id.usage == "customer")
        self.assertEqual(back.amazon_lot_source, "amazon", "provenance kept")

    def test_unattributed_units_leave_the_open_quantity(self):
        self._arrive(self.lot_a, 1, days_ago=30)
        order = self._sell("111-4000003-0000001", [self._item("I1", "VITC-500", 3)])
        self.assertEqual(order.amazon_unattributed_qty, 2)
        order._amazon_return_from_customer({order.order_line: 3})
        self.assertEqual(order.order_line.qty_delivered, 0)
        self.assertEqual(order.amazon_unattributed_qty, 0, "nothing left to attribute")
        self.assertEqual(self._at_amazon(self.lot_a), 1)

    def test_cancel_after_shipping_offers_the_return(self):
        self._arrive(self.lot_a, 2, days_ago=30)
        ref = "111-4000004-0000001"
        items = [self._item("I1", "VITC-500", 2)]
        order = self._sell(ref, items)
        self.sim.set_orders([self._order(ref, items, status="CANCELLED", minutes_ago=20)])
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertEqual(run.counts["failed"], 1)
        error = self._error(ref)
        self.assertEqual(error.kind, "shipped_cancel")
        self.assertIn("Return from Amazon customer", error.message)
        self.assertEqual(order.state, "sale")

        wizard = self._return_wizard(error.action_return_from_customer(), [2])
        self.assertEqual(wizard.sync_error_id, error)
        wizard.action_apply()
        self.assertEqual(self._at_amazon(self.lot_a), 2, "both units back in the pool")
        self.assertEqual(error.state, "resolved")
        self.assertEqual(order.state, "cancel", "the cancellation applies once all is back")
