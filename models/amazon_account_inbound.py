"""Inbound plans of an Amazon account: who labels and preps the items sent to Amazon."""

from odoo import fields, models

from ..spapi import fulfillment_inbound
from .amazon_inbound_plan import OWNER_SELECTION


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    inbound_label_owner = fields.Selection(
        OWNER_SELECTION,
        "Label Owner",
        required=True,
        default=fulfillment_inbound.DEFAULT_LABEL_OWNER,
        help="Who puts Amazon's barcode labels on the units of an inbound plan: you (Seller), "
        "Amazon (for a fee; not offered in the US marketplace), or None for units sold under "
        "their manufacturer barcode.",
    )
    inbound_prep_owner = fields.Selection(
        OWNER_SELECTION,
        "Prep Owner",
        required=True,
        default=fulfillment_inbound.DEFAULT_PREP_OWNER,
        help="Who preps (bags, tapes, wraps) the units of an inbound plan that need it: you "
        "(Seller), Amazon (for a fee; not offered in the US marketplace since 2026), or None "
        "when no prep is needed.",
    )
