"""Send to Amazon: an FBA replenishment transfer becomes an inbound plan with its lots and expiry.

Real Odoo, real python-amazon-sp-api, the local simulator over HTTP: the button only queues the
plan; the scheduled action sends it, follows Amazon's asynchronous operation across runs
(re-triggered, never sleeping), and shows Amazon's problems on the transfer.
"""

import json
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..spapi import fulfillment_inbound
from .common_lots import AmazonLotCase
from .spapi_schema import load_model, validate_definition

CRON = "amazon_fba_kit.ir_cron_amazon_inbound_plans"
SKU = "VITC-500-FBA"


@tagged("post_install", "-at_install")
class TestInboundPlan(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = load_model("fulfillmentInbound_2024-03-20.json")
        cls.warehouse.partner_id.write(
            {
                "street": "1 Harbor Way",
                "city": "Seattle",
                "zip": "98101",
                "country_id": cls.env.ref("base.us").id,
                "phone": "+1 206 555 0100",
            }
        )
        cls.offer = cls.env["amazon.offer"].create(
            {"account_id": cls.account.id, "sku": SKU, "product_id": cls.lot_kit.id}
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.replenishment_type = cls.amazon_location.amazon_replenishment_type_id
        cls.manager = new_test_user(
            cls.env,
            login="inbound_stock_manager",
            groups="stock.group_stock_manager,stock.group_production_lot",
        )
        cls.stock_user = new_test_user(
            cls.env, login="inbound_stock_user", groups="stock.group_stock_user"
        )

    def setUp(self):
        super().setUp()
        self.sim.set_inbound_mskus(None)
        self.sim.inbound_polls_until_done = 1

    # -- helpers ------------------------------------------------------------------------------

    def _lot_expiring(self, name, day, product=None):
        lot = self._lot(name, product=product)
        if self.has_expiry:
            # noon UTC: the same calendar day in every time zone of the test user
            lot.expiration_date = datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
        return lot

    def _replenish(self, lines, validate=True, picking_type=None, company=None):
        """A transfer of the pool's FBA replenishment type moving ``[(product, lot, qty)]``."""
        picking_type = picking_type or self.replenishment_type
        source = picking_type.default_location_src_id
        dest = picking_type.default_location_dest_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "company_id": (company or self.company).id,
            }
        )
        for product, lot, qty in lines:
            self.env["stock.quant"]._update_available_quantity(product, source, qty, lot_id=lot)
            move = self.env["stock.move"].create(
                {
                    "name": product.name,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "product_uom": product.uom_id.id,
                    "product_uom_qty": qty,
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                    "company_id": picking.company_id.id,
                }
            )
            self.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_id": lot.id if lot else False,
                    "quantity": qty,
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                }
            )
        picking.action_confirm()
        if validate:
            picking.move_ids.picked = True
            picking.button_validate()
            self.assertEqual(picking.state, "done")
        return picking

    def _send(self, picking, user=None):
        picking.with_user(user or self.manager).action_amazon_send_inbound_plan()
        return picking.amazon_inbound_plan_ids.sorted("id")[-1:]

    def _cron(self):
        self.env["amazon.inbound.plan"]._cron_amazon_inbound_plans()
        self.env.invalidate_all()

    def _make_due(self, plan):
        plan.next_attempt = fields.Datetime.now() - timedelta(seconds=1)

    def _triggers(self):
        cron = self.env.ref(CRON)
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

    def _two_lots(self):
        lot_a = self._lot_expiring("INB-A", datetime(2027, 3, 31).date())
        lot_b = self._lot_expiring("INB-B", datetime(2027, 9, 30).date())
        return self._replenish([(self.lot_product, lot_a, 10), (self.lot_product, lot_b, 6)])

    # -- the body -----------------------------------------------------------------------------

    def test_two_lots_of_one_product_with_expiry(self):
        picking = self._two_lots()
        self.assertTrue(picking.amazon_is_fba_replenishment)
        triggers = self._triggers()
        plan = self._send(picking)
        # Queued only: no Amazon call in the button's request, the scheduled action triggered.
        self.assertEqual(plan.state, "queued")
        self.assertFalse(self.sim.api_requests())
        self.assertGreater(len(self._triggers()), len(triggers))
        self.assertEqual(picking.amazon_inbound_state, "queued")
        self.assertEqual((plan.account_id, plan.marketplace_id), (self.account, self.us))
        self.assertEqual(plan.company_id, picking.company_id)
        self.assertEqual(
            sorted(
                (i.msku, i.lot_code, i.quantity, i.product_qty, i.lot_id.name)
                for i in plan.item_ids
            ),
            [(SKU, "INB-A", 10, 10.0, "INB-A"), (SKU, "INB-B", 6, 6.0, "INB-B")],
        )
        body = json.loads(plan.request_body)
        self.assertEqual(validate_definition(body, self.model, "CreateInboundPlanRequest"), [])
        self.assertEqual(body["destinationMarketplaces"], [self.us.api_ref])
        self.assertEqual(body["name"], picking.name)
        self.assertEqual(body["sourceAddress"]["city"], "Seattle")
        self.assertEqual(body["sourceAddress"]["countryCode"], "US")
        items = {i["manufacturingLotCode"]: i for i in body["items"]}
        self.assertEqual(
            {lot: (i["msku"], i["quantity"], i["labelOwner"]) for lot, i in items.items()},
            {"INB-A": (SKU, 10, "SELLER"), "INB-B": (SKU, 6, "SELLER")},
        )
        if self.has_expiry:
            self.assertEqual(items["INB-A"]["expiration"], "2027-03-31")
            self.assertEqual(items["INB-B"]["expiration"], "2027-09-30")

    def test_ready_transfer_sends_its_reserved_lots_and_account_owners(self):
        self.account.write({"inbound_label_owner": "NONE", "inbound_prep_owner": "NONE"})
        lot = self._lot_expiring("INB-R", datetime(2027, 1, 15).date())
        picking = self._replenish([(self.lot_product, lot, 4)], validate=False)
        self.assertEqual(picking.state, "assigned")
        plan = self._send(picking)
        (item,) = json.loads(plan.request_body)["items"]
        self.assertEqual(
            (item["quantity"], item["labelOwner"], item["prepOwner"]), (4, "NONE", "NONE")
        )

    def test_serial_numbers_are_no_lot_codes(self):
        serials = [self._lot(f"INB-SN-{n}", product=self.serial_product) for n in range(3)]
        self.env["amazon.offer"].create(
            {"account_id": self.account.id, "sku": "BPM-FBA", "product_id": self.serial_kit.id}
        )
        picking = self._replenish([(self.serial_product, serial, 1) for serial in serials])
        plan = self._send(picking)
        self.assertEqual(json.loads(plan.request_body)["items"][0]["quantity"], 3)
        (item,) = plan.item_ids
        self.assertEqual((item.msku, item.quantity, item.lot_code), ("BPM-FBA", 3, False))
        self.assertNotIn("manufacturingLotCode", json.loads(plan.request_body)["items"][0])

    def test_multipack_sku_counts_packs(self):
        pack = self._create_kit(self.lot_product, qty=2, name="Vitamin C 2-pack")
        self.offer.product_id = pack  # the only FBA offer: the 2-pack
        lot = self._lot("INB-PACK")
        picking = self._replenish([(self.lot_product, lot, 8)])
        (item,) = self._send(picking).item_ids
        self.assertEqual((item.quantity, item.product_qty), (4, 8.0))
        other = self._replenish([(self.lot_product, self._lot("INB-PACK-ODD"), 3)])
        with self.assertRaisesRegex(UserError, "do not make whole units of SKU"):
            self._send(other)

    # -- refusals -----------------------------------------------------------------------------

    def test_no_offer_is_refused_naming_the_product(self):
        picking = self._replenish([(self.plain_product, None, 3)])
        with self.assertRaisesRegex(UserError, "Shaker Bottle has no Amazon offer"):
            self._send(picking)
        self.assertFalse(self.env["amazon.inbound.plan"].search([("picking_id", "=", picking.id)]))
        self.assertFalse(self.sim.api_requests())

    def test_bad_lot_code_is_refused(self):
        lot = self._lot("L" * 300)
        picking = self._replenish([(self.lot_product, lot, 1)])
        with self.assertRaisesRegex(UserError, r"manufacturingLotCode.*rename the lot"):
            self._send(picking)
        self.assertFalse(picking.amazon_inbound_plan_ids)

    def test_missing_phone_is_refused_naming_the_warehouse_address(self):
        picking = self._two_lots()
        self.warehouse.partner_id.phone = False
        with self.assertRaisesRegex(UserError, "no phone number.*ship-from address"):
            self._send(picking)

    def test_draft_transfer_and_second_send_are_refused(self):
        lot = self._lot("INB-D")
        draft = self.env["stock.picking"].create(
            {
                "picking_type_id": self.replenishment_type.id,
                "location_id": self.stock.id,
                "location_dest_id": self.amazon_location.id,
            }
        )
        with self.assertRaisesRegex(UserError, "is not ready"):
            self._send(draft)
        picking = self._replenish([(self.lot_product, lot, 2)])
        self._send(picking)
        with self.assertRaisesRegex(UserError, "already sent to Amazon"):
            self._send(picking)

    def test_not_a_replenishment_is_refused(self):
        picking = self._replenish(
            [(self.plain_product, None, 1)], validate=False, picking_type=self.warehouse.int_type_id
        )
        self.assertFalse(picking.amazon_is_fba_replenishment)
        with self.assertRaisesRegex(UserError, "not an Amazon FBA replenishment"):
            self._send(picking)

    # -- the scheduled action -----------------------------------------------------------------

    def test_in_progress_is_polled_again_until_success(self):
        self.sim.inbound_polls_until_done = 2
        picking = self._two_lots()
        plan = self._send(picking)
        before = set(self._triggers().ids)
        self._cron()
        # createInboundPlan accepted, first poll IN_PROGRESS: polled again in 5 s, by a trigger.
        self.assertEqual(plan.state, "creating")
        self.assertEqual(len(plan.inbound_plan_ref), 38)
        self.assertEqual(plan.poll_count, 1)
        new = self._triggers().filtered(lambda t: t.id not in before)
        self.assertEqual(len(new), 1)
        self.assertAlmostEqual((new.call_at - fields.Datetime.now()).total_seconds(), 6, delta=3)
        self.assertEqual(picking.amazon_inbound_state, "creating")
        self._cron()  # not due yet: nothing asked
        self.assertEqual(plan.poll_count, 1)
        self._make_due(plan)
        self._cron()
        self.assertEqual((plan.state, plan.poll_count), ("creating", 2))
        self.assertEqual(plan.next_attempt - plan.last_attempt, timedelta(seconds=10))
        self._make_due(plan)
        self._cron()
        self.assertEqual(plan.state, "created")
        self.assertTrue(plan.date_done)
        # What Amazon received is the plan's stored body, unchanged.
        self.assertEqual(
            self.sim.inbound_plans()[plan.inbound_plan_ref], json.loads(plan.request_body)
        )
        url = f"https://sellercentral.amazon.com/fba/sendtoamazon?wf={plan.inbound_plan_ref}"
        self.assertEqual(plan.seller_central_url, url)
        self.assertEqual(picking.amazon_inbound_url, url)
        self.assertEqual(picking.amazon_inbound_state, "created")
        self.assertIn("Continue in Seller Central", picking.amazon_inbound_message)
        self.assertIn(plan.inbound_plan_ref, picking.message_ids[:1].body)
        calls = [r["path"] for r in self.sim.api_requests()]
        self.assertEqual(calls.count("/inbound/fba/2024-03-20/inboundPlans"), 1)
        self.assertEqual(len(calls), 4)
        # Nothing left: the next run asks nothing.
        self._cron()
        self.assertEqual(len(self.sim.api_requests()), 4)

    def test_failed_operation_shows_amazons_problems_and_can_be_sent_again(self):
        self.sim.set_inbound_mskus(known={SKU}, needs_expiration={SKU})
        lot = self._lot("INB-NOEXP")
        picking = self._replenish([(self.lot_product, lot, 5)])
        plan = self._send(picking)
        self._cron()
        self._make_due(plan)
        self._cron()
        self.assertEqual(plan.state, "failed")
        self.assertIn("FBA_INB_EXPIRATION_REQUIRED", plan.problems)
        self.assertIn(f"MSKU {SKU} requires an expiration date", picking.amazon_inbound_message)
        self.assertIn("set the expiration date of each of its lots", picking.amazon_inbound_message)
        self.assertEqual(picking.amazon_inbound_state, "failed")
        self.assertFalse(picking.amazon_inbound_url)
        self.assertIn("requires an expiration date", picking.message_ids[:1].body)
        # Fixed: the transfer is sent again, as a new plan.
        if self.has_expiry:
            lot.expiration_date = datetime(2027, 6, 30, 12)
        self.sim.set_inbound_mskus(known={SKU})
        second = self._send(picking)
        self.assertNotEqual(second, plan)
        self.assertEqual(second.state, "queued")
        self._cron()
        self._make_due(second)
        self._cron()
        self.assertEqual(second.state, "created")
        self.assertEqual(picking.amazon_inbound_plan_count, 2)

    def test_unknown_sku_fails_with_what_to_do(self):
        self.sim.set_inbound_mskus(known={"SOMETHING-ELSE"})
        picking = self._two_lots()
        plan = self._send(picking)
        self._cron()
        self._make_due(plan)
        self._cron()
        self.assertEqual(plan.state, "failed")
        self.assertIn(f"The MSKU {SKU} is not an FBA listing", plan.problems)
        self.assertIn("Sales > Amazon > Offers", plan.problems)

    def test_throttled_and_5xx_are_retried_with_capped_backoff(self):
        picking = self._two_lots()
        plan = self._send(picking)
        created = len(self.sim.inbound_plans())
        self.sim.throttle_next(4)  # more 429s than the adapter retries at once
        self._cron()
        self.assertEqual((plan.state, plan.attempt_count), ("queued", 1))
        self.assertEqual(plan.next_attempt - plan.last_attempt, timedelta(minutes=1))
        self.assertIn("429", plan.message)
        self._make_due(plan)
        self.sim.fail_next(1, status=503)
        self._cron()
        self.assertEqual((plan.state, plan.attempt_count), ("queued", 2))
        self.assertEqual(plan.next_attempt - plan.last_attempt, timedelta(minutes=2))
        plan.attempt_count = 40
        self._make_due(plan)
        self.sim.fail_next(1, status=500)
        self._cron()
        self.assertEqual(plan.next_attempt - plan.last_attempt, fulfillment_inbound.RETRY_CAP)
        self.assertEqual(len(self.sim.inbound_plans()), created)  # nothing created meanwhile
        self._make_due(plan)
        self._cron()
        self.assertEqual(plan.state, "creating")
        self.assertEqual(len(self.sim.inbound_plans()), created + 1)

    def test_refused_request_fails_the_plan(self):
        picking = self._two_lots()
        plan = self._send(picking)
        body = json.loads(plan.request_body)
        body["destinationMarketplaces"] = ["badMarketplace"]
        plan.request_body = json.dumps(body)
        self._cron()
        self.assertEqual(plan.state, "failed")
        self.assertIn("Invalid destinationMarketplace provided", plan.message)
        self.assertEqual(picking.amazon_inbound_state, "failed")

    # -- access and companies -----------------------------------------------------------------

    def test_stock_user_cannot_send(self):
        picking = self._two_lots()
        with self.assertRaises(AccessError):
            picking.with_user(self.stock_user).action_amazon_send_inbound_plan()
        self.assertFalse(picking.amazon_inbound_plan_ids)
        # ... but sees where the plan stands once an administrator sent it.
        self._send(picking)
        self.assertEqual(picking.with_user(self.stock_user).amazon_inbound_state, "queued")
        plan = picking.with_user(self.stock_user).amazon_inbound_plan_ids
        self.assertEqual(plan.item_ids.mapped("msku"), [SKU, SKU])

    def test_other_company(self):
        company_b = self.env["res.company"].create(
            {
                "name": "Inbound Company B",
                "street": "2 Pier Road",
                "city": "Portland",
                "zip": "97201",
                "country_id": self.env.ref("base.us").id,
                "phone": "+1 503 555 0100",
            }
        )
        self.env.user.company_ids = [Command.link(company_b.id)]
        account_b = self.env["amazon.account"].create(
            {
                "name": "Company B store",
                "company_id": company_b.id,
                "seller_id": "A1INBOUNDB",
                "lwa_client_id": "amzn1.application-oa2-client.b",
                "marketplace_ids": [Command.set(self.us.ids)],
            }
        )
        pool_b = account_b._amazon_pool_location(self.us)
        self.assertEqual(pool_b.company_id, company_b)
        product_b = self._create_product("B vitamins", company=company_b)
        lot_b = self._lot("INB-COMPANY-B", product=product_b, company=company_b)
        self.env["amazon.offer"].create(
            {"account_id": account_b.id, "sku": "B-SKU", "product_id": product_b.id}
        )
        picking_b = self._replenish(
            [(product_b, lot_b, 2)],
            validate=False,
            picking_type=pool_b.amazon_replenishment_type_id,
            company=company_b,
        )
        # A manager of company A only cannot reach company B's transfer.
        with self.assertRaises(AccessError):
            picking_b.with_user(self.manager).action_amazon_send_inbound_plan()
        # Nor can it be sent with company A's account.
        with self.assertRaisesRegex(UserError, "belongs to"):
            picking_b._amazon_queue_inbound_plan(account=self.account)
        # Company B's own account sends it, as a plan of company B.
        plan = picking_b._amazon_queue_inbound_plan()
        self.assertEqual((plan.account_id, plan.company_id), (account_b, company_b))
        self.assertFalse(
            self.env["amazon.inbound.plan"].with_user(self.manager).search([("id", "=", plan.id)])
        )

    def test_account_form_shows_owners(self):
        form = Form(self.account)
        self.assertEqual(form.inbound_label_owner, "SELLER")
        self.assertEqual(form.inbound_prep_owner, "SELLER")
        form.inbound_prep_owner = "AMAZON"
        form.save()
        self.assertEqual(self.account.inbound_prep_owner, "AMAZON")

    def test_button_on_the_transfer_form(self):
        picking = self._two_lots()
        arch = picking.with_user(self.manager).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_amazon_send_inbound_plan"', arch)
        arch = picking.with_user(self.stock_user).get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertNotIn('name="action_amazon_send_inbound_plan"', arch)
        action = picking.action_amazon_open_inbound_plans()
        self.assertEqual(action["res_model"], "amazon.inbound.plan")
