"""FBA inventory pull of an Amazon account: fetch (adapter), map (spapi.mapping), apply (here)."""

import dataclasses
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..spapi import mapping
from ..spapi.exceptions import (
    AmazonAuthError,
    AmazonBudgetExhausted,
    AmazonError,
    AmazonMappingError,
    AmazonRetryableError,
)

_logger = logging.getLogger(__name__)

INVENTORY_LOCK_NAMESPACE = 0x414D49  # "AMI": first key of the per-account advisory lock
DEFAULT_INVENTORY_TIME_BUDGET = 300  # seconds one pull may spend calling Amazon

AMAZON_QTY_FIELDS = (
    "fulfillable_qty",
    "inbound_qty",
    "reserved_qty",
    "unfulfillable_qty",
    "researching_qty",
)


class InventoryPull:
    """What the pull of one stock pool got: rows by SKU, whether it is complete, problems.

    Amazon reports a fulfilment network's pooled quantities for each of its marketplaces, so a
    pool is pulled once, through its first marketplace (``marketplace``).
    """

    def __init__(self, marketplace, pool=None, marketplaces=None):
        self.marketplace = marketplace
        self.pool = pool
        self.marketplaces = marketplaces or marketplace
        self.rows = {}  # sku -> InventoryRow
        self.malformed = []  # messages
        self.complete = False
        self.stop_reason = None


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    fba_inventory_ids = fields.One2many("amazon.fba.inventory", "account_id", "FBA Inventory")
    last_inventory_sync = fields.Datetime(
        "FBA Inventory Pulled On",
        readonly=True,
        copy=False,
        help="When the FBA inventory of every marketplace was last pulled completely.",
    )
    last_inventory_message = fields.Text(
        "Last FBA Inventory Report",
        readonly=True,
        copy=False,
        help="Outcome of the last FBA inventory pull: per marketplace, SKUs and differences, or "
        "why it stopped.",
    )

    # ------------------------------------------------------------------ actions

    def action_sync_fba_inventory(self):
        """ "Pull FBA inventory" button: pull, then show the differences of this account."""
        self.ensure_one()
        self._sync_fba_inventory()
        return self.action_view_fba_inventory()

    def action_view_fba_inventory(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "amazon_fba_kit.amazon_fba_inventory_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"search_default_filter_difference": 1}
        return action

    # ------------------------------------------------------------------ cron / entry points

    @api.model
    def _sync_fba_inventory(self):
        """Scheduled action: pull the FBA inventory of ``self``, or of every active account if
        empty. Never raises for an account's failure: it is reported on the account."""
        accounts = self or self.search([("active", "=", True)])
        for account in accounts:
            account.with_company(account.company_id)._amazon_sync_inventory_one()
        return True

    def _amazon_sync_inventory_one(self, time_budget=None):
        """Pull one account's FBA inventory, marketplace by marketplace, and compare it."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [INVENTORY_LOCK_NAMESPACE, self.id]
        )
        if not self.env.cr.fetchone()[0]:
            self.last_inventory_message = self.env._(
                "Skipped: another FBA inventory pull of this account is running."
            )
            return []
        budget = time_budget or int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("amazon_fba_kit.sync_time_budget", DEFAULT_INVENTORY_TIME_BUDGET)
        )
        try:
            adapter = self._get_sp_api_adapter(deadline=time.monotonic() + budget)
        except (AmazonError, UserError) as exc:
            self.last_inventory_message = self._hide_secrets(_message(exc))
            _logger.info("Amazon account %s: FBA inventory not pulled: %s", self.id, exc)
            return []
        pulls = []
        pools = self._amazon_pool_marketplaces()
        with adapter:
            for pool, marketplaces in pools.items():
                pull = self._amazon_pull_inventory(adapter, marketplaces[0])
                pull.pool, pull.marketplaces = pool, marketplaces
                self._amazon_apply_inventory(pull)
                pulls.append(pull)
                if isinstance(pull.stop_reason, AmazonAuthError | AmazonRetryableError):
                    break  # the next pool would fail the same way: stop now
        if pulls and all(pull.complete for pull in pulls) and len(pulls) == len(pools):
            self.last_inventory_sync = fields.Datetime.now()
        self.last_inventory_message = self._amazon_inventory_report(pulls)
        _logger.info("Amazon account %s: %s", self.id, self.last_inventory_message)
        return pulls

    def _amazon_pull_inventory(self, adapter, marketplace):
        """Walk Amazon's inventory pages of one marketplace; never raises an AmazonError."""
        pull = InventoryPull(marketplace)
        try:
            for page in adapter.iter_inventory_pages(marketplace_id=marketplace.api_ref):
                for index, raw in enumerate(page.summaries):
                    try:
                        row = mapping.map_inventory_summary(raw, f"inventorySummaries[{index}]")
                    except AmazonMappingError as exc:
                        pull.malformed.append(str(exc))
                        continue
                    pull.rows[row.sku] = _merge(pull.rows.get(row.sku), row)
            pull.complete = True
        except AmazonBudgetExhausted as exc:
            pull.stop_reason = exc
        except AmazonError as exc:
            pull.stop_reason = exc
        return pull

    def _amazon_apply_inventory(self, pull):
        """Upsert the rows Amazon returned; after a complete, clean pull, zero the rows of SKUs
        Amazon no longer returns, and drop those Odoo holds nothing of either."""
        Inventory = self.env["amazon.fba.inventory"]
        marketplace = pull.marketplace
        pool = pull.pool or self._amazon_pool_location(marketplace)
        # The pool's other marketplaces report the same pooled stock: one row per pool and SKU.
        Inventory.search(
            [
                ("account_id", "=", self.id),
                ("marketplace_id", "in", (pull.marketplaces - marketplace).ids),
            ]
        ).unlink()
        existing = {
            row.sku: row
            for row in Inventory.search(
                [("account_id", "=", self.id), ("marketplace_id", "=", marketplace.id)]
            )
        }
        offers = self.env["amazon.offer"]._get_or_create_for_skus(self, set(pull.rows), marketplace)
        now = fields.Datetime.now()
        to_create = []
        touched = Inventory
        for sku, row in pull.rows.items():
            vals = {
                "offer_id": offers[sku].id,
                "asin": row.asin,
                "fnsku": row.fnsku,
                "amazon_product_name": row.product_name,
                "condition": row.condition,
                "fulfillable_qty": row.fulfillable,
                "inbound_qty": row.inbound,
                "reserved_qty": row.reserved,
                "unfulfillable_qty": row.unfulfillable,
                "researching_qty": row.researching,
                "listed": True,
                "last_seen": now,
                "location_id": pool.id,
            }
            if sku in existing:
                existing[sku].write(vals)
                touched |= existing[sku]
            else:
                to_create.append(
                    dict(vals, account_id=self.id, marketplace_id=marketplace.id, sku=sku)
                )
        touched |= Inventory.create(to_create)
        gone = Inventory
        if pull.complete and not pull.malformed:
            # Amazon returned every SKU it holds: a row it no longer returns holds nothing there.
            # Keep it (zeroed) while Odoo still has stock of it, which is a difference to see.
            gone = Inventory.union(*[row for sku, row in existing.items() if sku not in pull.rows])
            gone.write(dict.fromkeys(AMAZON_QTY_FIELDS, 0) | {"listed": False})
        (touched | gone)._amazon_refresh_odoo_qty()
        gone.filtered(lambda row: row.state in ("match", "unmapped")).unlink()

    def _amazon_inventory_report(self, pulls):
        Inventory = self.env["amazon.fba.inventory"]
        if not self.marketplace_ids:
            return self.env._("No marketplace on this account: nothing pulled.")
        parts = []
        for pull in pulls:
            label = pull.marketplace.name
            if pull.pool:
                label = self.env._(
                    "%(pool)s (%(marketplaces)s)",
                    pool=pull.pool.display_name,
                    marketplaces=", ".join(pull.marketplaces.mapped("name")),
                )
            counts = dict(
                Inventory._read_group(
                    [("account_id", "=", self.id), ("marketplace_id", "=", pull.marketplace.id)],
                    ["state"],
                    ["__count"],
                )
            )
            parts.append(
                self.env._(
                    "%(marketplace)s: %(skus)s SKU(s) reported by Amazon; %(short)s where "
                    "Amazon has less, %(excess)s where it has more, %(unmapped)s not compared.",
                    marketplace=label,
                    skus=len(pull.rows),
                    short=counts.get("short", 0),
                    excess=counts.get("excess", 0),
                    unmapped=counts.get("unmapped", 0),
                )
            )
            if pull.stop_reason:
                parts.append(
                    self.env._(
                        "The pull stopped early (rows of SKUs not reported were kept as they "
                        "were): %(why)s",
                        why=str(pull.stop_reason),
                    )
                )
            for message in pull.malformed[:10]:
                parts.append(f"- {message}")
        skipped = self.marketplace_ids - self.env["amazon.marketplace"].union(
            *[pull.marketplaces for pull in pulls]
        )
        if skipped:
            parts.append(
                self.env._(
                    "Not pulled: %(marketplaces)s.",
                    marketplaces=", ".join(skipped.mapped("name")),
                )
            )
        return "\n".join(parts)


def _merge(previous, row):
    """Amazon may list a SKU once per condition: add the quantities up."""
    if previous is None:
        return row
    keys = ("fulfillable", "inbound", "reserved", "unfulfillable", "researching", "total")
    return dataclasses.replace(
        previous, **{key: getattr(previous, key) + getattr(row, key) for key in keys}
    )


def _message(exc):
    if isinstance(exc, UserError):
        return exc.args[0] if exc.args else str(exc)
    return str(exc)
