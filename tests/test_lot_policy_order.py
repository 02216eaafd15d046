from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import AmazonFbaKitCommon


@tagged("post_install", "-at_install")
class TestLotsByPolicy(AmazonFbaKitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.amazon = cls.warehouse._get_amazon_location()
        cls.product = cls._create_product("Fish oil", tracking="lot")
        cls.lots = cls.env["stock.lot"].create(
            [
                {"name": name, "product_id": cls.product.id, "company_id": cls.company.id}
                for name in ("L-OLD", "L-MID", "L-NEW")
            ]
        )

    def _arrive(self, lot, qty, days_ago):
        """Book ``qty`` of ``lot`` into WH/Amazon, dated ``days_ago``."""
        move = self.env["stock.move"].create(
            {
                "name": "in",
                "product_id": self.product.id,
                "product_uom": self.product.uom_id.id,
                "product_uom_qty": qty,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.amazon.id,
            }
        )
        move._action_confirm()
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": self.product.id,
                "lot_id": lot.id,
                "quantity": qty,
                "location_id": move.location_id.id,
                "location_dest_id": self.amazon.id,
            }
        )
        move.picked = True
        move._action_done()
        move.move_line_ids.date = fields.Datetime.now() - timedelta(days=days_ago)

    def test_fifo_by_arrival_fefo_by_expiry(self):
        old, mid, new = self.lots
        self._arrive(mid, 2, days_ago=20)
        self._arrive(old, 3, days_ago=30)
        self._arrive(new, 4, days_ago=10)
        Quant = self.env["stock.quant"]
        fifo = Quant._amazon_lots_by_policy(self.product, self.amazon, "fifo")
        self.assertEqual(
            [(lot.name, qty) for lot, qty in fifo], [("L-OLD", 3), ("L-MID", 2), ("L-NEW", 4)]
        )
        if "expiration_date" in self.env["stock.lot"]._fields:
            new.expiration_date = fields.Datetime.now() + timedelta(days=30)
            old.expiration_date = fields.Datetime.now() + timedelta(days=90)
            fefo = Quant._amazon_lots_by_policy(self.product, self.amazon, "fefo")
            self.assertEqual([lot.name for lot, _qty in fefo], ["L-NEW", "L-OLD", "L-MID"])
        else:  # without product_expiry, FEFO falls back to arrival
            fefo = Quant._amazon_lots_by_policy(self.product, self.amazon, "fefo")
            self.assertEqual([lot.name for lot, _qty in fefo], ["L-OLD", "L-MID", "L-NEW"])
