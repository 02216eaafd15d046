"""Base of the lot attribution and recall tests: lots arriving at WH/Amazon on given dates."""

from datetime import timedelta

from odoo import fields

from .common_sync import AmazonSyncCase


class AmazonLotCase(AmazonSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        cls.has_expiry = "expiration_date" in cls.env["stock.lot"]._fields

    def _lot(self, name, product=None, expires_in_days=None, company=None):
        vals = {
            "name": name,
            "product_id": (product or self.lot_product).id,
            "company_id": (company or self.company).id,
        }
        lot = self.env["stock.lot"].create(vals)
        if expires_in_days is not None and self.has_expiry:
            lot.expiration_date = fields.Datetime.now() + timedelta(days=expires_in_days)
        return lot

    def _arrive(self, lot, qty, days_ago, location=None):
        """Book ``qty`` of ``lot`` from a vendor into WH/Amazon, dated ``days_ago``."""
        location = location or self.amazon_location
        product = lot.product_id
        move = self.env["stock.move"].create(
            {
                "name": "replenishment",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "location_id": self.suppliers.id,
                "location_dest_id": location.id,
                "company_id": location.company_id.id,
            }
        )
        move._action_confirm()
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": product.id,
                "lot_id": lot.id,
                "quantity": qty,
                "location_id": self.suppliers.id,
                "location_dest_id": location.id,
            }
        )
        move.picked = True
        move._action_done()
        move.move_line_ids.date = fields.Datetime.now() - timedelta(days=days_ago)
        return move

    def _at_amazon(self, lot):
        return self.env["stock.quant"]._get_available_quantity(
            lot.product_id, self.amazon_location, lot_id=lot, strict=True
        )

    def _booked_lots(self, order):
        """``{(lot name, provenance): net quantity}`` booked out to the order's customer."""
        result = {}
        for move_line in order.amazon_lot_line_ids:
            sign = 1 if move_line.location_dest_id.usage == "customer" else -1
            key = (move_line.lot_id.name, move_line.amazon_lot_source)
            result[key] = result.get(key, 0) + sign * move_line.quantity
        return {key: qty for key, qty in result.items() if qty}

    def _days_ago(self, days):
        return fields.Datetime.now() - timedelta(days=days)
