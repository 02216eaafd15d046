"""Fulfilment-network stock pools of an Amazon account: WH/Amazon/EU, WH/Amazon/UK, ..."""

import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    pool_location_ids = fields.Many2many(
        "stock.location",
        string="Stock Pools",
        compute="_compute_pool_location_ids",
        help="The FBA stock pools of this account's marketplaces, one internal sub-location of "
        "the Amazon location per fulfilment network (e.g. WH/Amazon/EU for every Pan-European "
        "marketplace). FBA orders consume from their marketplace's pool; replenish each pool "
        "with its own operation type. Change the network of a marketplace in Sales > "
        "Amazon > Marketplaces.",
    )

    @api.depends("marketplace_ids.fulfilment_network", "location_id.child_ids")
    def _compute_pool_location_ids(self):
        for account in self:
            networks = {marketplace._amazon_network() for marketplace in account.marketplace_ids}
            account.pool_location_ids = account.location_id.child_ids.filtered(
                lambda loc, networks=networks: loc.amazon_network in networks
            )

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._amazon_ensure_pools()
        return accounts

    def write(self, vals):
        res = super().write(vals)
        if {"marketplace_ids", "location_id", "warehouse_id", "company_id"} & set(vals):
            self._amazon_ensure_pools()
        return res

    def action_open_pool_replenishment(self):
        """Open the FBA replenishment operations of this account's pools."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("FBA Replenishment Types"),
            "res_model": "stock.picking.type",
            "view_mode": "list,form",
            "domain": [("id", "in", self.pool_location_ids.amazon_replenishment_type_id.ids)],
        }

    def _amazon_ensure_pools(self):
        """Create the missing pools of the accounts' marketplaces (one per network)."""
        for account in self:
            if not account.location_id:
                continue
            for marketplace in account.marketplace_ids:
                account._amazon_pool_location(marketplace)

    def _amazon_pool_location(self, marketplace):
        """The stock pool of ``marketplace``, one of this account's marketplaces: the internal
        sub-location of the account's Amazon location for the marketplace's fulfilment network,
        created on first use. Without marketplace, the pool of the account's first marketplace;
        an account without marketplace has its Amazon location as only pool.

        Reads the pools once per transaction (the Amazon location's children are cached).
        """
        self.ensure_one()
        marketplace = marketplace or self.marketplace_ids[:1]
        location = self.location_id
        if not marketplace or not location:
            return location
        network = marketplace._amazon_network()
        pool = location.child_ids.filtered(lambda loc: loc.amazon_network == network)[:1]
        if pool:
            return pool
        warehouse = location.warehouse_id or self.warehouse_id
        return warehouse._get_amazon_pool(network, parent=location)

    def _amazon_pool_marketplaces(self):
        """``{pool: marketplaces}`` of this account, in the order of its marketplaces."""
        self.ensure_one()
        pools = {}
        for marketplace in self.marketplace_ids:
            pool = self._amazon_pool_location(marketplace)
            pools[pool] = pools.get(pool, self.env["amazon.marketplace"]) | marketplace
        return pools

    @api.model
    def _amazon_migrate_to_pools(self):
        """Move stock booked at WH/Amazon itself into its pool (migration to 18.0.1.1.0).

        Creates the pools of every account. Open (unattributed) FBA component moves take the
        pool of their order's marketplace. Where every account of an Amazon location has one
        pool, the free quants held by the location itself move into it (done moves, packages and
        owners kept, lots keep their arrival date); otherwise each account gets a message
        asking to split the stock between its pools by hand.

        :return: ``{location: pool or False}``, what each Amazon location became
        """
        accounts = self.with_context(active_test=False).search([("location_id", "!=", False)])
        accounts._amazon_ensure_pools()
        result = {}
        for location, location_accounts in accounts.grouped("location_id").items():
            self._amazon_migrate_open_moves(location, location_accounts)
            pools = self.env["stock.location"].union(
                *[pool for account in location_accounts for pool in account.pool_location_ids]
            )
            quants = self.env["stock.quant"].search(
                [("location_id", "=", location.id), ("quantity", "!=", 0)]
            )
            if len(pools) == 1:
                movable = quants.filtered(lambda q: q.quantity > 0 and not q.reserved_quantity)
                movable.move_quants(
                    location_dest_id=pools,
                    message=self.env._("Amazon stock pools: %(pool)s", pool=pools.display_name),
                )
                left = quants - movable
                result[location] = pools
            else:
                left = quants
                result[location] = False
            if left:
                location_accounts._amazon_notify_split(location, pools, left)
        return result

    @api.model
    def _amazon_migrate_open_moves(self, location, accounts):
        moves = self.env["stock.move"].search(
            [
                ("location_id", "=", location.id),
                ("amazon_sale_line_id.order_id.amazon_account_id", "in", accounts.ids),
                ("state", "not in", ("done", "cancel")),
            ]
        )
        for move in moves:
            order = move.amazon_sale_line_id.order_id
            pool = order.amazon_account_id._amazon_pool_location(order.amazon_marketplace_id)
            if pool != location:
                move.location_id = pool

    def _amazon_notify_split(self, location, pools, quants):
        message = self.env._(
            "FBA stock now lives in one pool per fulfilment network (%(pools)s), and FBA orders "
            "only consume stock of their marketplace's pool. %(count)s quant(s) of %(products)s "
            "are still at %(location)s itself: move each to the pool where Amazon holds it "
            "(Inventory > Physical Inventory, or a transfer of the pool's FBA replenishment "
            "type), then pull the FBA inventory to compare.",
            pools=", ".join(pools.mapped("display_name")) or "-",
            count=len(quants),
            products=", ".join(sorted(set(quants.product_id.mapped("display_name")))[:10]),
            location=location.display_name,
        )
        _logger.warning("Amazon stock pools: %s", message)
        for account in self:
            account.message_post(body=message)

    def action_open_replenishment(self):
        """Replenish the pool: with one pool, a transfer of its operation type to it; with
        several, the list of their operation types to choose from."""
        action = super().action_open_replenishment()
        pools = self.pool_location_ids
        if len(pools) > 1:
            return self.action_open_pool_replenishment()
        picking_type = pools.amazon_replenishment_type_id
        if picking_type:
            action["name"] = picking_type.name
            action["context"] = dict(
                action["context"],
                default_picking_type_id=picking_type.id,
                default_location_id=picking_type.default_location_src_id.id,
                default_location_dest_id=pools.id,
            )
        return action
