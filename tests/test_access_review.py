"""Access review of the whole addon, as a test: who may do what, written down and checked.

The tables below are the addon's access policy. The test enumerates every model the addon
defines, every field of the addon restricted by ``groups``, every ``<button type="object">`` of
the addon's views and every menu of the addon, and fails on anything missing from the tables
(so a new model, restricted field, button or menu must be reviewed and added here), and on any
difference between a table and what Odoo really does for five users:

- ``user``: Amazon / User;  ``manager``: Amazon / Administrator (not a system administrator);
- ``admin``: the system administrator (``base.user_admin``);
- ``salesman``: Sales / User: Own Documents Only, without any Amazon group;
- ``portal``: a portal user.

Buttons are called the way the web client's ``call_button`` does (RPC: no prior read), each in a
savepoint rolled back afterwards. ``ok`` means the method returned; an exception class means it
raised that (``AccessError``, or ``UserError`` for any other refusal). A button that only returns
an action is harmless for anyone: the records it opens are filtered by the access rights.
"""

from unittest import mock

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..tools.sp_api_simulator import make_inventory_summary
from .common_lots import AmazonLotCase

MODULE = "amazon_fba_kit"
ROLES = ("user", "manager", "admin", "salesman", "portal")
OK, ACCESS, REFUSED = "ok", "AccessError", "UserError"

# model -> role -> the operations its ACLs allow ("r", "w", "c", "u" = read, write, create, unlink)
MODEL_ACCESS = {
    "amazon.account": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    "amazon.marketplace": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    "amazon.offer": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    "amazon.sync.error": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    "amazon.fba.inventory": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    "amazon.report": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    "amazon.ledger.row": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    # Wizards (transient: each user sees only his own records).
    "amazon.fba.inventory.adjust": {"user": "rwcu", "manager": "rwcu", "admin": "rwcu"},
    "amazon.fba.inventory.adjust.line": {"user": "rwcu", "manager": "rwcu", "admin": "rwcu"},
    "stock.lot.amazon.recall": {"user": "rwcu", "manager": "rwcu", "admin": "rwcu"},
    "stock.lot.amazon.recall.line": {"user": "rwcu", "manager": "rwcu", "admin": "rwcu"},
    "sale.order.amazon.reattribute": {"manager": "rwcu", "admin": "rwcu"},
    "sale.order.amazon.reattribute.line": {"manager": "rwcu", "admin": "rwcu"},
    "sale.order.amazon.return": {"manager": "rwcu", "admin": "rwcu"},
    "sale.order.amazon.return.line": {"manager": "rwcu", "admin": "rwcu"},
    "amazon.mcf.order": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    "amazon.shipment.confirmation": {"user": "r", "manager": "rwcu", "admin": "rwcu"},
    # Inbound plans: Inventory and Amazon users read them; only the addon writes them (Send to
    # Amazon, by an Inventory administrator, and the scheduled action); nobody deletes one: it
    # records what Amazon was sent.
    "amazon.inbound.plan": {"user": "r", "manager": "r", "admin": "r"},
    "amazon.inbound.plan.item": {"user": "r", "manager": "r", "admin": "r"},
}

# (model, field) -> groups of the field, and the roles that may read and write it
FIELD_GROUPS = {
    ("amazon.account", "lwa_client_secret"): ("base.group_system", {"admin"}),
    ("amazon.account", "refresh_token"): ("base.group_system", {"admin"}),
    ("amazon.account", "api_endpoint"): ("base.group_system", {"admin"}),
    ("amazon.account", "lwa_endpoint"): ("base.group_system", {"admin"}),
    ("amazon.account", "endpoint_approved_by_id"): ("base.group_system", {"admin"}),
    ("amazon.account", "endpoint_approval"): ("base.group_system", {"admin"}),
    ("amazon.sync.error", "payload"): (
        "amazon_fba_kit.amazon_fba_kit_group_manager",
        {"manager", "admin"},
    ),
    ("stock.lot.amazon.recall.line", "buyer_name"): (
        "amazon_fba_kit.amazon_fba_kit_group_manager",
        {"manager", "admin"},
    ),
    ("stock.lot.amazon.recall.line", "buyer_address"): (
        "amazon_fba_kit.amazon_fba_kit_group_manager",
        {"manager", "admin"},
    ),
    ("stock.picking", "amazon_confirmation_ids"): (
        "amazon_fba_kit.amazon_fba_kit_group_user",
        {"user", "manager", "admin"},
    ),
    ("sale.order", "amazon_shipment_confirmation_ids"): (
        "amazon_fba_kit.amazon_fba_kit_group_user",
        {"user", "manager", "admin"},
    ),
}

