"""Lot attribution takes real quants: packages (Put in Pack replenishment), owners, reservations."""

from odoo import Command
from odoo.tests import tagged

from .common_lots import AmazonLotCase


@tagged("post_install", "-at_install")
class TestLotAttributionQuants(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.fba_lot_policy = "fifo"
        cls.stock = cls.warehouse.lot_stock_id
        cls.owner = cls.env["res.partner"].create({"name": "Consignor Ltd"})

    def _sell(self, ref, quantity, sku="VITC-500", **item_kwargs):
        self.sim.set_orders([self._order(ref, [self._item("I1", sku, quantity, **item_kwargs)])])
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1, run.failures)
        return self._sale(ref)

    def _replenish_in_pack(self, lots_qty):
        """Replenish the pool from WH/Stock with its FBA replenishment type, Put in Pack (one
        carton), as sellers ship cartons to Amazon. Returns the package."""
        picking_type = self.amazon_location.amazon_replenishment_type_id
        product = next(iter(lots_qty)).product_id
        Quant = self.env["stock.quant"]
        for lot, qty in lots_qty.items():
            Quant._update_available_quantity(product, self.stock, qty, lot_id=lot)
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": picking_type.default_location_dest_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom": product.uom_id.id,
                            "product_uom_qty": sum(lots_qty.values()),
                            "location_id": self.stock.id,
                            "location_dest_id": self.amazon_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(picking.move_ids.quantity, sum(lots_qty.values()))
        picking.move_ids.picked = True
        picking.action_put_in_pack()
        package = picking.move_line_ids.result_package_id
        self.assertEqual(len(package), 1)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return package

    def _quants(self, product=None, **domain):
        return self.env["stock.quant"].search(
            [
                ("product_id", "=", (product or self.lot_product).id),
                ("location_id", "child_of", self.amazon_location.id),
                *[(key, "=", value) for key, value in domain.items()],
            ]
        )

    def _assert_no_negative_quant(self, product=None):
        negative = self._quants(product).filtered(lambda q: q.quantity < 0)
        details = [(q.lot_id.name, q.package_id.name, q.quantity) for q in negative]
        self.assertFalse(negative, f"negative quants: {details}")

    def test_replenishment_type_targets_the_pool(self):
        picking_type = self.amazon_location.amazon_replenishment_type_id
        self.assertEqual(self.amazon_location.complete_name, "WH/Amazon/US")
        self.assertEqual(picking_type.default_location_dest_id, self.amazon_location)
        self.assertEqual(picking_type.default_location_src_id, self.stock)

    def test_packaged_stock_is_consumed_from_its_package(self):
        lot_a, lot_b = self._lot("PK-A"), self._lot("PK-B")
        package = self._replenish_in_pack({lot_a: 2, lot_b: 3})
        self.assertEqual(self._quants(package_id=package.id).mapped("quantity"), [2, 3])
        order = self._sell("111-2000001-0000001", 3)
        move_lines = order.amazon_lot_line_ids
        self.assertEqual(set(move_lines.package_id), {package}, "lines leave from the carton")
        self.assertEqual(sum(move_lines.mapped("quantity")), 3)
        self.assertEqual(order.amazon_unattributed_qty, 0)
        self._assert_no_negative_quant()
        self.assertEqual(sum(self._quants(package_id=package.id).mapped("quantity")), 2)
        self.assertFalse(self._quants(package_id=False).filtered("quantity"), "no loose quant")

    def test_loose_and_packaged_units_of_one_lot(self):
        lot = self._lot("PK-MIX")
        self._arrive(lot, 1, days_ago=30)  # loose
        package = self._replenish_in_pack({lot: 2})
        order = self._sell("111-2000002-0000001", 3)
        self.assertEqual(self._booked_lots(order), {("PK-MIX", "fifo"): 3})
        self.assertEqual(
            sorted((ml.package_id.name or "", ml.quantity) for ml in order.amazon_lot_line_ids),
            sorted([("", 1.0), (package.name, 2.0)]),
        )
        self._assert_no_negative_quant()
        self.assertEqual(self._at_amazon(lot), 0)

    def test_owned_stock_keeps_its_owner(self):
        lot = self._lot("OWN-1")
        self.env["stock.quant"]._update_available_quantity(
            self.lot_product, self.amazon_location, 2, lot_id=lot, owner_id=self.owner
        )
        order = self._sell("111-2000003-0000001", 2)
        move_lines = order.amazon_lot_line_ids
        self.assertEqual(move_lines.owner_id, self.owner)
        self.assertEqual(sum(move_lines.mapped("quantity")), 2)
        self._assert_no_negative_quant()
        self.assertFalse(self._quants(owner_id=self.owner.id).filtered("quantity"))

    def test_serial_named_by_amazon_in_a_package(self):
        serials = [self._lot(f"PSN-{n}", product=self.serial_product) for n in range(3)]
        package = self._replenish_in_pack(dict.fromkeys(serials, 1))
        order = self._sell("111-2000004-0000001", 1, sku="BPM-1", serial_numbers=["PSN-2"])
        self.assertEqual(self._booked_lots(order), {("PSN-2", "amazon"): 1})
        self.assertEqual(order.amazon_lot_line_ids.package_id, package)
        self._assert_no_negative_quant(self.serial_product)

    def test_reserved_units_are_not_taken(self):
        lot_a, lot_b = self._lot("RES-A"), self._lot("RES-B")
        self._arrive(lot_a, 2, days_ago=30)
        self._arrive(lot_b, 2, days_ago=20)
        quant_a = self._quants(lot_id=lot_a.id)
        quant_a.reserved_quantity = 2  # e.g. a removal order reserved them
        order = self._sell("111-2000005-0000001", 3)
        self.assertEqual(self._booked_lots(order), {("RES-B", "fifo"): 2})
        self.assertEqual(order.amazon_unattributed_qty, 1)
        self.assertEqual(quant_a.quantity, 2)

    def test_manual_correction_takes_from_the_package(self):
        lot_a, lot_b = self._lot("MC-A"), self._lot("MC-B")
        self._arrive(lot_a, 1, days_ago=30)
        package = self._replenish_in_pack({lot_b: 2})
        order = self._sell("111-2000006-0000001", 1)
        self.assertEqual(self._booked_lots(order), {("MC-A", "fifo"): 1})
        order.order_line._amazon_reattribute({lot_b: 1})
        self.assertEqual(
            self._booked_lots(order),
            {("MC-A", "fifo"): 1, ("MC-A", "manual"): -1, ("MC-B", "manual"): 1},
        )
        out = order.amazon_lot_line_ids.filtered(
            lambda ml: ml.lot_id == lot_b and ml.location_dest_id.usage == "customer"
        )
        self.assertEqual(out.package_id, package)
        self._assert_no_negative_quant()
        self.assertEqual(self._at_amazon(lot_a), 1, "the corrected lot came back")
