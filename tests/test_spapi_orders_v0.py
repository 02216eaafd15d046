"""Orders API v0 confirmShipment: the pure payload module, and the real python-amazon-sp-api client
through the adapter against the simulator over real HTTP (no database)."""

import datetime
import unittest

from ..spapi import adapter, orders_v0
from ..spapi.exceptions import AmazonPermanentError, AmazonRetryableError
from ..spapi.orders_v0 import ConfirmShipmentInvalid, PackageItem
from ..tools.sp_api_simulator import SpApiSimulator, make_item, make_order

US = "ATVPDKIKX0DER"
SHIPPED_AT = datetime.datetime(2026, 3, 2, 14, 30, 15, 123456)


def _request(**overrides):
    values = {
        "marketplace_id": US,
        "package_ref": 12,
        "carrier_code": "UPS",
        "tracking_number": " 1Z999 ",
        "shipped_at": SHIPPED_AT,
        "items": [PackageItem("I1", 2.0), PackageItem("I2", 1.0), PackageItem("I1", 1.0)],
        "shipping_method": "Ground",
    }
    values.update(overrides)
    return orders_v0.build_request(**values)


class TestConfirmShipmentPayload(unittest.TestCase):
    def test_request_follows_amazons_model(self):
        self.assertEqual(
            _request(),
            {
                "marketplaceId": US,
                "packageDetail": {
                    "packageReferenceId": "12",
                    "carrierCode": "UPS",
                    "trackingNumber": "1Z999",
                    "shipDate": "2026-03-02T14:30:15Z",
                    "orderItems": [
                        {"orderItemId": "I1", "quantity": 3},
                        {"orderItemId": "I2", "quantity": 1},
                    ],
                    "shippingMethod": "Ground",
                },
            },
        )
        aware = SHIPPED_AT.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
        self.assertEqual(orders_v0.ship_date(aware), "2026-03-02T12:30:15Z")

    def test_refusals_name_the_field(self):
        cases = [
            ({"tracking_number": "  "}, "packageDetail.trackingNumber", "tracking reference"),
            ({"carrier_code": ""}, "packageDetail.carrierCode", "no carrier"),
            ({"carrier_code": "Other"}, "packageDetail.carrierName", "carrier's name"),
            ({"package_ref": "0"}, "packageDetail.packageReferenceId", "positive number"),
            ({"package_ref": "A1"}, "packageDetail.packageReferenceId", "positive number"),
            ({"marketplace_id": None}, "marketplaceId", "Seller Central"),
            ({"items": []}, "packageDetail.orderItems", "no Amazon order item"),
            (
                {"items": [PackageItem("I1", 1.5)]},
                "packageDetail.orderItems.quantity",
                "whole units",
            ),
            (
                {"items": [PackageItem("", 1)]},
                "packageDetail.orderItems.orderItemId",
                "no Amazon order item id",
            ),
        ]
        for overrides, field, words in cases:
            with self.subTest(overrides=overrides):
                with self.assertRaises(ConfirmShipmentInvalid) as caught:
                    _request(**overrides)
                self.assertEqual(caught.exception.field, field)
                self.assertIn(words, str(caught.exception))

    def test_carrier_mapping(self):
        self.assertEqual(
            orders_v0.carrier_for(code="Royal Mail", name="RM 48"), ("Royal Mail", None)
        )
        self.assertEqual(orders_v0.carrier_for(code="Other", name="Bike"), ("Other", "Bike"))
        self.assertEqual(orders_v0.carrier_for(name="x", provider="fedex_rest"), ("FedEx", None))
        self.assertEqual(orders_v0.carrier_for(name="FedEx Ground"), ("FedEx", None))
        self.assertEqual(
            orders_v0.carrier_for(name="DHL eCommerce Parcel"), ("DHL eCommerce", None)
        )
        self.assertEqual(orders_v0.carrier_for(name="dhl"), ("DHL", None))
        self.assertEqual(
            orders_v0.carrier_for(name=" Local Courier ", provider="fixed"),
            ("Other", "Local Courier"),
        )
        self.assertEqual(orders_v0.carrier_for(), ("Other", None))

    def test_retry_delay_doubles_and_is_capped(self):
        minutes = [orders_v0.retry_delay(n).total_seconds() / 60 for n in range(1, 9)]
        self.assertEqual(minutes, [5, 10, 20, 40, 80, 160, 320, 360])
        self.assertEqual(orders_v0.retry_delay(1000), orders_v0.RETRY_CAP)
        self.assertEqual(orders_v0.retry_delay(0), orders_v0.RETRY_BASE)

    def test_already_shipped_answers(self):
        self.assertTrue(
            orders_v0.means_already_shipped(
                "Failed to create package due to not finding a matching package or order "
                "already fulfilled."
            )
        )
        self.assertTrue(orders_v0.means_already_shipped("errorMetric=PackageToUpdateNotFound"))
        self.assertTrue(orders_v0.means_already_shipped("The order has already been shipped"))
        self.assertFalse(orders_v0.means_already_shipped("Order item I9 is not part of order"))
        self.assertIn("Tracking Reference", orders_v0.refusal_hint("Invalid trackingNumber"))
        self.assertIn("Seller Central", orders_v0.refusal_hint("The quantity 3 is more than"))


