from odoo.exceptions import AccessError
from odoo.modules.module import get_module_path
from odoo.tests import Form, new_test_user, tagged

from .test_amazon_account import AmazonAccountCommon

CLIENT_SECRET = "fake-client-secret-security"
REFRESH_TOKEN = "Atzr|fake.refresh.security"
SECRETS = frozenset({"lwa_client_secret", "refresh_token"})


@tagged("post_install", "-at_install")
class TestAmazonSecurity(AmazonAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._create_account(
            cls.env.company, lwa_client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN
        )
        groups = "base.group_user,amazon_fba_kit.amazon_fba_kit_group_"
        cls.salesman = new_test_user(
            cls.env, login="amz_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.amazon_user = new_test_user(cls.env, login="amz_user", groups=groups + "user")
        cls.amazon_manager = new_test_user(cls.env, login="amz_manager", groups=groups + "manager")
        cls.admin = cls.env.ref("base.user_admin")

    def test_groups(self):
        user_group = self.env.ref("amazon_fba_kit.amazon_fba_kit_group_user")
        manager_group = self.env.ref("amazon_fba_kit.amazon_fba_kit_group_manager")
        self.assertIn(self.env.ref("sales_team.group_sale_salesman"), user_group.implied_ids)
        self.assertIn(user_group, manager_group.implied_ids)
        self.assertIn(self.admin, manager_group.users)
        self.assertTrue(self.amazon_user.has_group("sales_team.group_sale_salesman"))

    def test_menus(self):
        root = self.env.ref("amazon_fba_kit.amazon_menu_root")
        self.assertEqual(root.parent_id, self.env.ref("sale.sale_menu_root"))
        accounts = self.env.ref("amazon_fba_kit.amazon_account_menu")
        marketplaces = self.env.ref("amazon_fba_kit.amazon_marketplace_menu")
        self.assertEqual((accounts.parent_id, accounts.sequence), (root, 10))
        self.assertEqual((marketplaces.parent_id, marketplaces.sequence), (root, 90))
        visible = self.env["ir.ui.menu"].with_user(self.amazon_user)._visible_menu_ids()
        self.assertTrue({root.id, accounts.id, marketplaces.id} <= visible)
        salesman_menus = self.env["ir.ui.menu"].with_user(self.salesman)._visible_menu_ids()
        self.assertNotIn(root.id, salesman_menus)

    def test_salesman_has_no_access(self):
        account = self.account.with_user(self.salesman)
        for fnames in (["name"], ["refresh_token"], ["lwa_client_secret"]):
            with self.assertRaises(AccessError):
                account.read(fnames)

    def test_amazon_user_reads_but_not_secrets(self):
        account = self.account.with_user(self.amazon_user)
        self.assertEqual(account.read(["name"])[0]["name"], "Store")
        self.assertTrue(SECRETS.isdisjoint(account.read()[0]))
        self.assertTrue(SECRETS.isdisjoint(account.fields_get()))
        for fname in SECRETS:
            with self.assertRaises(AccessError):
                account.read([fname])
        with self.assertRaises(AccessError):
            account.write({"name": "Renamed"})
        marketplace = self.env["amazon.marketplace"].search([], limit=1).with_user(self.amazon_user)
        self.assertTrue(marketplace.read(["api_ref"]))
        with self.assertRaises(AccessError):
            marketplace.write({"name": "Renamed"})

    def test_amazon_user_opens_the_form(self):
        accounts = self.env["amazon.account"].with_user(self.amazon_user)
        fields = accounts.get_views([(False, "form")])["models"]["amazon.account"]["fields"]
        self.assertTrue(SECRETS.isdisjoint(fields))
        spec = {
            fname: {"fields": {"display_name": {}}} if accounts._fields[fname].relational else {}
            for fname in fields
        }
        values = self.account.with_user(self.amazon_user).web_read(spec)[0]
        self.assertEqual(values["location_id"]["display_name"], "WH/Amazon")
        self.assertEqual(
            values["replenishment_picking_type_id"]["id"],
            self.account.replenishment_picking_type_id.id,
        )

    def test_amazon_manager_edits_but_not_secrets(self):
        account = self.account.with_user(self.amazon_manager)
        account.write({"name": "Renamed"})
        self.assertEqual(self.account.name, "Renamed")
        for fname in ("api_endpoint", "lwa_endpoint"):  # they decide where the secrets go
            with self.assertRaises(AccessError):
                account.write({fname: "http://127.0.0.1:9"})
        for fname in SECRETS:
            with self.assertRaises(AccessError):
                account.read([fname])
            with self.assertRaises(AccessError):
                account.write({fname: "overwritten"})
        self.assertEqual(self.account.refresh_token, REFRESH_TOKEN)

    def test_amazon_manager_creates_account_and_location(self):
        """No Inventory rights needed: the location is created for him."""
        self.assertFalse(self.amazon_manager.has_group("stock.group_stock_manager"))
        company = self._create_company("Charlie Seller Co", "AMZC")
        self.amazon_manager.write({"company_ids": [(4, company.id)], "company_id": company.id})
        accounts = self.env["amazon.account"].with_user(self.amazon_manager).with_company(company)
        with Form(accounts) as form:
            self.assertEqual(form.warehouse_id, self._warehouse(company))
            form.name = "Charlie"
            form.seller_id = "A1CHARLIE"
            form.lwa_client_id = "amzn1.application-oa2-client.charlie"
            form.marketplace_ids.add(
                self.env["amazon.marketplace"].search([("api_ref", "=", "ATVPDKIKX0DER")])
            )
            self.assertNotIn("refresh_token", form._view["fields"])
        account = form.record
        self.assertEqual(account.location_id.company_id, company)
        self.assertEqual(account.location_id.name, "Amazon")

    def test_administrator_reads_and_writes_secrets(self):
        account = self.account.with_user(self.admin)
        values = account.read(list(SECRETS))[0]
        self.assertEqual(
            (values["lwa_client_secret"], values["refresh_token"]), (CLIENT_SECRET, REFRESH_TOKEN)
        )
        account.write({"refresh_token": "Atzr|rotated"})
        self.assertEqual(self.account.refresh_token, "Atzr|rotated")

    def test_multi_company_rule(self):
        company = self._create_company("Delta Seller Co", "AMZD")
        other = self._create_account(company, "Delta")
        self.amazon_user.company_ids = self.env.company
        accounts = self.env["amazon.account"].with_user(self.amazon_user)
        self.assertIn(self.account, accounts.search([]))
        self.assertNotIn(other, accounts.search([]))
        with self.assertRaises(AccessError):
            other.with_user(self.amazon_user).read(["name"])

    def test_secrets_stay_out_of_chatter(self):
        env = self.env(
            context=dict(
                self.env.context,
                tracking_disable=False,
                mail_notrack=False,
                mail_create_nolog=False,
            )
        )
        account = env["amazon.account"].create(
            self._account_vals(
                self.env.company,
                "Chatter",
                lwa_client_secret="xyz-secret",
                refresh_token="xyz-token",
            )
        )
        self.env.cr.flush()  # as at commit: run the precommit hooks that write the chatter
        account.write(
            {"name": "Tracked", "lwa_client_secret": "xyz-secret-2", "refresh_token": "xyz-token-2"}
        )
        self.env.cr.flush()
        account.invalidate_recordset(["message_ids"])
        tracked = account.message_ids.tracking_value_ids
        self.assertIn("name", tracked.field_id.mapped("name"))
        self.assertTrue(SECRETS.isdisjoint(tracked.field_id.mapped("name")))
        for value in tracked:
            self.assertNotIn("xyz", f"{value.old_value_char} {value.new_value_char}")
        for message in account.message_ids:
            self.assertNotIn("xyz", str(message.body))

    def test_neutralize_blanks_secrets(self):
        path = f"{get_module_path('amazon_fba_kit')}/data/neutralize.sql"
        with open(path) as sql:
            self.env.cr.execute(sql.read())
        self.account.invalidate_recordset()
        self.assertFalse(self.account.lwa_client_secret)
        self.assertFalse(self.account.refresh_token)
        self.assertEqual(self.account.lwa_client_id, "amzn1.application-oa2-client.test")
