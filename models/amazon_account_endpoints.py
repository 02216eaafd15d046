"""Who may point an Amazon account at another host, and the proof that an administrator did.

The endpoints decide where the LWA client secret and the refresh token are sent, so only system
administrators write them (field groups, and a check on create, which Odoo does not do for field
groups). An https host other than Amazon's is used only when a system administrator entered it:
each write of the endpoints records who wrote them, with an HMAC (keyed by the database secret) of
the account, the values and that user. The adapter is allowed a custom https host only while the
HMAC matches and that user is still an administrator; anything else (a value written by SQL, by a
sudo() path of a non-administrator, or a demoted administrator) falls back to Amazon's hosts
policy: Amazon over https, loopback over http, nothing else.
"""

import hashlib
import hmac

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..spapi import adapter as spapi_adapter
from ..spapi import const as spapi_const
from ..spapi.exceptions import AmazonEndpointRefused

ENDPOINT_FIELDS = {
    "api_endpoint": spapi_const.ENDPOINT_SP_API,
    "lwa_endpoint": spapi_const.ENDPOINT_LWA,
}


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    endpoint_approved_by_id = fields.Many2one(
        "res.users",
        string="Endpoints Entered By",
        readonly=True,
        copy=False,
        tracking=True,
        groups="base.group_system",
        help="The system administrator who entered the current endpoint overrides. An https "
        "host other than Amazon's is used only while that user is a system administrator.",
    )
    endpoint_approval = fields.Char(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="Technical: proof (HMAC) that the endpoint overrides were entered by the user above.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._amazon_check_endpoint_writer(vals_list)
        accounts = super().create(vals_list)
        if any(fname in vals for vals in vals_list for fname in ENDPOINT_FIELDS):
            accounts._amazon_stamp_endpoints()
        return accounts

    def write(self, vals):
        if not set(ENDPOINT_FIELDS).isdisjoint(vals):
            self._amazon_check_endpoint_writer([vals])
        res = super().write(vals)
        if not set(ENDPOINT_FIELDS).isdisjoint(vals):
            self._amazon_stamp_endpoints()
        return res

    def _amazon_check_endpoint_writer(self, vals_list):
        """Refuse endpoint values from anyone but a system administrator (sudo() excepted)."""
        if self.env.su or self.env.user._is_system():
            return
        if any(vals.get(fname) for vals in vals_list for fname in ENDPOINT_FIELDS):
            raise AccessError(
                self.env._(
                    "Only system administrators may set the SP-API and LWA endpoints of an Amazon "
                    "account: they decide where its secrets are sent."
                )
            )

    def _amazon_check_endpoint_url(self, fname, url):
        """ValidationError unless ``url`` is an endpoint an administrator may enter."""
        try:
            spapi_adapter.check_endpoint(url, ENDPOINT_FIELDS[fname], allow_custom_https=True)
        except AmazonEndpointRefused as error:
            raise ValidationError(
                self.env._(
                    "Amazon account %(account)s: %(reason)s", account=self.name, reason=str(error)
                )
            ) from None

    def _amazon_endpoint_digest(self, user):
        self.ensure_one()
        # sudo: the database secret keys the HMAC; it never leaves this method.
        key = self.env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        account = self.sudo()
        message = "\0".join(
            [str(account.id), account.api_endpoint or "", account.lwa_endpoint or "", str(user.id)]
        )
        return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()

    def _amazon_stamp_endpoints(self):
        """Record who set the endpoints: the current user if an administrator, else nobody."""
        user = self.env.user
        approver = user if user._is_system() else self.env["res.users"]
        # sudo: the stamp fields are restricted to administrators, and the writer of a
        # non-administrator's sudo() path must be able to clear them.
        for account in self.sudo():
            stamp = {"endpoint_approved_by_id": False, "endpoint_approval": False}
            if approver and (account.api_endpoint or account.lwa_endpoint):
                stamp = {
                    "endpoint_approved_by_id": approver.id,
                    "endpoint_approval": account._amazon_endpoint_digest(approver),
                }
            account.write(stamp)

    def _amazon_endpoints_approved(self):
        """Whether a system administrator entered the current endpoints (see module doc)."""
        self.ensure_one()
        account = self.sudo()
        approver = account.endpoint_approved_by_id
        if not (approver and account.endpoint_approval and approver._is_system()):
            return False
        return hmac.compare_digest(
            account.endpoint_approval, account._amazon_endpoint_digest(approver)
        )
