"""Base class of the FBM shipment confirmation tests: an FBM order synced from the simulator, its
delivery stocked and ready, a carrier; Amazon's confirmShipment served by the same simulator."""

from odoo import Command
from odoo.tests import Form

from .common_sync import AmazonSyncCase

CONFIRM_PATH = "/orders/v0/orders/{}/shipmentConfirmation"


class AmazonShipmentCase(AmazonSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Confirmation = cls.env["amazon.shipment.confirmation"]
        cls.cron = cls.env.ref("amazon_fba_kit.ir_cron_amazon_confirm_shipments")
        shipping_product = cls.env["product.product"].create(
            {"name": "Shipping", "type": "service", "list_price": 0.0}
        )
        cls.ups = cls.env["delivery.carrier"].create(
            {"name": "UPS Ground", "delivery_type": "fixed", "product_id": shipping_product.id}
        )
        cls.courier = cls.env["delivery.carrier"].create(
            {
                "name": "Speedy Local Courier",
                "delivery_type": "fixed",
                "product_id": shipping_product.id,
            }
        )
        stock = cls.warehouse.lot_stock_id
        cls.lot = cls.env["stock.lot"].create(
            {"name": "VC-FBM-1", "product_id": cls.lot_product.id, "company_id": cls.company.id}
        )
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.lot_product, stock, 50, lot_id=cls.lot)
        Quant._update_available_quantity(cls.plain_product, stock, 50)

    def _fbm_order(self, ref, items=None, status="UNSHIPPED"):
        """Sync an FBM order (default: 3 x VITC-500 as I1, 2 x SHAKER as I2); its sale order."""
        items = items or [self._item("I1", "VITC-500", 3), self._item("I2", "SHAKER", 2)]
        raw = self._order(ref, items, fulfilled_by="MERCHANT", status=status)
        self.sim.add_orders([raw])
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertFalse(run.failures, run.failures)
        order = self._sale(ref)
        self.assertEqual(order.amazon_fulfilled_by, "merchant")
        return order

    def _ready_delivery(self, order, carrier=None, tracking="1Z999AA10123456784"):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(len(picking), 1)
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        picking.carrier_id = carrier if carrier is not None else self.ups
        picking.carrier_tracking_ref = tracking
        return picking

    def _set_done_quantities(self, picking, quantities):
        """``quantities``: product -> quantity shipped now (the rest goes to a backorder)."""
        for move in picking.move_ids:
            if move.product_id in quantities:
                move.quantity = quantities[move.product_id]
            move.picked = True

    def _validate(self, picking, backorder=True):
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = Form.from_action(self.env, result).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")
        return picking

    def _send(self):
        """The scheduled action's job, as the cron worker calls it."""
        return self.Confirmation._cron_send_pending()

    def _confirm_calls(self, ref):
        return self.sim.api_requests(CONFIRM_PATH.format(ref))

    def _make_due(self, confirmations):
        """Time passes: the next attempt is due now."""
        confirmations.next_attempt = self._ago(1)

    def _stock_user(self, with_amazon=False):
        groups = [self.env.ref("stock.group_stock_user").id]
        if with_amazon:
            groups.append(self.env.ref("amazon_fba_kit.amazon_fba_kit_group_user").id)
        return self.env["res.users"].create(
            {
                "name": "Warehouse Worker",
                "login": f"warehouse-{len(groups)}@example.com",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set(groups)],
            }
        )