class TestConfirmShipmentSimulator(unittest.TestCase):
    """Amazon's validation, as the simulator serves it, seen through the adapter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = SpApiSimulator(rate_limit=50.0).start()
        cls.addClassCleanup(cls.sim.stop)

    def setUp(self):
        super().setUp()
        self.sim.set_orders(
            [
                make_order(
                    "114-1000001-0000001",
                    items=[make_item("I1", "SKU-1", 3, 5.0), make_item("I2", "SKU-2", 1, 9.0)],
                    fulfilled_by="MERCHANT",
                    status="UNSHIPPED",
                ),
                make_order("114-1000002-0000001", items=[make_item("I1", "SKU-1", 1, 5.0)]),
            ]
        )
        self.sim.requests.clear()
        self.adapter = adapter.SpApiAdapter(
            region="na",
            refresh_token=self.sim.refresh_token,
            lwa_client_id=self.sim.client_id,
            lwa_client_secret=self.sim.client_secret,
            api_endpoint=self.sim.url,
            lwa_endpoint=self.sim.lwa_url,
        )
        self.addCleanup(self.adapter.close)

    def _confirm(self, order_ref="114-1000001-0000001", **overrides):
        return self.adapter.confirm_shipment(order_ref, _request(**overrides))

    def _refused(self, body, order_ref="114-1000001-0000001"):
        with self.assertRaises(AmazonPermanentError) as caught:
            self.adapter.confirm_shipment(order_ref, body)
        return caught.exception

    def test_confirm_records_the_package_and_updates_the_order(self):
        self._confirm(items=[PackageItem("I1", 2)])
        self.assertEqual(self.sim.order_status("114-1000001-0000001"), "PARTIALLY_SHIPPED")
        self._confirm(package_ref=13, items=[PackageItem("I1", 1), PackageItem("I2", 1)])
        self.assertEqual(self.sim.order_status("114-1000001-0000001"), "SHIPPED")
        packages = self.sim.packages("114-1000001-0000001")
        self.assertEqual([p["packageReferenceId"] for p in packages], ["12", "13"])
        self.assertEqual(packages[0]["trackingNumber"], "1Z999")
        requests = self.sim.api_requests(
            "/orders/v0/orders/114-1000001-0000001/shipmentConfirmation"
        )
        self.assertEqual([(r["method"], r["status"]) for r in requests], [("POST", 204)] * 2)

    def test_same_package_again_updates_it_never_adds_one(self):
        self._confirm(items=[PackageItem("I1", 3)])
        self._confirm(items=[PackageItem("I1", 3)], tracking_number="1Z-NEW")
        [package] = self.sim.packages("114-1000001-0000001")
        self.assertEqual(package["trackingNumber"], "1Z-NEW")
        self.assertEqual(package["packageItems"], [{"orderItemId": "I1", "quantity": 3}])

    def test_validation_errors(self):
        body = _request()
        detail = body["packageDetail"]
        cases = [
            (
                {**body, "packageDetail": {**detail, "trackingNumber": ""}},
                "packageDetail.trackingNumber",
            ),
            ({"packageDetail": detail}, "Missing required field(s): marketplaceId"),
            ({**body, "packageDetail": {**detail, "packageReferenceId": 12}}, "invalid type"),
            ({**body, "packageDetail": {**detail, "packageReferenceId": "-1"}}, "positive numeric"),
            ({**body, "packageDetail": {**detail, "shipDate": "03/02/2026"}}, "shipDate"),
            ({**body, "packageDetail": {**detail, "carrierCode": "Other"}}, "carrierName"),
            (
                {
                    **body,
                    "packageDetail": {
                        **detail,
                        "orderItems": [{"orderItemId": "I9", "quantity": 1}],
                    },
                },
                "Order item I9 is not part of order",
            ),
            (
                {
                    **body,
                    "packageDetail": {
                        **detail,
                        "orderItems": [{"orderItemId": "I2", "quantity": 2}],
                    },
                },
                "more than the 1 unit(s) left to ship",
            ),
            (
                {
                    **body,
                    "packageDetail": {
                        **detail,
                        "orderItems": [{"orderItemId": "I1", "quantity": 1.5}],
                    },
                },
                "invalid type [packageDetail.orderItems[0].quantity]",
            ),
            ({**body, "marketplaceId": "A1PA6795UKMFR9"}, "is not the marketplace of order"),
        ]
        for request, words in cases:
            with self.subTest(words=words):
                error = self._refused(request)
                self.assertEqual((error.status, error.code), (400, "InvalidInput"))
                self.assertIn(words, str(error))
        self.assertFalse(self.sim.packages("114-1000001-0000001"))

    def test_unknown_fba_and_shipped_orders(self):
        error = self._refused(_request(), order_ref="114-9999999-0000001")
        self.assertEqual((error.status, error.code), (404, "NotFound"))
        error = self._refused(
            _request(items=[PackageItem("I1", 1)]), order_ref="114-1000002-0000001"
        )
        self.assertIn("fulfilled by Amazon", str(error))
        self._confirm(items=[PackageItem("I1", 3), PackageItem("I2", 1)])
        error = self._refused(_request(package_ref=99, items=[PackageItem("I1", 1)]))
        self.assertTrue(orders_v0.means_already_shipped(str(error)))

    def test_transient_failures_are_retryable(self):
        self.sim.fail_next(1, status=503)
        with self.assertRaises(AmazonRetryableError):
            self._confirm(items=[PackageItem("I1", 1)])
        self.assertFalse(self.sim.packages("114-1000001-0000001"))
        self._confirm(items=[PackageItem("I1", 1)])
        self.assertEqual(len(self.sim.packages("114-1000001-0000001")), 1)
