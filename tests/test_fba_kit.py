from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import AmazonFbaKitCommon


@tagged("post_install", "-at_install")
class TestFbaKitConstraints(AmazonFbaKitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot_product = cls._create_product("Sunscreen", tracking="lot", default_code="SUN")
        cls.serial_product = cls._create_product("Camera", tracking="serial")
        cls.plain_product = cls._create_product("Cable", tracking="none")

    def test_kit_without_bom_is_saved_but_unusable(self):
        kit = self._create_kit(self.lot_product, with_bom=False)
        self.assertTrue(kit.amazon_fba_kit_bom_missing)
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.env["product.product"], 0.0))
        self._create_kit_bom(kit, self.lot_product)
        self.env.invalidate_all()
        self.assertFalse(kit.amazon_fba_kit_bom_missing)
        self.assertEqual(kit.amazon_fba_kit_component_id, self.lot_product)
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.lot_product, 1.0))

    def test_kit_refuses_track_inventory(self):
        kit = self._create_kit(self.lot_product)
        with self.assertRaisesRegex(ValidationError, "cannot have Track Inventory"):
            kit.is_storable = True
        form = Form(kit.product_tmpl_id)
        form.is_storable = True
        with self.assertRaisesRegex(ValidationError, "cannot have Track Inventory"):
            form.save()

    def test_kit_refuses_own_tracking(self):
        kit = self._create_kit(self.lot_product)
        with self.assertRaisesRegex(ValidationError, "cannot itself be tracked by lots"):
            kit.tracking = "serial"

    def test_kit_must_be_goods(self):
        kit = self._create_kit(self.lot_product, with_bom=False)
        with self.assertRaisesRegex(ValidationError, "must be a goods product"):
            kit.type = "service"
        service = self.env["product.product"].create({"name": "Gift wrap", "type": "service"})
        with self.assertRaisesRegex(ValidationError, "must be a goods product"):
            service.amazon_fba_kit = True

    def test_storable_or_tracked_product_cannot_be_flagged(self):
        storable = self._create_product("Box", tracking="none", is_storable=True)
        with self.assertRaisesRegex(ValidationError, "cannot have Track Inventory"):
            storable.amazon_fba_kit = True
        with self.assertRaisesRegex(ValidationError, "cannot have Track Inventory"):
            self.lot_product.amazon_fba_kit = True
        # Accepted path: untick Track Inventory first, then flag it.
        storable.is_storable = False
        storable.amazon_fba_kit = True
        self.assertTrue(storable.amazon_fba_kit)

    def test_flagging_product_with_wrong_bom_refused(self):
        product = self._create_product("Bundle", tracking="none")
        bom = self._create_kit_bom(product, self.lot_product | self.serial_product)
        with self.assertRaisesRegex(ValidationError, "has 2 component lines"):
            product.amazon_fba_kit = True
        bom.bom_line_ids[1].unlink()
        bom.type = "normal"
        with self.assertRaisesRegex(ValidationError, "must be of type Kit"):
            product.amazon_fba_kit = True
        bom.type = "phantom"
        bom.bom_line_ids.product_id = self.plain_product
        with self.assertRaisesRegex(ValidationError, "is not tracked by lots or serial"):
            product.amazon_fba_kit = True
        bom.bom_line_ids.product_id = self.lot_product
        product.amazon_fba_kit = True
        self.assertEqual(product._get_amazon_fba_kit_component(), (self.lot_product, 1.0))

    def test_bom_second_line_refused(self):
        kit = self._create_kit(self.lot_product)
        bom = kit.bom_ids
        with self.assertRaisesRegex(ValidationError, "has 2 component lines"):
            bom.write({"bom_line_ids": [Command.create({"product_id": self.serial_product.id})]})
        form = Form(bom)
        with form.bom_line_ids.new() as line:
            line.product_id = self.serial_product
        with self.assertRaisesRegex(ValidationError, "has 2 component lines"):
            form.save()
        with self.assertRaisesRegex(ValidationError, "has 2 component lines"):
            self._create_kit_bom(
                self._create_kit(self.serial_product, with_bom=False),
                self.serial_product | self.lot_product,
            )

    def test_bom_removing_the_line_refused(self):
        bom = self._create_kit(self.lot_product).bom_ids
        with self.assertRaisesRegex(UserError, "only component"):
            bom.bom_line_ids.unlink()
        form = Form(bom)
        form.bom_line_ids.remove(index=0)
        with self.assertRaisesRegex(ValidationError, "has 0 component lines"):
            form.save()
        bom = self._create_kit(self.lot_product, name="Sunscreen kit 2").bom_ids
        with self.assertRaisesRegex(ValidationError, "has 0 component lines"):
            bom.write({"bom_line_ids": [Command.delete(bom.bom_line_ids.id)]})
        with self.assertRaisesRegex(ValidationError, "has 0 component lines"):
            self._create_kit_bom(self._create_kit(self.lot_product, with_bom=False), [])

    def test_bom_replacing_the_line_accepted(self):
        bom = self._create_kit(self.lot_product).bom_ids
        form = Form(bom)
        form.bom_line_ids.remove(index=0)
        with form.bom_line_ids.new() as line:
            line.product_id = self.serial_product
        form.save()
        self.assertEqual(bom.bom_line_ids.product_id, self.serial_product)
        # Deleting the whole BoM is not removing its line: allowed, the kit is then without BoM.
        kit = bom.product_tmpl_id
        bom.unlink()
        self.assertTrue(kit.amazon_fba_kit_bom_missing)

    def test_bom_untracked_component_refused(self):
        bom = self._create_kit(self.lot_product).bom_ids
        with self.assertRaisesRegex(ValidationError, "is not tracked by lots or serial"):
            bom.bom_line_ids.product_id = self.plain_product
        form = Form(bom)
        with form.bom_line_ids.edit(0) as line:
            line.product_id = self.plain_product
        with self.assertRaisesRegex(ValidationError, "is not tracked by lots or serial"):
            form.save()
        with self.assertRaisesRegex(ValidationError, "is not tracked by lots or serial"):
            self._create_kit(self.plain_product)

    def test_bom_type_must_stay_kit(self):
        bom = self._create_kit(self.lot_product).bom_ids
        with self.assertRaisesRegex(ValidationError, "must be of type Kit"):
            bom.type = "normal"
        # An archived BoM is not checked, but re-activating a wrong one is refused.
        bom.active = False
        bom.with_context(active_test=False).bom_line_ids.product_id = self.plain_product
        with self.assertRaisesRegex(ValidationError, "is not tracked by lots or serial"):
            bom.active = True

    def test_component_cannot_be_untracked(self):
        self._create_kit(self.lot_product)
        with self.assertRaisesRegex(ValidationError, "is not tracked by lots or serial"):
            self.lot_product.tracking = "none"
        with self.assertRaisesRegex(ValidationError, "is not tracked by lots or serial"):
            self.lot_product.is_storable = False
        # Tracked differently is still tracked, as long as serials come in whole units.
        self.lot_product.tracking = "serial"
        self.assertEqual(self.lot_product.tracking, "serial")
        self.lot_product.tracking = "lot"
        self._create_kit(self.lot_product, qty=1.5, name="Sunscreen 1.5 l")
        with self.assertRaisesRegex(ValidationError, "whole number"):
            self.lot_product.tracking = "serial"

    def test_component_quantity(self):
        kit = self._create_kit(self.lot_product)
        line = kit.bom_ids.bom_line_ids
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            line.product_qty = 0.0
        line.product_qty = 2.0  # a multipack
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.lot_product, 2.0))
        line.product_qty = 1.5  # lots may be split (e.g. litres)
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.lot_product, 1.5))

    def test_serial_component_quantity_is_whole(self):
        kit = self._create_kit(self.serial_product, qty=2.0)
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.serial_product, 2.0))
        line = kit.bom_ids.bom_line_ids
        with self.assertRaisesRegex(ValidationError, "whole number"):
            line.product_qty = 1.5
        # 3 serials for a BoM of 2 kits is 1.5 serials a kit: refused.
        with self.assertRaisesRegex(ValidationError, "whole number"):
            kit.bom_ids.write(
                {
                    "product_qty": 2.0,
                    "bom_line_ids": [Command.update(line.id, {"product_qty": 3.0})],
                }
            )
        kit.bom_ids.write(
            {"product_qty": 2.0, "bom_line_ids": [Command.update(line.id, {"product_qty": 4.0})]}
        )
        self.assertEqual(kit._get_amazon_fba_kit_component(), (self.serial_product, 2.0))
        with self.assertRaisesRegex(ValidationError, "whole number"):
            self._create_kit(self.serial_product, qty=0.5)

    def test_kit_and_component_of_different_companies_refused(self):
        company_b = self.env["res.company"].create({"name": "FBA Company B"})
        component = self._create_product("B sunscreen", company=company_b)
        kit = self._create_kit(component, with_bom=False, company_id=self.company.id)
        with self.assertRaisesRegex(UserError, "company"):
            self._create_kit_bom(kit, component, company_id=False)

    def test_access_rights_follow_products_and_boms(self):
        salesman = new_test_user(self.env, "fba_salesman", groups="sales_team.group_sale_salesman")
        kit = self._create_kit(self.lot_product)
        with self.assertRaises(AccessError):
            kit.with_user(salesman).amazon_fba_kit = False
        with self.assertRaises(AccessError):
            self.serial_product.with_user(salesman).action_create_amazon_fba_kit()
        # Reading the kit and its component is allowed to who may read products and BoMs.
        kit_as_salesman = kit.with_user(salesman)
        self.assertEqual(kit_as_salesman.amazon_fba_kit_component_id, self.lot_product)
