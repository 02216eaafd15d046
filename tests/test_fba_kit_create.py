from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AmazonFbaKitCommon


@tagged("post_install", "-at_install")
class TestFbaKitCreate(AmazonFbaKitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls.env["account.tax"].create({"name": "FBA test tax 7%", "amount": 7.0})
        cls.lot_product = cls._create_product(
            "Sunscreen", tracking="lot", default_code="SUN", list_price=12.5
        )
        cls.lot_product.taxes_id = cls.tax
        cls.serial_product = cls._create_product("Camera", tracking="serial")
        cls.plain_product = cls._create_product("Cable", tracking="none")

    def _kit_from_action(self, action):
        self.assertEqual(action["res_model"], "product.template")
        return self.env["product.template"].browse(action["res_id"]).product_variant_id

    def test_action_creates_kit_and_bom(self):
        action = self.lot_product.action_create_amazon_fba_kit()
        kit = self._kit_from_action(action)
        self.assertRecordValues(
            kit,
            [
                {
                    "name": "Sunscreen (Amazon FBA kit)",
                    "default_code": "SUN-FBA",
                    "amazon_fba_kit": True,
                    "type": "consu",
                    "is_storable": False,
                    "tracking": "none",
                    "sale_ok": True,
                    "list_price": 12.5,
                    "uom_id": self.lot_product.uom_id.id,
                    "company_id": False,
                }
            ],
        )
        self.assertEqual(kit.taxes_id, self.tax)
        bom = kit.bom_ids
        self.assertRecordValues(bom, [{"type": "phantom", "product_qty": 1.0}])
        self.assertRecordValues(
            bom.bom_line_ids, [{"product_id": self.lot_product.id, "product_qty": 1.0}]
        )
        self.assertTrue(kit.is_kits)
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.lot_product, 1.0))
        self.assertEqual(self.lot_product._get_amazon_fba_kit(), kit)
        # The smart buttons link both ways.
        self.assertEqual(self.lot_product.amazon_fba_kit_count, 1)
        self.assertEqual(kit.amazon_fba_kit_component_id, self.lot_product)
        self.assertFalse(kit.amazon_fba_kit_bom_missing)
        self.assertEqual(self._kit_from_action(self.lot_product.action_open_amazon_fba_kits()), kit)
        back = kit.product_tmpl_id.action_open_amazon_fba_kit_component()
        self.assertEqual(back["res_id"], self.lot_product.product_tmpl_id.id)

    def test_action_is_idempotent(self):
        kit = self._kit_from_action(self.lot_product.action_create_amazon_fba_kit())
        templates = self.env["product.template"].search_count([])
        boms = self.env["mrp.bom"].search_count([])
        again = self.lot_product.product_tmpl_id.action_create_amazon_fba_kit()
        self.assertEqual(self._kit_from_action(again), kit)
        self.assertEqual(self.lot_product._create_amazon_fba_kit(), kit)
        self.assertEqual(self.env["product.template"].search_count([]), templates)
        self.assertEqual(self.env["mrp.bom"].search_count([]), boms)

    def test_action_refuses_untracked_product(self):
        with self.assertRaisesRegex(UserError, "not tracked by lots or serial numbers"):
            self.plain_product.action_create_amazon_fba_kit()
        self.assertFalse(self.env["product.template"].search([("amazon_fba_kit", "=", True)]))

    def test_action_ignores_form_defaults(self):
        """From the Inventory app the context holds default_is_storable: the kit ignores it."""
        product = self.serial_product.with_context(
            default_is_storable=True, default_tracking="serial", create_product_product=False
        )
        kit = product._create_amazon_fba_kit()
        self.assertFalse(kit.is_storable)
        self.assertEqual(kit.tracking, "none")
        self.assertEqual(kit.default_code, False)
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.serial_product, 1.0))

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "FBA Company B"})
        component = self._create_product("B sunscreen", company=company_b)
        kit = component._create_amazon_fba_kit()
        self.assertEqual(kit.company_id, company_b)
        self.assertEqual(kit.bom_ids.company_id, company_b)
        self.assertEqual(component._get_amazon_fba_kits(company=company_b), kit)
        self.assertEqual(
            kit.with_company(company_b)._get_amazon_fba_kit_component(), (component, 1.0)
        )
        # Not a kit of the other company.
        self.assertFalse(component._get_amazon_fba_kits(company=self.company))
        self.assertEqual(kit._get_amazon_fba_kit_component(self.company)[0], component.browse())
        with self.assertRaisesRegex(UserError, "No Amazon FBA kit stands for"):
            component._get_amazon_fba_kit(company=self.company)
        # Idempotent in the component's company even when called from another one.
        self.assertEqual(component.with_company(self.company)._create_amazon_fba_kit(), kit)

    def test_lookup_none_one_several(self):
        with self.assertRaisesRegex(UserError, r"No Amazon FBA kit stands for \[SUN\] Sunscreen"):
            self.lot_product._get_amazon_fba_kit()
        kit = self._create_kit(self.lot_product, name="Sunscreen single")
        self.assertEqual(self.lot_product._get_amazon_fba_kit(), kit)
        pack = self._create_kit(self.lot_product, qty=2.0, name="Sunscreen two-pack")
        self.assertEqual(self.lot_product._get_amazon_fba_kits(), kit | pack)
        with self.assertRaisesRegex(
            UserError, r"Several Amazon FBA kits stand for \[SUN\] Sunscreen"
        ):
            self.lot_product._get_amazon_fba_kit()
        pack.active = False
        self.assertEqual(self.lot_product._get_amazon_fba_kit(), kit)
        # The kits of several tracked products at once.
        camera_kit = self._create_kit(self.serial_product)
        self.assertEqual(
            (self.lot_product | self.serial_product)._get_amazon_fba_kits(), kit | camera_kit
        )

    def test_lookup_uses_the_bom_core_finds(self):
        """A kit with two kit BoMs stands for the component of the one mrp finds first."""
        kit = self._create_kit(self.serial_product)
        kit.bom_ids.sequence = 1
        self._create_kit_bom(kit, self.lot_product, sequence=2)
        self.assertEqual(self.serial_product._get_amazon_fba_kits(), kit)
        self.assertFalse(self.lot_product._get_amazon_fba_kits())
        self.assertEqual(kit._get_amazon_fba_kit_component()[0], self.serial_product)

    def test_lookup_cost_does_not_grow_with_the_catalogue(self):
        """The order sync calls the lookup per order line: a few queries, whatever the number of
        kits."""
        kit = self.lot_product._create_amazon_fba_kit()

        def lookup_queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.assertEqual(self.lot_product._get_amazon_fba_kits(), kit)
            return self.env.cr.sql_log_count - before

        with_one_kit = lookup_queries()
        others = self.env["product.product"].create(
            [
                {"name": f"Tracked {i}", "type": "consu", "is_storable": True, "tracking": "lot"}
                for i in range(20)
            ]
        )
        for product in others:
            product._create_amazon_fba_kit()
        self.assertEqual(lookup_queries(), with_one_kit)
        self.assertLessEqual(with_one_kit, 8)

    def test_component_of_a_non_kit_is_empty(self):
        self.assertEqual(
            self.lot_product._get_amazon_fba_kit_component(), (self.env["product.product"], 0.0)
        )

    def test_views_show_flag_button_links_and_filter(self):
        """The product form of the Sales and Inventory apps (and the variant form) shows the flag,
        the button and both links; the BoM form its banner; the search view the filter."""
        admin = self.env.ref("base.user_admin")
        for model, action in [
            ("product.template", "sale.product_template_action"),
            ("product.template", "stock.product_template_action_product"),
            ("product.product", "stock.stock_product_normal_action"),
        ]:
            view_id = next((v for v, mode in self.env.ref(action).views if mode == "form"), False)
            arch = self.env[model].with_user(admin).get_view(view_id, "form")["arch"]
            for node in [
                '<field name="amazon_fba_kit"',
                'name="action_create_amazon_fba_kit"',
                'name="action_open_amazon_fba_kits"',
                'name="action_open_amazon_fba_kit_component"',
                "alert alert-warning",
            ]:
                self.assertIn(node, arch, f"{node} missing from the {model} form of {action}")
        arch = self.env["mrp.bom"].get_view(False, "form")["arch"]
        self.assertIn("o_amazon_fba_kit_bom_alert", arch)
        for view in (
            "product.product_template_search_view",
            "stock.product_template_search_form_view_stock",
        ):
            arch = self.env["product.template"].get_view(self.env.ref(view).id, "search")["arch"]
            self.assertIn('name="amazon_fba_kit"', arch)
        kits = self.env["product.template"].search([("amazon_fba_kit", "=", True)])
        self.assertFalse(kits)
        self.lot_product.action_create_amazon_fba_kit()
        self.assertEqual(
            self.env["product.template"]
            .search([("amazon_fba_kit", "=", True)])
            .amazon_fba_kit_component_id,
            self.lot_product,
        )