_AMAZON_MANAGERS = {
    "user": ACCESS,
    "manager": OK,
    "admin": OK,
    "salesman": ACCESS,
    "portal": ACCESS,
}
_AMAZON_USERS = {"user": OK, "manager": OK, "admin": OK, "salesman": ACCESS, "portal": ACCESS}
# Only returns an action: harmless for anyone (what it opens is filtered by access rights).
_ACTION_ONLY = {"user": OK, "manager": OK, "admin": OK, "salesman": OK, "portal": OK}
_INTERNAL_ACTION_ONLY = {**_ACTION_ONLY, "portal": ACCESS}
# Needs rights the Amazon groups do not give (Inventory, Manufacturing): only the admin has them.
_ADMIN_ONLY = {"user": ACCESS, "manager": ACCESS, "admin": OK, "salesman": ACCESS, "portal": ACCESS}
_STOCK_MANAGER_ONLY = {
    "user": REFUSED,
    "manager": REFUSED,
    "admin": OK,
    "salesman": REFUSED,
    "portal": REFUSED,
}

# (model, button method) -> role -> outcome
BUTTONS = {
    # Anything that sends the account's credentials to Amazon: Amazon managers (and the cron).
    ("amazon.account", "action_test_connection"): _AMAZON_MANAGERS,
    ("amazon.account", "action_sync_orders"): _AMAZON_MANAGERS,
    ("amazon.account", "action_sync_fba_inventory"): _AMAZON_MANAGERS,
    ("amazon.account", "action_import_amazon_ledger"): _AMAZON_MANAGERS,
    # Books stock moves: Amazon managers.
    ("amazon.account", "action_attribute_lots"): _AMAZON_MANAGERS,
    # Reads the account's pools (stock locations): Amazon users.
    ("amazon.account", "action_open_replenishment"): _AMAZON_USERS,
    ("amazon.account", "action_view_sync_errors"): _ACTION_ONLY,
    ("amazon.account", "action_view_unattributed"): _INTERNAL_ACTION_ONLY,
    ("amazon.fba.inventory", "action_refresh_odoo_qty"): _AMAZON_MANAGERS,
    # "Only an Inventory administrator can adjust the stock in the Amazon location."
    ("amazon.fba.inventory", "action_open_adjust"): _STOCK_MANAGER_ONLY,
    ("amazon.fba.inventory.adjust", "action_apply"): _STOCK_MANAGER_ONLY,
    ("amazon.offer", "action_view_order_lines"): _AMAZON_USERS,
    ("amazon.sync.error", "action_open_offer"): _AMAZON_USERS,
    ("amazon.sync.error", "action_retry"): _AMAZON_MANAGERS,
    # Books stock moves at Amazon: Amazon managers (and the cron).
    ("amazon.ledger.row", "action_retry"): _AMAZON_MANAGERS,
    # Queues the MCF order for the cron that reads its lots from Amazon: Amazon managers.
    ("amazon.mcf.order", "action_amazon_read_lots"): _AMAZON_MANAGERS,
    # Creates a product and its BoM: Manufacturing administrators (the admin here).
    ("amazon.sync.error", "action_create_fba_kit"): _ADMIN_ONLY,
    ("product.template", "action_create_amazon_fba_kit"): _ADMIN_ONLY,
    ("product.template", "action_open_amazon_fba_kits"): _INTERNAL_ACTION_ONLY,
    # Pressed on a tracked product that is no kit: "... is not an Amazon FBA kit".
    ("product.template", "action_open_amazon_fba_kit_component"): {
        **_INTERNAL_ACTION_ONLY,
        "user": REFUSED,
        "manager": REFUSED,
        "admin": REFUSED,
        "salesman": REFUSED,
    },
    ("sale.order", "action_amazon_reattribute"): _ACTION_ONLY,
    # Moves stock at Amazon: Amazon managers with Inventory rights (the admin here).
    ("sale.order.amazon.reattribute", "action_apply"): _ADMIN_ONLY,
    # Lots are Inventory records: Amazon users with Inventory rights (the admin here; see
    # test_recall_export.py for Amazon users and managers with Inventory / User).
    ("stock.lot", "action_amazon_recall"): _ADMIN_ONLY,
    ("stock.lot.amazon.recall", "action_find_orders"): _ADMIN_ONLY,
    ("stock.lot.amazon.recall", "action_export"): _ADMIN_ONLY,
    # FBM shipment confirmations: Amazon managers retry them or mark them confirmed by hand.
    ("amazon.shipment.confirmation", "action_retry"): _AMAZON_MANAGERS,
    ("amazon.shipment.confirmation", "action_mark_done"): _AMAZON_MANAGERS,
    ("amazon.shipment.confirmation", "action_open_picking"): _AMAZON_USERS,
    # Whoever may write the delivery may queue its confirmation again (it checks that, then
    # resets the failed confirmation as superuser; the cron sends it).
    ("stock.picking", "action_amazon_retry_confirmation"): _INTERNAL_ACTION_ONLY,
    # Returns from the Amazon customer (stock moves): Amazon managers.
    ("sale.order", "action_amazon_return"): _ACTION_ONLY,
    # Here pressed on an error whose order was never booked: "nothing to return".
    ("amazon.sync.error", "action_return_from_customer"): {
        **_AMAZON_MANAGERS,
        "manager": REFUSED,
        "admin": REFUSED,
    },
    ("sale.order.amazon.return", "action_apply"): _ADMIN_ONLY,
    ("amazon.account", "action_open_pool_replenishment"): _AMAZON_USERS,
    # Send to Amazon: Inventory administrators only (the admin here; pressed on a draft delivery:
    # "not ready"). Opening the plans reads them: Amazon (or Inventory) users.
    ("stock.picking", "action_amazon_send_inbound_plan"): {
        **_AMAZON_MANAGERS,
        "manager": ACCESS,
        "admin": REFUSED,
    },
    ("stock.picking", "action_amazon_open_inbound_plans"): _AMAZON_USERS,
    ("amazon.inbound.plan", "action_open_picking"): _AMAZON_USERS,
}

