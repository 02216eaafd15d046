from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common_inventory import AmazonInventoryCase


@tagged("post_install", "-at_install")
class TestFbaInventoryAdjust(AmazonInventoryCase):
    def setUp(self):
        super().setUp()
        self.old, self.mid, self.new = self._lots(self.lot_product, "L-OLD", "L-MID", "L-NEW")
        self._arrive(self.lot_product, 2, lot=self.mid, days_ago=20)
        self._arrive(self.lot_product, 3, lot=self.old, days_ago=30)
        self._arrive(self.lot_product, 4, lot=self.new, days_ago=10)  # 9 in WH/Amazon

    def _pull_and_plan(self, *summaries):
        self.sim.set_inventory(list(summaries))
        self._pull()
        rows = self.env["amazon.fba.inventory"].search(
            [
                ("account_id", "=", self.account.id),
                ("sku", "in", [s["sellerSku"] for s in summaries]),
            ]
        )
        action = rows.action_open_adjust()
        return rows, self.env[action["res_model"]].browse(action["res_id"])

    def _changes(self, wizard):
        return [
            (line.product_id, line.lot_id.name or False, line.quantity_before, line.change)
            for line in wizard.line_ids.filtered(lambda line: not line.refused)
        ]

    def test_shortage_removes_first_consumed_lots_after_apply_only(self):
        self.account.fba_lot_policy = "fifo"
        self._put(self.plain_product, 10)
        rows, wizard = self._pull_and_plan(
            self._summary("VITC-500", fulfillable=4, reserved=1),  # 5 at Amazon: 4 lost
            self._summary("SHAKER", fulfillable=7),  # 3 lost
        )
        self.assertEqual(set(rows.mapped("state")), {"short"})
        self.assertFalse(wizard.kit_policy_warning)
        self.assertEqual(
            self._changes(wizard),
            [
                (self.plain_product, False, 10, -3),  # rows in SKU order
                (self.lot_product, "L-OLD", 3, -3),
                (self.lot_product, "L-MID", 2, -1),
            ],
        )
        self.assertEqual(wizard.line_ids.filtered("lot_id").mapped("lot_source"), ["fifo", "fifo"])
        # Nothing moved before Apply.
        self.assertEqual(self._on_hand(self.lot_product, self.old), 3)
        self.assertEqual(self._on_hand(self.plain_product), 10)

        wizard.action_apply()
        self.assertEqual(self._on_hand(self.lot_product, self.old), 0)
        self.assertEqual(self._on_hand(self.lot_product, self.mid), 1)
        self.assertEqual(self._on_hand(self.lot_product, self.new), 4)
        self.assertEqual(self._on_hand(self.plain_product), 7)
        move_lines = self.env["stock.move.line"].search(
            [("move_id.is_inventory", "=", True), ("location_id", "=", self.amazon_location.id)]
        )
        self.assertEqual(len(move_lines), 3)
        self.assertTrue(all(line.state == "done" for line in move_lines))
        self.assertEqual({line.location_dest_id.usage for line in move_lines}, {"inventory"})
        lot_lines = move_lines.filtered("lot_id")
        self.assertEqual(set(lot_lines.mapped("amazon_lot_source")), {"fifo"})
        self.assertFalse(move_lines.filtered(lambda line: not line.lot_id).amazon_lot_source)
        self.assertIn("Amazon FBA reconciliation: VITC-500", lot_lines[0].move_id.name)
        self.assertEqual(set(rows.mapped("state")), {"match"}, "rows refreshed after Apply")

    def test_excess_goes_to_the_last_arrived_lot_fefo(self):
        self.account.fba_lot_policy = "fefo"
        rows, wizard = self._pull_and_plan(self._summary("VITC-500", fulfillable=11))
        self.assertEqual(rows.difference, 2)
        self.assertEqual(self._changes(wizard), [(self.lot_product, "L-NEW", 4, 2)])
        wizard.action_apply()
        self.assertEqual(self._on_hand(self.lot_product, self.new), 6)
        line = self.env["stock.move.line"].search(
            [("move_id.is_inventory", "=", True), ("lot_id", "=", self.new.id)]
        )
        self.assertEqual(line.amazon_lot_source, "fefo")
        self.assertEqual(line.location_id.usage, "inventory")
        self.assertEqual(rows.state, "match")

    def test_kit_policy_warns_and_uses_fifo_for_a_kit_sku(self):
        two_pack = self._create_kit(
            self.lot_product, qty=2, name="Vitamin C 2-pack", default_code="VITC-2PK"
        )
        self.assertEqual(self.account.fba_lot_policy, "kit")
        # 3 two-packs = 6 units at Amazon; Odoo has 9 units = 4.5 two-packs.
        rows, wizard = self._pull_and_plan(self._summary("VITC-2PK", fulfillable=3))
        self.assertEqual(rows.product_id, two_pack)
        self.assertEqual(rows.odoo_qty, 4.5)
        self.assertEqual(rows.difference, -1.5)
        self.assertTrue(wizard.kit_policy_warning)
        self.assertEqual(self._changes(wizard), [(self.lot_product, "L-OLD", 3, -3)])
        self.assertEqual(wizard.line_ids.lot_source, "fifo")
        wizard.action_apply()
        self.assertEqual(self._on_hand(self.lot_product, self.old), 0)
        self.assertEqual(rows.state, "match")

    def test_refusals_make_up_nothing(self):
        fish = self._create_product("Fish Oil", tracking="lot", default_code="FISH-1")
        rows, wizard = self._pull_and_plan(
            self._summary("FISH-1", fulfillable=3),  # no lot of it ever reached Amazon
            self._summary("BPM-1", fulfillable=1),  # serial numbers Amazon does not name
            self._summary("NOPE-1", fulfillable=1),  # unknown SKU
        )
        self.assertEqual(len(rows), 3)
        self.assertFalse(wizard.has_changes)
        messages = dict(
            zip(wizard.line_ids.mapped("sku"), wizard.line_ids.mapped("message"), strict=True)
        )
        self.assertIn("no lot of it ever arrived", messages["FISH-1"])
        self.assertIn("serial numbers", messages["BPM-1"])
        self.assertIn("Unknown SKU", messages["NOPE-1"])
        with self.assertRaisesRegex(UserError, "Nothing to adjust"):
            wizard.action_apply()
        self.assertFalse(
            self.env["stock.quant"].search([("product_id", "in", (fish | self.serial_product).ids)])
        )

    def test_stock_changed_since_the_plan(self):
        _rows, wizard = self._pull_and_plan(self._summary("VITC-500", fulfillable=5))
        self._arrive(self.lot_product, 1, lot=self.old, days_ago=0)
        with self.assertRaisesRegex(UserError, "changed since this adjustment was prepared"):
            wizard.action_apply()
        self.assertEqual(self._on_hand(self.lot_product, self.old), 4)

    def test_only_inventory_administrators_adjust(self):
        self.sim.set_inventory([self._summary("VITC-500", fulfillable=5)])
        self._pull()
        user = self.env["res.users"].create(
            {
                "name": "Amazon manager",
                "login": "amazon-manager-no-stock",
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("amazon_fba_kit.amazon_fba_kit_group_manager").id,
                            self.env.ref("stock.group_stock_user").id,
                        ]
                    )
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "Only an Inventory administrator"):
            self._row("VITC-500").with_user(user).action_open_adjust()

    def test_views_load(self):
        for model in ("amazon.fba.inventory", "amazon.fba.inventory.adjust"):
            views = self.env[model].get_views([(False, "list"), (False, "form"), (False, "search")])
            self.assertIn("form", views["views"])
        _rows, wizard = self._pull_and_plan(self._summary("VITC-500", fulfillable=5))
        form = Form(wizard)
        self.assertEqual(len(form.line_ids), 2)
        self.assertTrue(form.kit_policy_warning)
        menu = self.env.ref("amazon_fba_kit.amazon_fba_inventory_menu")
        self.assertEqual(menu.action, self.env.ref("amazon_fba_kit.amazon_fba_inventory_action"))
