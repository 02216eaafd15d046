from psycopg2 import IntegrityError

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..spapi import const
from .common_inventory import AmazonInventoryCase
from .common_sync import SIM_CLIENT_ID, SIM_CLIENT_SECRET, SIM_REFRESH_TOKEN


@tagged("post_install", "-at_install")
class TestFbaInventoryPull(AmazonInventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fish = cls._create_product("Fish Oil", tracking="lot", default_code="FISH-1")
        cls.fish_2pack = cls._create_kit(
            cls.fish, qty=2, name="Fish Oil 2-pack", default_code="FISH-2PK"
        )

    def _catalogue(self):
        return [
            # matches: 7 + 2 + 1 = 10 at Amazon, 10 in WH/Amazon; inbound is not compared
            self._summary("SHAKER", fulfillable=7, reserved=2, unfulfillable=1, inbound_shipped=5),
            # short: Amazon holds 5, Odoo thinks 8
            self._summary("VITC-500", fulfillable=4, unfulfillable=1, researching=2),
            # kit SKU: 6 two-packs at Amazon; Odoo has 10 units of fish oil = 5 two-packs
            self._summary("FISH-2PK", fulfillable=6),
            # unknown SKU
            self._summary("NOPE-1", fulfillable=4),
        ]

    def _stock_up(self):
        self._put(self.plain_product, 10)
        (vitc,) = self._lots(self.lot_product, "VC-1")
        self._arrive(self.lot_product, 8, lot=vitc)
        (fish,) = self._lots(self.fish, "FO-1")
        self._arrive(self.fish, 10, lot=fish)

    def test_pull_compares_every_kind_of_sku(self):
        self._stock_up()
        self.sim.page_size = 3
        self.sim.set_inventory(self._catalogue())
        pulls = self._pull()
        self.assertEqual(len(pulls), 1)
        self.assertTrue(pulls[0].complete)
        requests = self._inventory_requests()
        self.assertEqual(len(requests), 2, "4 summaries, pages of 3")
        self.assertEqual(requests[0]["params"]["granularityId"], "ATVPDKIKX0DER")
        self.assertEqual(requests[0]["params"]["details"], "true")
        self.assertIn("nextToken", requests[1]["params"])

        shaker = self._row("SHAKER")
        self.assertEqual(shaker.marketplace_id, self.us)
        self.assertEqual(shaker.product_id, self.plain_product)
        self.assertEqual(shaker.company_id, self.company)
        self.assertEqual(
            (shaker.fulfillable_qty, shaker.reserved_qty, shaker.unfulfillable_qty),
            (7, 2, 1),
        )
        self.assertEqual(shaker.inbound_qty, 5)
        self.assertEqual(shaker.amazon_qty, 10)
        self.assertEqual(shaker.odoo_qty, 10)
        self.assertEqual(shaker.difference, 0)
        self.assertEqual(shaker.state, "match")
        self.assertFalse(shaker.note)

        vitc = self._row("VITC-500")
        self.assertEqual(vitc.amazon_qty, 5, "researching units are not at Amazon")
        self.assertEqual(vitc.researching_qty, 2)
        self.assertEqual(vitc.odoo_qty, 8)
        self.assertEqual(vitc.difference, -3)
        self.assertEqual(vitc.state, "short")
        self.assertEqual(vitc.lot_policy, "kit")
        self.assertIn("Kit only", vitc.note, "the kit policy explains the expected difference")

        fish = self._row("FISH-2PK")
        self.assertEqual(fish.product_id, self.fish_2pack)
        self.assertEqual(fish.tracked_product_id, self.fish)
        self.assertEqual(fish.kit_qty, 2)
        self.assertEqual(fish.odoo_qty, 5)
        self.assertEqual(fish.difference, 1)
        self.assertEqual(fish.state, "excess")

        unknown = self._row("NOPE-1")
        self.assertTrue(unknown, "an unknown SKU is listed, not lost")
        self.assertFalse(unknown.product_id)
        self.assertEqual(unknown.amazon_qty, 4)
        self.assertEqual(unknown.state, "unmapped")
        self.assertIn("Unknown SKU", unknown.note)
        self.assertTrue(unknown.offer_id, "an offer waits for its product")
        self.assertFalse(unknown.offer_id.product_id)

        report = self.account.last_inventory_message
        self.assertIn("4 SKU(s) reported by Amazon; 1 where Amazon has less", report)
        self.assertIn("1 where it has more, 1 not compared", report)
        self.assertTrue(self.account.last_inventory_sync)

        # The person links the unknown SKU's offer, then refreshes: the row is compared.
        unknown.offer_id.product_id = self.plain_product
        unknown.action_refresh_odoo_qty()
        self.assertEqual(unknown.state, "short")
        self.assertTrue(unknown.shared_product, "SHAKER and NOPE-1 both stand for the shaker")
        self.assertIn("Other SKUs", unknown.note)
        self.assertTrue(self._row("SHAKER").shared_product, "the sibling row says so too")

    def test_second_pull_upserts_and_handles_skus_amazon_dropped(self):
        self._stock_up()
        self.sim.set_inventory(self._catalogue())
        self._pull()
        rows = self.env["amazon.fba.inventory"].search([("account_id", "=", self.account.id)])
        self.assertEqual(len(rows), 4)
        vitc = self._row("VITC-500")

        # Amazon no longer returns SHAKER (Odoo still holds 10 of it) nor NOPE-1 (Odoo: none).
        self.sim.set_inventory(
            [
                self._summary("VITC-500", fulfillable=8),
                self._summary("FISH-2PK", fulfillable=6),
            ]
        )
        self._pull()
        self.assertEqual(self._row("VITC-500"), vitc, "updated in place")
        self.assertEqual(vitc.amazon_qty, 8)
        self.assertEqual(vitc.state, "match")
        shaker = self._row("SHAKER")
        self.assertFalse(shaker.listed)
        self.assertEqual(shaker.amazon_qty, 0)
        self.assertEqual(shaker.difference, -10, "Odoo's stock Amazon no longer reports shows")
        self.assertEqual(shaker.state, "short")
        self.assertFalse(self._row("NOPE-1"), "nothing on either side: the row goes")
        self.assertEqual(
            len(self.env["amazon.fba.inventory"].search([("account_id", "=", self.account.id)])),
            3,
        )

    def test_429_recovered_and_persistent(self):
        self._put(self.plain_product, 10)
        self.sim.page_size = 1
        self.sim.set_inventory(
            [self._summary("SHAKER", fulfillable=10), self._summary("VITC-500", fulfillable=1)]
        )
        self.sim.throttle_next(1)
        pulls = self._pull()
        self.assertTrue(pulls[0].complete, "one 429 is waited out")
        statuses = [r["status"] for r in self._inventory_requests()]
        self.assertEqual(statuses, [429, 200, 200])
        self.assertEqual(self._row("SHAKER").state, "match")
        self.assertTrue(self._row("VITC-500"))

        # Amazon keeps refusing: reported on the account, nothing zeroed, nothing raised.
        self.sim.set_inventory([])
        self.sim.throttle_next(const.MAX_THROTTLE_RETRIES + 1)
        self.env["amazon.account"]._sync_fba_inventory()  # the cron: every active account
        self.assertIn("HTTP 429", self.account.last_inventory_message)
        self.assertIn("stopped early", self.account.last_inventory_message)
        shaker = self._row("SHAKER")
        self.assertTrue(shaker.listed)
        self.assertEqual(shaker.amazon_qty, 10)
        self.assertTrue(self._row("VITC-500"))

    def test_cron_goes_on_after_an_account_without_credentials(self):
        broken = self.account.copy({"name": "No credentials"})  # secrets are not copied
        self.sim.set_inventory([self._summary("SHAKER", fulfillable=1)])
        self.env["amazon.account"]._sync_fba_inventory()
        self.assertIn("lacks its LWA client ID", broken.last_inventory_message)
        self.assertTrue(self._row("SHAKER"))
        self.assertFalse(self._row("SHAKER", account=broken))

    def test_malformed_summary_is_reported_and_zeroes_nothing(self):
        self._put(self.plain_product, 10)
        self.sim.set_inventory([self._summary("SHAKER", fulfillable=10)])
        self._pull()
        bad = self._summary("VITC-500", fulfillable=1)
        bad["inventoryDetails"]["fulfillableQuantity"] = -3
        self.sim.set_inventory([bad])
        self._pull()
        self.assertIn("must not be negative", self.account.last_inventory_message)
        self.assertTrue(self._row("SHAKER").listed, "an incomplete answer removes nothing")
        self.assertFalse(self._row("VITC-500"))

    def test_button_opens_the_differences(self):
        self.sim.set_inventory([self._summary("SHAKER", fulfillable=2)])
        action = self.account.action_sync_fba_inventory()
        self.assertEqual(action["res_model"], "amazon.fba.inventory")
        self.assertEqual(action["domain"], [("account_id", "=", self.account.id)])
        rows = self.env["amazon.fba.inventory"].search(
            action["domain"] + [("state", "in", ("short", "excess"))]
        )
        self.assertEqual(rows.mapped("sku"), ["SHAKER"])

    def test_one_row_per_account_marketplace_sku(self):
        self.sim.set_inventory([self._summary("SHAKER", fulfillable=2)])
        self._pull()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["amazon.fba.inventory"].create(
                {"account_id": self.account.id, "marketplace_id": self.us.id, "sku": "SHAKER"}
            )
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestFbaInventoryMultiCompany(AmazonInventoryCase):
    def test_each_company_compares_its_own_amazon_location(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        account_b = self.env["amazon.account"].create(
            {
                "name": "Other US",
                "company_id": other.id,
                "seller_id": "A2OTHERSELLER",
                "lwa_client_id": SIM_CLIENT_ID,
                "lwa_client_secret": SIM_CLIENT_SECRET,
                "refresh_token": SIM_REFRESH_TOKEN,
                "marketplace_ids": [Command.set(self.us.ids)],
                "api_endpoint": self.sim.url,
                "lwa_endpoint": self.sim.lwa_url,
            }
        )
        self.assertEqual(account_b.location_id.company_id, other)
        self.assertNotEqual(account_b.location_id, self.amazon_location)
        self._put(self.plain_product, 10)
        self._put(self.plain_product, 3, location=account_b._amazon_pool_location(self.us))
        self.sim.set_inventory([self._summary("SHAKER", fulfillable=10)])
        self.env["amazon.account"]._sync_fba_inventory()
        row_a, row_b = self._row("SHAKER"), self._row("SHAKER", account=account_b)
        self.assertEqual(
            (row_a.company_id, row_a.odoo_qty, row_a.state), (self.company, 10, "match")
        )
        self.assertEqual((row_b.company_id, row_b.odoo_qty, row_b.state), (other, 3, "excess"))

        user = self.env["res.users"].create(
            {
                "name": "Amazon user A",
                "login": "amazon-user-a",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [
                    Command.set(self.env.ref("amazon_fba_kit.amazon_fba_kit_group_user").ids)
                ],
            }
        )
        visible = self.env["amazon.fba.inventory"].with_user(user).search([("sku", "=", "SHAKER")])
        self.assertEqual(visible, row_a)