# menu xml id -> the roles that see it
MENUS = {
    "amazon_fba_kit.amazon_menu_root": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_account_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_offer_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_sync_error_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_marketplace_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_fba_inventory_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_ledger_row_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_report_menu": {"manager", "admin"},
    # groups="stock.group_production_lot", which every internal user has once lots are enabled
    "amazon_fba_kit.stock_lot_amazon_recall_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_mcf_order_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_shipment_confirmation_menu": {"user", "manager", "admin"},
    "amazon_fba_kit.amazon_inbound_plan_menu": {"user", "manager", "admin"},
}


class _Rollback(Exception):
    pass


@tagged("post_install", "-at_install")
class TestAccessReview(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        amazon = "base.group_user,amazon_fba_kit.amazon_fba_kit_group_"
        cls.users = {
            "user": new_test_user(cls.env, login="review_user", groups=amazon + "user"),
            "manager": new_test_user(cls.env, login="review_manager", groups=amazon + "manager"),
            "admin": cls.env.ref("base.user_admin"),
            "salesman": new_test_user(
                cls.env, login="review_salesman", groups="sales_team.group_sale_salesman"
            ),
            "portal": new_test_user(cls.env, login="review_portal", groups="base.group_portal"),
        }
        cls._build_records()

    @classmethod
    def _build_records(cls):
        """One record of each model a button lives on, in the state its button acts on."""
        env = cls.env
        cls.account.fba_lot_policy = "fifo"
        cls.lot = env["stock.lot"].create(
            {"name": "REVIEW-1", "product_id": cls.lot_product.id, "company_id": cls.company.id}
        )
        cls.nokit_product = env["product.product"].create(
            {
                "name": "Review tracked",
                "default_code": "REVIEW-NOKIT",
                "is_storable": True,
                "tracking": "lot",
            }
        )

    def setUp(self):
        super().setUp()
        # Stock at Amazon, an FBA order that got a lot (FIFO), an order blocked on a missing
        # kit, and an FBA inventory row with a difference.
        self._arrive(self.lot, 3, days_ago=2)
        self.sim.set_orders(
            [
                self._order("111-4000000-0000001", [self._item("I1", "VITC-500", 1)], 5),
                self._order("111-4000000-0000002", [self._item("I1", "REVIEW-NOKIT", 1)], 5),
            ]
        )
        self.account.last_orders_sync = self._ago(60)
        self._sync()
        self.order = self._sale("111-4000000-0000001")
        self.error = self._error("111-4000000-0000002")
        self.assertEqual(self.error.kind, "missing_kit")
        self.sim.set_inventory([make_inventory_summary("SHAKER", fulfillable=5)])
        self.account._amazon_sync_inventory_one()
        self.inventory = self.env["amazon.fba.inventory"].search(
            [("account_id", "=", self.account.id), ("sku", "=", "SHAKER")]
        )
        self.confirmation = self._confirmation(self.account, self.order)
        self.mcf = self.env["amazon.mcf.order"].create(
            {"account_id": self.account.id, "amazon_order_ref": "111-4000000-0000003"}
        )

    def _confirmation(self, account, order):
        """A refused FBM shipment confirmation of a delivery of ``order``."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", account.company_id.id)], limit=1
        )
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "company_id": account.company_id.id,
            }
        )
        return self.env["amazon.shipment.confirmation"].create(
            {
                "picking_id": picking.id,
                "sale_order_id": order.id,
                "account_id": account.id,
                "amazon_order_ref": order.amazon_order_ref or "111-4000000-0000009",
                "state": "failed",
                "message": "refused",
            }
        )

    # -- records each button is pressed on, as the given user -----------------------------------

    def _record(self, model, user):  # noqa: C901  # one branch per model, flat
        env = self.env(user=user)
        if model == "amazon.account":
            return self.account.with_env(env)
        if model == "amazon.fba.inventory":
            return self.inventory.with_env(env)
        if model == "amazon.offer":
            return self.error.offer_id.with_env(env)
        if model == "amazon.sync.error":
            return self.error.with_env(env)
        if model == "product.template":
            return self.nokit_product.product_tmpl_id.with_env(env)
        if model == "product.product":
            return self.nokit_product.with_env(env)
        if model == "sale.order":
            return self.order.with_env(env)
        if model == "stock.lot":
            return self.lot.with_env(env)
        if model == "amazon.ledger.row":
            # A row whose SKU is unknown: retrying it records the reason again.
            row = self.env[model].create(
                {
                    "account_id": self.account.id,
                    "date": "2026-06-01",
                    "kind": "Adjustments",
                    "sku": "REVIEW-UNKNOWN-SKU",
                    "quantity": -1,
                    "identity": "review-button",
                    "state": "error",
                }
            )
            return row.with_env(env)
        # Wizards: opened by the user himself (transient records are their creator's).
        if model == "stock.lot.amazon.recall":
            return env[model].create({"lot_id": self.lot.id})
        if model == "sale.order.amazon.reattribute":
            return env[model].with_context(default_sale_order_id=self.order.id).create({})
        if model == "sale.order.amazon.return":
            return env[model].with_context(default_sale_order_id=self.order.id).create({})
        if model == "amazon.shipment.confirmation":
            return self.confirmation.with_env(env)
        if model == "amazon.mcf.order":
            return self.mcf.with_env(env)
        if model == "stock.picking":
            return self.confirmation.picking_id.with_env(env)
        if model == "amazon.inbound.plan":
            plan = self._review_inbound_plan(self.account, self.confirmation.picking_id)
            plan.invalidate_recordset()  # read from the database, as the web client's RPC does
            return plan.with_env(env)
        if model == "amazon.fba.inventory.adjust":
            action = self.inventory.with_env(env).action_open_adjust()
            return env[model].browse(action["res_id"])
        raise AssertionError(
            f"tests/test_access_review.py: _record() has no record for model {model}: add a "
            "branch returning a record a button of that model can be pressed on."
        )

    def _press(self, model, method, user):
        outcome = None
        try:
            with self.env.cr.savepoint():
                try:
                    getattr(self._record(model, user), method)()
                    outcome = OK
                except AccessError:
                    outcome = ACCESS
                except UserError:
                    outcome = REFUSED
                raise _Rollback
        except _Rollback:
            self.assertIsNotNone(outcome)  # rolled back on purpose: the test leaves no trace
        self.env.invalidate_all()
        return outcome

    # -- enumeration ---------------------------------------------------------------------------

    def _addon_models(self):
        return sorted(
            name
            for name, model in self.env.registry.items()
            if model._original_module == MODULE and not model._abstract
        )

    def _addon_xmlids(self, model):
        return self.env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", model)])

    def _addon_buttons(self):
        buttons = set()
        views = self.env["ir.ui.view"].browse(self._addon_xmlids("ir.ui.view").mapped("res_id"))
        for view in views:
            for button in etree.fromstring(view.arch_db).iter("button"):
                if button.get("type") == "object":
                    buttons.add((view.model, button.get("name")))
        return sorted(buttons)

    # -- the review ----------------------------------------------------------------------------

    def test_model_access(self):
        problems = self._model_access_problems()
        self.assertFalse(
            problems, "\n".join(["Access review (tests/test_access_review.py):"] + problems)
        )

    def test_a_new_model_fails_the_review(self):
        """What a helper adding a model without a table entry sees: what to add, exactly."""
        with mock.patch.dict(MODEL_ACCESS):
            del MODEL_ACCESS["amazon.offer"]
            problems = self._model_access_problems()
        self.assertEqual(len(problems), 1)
        self.assertIn("model amazon.offer is missing from MODEL_ACCESS", problems[0])
        self.assertIn(
            "add\n    'amazon.offer': {'user': 'r', 'manager': 'rwcu', 'admin': 'rwcu'},",
            problems[0],
        )

    def _model_access_problems(self):
        problems = []
        for model in self._addon_models():
            actual = {
                role: "".join(
                    letter
                    for letter, mode in zip(
                        "rwcu", ("read", "write", "create", "unlink"), strict=True
                    )
                    if self.env["ir.model.access"]
                    .with_user(user)
                    .check(model, mode, raise_exception=False)
                )
                for role, user in self.users.items()
            }
            actual = {role: ops for role, ops in actual.items() if ops}
            if model not in MODEL_ACCESS:
                problems.append(
                    f"model {model} is missing from MODEL_ACCESS: review its ACLs "
                    f"(security/ir.model.access.csv), then add\n    {model!r}: {actual!r},"
                )
            elif MODEL_ACCESS[model] != actual:
                problems.append(
                    f"MODEL_ACCESS[{model!r}] is {MODEL_ACCESS[model]!r}, the ACLs give {actual!r}"
                )
        for model in set(MODEL_ACCESS) - set(self._addon_models()):
            problems.append(f"MODEL_ACCESS lists {model}, which the addon does not define")
        return problems

    def test_field_groups(self):
        problems = []
        seen = set()
        for name, model in self.env.registry.items():
            for fname, field in model._fields.items():
                if getattr(field, "_module", None) != MODULE or not field.groups:
                    continue
                key = (name, fname)
                seen.add(key)
                roles = {
                    role
                    for role, user in self.users.items()
                    if field.is_accessible(self.env(user=user))
                }
                if key not in FIELD_GROUPS:
                    problems.append(
                        f"field {name}.{fname} (groups={field.groups!r}) is missing from "
                        f"FIELD_GROUPS: add\n    {key!r}: ({field.groups!r}, {roles!r}),"
                    )
                elif FIELD_GROUPS[key] != (field.groups, roles):
                    problems.append(
                        f"FIELD_GROUPS[{key!r}] is {FIELD_GROUPS[key]!r}, the field has "
                        f"({field.groups!r}, {roles!r})"
                    )
        for key in set(FIELD_GROUPS) - seen:
            problems.append(f"FIELD_GROUPS lists {key}, which has no groups (or no longer exists)")
        self.assertFalse(
            problems, "\n".join(["Access review (tests/test_access_review.py):"] + problems)
        )

    def test_buttons(self):
        buttons = self._addon_buttons()
        self.assertTrue(buttons)
        problems = []
        for model, method in buttons:
            actual = {role: self._press(model, method, user) for role, user in self.users.items()}
            expected = BUTTONS.get((model, method))
            if (model, method) not in BUTTONS:
                problems.append(
                    f"button {model}.{method} is missing from BUTTONS: review who may press it, "
                    f"then add\n    ({model!r}, {method!r}): {actual!r},"
                )
            elif actual != expected:
                problems.append(
                    f"BUTTONS[({model!r}, {method!r})] expects {expected!r}, got {actual!r}"
                )
        for key in set(BUTTONS) - set(buttons):
            problems.append(f"BUTTONS lists {key}, which no view of the addon shows")
        self.assertFalse(
            problems, "\n".join(["Access review (tests/test_access_review.py):"] + problems)
        )

    def test_menus(self):
        problems = []
        menus = self.env["ir.ui.menu"].browse(self._addon_xmlids("ir.ui.menu").mapped("res_id"))
        visible = {}
        for role, user in self.users.items():
            try:
                visible[role] = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            except AccessError:  # portal users may not read menus at all
                visible[role] = set()
        xmlids = menus.get_external_id()
        for menu in menus:
            xmlid = xmlids[menu.id]
            roles = {role for role in ROLES if menu.id in visible[role]}
            if xmlid not in MENUS:
                problems.append(
                    f"menu {xmlid} is missing from MENUS: add\n    {xmlid!r}: {roles!r},"
                )
            elif MENUS[xmlid] != roles:
                problems.append(
                    f"MENUS[{xmlid!r}] is {MENUS[xmlid]!r}, the menu shows to {roles!r}"
                )
        for xmlid in set(MENUS) - set(xmlids.values()):
            problems.append(f"MENUS lists {xmlid}, which the addon does not define")
        self.assertFalse(
            problems, "\n".join(["Access review (tests/test_access_review.py):"] + problems)
        )

    def _review_report(self, account):
        return self.env["amazon.report"].create(
            {
                "account_id": account.id,
                "report_type": "GET_LEDGER_DETAIL_VIEW_DATA",
                "amazon_report_ref": f"review-{account.id}",
            }
        )

    def _review_ledger_row(self, account):
        return self.env["amazon.ledger.row"].create(
            {
                "account_id": account.id,
                "date": "2026-06-01",
                "kind": "other",
                "identity": f"review-{account.id}",
            }
        )

    def _review_inbound_plan(self, account, picking):
        return self.env["amazon.inbound.plan"].create(
            {
                "name": f"review-{account.id}",
                "picking_id": picking.id,
                "company_id": account.company_id.id,
                "account_id": account.id,
                "marketplace_id": self.us.id,
                "label_owner": "SELLER",
                "prep_owner": "SELLER",
                "state": "failed",
            }
        )

    def test_record_rules_across_companies(self):
        """Records of another company stay out of reach, for every company-bound model."""
        company_b = self.env["res.company"].create({"name": "Review Company B"})
        if not self.env["stock.warehouse"].search([("company_id", "=", company_b.id)]):
            self.env["stock.warehouse"].create(
                {"name": "Review B", "code": "RVWB", "company_id": company_b.id}
            )
        account_b = self.env["amazon.account"].create(
            {
                "name": "Company B store",
                "company_id": company_b.id,
                "seller_id": "A1COMPANYB",
                "lwa_client_id": "amzn1.application-oa2-client.b",
                "marketplace_ids": [Command.set(self.us.ids)],
            }
        )
        records_b = {
            "amazon.account": account_b,
            "amazon.offer": self.env["amazon.offer"].create(
                {"account_id": account_b.id, "sku": "B-SKU"}
            ),
            "amazon.sync.error": self.env["amazon.sync.error"].create(
                {
                    "account_id": account_b.id,
                    "amazon_order_ref": "111-4000009-0000001",
                    "message": "company B",
                }
            ),
            "amazon.fba.inventory": self.env["amazon.fba.inventory"].create(
                {"account_id": account_b.id, "marketplace_id": self.us.id, "sku": "B-SKU"}
            ),
            "amazon.mcf.order": self.env["amazon.mcf.order"].create(
                {"account_id": account_b.id, "amazon_order_ref": "111-4000009-0000002"}
            ),
            "amazon.shipment.confirmation": self._confirmation(
                account_b,
                self.env["sale.order"].create(
                    {
                        "partner_id": self.env["res.partner"]
                        .create({"name": "B buyer", "company_id": company_b.id})
                        .id,
                        "company_id": company_b.id,
                    }
                ),
            ),
            "amazon.report": self._review_report(account_b),
            "amazon.ledger.row": self._review_ledger_row(account_b),
        }
        records_b["amazon.inbound.plan"] = self._review_inbound_plan(
            account_b, records_b["amazon.shipment.confirmation"].picking_id
        )
        problems = []
        for model in self._addon_models():
            field = self.env[model]._fields.get("company_id")
            if not field or not field.store:
                continue
            rules = self.env["ir.rule"].search(
                [("model_id.model", "=", model), ("global", "=", True)]
            )
            if not any("company_ids" in (rule.domain_force or "") for rule in rules):
                problems.append(
                    f"model {model} has a stored company_id but no global multi-company record "
                    f'rule: add <record id="{model.replace(".", "_")}_rule_multi_company" '
                    'model="ir.rule"> to security/amazon_account_security.xml'
                )
            if model not in records_b:
                problems.append(
                    f"model {model} is company-bound: add a record of company B for it to "
                    "records_b in test_record_rules_across_companies"
                )
        self.assertFalse(
            problems, "\n".join(["Access review (tests/test_access_review.py):"] + problems)
        )
        own = {
            "amazon.account": self.account,
            "amazon.offer": self.error.offer_id,
            "amazon.sync.error": self.error,
            "amazon.fba.inventory": self.inventory,
            "amazon.mcf.order": self.mcf,
            "amazon.shipment.confirmation": self.confirmation,
            "amazon.report": self._review_report(self.account),
            "amazon.ledger.row": self._review_ledger_row(self.account),
            "amazon.inbound.plan": self._review_inbound_plan(
                self.account, self.confirmation.picking_id
            ),
        }
        for role in ("user", "manager"):
            user = self.users[role]
            self.assertEqual(user.company_ids, self.company)
            for model, record_b in records_b.items():
                with self.subTest(role=role, model=model):
                    found = (
                        self.env[model]
                        .with_user(user)
                        .search([("id", "in", [record_b.id, own[model].id])])
                    )
                    self.assertEqual(found, own[model])
                    with self.assertRaises(AccessError):
                        record_b.with_user(user).read(["display_name"])
                    if role == "manager":
                        with self.assertRaises(AccessError):
                            record_b.with_user(user).write({})
                            record_b.with_user(user).check_access("write")
        # A manager of both companies reaches company B's records once B is allowed.
        manager = self.users["manager"]
        manager.company_ids = [Command.link(company_b.id)]
        for model, record_b in records_b.items():
            allowed = record_b.with_user(manager).with_context(
                allowed_company_ids=[self.company.id, company_b.id]
            )
            self.assertTrue(allowed.read(["display_name"]), model)
