from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_and_dependencies_installed(self):
        """The addon is installed in the test database, with the manifest's dependencies."""
        modules = self.env["ir.module.module"].search(
            [("name", "in", ["amazon_fba_kit", "sale_stock", "sale_mrp"])]
        )
        self.assertEqual(
            {m.name: m.state for m in modules},
            {
                "amazon_fba_kit": "installed",
                "sale_stock": "installed",
                "sale_mrp": "installed",
            },
        )
        # sale_mrp's kit machinery is loaded in the registry the tests run on.
        self.assertIn("is_kits", self.env["product.product"]._fields)
