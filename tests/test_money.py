"""Amazon's money, exactly: totals, charges, taxes per collection model and marketplace."""

from odoo import Command
from odoo.tests import Form, tagged

from .common_sync import AmazonSyncCase

DE = "A1PA6795UKMFR9"
UK = "A1F83G8C2ARO7P"


@tagged("post_install", "-at_install")
class TestMoney(AmazonSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.tax15 = Tax.create({"name": "Sales tax 15%", "amount": 15.0, "type_tax_use": "sale"})
        cls.tax8 = Tax.create({"name": "Sales tax 8%", "amount": 8.0, "type_tax_use": "sale"})
        cls.vat19 = Tax.create({"name": "DE VAT 19%", "amount": 19.0, "type_tax_use": "sale"})
        cls.vat20 = Tax.create({"name": "UK VAT 20%", "amount": 20.0, "type_tax_use": "sale"})
        (cls.lot_kit | cls.plain_product | cls.lot_product).taxes_id = cls.tax15
        Marketplace = cls.env["amazon.marketplace"]
        cls.de = Marketplace.search([("api_ref", "=", DE)])
        cls.uk = Marketplace.search([("api_ref", "=", UK)])
        cls.account.marketplace_ids = [Command.link(cls.de.id), Command.link(cls.uk.id)]
        default_tax = cls.company.account_sale_tax_id  # the charge products' taxes
        Fpos = cls.env["account.fiscal.position"]
        cls.de.fiscal_position_id = Fpos.create(
            {
                "name": "Amazon.de",
                "tax_ids": [
                    Command.create({"tax_src_id": tax.id, "tax_dest_id": cls.vat19.id})
                    for tax in cls.tax15 | default_tax
                ],
            }
        )
        cls.uk.fiscal_position_id = Fpos.create(
            {
                "name": "Amazon.co.uk",
                "tax_ids": [
                    Command.create({"tax_src_id": tax.id, "tax_dest_id": cls.vat20.id})
                    for tax in cls.tax15 | default_tax
                ],
            }
        )

    def _book(self, ref, items, **kwargs):
        self.sim.set_orders([self._order(ref, items, **kwargs)])
        run = self._sync()
        self.assertFalse(run.failures, run.failures)
        order = self._sale(ref)
        self.assertTrue(order, f"{ref} booked")
        return order

    def test_us_facilitator_tax_is_not_the_sellers(self):
        """The issue's case: 2 x 12.90 with facilitator tax is 25.80, not 29.67."""
        order = self._book("113-1000001-0000001", [self._item("I1", "SHAKER", 2, 12.90, tax=2.32)])
        self.assertEqual(order.amount_total, 25.80)
        self.assertEqual(order.amount_tax, 0.0)
        self.assertEqual(order.amazon_total, 25.80)
        self.assertEqual(order.amazon_facilitator_tax, 2.32)
        self.assertFalse(order.amazon_tax_mismatch)
        line = order.order_line
        self.assertFalse(line.tax_id)
        self.assertEqual(line.amazon_facilitator_tax, 2.32)
        self.assertIn("remitted by Amazon", line.name)

    def test_us_seller_collected_tax_added_to_the_price(self):
        self.plain_product.taxes_id = self.tax8
        order = self._book(
            "113-1000002-0000001",
            [self._item("I1", "SHAKER", 3, 10.0, tax=2.40, tax_model=None)],
        )
        self.assertEqual(order.amount_total, 32.40)
        self.assertEqual(order.amount_tax, 2.40)
        self.assertEqual(order.amazon_tax_amount, 2.40)
        # The product's tax, in its price-included version (same rate and accounts).
        tax = order.order_line.tax_id
        self.assertEqual(tax.amazon_excluded_tax_id, self.tax8)
        self.assertTrue(tax.price_include)
        self.assertEqual(tax.amount, 8.0)
        self.assertEqual(order.order_line.price_unit, 10.80)
        self.assertFalse(order.amazon_tax_mismatch)

    def test_price_included_twin_created_once(self):
        twin = self.tax8._amazon_price_included()
        self.assertEqual(self.tax8.amazon_included_tax_id, twin)
        self.assertEqual(self.tax8._amazon_price_included(), twin)
        self.tax8.amazon_included_tax_id = False  # a twin made before the pointer existed
        self.assertEqual(self.tax8._amazon_price_included(), twin)
        self.assertEqual(self.tax8.amazon_included_tax_id, twin)
        self.assertEqual(
            twin.invoice_repartition_line_ids.mapped("repartition_type"),
            self.tax8.invoice_repartition_line_ids.mapped("repartition_type"),
        )

    def test_price_excluded_taxes_as_they_are(self):
        """Option off: the product's own (excluded) tax; a rounding line makes it exact."""
        self.account.amazon_price_included_taxes = False
        order = self._book("113-1000008-0000001", [self._item("I1", "SHAKER", 1, 10.0)])
        item = order.order_line.filtered(lambda line: line.amazon_charge_type == "item")
        self.assertEqual(item.tax_id, self.tax15)
        self.assertEqual(order.amount_total, 10.0)
        rounding = order.order_line - item
        self.assertEqual(rounding.amazon_charge_type, "rounding")
        self.assertFalse(rounding.tax_id)
        self.assertEqual(abs(rounding.price_unit), 0.01)
        # Amazon charged no tax; Odoo's 15% is the seller's: booked, flagged.
        self.assertTrue(order.amazon_tax_mismatch)

    def test_vat_included_marketplace_through_fiscal_position(self):
        """Amazon.de: the price includes 19% VAT; Odoo's tax comes through the fiscal position."""
        order = self._book(
            "302-1000003-0000001",
            [
                self._item(
                    "I1",
                    "SHAKER",
                    2,
                    11.90,
                    currency="EUR",
                    tax=3.80,
                    tax_model=None,
                    tax_included=True,
                )
            ],
            marketplace_id=DE,
        )
        self.assertEqual(order.currency_id.name, "EUR")
        self.assertEqual(order.fiscal_position_id, self.de.fiscal_position_id)
        self.assertEqual(order.order_line.tax_id.amazon_excluded_tax_id, self.vat19)
        self.assertEqual(order.amount_total, 23.80)
        self.assertEqual(order.amount_tax, 3.80)
        self.assertEqual(order.amount_untaxed, 20.0)
        self.assertFalse(order.amazon_tax_mismatch)

    def test_amazon_getorder_example_shipping_and_tax_gap(self):
        """Amazon's own getOrder example: 89.97 + 10.00 shipping + 4.00 tax = 103.97."""
        order = self._book(
            "202-1234567-8901234",
            [
                self._item(
                    "I1",
                    "SHAKER",
                    3,
                    29.99,
                    currency="GBP",
                    tax=3.0,
                    shipping=10.0,
                    shipping_tax=1.0,
                    tax_model=None,
                )
            ],
            marketplace_id=UK,
        )
        self.assertEqual(order.amount_total, 103.97)
        self.assertEqual(order.amazon_total, 103.97)
        shipping = order.order_line.filtered(lambda line: line.amazon_charge_type == "shipping")
        self.assertEqual(shipping.product_id, self.account.amazon_shipping_product_id)
        self.assertEqual(shipping.product_id.type, "service")
        self.assertEqual(shipping.price_total, 11.0)
        # Odoo's UK VAT (20%) is not the 4.00 Amazon charged: booked, and flagged (README's
        # worked example).
        self.assertEqual(order.amount_tax, 17.33)
        self.assertEqual(order.amazon_tax_difference, 13.33)
        self.assertTrue(order.amazon_tax_mismatch)
        self.assertAlmostEqual(order.amazon_tax_difference, order.amount_tax - 4.0, places=2)
        found = self.env["sale.order"].search(
            [("amazon_tax_mismatch", "=", True), ("id", "=", order.id)]
        )
        self.assertEqual(found, order)

    def test_discount_goes_to_its_subtype(self):
        """Free shipping (a SHIPPING discount) leaves the product's price whole."""
        order = self._book(
            "113-1000005-0000001",
            [
                self._item(
                    "I1",
                    "SHAKER",
                    1,
                    20.0,
                    shipping=5.0,
                    shipping_discount=5.0,
                    discount=2.0,
                    gift_wrap=3.0,
                    promotion_ids=["FREESHIP", "2OFF"],
                )
            ],
            delivery_tip=4.0,
        )
        lines = order.order_line
        item = lines.filtered(lambda line: line.amazon_charge_type == "item")
        self.assertEqual(item.price_total, 18.0)
        self.assertFalse(lines.filtered(lambda line: line.amazon_charge_type == "shipping"))
        gift = lines.filtered(lambda line: line.amazon_charge_type == "gift_wrap")
        self.assertEqual(gift.product_id, self.account.amazon_gift_wrap_product_id)
        self.assertEqual(gift.price_total, 3.0)
        tip = lines.filtered(lambda line: line.amazon_charge_type == "extra")
        self.assertEqual(tip.price_total, 4.0)
        self.assertEqual(order.amount_total, 25.0)

    def test_cents_amazon_cannot_split_per_unit(self):
        """3 units for 10.00: no unit price gives it; a rounding line makes the total exact."""
        item = self._item("I1", "SHAKER", 3, 3.33, tax_model=None)
        item["proceeds"]["breakdowns"][0]["subtotal"]["amount"] = "10.00"
        item["proceeds"]["proceedsTotal"]["amount"] = "10.00"
        self.plain_product.taxes_id = False
        order = self._book("113-1000006-0000001", [item])
        self.assertEqual(order.amount_total, 10.0)
        self.assertEqual(order.amazon_total, 10.0)

    def test_invoice_total_equals_order_total(self):
        self.plain_product.taxes_id = self.tax8
        order = self._book(
            "113-1000007-0000001",
            [
                self._item(
                    "I1",
                    "SHAKER",
                    2,
                    12.90,
                    tax=2.06,
                    tax_model=None,
                    shipping=4.99,
                    shipping_tax=0.40,
                ),
                self._item("I2", "VITC-500", 1, 7.77, tax=0.62),
            ],
        )
        self.assertEqual(order.amount_total, order.amazon_total)
        wizard = Form(
            self.env["sale.advance.payment.inv"].with_context(
                active_model="sale.order", active_ids=order.ids, active_id=order.id
            )
        ).save()
        wizard.create_invoices()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertAlmostEqual(invoice.amount_total, order.amount_total, places=2)
        self.assertAlmostEqual(invoice.amount_tax, order.amount_tax, places=2)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")


@tagged("post_install", "-at_install")
class TestQuantitiesAsShipped(AmazonSyncCase):
    def test_partly_cancelled_item_books_what_shipped(self):
        raw = self._order("113-2000001-0000001", [self._item("I1", "SHAKER", 3, 10.0, shipped=2)])
        raw["orderItems"][0]["proceeds"]["breakdowns"][0]["subtotal"]["amount"] = "20.00"
        raw["orderItems"][0]["proceeds"]["proceedsTotal"]["amount"] = "20.00"
        raw["proceeds"]["grandTotal"]["amount"] = "20.00"
        self.sim.set_orders([raw])
        self._sync()
        order = self._sale("113-2000001-0000001")
        line = order.order_line.filtered(lambda sol: sol.amazon_charge_type == "item")
        self.assertEqual(line.product_uom_qty, 2)
        self.assertEqual(line.move_ids.quantity, 2)
        self.assertEqual(order.amount_total, 20.0)

    def test_partial_shipment_then_the_rest_once(self):
        ref = "113-2000002-0000001"
        first = self._order(
            ref,
            [self._item("I1", "VITC-500", 3, 5.0, shipped=1, unshipped=2)],
            status="PARTIALLY_SHIPPED",
            minutes_ago=40,
        )
        self.sim.set_orders([first])
        self._sync()
        order = self._sale(ref)
        line = order.order_line.filtered(lambda sol: sol.amazon_charge_type == "item")
        self.assertEqual(line.product_id, self.lot_kit)
        self.assertEqual((line.product_uom_qty, line.qty_delivered), (1, 1))
        self.assertEqual(order.amount_total, 15.0)  # Amazon's proceeds for the 3 ordered
        second = self._order(ref, [self._item("I1", "VITC-500", 3, 5.0, shipped=3)], minutes_ago=30)
        self.sim.set_orders([second])
        self.account.last_orders_sync = self._ago(35)
        run = self._sync()
        self.assertEqual(run.counts.get("updated"), 1, run.failures)
        self.assertEqual((line.product_uom_qty, line.qty_delivered), (3, 3))
        self.assertEqual(
            sum(line.move_ids.filtered(lambda m: m.state == "done").mapped("product_uom_qty")), 3
        )
        self.assertEqual(order.amount_total, 15.0)
        self.assertFalse(order.picking_ids)
        # The same update seen again (overlap window): nothing more.
        self.account.last_orders_sync = self._ago(35)
        run = self._sync()
        self.assertEqual(run.counts["unchanged"], 1)
        self.assertEqual(line.qty_delivered, 3)


@tagged("post_install", "-at_install")
class TestOptionalFields(AmazonSyncCase):
    def test_no_seller_sku_matches_the_offer_by_asin(self):
        self.sim.set_orders(
            [self._order("113-3000001-0000001", [self._item("I1", "SHAKER", 1, asin="B0SHAKER1")])]
        )
        self._sync()
        offer = self.env["amazon.offer"].search(
            [("account_id", "=", self.account.id), ("sku", "=", "SHAKER")]
        )
        self.assertEqual(offer.asin, "B0SHAKER1")
        self.sim.set_orders(
            [self._order("113-3000002-0000001", [self._item("I1", None, 1, asin="B0SHAKER1")])]
        )
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertFalse(run.failures, run.failures)
        self.assertEqual(
            self._sale("113-3000002-0000001").order_line.product_id, self.plain_product
        )

    def test_no_fulfilled_by_says_so(self):
        raw = self._order("113-3000003-0000001", [self._item("I1", "SHAKER", 1)])
        del raw["fulfillment"]["fulfilledBy"]
        self.sim.set_orders([raw])
        self._sync()
        self.assertFalse(self._sale("113-3000003-0000001"))
        self.assertIn(
            "fulfillment.fulfilledBy is missing", self._error("113-3000003-0000001").message
        )


@tagged("post_install", "-at_install")
class TestMultiChannelFulfilment(AmazonSyncCase):
    def _put_at_amazon(self, product, quantity, lot=None):
        self.env["stock.quant"]._update_available_quantity(
            product, self.amazon_location, quantity, lot_id=lot
        )

    def test_mcf_books_stock_only_once(self):
        self._put_at_amazon(self.plain_product, 10)
        raw = self._order(
            "113-4000001-0000001", [self._item("I1", "SHAKER", 2)], channel="NON_AMAZON"
        )
        self.sim.set_orders([raw])
        run = self._sync()
        self.assertFalse(run.failures, run.failures)
        self.assertFalse(self._sale("113-4000001-0000001"), "no sale order for an MCF order")
        mcf = self.env["amazon.mcf.order"].search(
            [("amazon_order_ref", "=", "113-4000001-0000001")]
        )
        self.assertEqual(mcf.move_ids.state, "done")
        self.assertEqual(mcf.move_ids.location_id, self.amazon_location)
        self.assertEqual(mcf.move_ids.quantity, 2)
        quantity = self.plain_product.with_context(location=self.amazon_location.id).qty_available
        self.assertEqual(quantity, 8)
        self.account.last_orders_sync = self._ago(60)
        self._sync()
        self.assertEqual(len(mcf.move_ids), 1)

    def test_mcf_fifo_lots_with_provenance(self):
        self.account.fba_lot_policy = "fifo"
        self.account.amazon_mcf_lot_wait_hours = 0  # Amazon reports no lot: policy at once
        lot = self.env["stock.lot"].create({"name": "LOT-MCF-1", "product_id": self.lot_product.id})
        self._put_at_amazon(self.lot_product, 5, lot=lot)
        self.sim.set_orders(
            [
                self._order(
                    "113-4000002-0000001", [self._item("I1", "VITC-500", 3)], channel="NON_AMAZON"
                )
            ]
        )
        self._sync()
        self.env["amazon.mcf.order"]._cron_amazon_read_lots()
        mcf = self.env["amazon.mcf.order"].search(
            [("amazon_order_ref", "=", "113-4000002-0000001")]
        )
        self.assertEqual(mcf.move_ids.product_id, self.lot_product)
        self.assertEqual(mcf.move_ids.move_line_ids.lot_id, lot)
        self.assertEqual(mcf.move_ids.move_line_ids.amazon_lot_source, "fifo")
        self.assertEqual(mcf.move_ids.quantity, 3)

    def test_mcf_ignored(self):
        self.account.amazon_mcf_policy = "ignore"
        self.sim.set_orders(
            [
                self._order(
                    "113-4000003-0000001", [self._item("I1", "SHAKER", 1)], channel="NON_AMAZON"
                )
            ]
        )
        run = self._sync()
        self.assertEqual(run.counts["ignored"], 1)
        self.assertFalse(self.env["amazon.mcf.order"].search([]))
        self.assertFalse(self._sale("113-4000003-0000001"))
