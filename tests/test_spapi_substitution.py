"""Pure tests of the FBA kit substitution rules (no database)."""

import unittest

from ..spapi.exceptions import AmazonSubstitutionError
from ..spapi.substitution import KitOption, LineProduct, decide

TRACKED, KIT, KIT2, PLAIN = 10, 20, 21, 30


def _decide(**overrides):
    values = {
        "fulfilled_by": "AMAZON",
        "product_id": TRACKED,
        "product_is_tracked": True,
        "product_is_fba_kit": False,
        "kit_component_id": None,
        "kit_component_qty": None,
        "kits": [KitOption(KIT, 1.0)],
        "quantity": 3,
    }
    values.update(overrides)
    return decide(**values)


class TestSubstitution(unittest.TestCase):
    def assertRefused(self, reason, **overrides):
        with self.assertRaises(AmazonSubstitutionError) as caught:
            _decide(**overrides)
        self.assertEqual(caught.exception.reason, reason)
        self.assertEqual(caught.exception.product_id, overrides.get("product_id", TRACKED))
        return caught.exception

    def test_fbm_sells_as_is(self):
        self.assertEqual(_decide(fulfilled_by="MERCHANT"), LineProduct(TRACKED, 3.0, None))
        self.assertEqual(_decide(fulfilled_by="MERCHANT", kits=[]), LineProduct(TRACKED, 3.0, None))

    def test_fbm_kit_names_its_component(self):
        result = _decide(
            fulfilled_by="MERCHANT",
            product_id=KIT,
            product_is_tracked=False,
            product_is_fba_kit=True,
            kit_component_id=TRACKED,
            kit_component_qty=2.0,
            kits=[],
            quantity=1,
        )
        self.assertEqual(result, LineProduct(KIT, 1.0, TRACKED))

    def test_fba_offer_on_the_kit_itself(self):
        result = _decide(
            product_id=KIT2,
            product_is_tracked=False,
            product_is_fba_kit=True,
            kit_component_id=TRACKED,
            kit_component_qty=2.0,
            kits=[],
            quantity=5,
        )
        self.assertEqual(result, LineProduct(KIT2, 5.0, TRACKED))

    def test_fba_untracked_product(self):
        result = _decide(product_id=PLAIN, product_is_tracked=False, kits=[])
        self.assertEqual(result, LineProduct(PLAIN, 3.0, None))

    def test_fba_tracked_product_sells_its_kit(self):
        self.assertEqual(_decide(), LineProduct(KIT, 3.0, TRACKED))

    def test_fba_tracked_product_multi_pack_kit(self):
        self.assertEqual(
            _decide(kits=[KitOption(KIT2, 2.0)], quantity=6), LineProduct(KIT2, 3.0, TRACKED)
        )
        # within the unit of measure's rounding
        self.assertEqual(
            _decide(kits=[KitOption(KIT2, 3.0)], quantity=6.001), LineProduct(KIT2, 2.0, TRACKED)
        )

    def test_missing_kit(self):
        error = self.assertRefused("missing_kit", kits=[])
        self.assertIn("no FBA kit", str(error))

    def test_ambiguous_kit(self):
        error = self.assertRefused(
            "ambiguous_kit", kits=[KitOption(KIT, 1.0), KitOption(KIT2, 2.0)]
        )
        self.assertIn("2 FBA kits", str(error))

    def test_fractional_kit(self):
        error = self.assertRefused("fractional_kit", kits=[KitOption(KIT2, 2.0)], quantity=3)
        self.assertIn("not a whole number", str(error))
        self.assertRefused("fractional_kit", kits=[KitOption(KIT2, 3.0)], quantity=1)

    def test_unknown_channel(self):
        with self.assertRaises(ValueError):
            _decide(fulfilled_by="SOMEONE")
