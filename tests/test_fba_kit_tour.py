from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestFbaKitTour(HttpCase):
    def test_amazon_fba_kit_tour(self):
        """A person creates an FBA kit from the Sales app and cannot give it Track Inventory."""
        # Lots & serial numbers enabled, as the Inventory setting does.
        self.env.ref("base.group_user").implied_ids += self.env.ref("stock.group_production_lot")
        product = self.env["product.product"].create(
            {
                "name": "FBA Tour Sunscreen",
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "sale_ok": True,
            }
        )
        self.start_tour("/odoo", "amazon_fba_kit_tour", login="admin")

        kit = product._get_amazon_fba_kit()
        self.assertEqual(kit.name, "FBA Tour Sunscreen (Amazon FBA kit)")
        self.assertFalse(kit.is_storable, "the refused Track Inventory was not saved")
        self.assertEqual(kit.bom_ids.type, "phantom")
        self.assertEqual(kit.bom_ids.bom_line_ids.product_id, product)
        self.assertEqual(kit._get_amazon_fba_kit_component(), (product, 1.0))
