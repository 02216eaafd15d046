import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..spapi import adapter as spapi_adapter
from ..spapi.exceptions import AmazonEndpointRefused, AmazonError
from .amazon_marketplace import AMAZON_REGIONS

_logger = logging.getLogger(__name__)

SECRET_FIELDS = ("lwa_client_secret", "refresh_token")


class AmazonAccount(models.Model):
    _name = "amazon.account"
    _description = "Amazon Seller Account"
    _inherit = "mail.thread"
    _check_company_auto = True
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, tracking=True
    )
    seller_id = fields.Char(
        string="Seller ID",
        required=True,
        tracking=True,
        help="Merchant token of the seller account, shown in Seller Central under Settings > "
        "Account Info > Merchant Token.",
    )
    region = fields.Selection(
        AMAZON_REGIONS,
        required=True,
        default="na",
        tracking=True,
        help="Selling Partner API region of the account's marketplaces.",
    )
    lwa_client_id = fields.Char(
        string="LWA Client ID",
        required=True,
        help="Login with Amazon client identifier of the SP-API application.",
    )
    # Secrets: readable and writable by system administrators only; never tracked, never copied.
    lwa_client_secret = fields.Char(
        string="LWA Client Secret",
        copy=False,
        groups="base.group_system",
        help="Login with Amazon client secret of the SP-API application.",
    )
    refresh_token = fields.Char(
        copy=False,
        groups="base.group_system",
        help="Long-lived token obtained when the seller authorised the application.",
    )
    marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        string="Marketplaces",
        domain="[('region', '=', region)]",
        help="Marketplaces whose orders are synchronised.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        compute="_compute_warehouse_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        tracking=True,
        help="Warehouse whose Amazon location holds the stock at Amazon. Defaults to the "
        "company's first warehouse.",
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Amazon Location",
        check_company=True,
        tracking=True,
        domain="[('usage', '=', 'internal')]",
        help="Internal location standing for Amazon's fulfilment centres (WH/Amazon). Created "
        "with the company's first account and shared by its later accounts.",
    )
    replenishment_picking_type_id = fields.Many2one(
        related="warehouse_id.amazon_replenishment_type_id",
        string="FBA Replenishment Type",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        tracking=True,
        help="Sales team of the orders synchronised from this account.",
    )
    last_orders_sync = fields.Datetime(
        string="Orders Synchronised Until",
        copy=False,
        help="Orders updated on Amazon after this moment are fetched by the next synchronisation.",
    )
    # Endpoints: where the secrets are sent, so system administrators only (see
    # amazon_account_endpoints.py for who set them, and spapi.adapter.check_endpoint).
    api_endpoint = fields.Char(
        string="SP-API Endpoint",
        copy=False,
        tracking=True,
        groups="base.group_system",
        help="Optional base URL replacing Amazon's SP-API host of the region, e.g. Amazon's "
        "sandbox or a local simulator. Leave empty for Amazon's real hosts. http:// only to "
        "this machine (the simulator); an https:// host other than Amazon's only when a system "
        "administrator entered it.",
    )
    lwa_endpoint = fields.Char(
        string="LWA Endpoint",
        copy=False,
        tracking=True,
        groups="base.group_system",
        help="Optional URL replacing Login with Amazon's token endpoint. Leave empty for Amazon's "
        "real host. Same rules as the SP-API endpoint.",
    )

    @api.depends("company_id")
    def _compute_warehouse_id(self):
        for account in self:
            if account.warehouse_id.company_id == account.company_id:
                continue
            account.warehouse_id = self.env["stock.warehouse"].search(
                [("company_id", "=", account.company_id.id)], limit=1
            )

    @api.constrains("api_endpoint", "lwa_endpoint")
    def _check_endpoints(self):
        for account in self:
            for fname in ("api_endpoint", "lwa_endpoint"):
                url = account[fname]
                if url and not url.startswith(("http://", "https://")):
                    raise ValidationError(
                        self.env._(
                            "The %(field)s of Amazon account %(account)s must start with "
                            "http:// or https://.",
                            field=account._fields[fname].get_description(self.env)["string"],
                            account=account.name,
                        )
                    )
                if url:
                    account._amazon_check_endpoint_url(fname, url)

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts.filtered(lambda account: not account.location_id)._assign_amazon_location()
        return accounts

    def write(self, vals):
        res = super().write(vals)
        if {"company_id", "warehouse_id"} & set(vals) and "location_id" not in vals:
            self._assign_amazon_location()
        return res

    def action_test_connection(self):
        """Call the Sellers API with the account's credentials and say whether it worked."""
        self.ensure_one()
        try:
            participations = self._get_sp_api_adapter().get_marketplace_participations()
        except AmazonError as error:
            message = self._hide_secrets(str(error))
            _logger.info("Amazon account %s: connection test failed: %s", self.id, message)
            return self._notification(
                self.env._("Connection to Amazon failed"), message, "danger", sticky=True
            )
        return self._notification(
            self.env._("Connection to Amazon works"),
            self.env._(
                "Connected to Amazon as seller %(seller)s: %(count)s marketplaces",
                seller=self.seller_id,
                count=len(participations),
            ),
            "success",
        )

    def action_open_replenishment(self):
        """Open a new FBA replenishment transfer: warehouse stock to the Amazon location."""
        self.ensure_one()
        picking_type = self.replenishment_picking_type_id
        if not picking_type:
            raise UserError(
                self.env._(
                    "Amazon account %(account)s has no FBA replenishment operation type: choose "
                    "its warehouse first.",
                    account=self.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": picking_type.name,
            "res_model": "stock.picking",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_picking_type_id": picking_type.id,
                "default_location_id": picking_type.default_location_src_id.id,
                "default_location_dest_id": (
                    self.location_id or picking_type.default_location_dest_id
                ).id,
                "default_company_id": self.company_id.id,
                "default_origin": self.name,
            },
        }

    def _assign_amazon_location(self):
        """Link each account to its warehouse's Amazon location, created once per warehouse."""
        for warehouse, accounts in self.grouped("warehouse_id").items():
            if not warehouse:
                raise UserError(
                    self.env._(
                        "Company %(company)s has no warehouse: create one in Inventory > "
                        "Configuration > Warehouses before linking Amazon account %(account)s.",
                        company=accounts[0].company_id.name,
                        account=accounts[0].name,
                    )
                )
            accounts.location_id = warehouse._get_amazon_location()

    def _get_sp_api_adapter(self, **kwargs):
        """Build the SP-API adapter of the account.

        Works for any user allowed to use the account (an Amazon manager pressing "Test
        connection", the cron): the secrets are read with sudo() here and go nowhere but the
        adapter. Extra keyword arguments (``timeout``, ``deadline``...) go to the adapter.
        """
        self.ensure_one()
        # Sending the account's credentials is for those who may change the account (Amazon
        # managers, the cron): not for any user who can call a method by RPC.
        self.check_access("write")
        # sudo: the secrets are restricted to system administrators; read them only to hand them
        # to the adapter, never to return or display them.
        secrets = self.sudo()
        if not (secrets.lwa_client_secret and secrets.refresh_token and self.lwa_client_id):
            raise UserError(
                self.env._(
                    "Amazon account %(account)s lacks its LWA client ID, client secret or refresh "
                    "token: a system administrator must enter them on the account.",
                    account=self.name,
                )
            )
        try:
            return spapi_adapter.SpApiAdapter(
                region=self.region,
                refresh_token=secrets.refresh_token,
                lwa_client_id=self.lwa_client_id,
                lwa_client_secret=secrets.lwa_client_secret,
                api_endpoint=secrets.api_endpoint or None,
                lwa_endpoint=secrets.lwa_endpoint or None,
                seller_key=f"{self.region}:{self.seller_id}",
                # https to a host other than Amazon's only when an administrator entered it
                allow_custom_https=self._amazon_endpoints_approved(),
                **kwargs,
            )
        except AmazonEndpointRefused as error:
            _logger.warning("Amazon account %s: endpoint refused: %s", self.id, error)
            raise UserError(str(error)) from None

    def _hide_secrets(self, text):
        """Return ``text`` with any of the account's secrets masked (belt and braces)."""
        self.ensure_one()
        # sudo: read the secrets only to remove them from the text.
        for secret in self.sudo().read(list(SECRET_FIELDS))[0].values():
            if isinstance(secret, str) and len(secret) >= 4:
                text = text.replace(secret, "********")
        return text

    def _notification(self, title, message, notification_type, sticky=False):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": notification_type,
                "sticky": sticky,
            },
        }
