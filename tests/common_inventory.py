"""Base class of the FBA inventory tests: the sync case plus stock and inventory helpers."""

from datetime import timedelta

from odoo import fields

from ..tools.sp_api_simulator import INVENTORY_PATH, make_inventory_summary
from .common_sync import AmazonSyncCase


class AmazonInventoryCase(AmazonSyncCase):
    def setUp(self):
        super().setUp()
        self.sim.set_inventory([])
        page_size = self.sim.page_size
        self.addCleanup(setattr, self.sim, "page_size", page_size)

    def _summary(self, sku, **kwargs):
        return make_inventory_summary(sku, **kwargs)

    def _pull(self, account=None):
        return (account or self.account)._amazon_sync_inventory_one()

    def _row(self, sku, account=None):
        return self.env["amazon.fba.inventory"].search(
            [("account_id", "=", (account or self.account).id), ("sku", "=", sku)]
        )

    def _inventory_requests(self):
        return self.sim.api_requests(INVENTORY_PATH)

    def _put(self, product, qty, location=None, lot=None):
        """Stock without history (no move): enough for untracked products."""
        self.env["stock.quant"]._update_available_quantity(
            product, location or self.amazon_location, qty, lot_id=lot
        )

    def _arrive(self, product, qty, lot=None, days_ago=1, location=None):
        """A done move of ``qty`` (of ``lot``) from a vendor into the Amazon location, dated
        ``days_ago``: the arrival the FIFO lot order reads."""
        location = location or self.amazon_location
        move = self.env["stock.move"].create(
            {
                "name": "arrival at Amazon",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": location.id,
            }
        )
        move._action_confirm()
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": product.id,
                "lot_id": lot.id if lot else False,
                "quantity": qty,
                "location_id": move.location_id.id,
                "location_dest_id": location.id,
            }
        )
        move.picked = True
        move._action_done()
        move.move_line_ids.date = fields.Datetime.now() - timedelta(days=days_ago)
        return move

    def _lots(self, product, *names):
        return self.env["stock.lot"].create(
            [
                {"name": name, "product_id": product.id, "company_id": self.company.id}
                for name in names
            ]
        )

    def _on_hand(self, product, lot=None, location=None):
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", (location or self.amazon_location).id),
                ("lot_id", "=", lot.id if lot else False),
            ]
        )
        return sum(quants.mapped("quantity"))
