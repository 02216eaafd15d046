from psycopg2 import IntegrityError

# The one test importing sp_api: it checks our records against the library itself, not against
# our adapter's reading of it.
from sp_api.base import Marketplaces

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.amazon_fba_kit.spapi import adapter as spapi_adapter

LIBRARY_REGIONS = {"-na.amazon.com": "na", "-eu.amazon.com": "eu", "-fe.amazon.com": "fe"}


@tagged("post_install", "-at_install")
class TestAmazonMarketplace(TransactionCase):
    def _records(self):
        return self.env["amazon.marketplace"].search([])

    def test_installed_marketplaces_are_the_librarys(self):
        records = {(m.api_ref, m.code, m.name, m.region) for m in self._records()}
        expected = {
            (m["api_ref"], m["code"], m["name"], m["region"]) for m in spapi_adapter.marketplaces()
        }
        self.assertEqual(records, expected)

        # Against the library itself: every marketplace once (UK is an alias of GB), same region.
        library = {}
        for member in Marketplaces.__members__.values():
            region = next(r for s, r in LIBRARY_REGIONS.items() if member.endpoint.endswith(s))
            library[member.marketplace_id] = region
        self.assertEqual({m.api_ref: m.region for m in self._records()}, library)
        self.assertEqual(
            self._records().filtered(lambda m: m.code == "US").api_ref, "ATVPDKIKX0DER"
        )
        self.assertEqual(
            self._records().filtered(lambda m: m.api_ref == Marketplaces.UK.marketplace_id).code,
            "GB",
        )

    def test_sync_is_idempotent_and_repairs_edits(self):
        marketplaces = self.env["amazon.marketplace"]
        germany = marketplaces.search([("api_ref", "=", Marketplaces.DE.marketplace_id)])
        original_name = germany.name
        germany.write({"name": "Edited", "region": "na"})
        extra = marketplaces.create({"api_ref": "AXXXTESTONLY", "name": "Old", "region": "eu"})
        count = marketplaces.search_count([])

        synced = marketplaces._sync_from_library()

        self.assertEqual(marketplaces.search_count([]), count)
        self.assertEqual((germany.name, germany.region), (original_name, "eu"))
        self.assertIn(germany, synced)
        self.assertNotIn(extra, synced)
        self.assertTrue(extra.exists(), "a marketplace the library dropped is kept")

    def test_sync_creates_missing_marketplaces(self):
        marketplaces = self.env["amazon.marketplace"]
        marketplaces.search([("code", "in", ["JP", "MX"])]).unlink()
        marketplaces._sync_from_library()
        self.assertEqual(
            set(marketplaces.search([("code", "in", ["JP", "MX"])]).mapped("api_ref")),
            {Marketplaces.JP.marketplace_id, Marketplaces.MX.marketplace_id},
        )

    def test_api_ref_is_unique(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["amazon.marketplace"].create(
                {"api_ref": Marketplaces.US.marketplace_id, "name": "Twin", "region": "na"}
            )

    def test_name_search_by_code_and_id(self):
        marketplaces = self.env["amazon.marketplace"]
        us = marketplaces.search([("api_ref", "=", "ATVPDKIKX0DER")])
        self.assertIn(us.id, [r[0] for r in marketplaces.name_search("ATVPDKIKX0DER")])
        self.assertIn(us.id, [r[0] for r in marketplaces.name_search("US")])
