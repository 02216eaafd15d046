"""*Send to Amazon* on an FBA replenishment transfer: queue an inbound plan with its lots."""

import json
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_round

from ..spapi import fulfillment_inbound
from .amazon_inbound_plan import CRON_XMLID, PLAN_STATES


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_inbound_plan_ids = fields.One2many(
        "amazon.inbound.plan", "picking_id", "Amazon Inbound Plans", readonly=True
    )
    amazon_is_fba_replenishment = fields.Boolean(
        "Amazon FBA Replenishment",
        compute="_compute_amazon_is_fba_replenishment",
        help="A transfer of an Amazon FBA replenishment operation type: it can be sent to "
        "Amazon as an inbound plan, with its lots and expiration dates.",
    )
    amazon_inbound_plan_count = fields.Integer(compute="_compute_amazon_inbound", compute_sudo=True)
    amazon_inbound_state = fields.Selection(
        PLAN_STATES,
        "Amazon Inbound Plan",
        compute="_compute_amazon_inbound",
        compute_sudo=True,
        help="Where the transfer's last inbound plan stands on Amazon.",
    )
    amazon_inbound_message = fields.Text(compute="_compute_amazon_inbound", compute_sudo=True)
    amazon_inbound_url = fields.Char(
        "Continue in Seller Central", compute="_compute_amazon_inbound", compute_sudo=True
    )

    @api.depends("picking_type_id")
    def _compute_amazon_is_fba_replenishment(self):
        types = self._amazon_replenishment_types()
        for picking in self:
            picking.amazon_is_fba_replenishment = picking.picking_type_id in types

    @api.depends(
        "amazon_inbound_plan_ids.state",
        "amazon_inbound_plan_ids.message",
        "amazon_inbound_plan_ids.problems",
    )
    def _compute_amazon_inbound(self):
        for picking in self:
            plans = picking.amazon_inbound_plan_ids
            last = plans.sorted("id")[-1:]
            picking.amazon_inbound_plan_count = len(plans)
            picking.amazon_inbound_state = last.state
            picking.amazon_inbound_message = (
                "\n".join(text for text in (last.message, last.problems) if text) or False
            )
            picking.amazon_inbound_url = last.seller_central_url

    # -- actions ------------------------------------------------------------------------------

    def action_amazon_send_inbound_plan(self):
        """Send to Amazon: queue an inbound plan of this transfer's lots (Inventory
        administrators). Nothing is sent to Amazon here: the scheduled action does it."""
        self.ensure_one()
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise AccessError(
                self.env._("Only Inventory administrators can send a transfer to Amazon.")
            )
        self.check_access("write")
        self._amazon_queue_inbound_plan()
        return True

    def action_amazon_open_inbound_plans(self):
        self.ensure_one()
        plans = self.amazon_inbound_plan_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Amazon Inbound Plans"),
            "res_model": "amazon.inbound.plan",
            "view_mode": "list,form",
            "domain": [("picking_id", "=", self.id)],
        }
        if len(plans) == 1:
            action.update(view_mode="form", res_id=plans.id)
        return action

    # -- queueing -----------------------------------------------------------------------------

    @api.model
    def _amazon_replenishment_types(self):
        """Every Amazon FBA replenishment operation type (pools' and warehouses')."""
        # sudo: read-only lookup of the addon's own configuration (operation types of the
        # Amazon locations), for users who may not read every location or warehouse.
        pools = (
            self.env["stock.location"]
            .sudo()
            .search([("amazon_replenishment_type_id", "!=", False)])
        )
        warehouses = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("amazon_replenishment_type_id", "!=", False)])
        )
        return self.env["stock.picking.type"].browse(
            (pools.amazon_replenishment_type_id | warehouses.amazon_replenishment_type_id).ids
        )

    def _amazon_queue_inbound_plan(self, account=None):
        """Record an inbound plan of this transfer (queued), checked against Amazon's model,
        and trigger the scheduled action that sends it.

        :param account: the Amazon account to send it with; default: the one account of the
            transfer's company whose marketplaces the transfer's stock pool serves
        :raises UserError: when the transfer cannot be sent, saying what to fix
        :return: the ``amazon.inbound.plan``
        """
        self.ensure_one()
        if self.state not in ("assigned", "done"):
            raise UserError(
                self.env._(
                    "Transfer %(picking)s is not ready: reserve its lots (or validate it) before "
                    "sending it to Amazon.",
                    picking=self.name,
                )
            )
        # One plan at a time per transfer: two clicks at once queue it once.
        self.env.cr.execute(SQL("SELECT id FROM stock_picking WHERE id = %s FOR UPDATE", self.id))
        # sudo: the plans are the addon's bookkeeping of Amazon calls, checked below.
        self.invalidate_recordset(["amazon_inbound_plan_ids"])
        busy = self.sudo().amazon_inbound_plan_ids.filtered(lambda p: p.state != "failed")
        if busy:
            raise UserError(
                self.env._(
                    "Transfer %(picking)s was already sent to Amazon (inbound plan %(plan)s, "
                    "%(state)s). Continue in Seller Central, or cancel the plan there and "
                    "create a new transfer.",
                    picking=self.name,
                    plan=busy[0].inbound_plan_ref or busy[0].name,
                    state=dict(PLAN_STATES)[busy[0].state],
                )
            )
        account, marketplace = self._amazon_inbound_account(account)
        item_vals = self._amazon_inbound_item_vals(account, marketplace)
        body = self._amazon_inbound_request(account, marketplace, item_vals)
        # sudo: an Inventory administrator may queue the plan without Amazon rights; the plan
        # and its items are exactly what this transfer holds, checked above.
        plan = (
            self.env["amazon.inbound.plan"]
            .sudo()
            .create(
                {
                    "name": body.get("name") or self.name,
                    "picking_id": self.id,
                    "company_id": self.company_id.id,
                    "account_id": account.id,
                    "marketplace_id": marketplace.id,
                    "label_owner": account.inbound_label_owner,
                    "prep_owner": account.inbound_prep_owner,
                    "request_body": json.dumps(body, indent=2, ensure_ascii=False),
                    "message": self.env._(
                        "Queued: sent to Amazon by the scheduled action within a minute."
                    ),
                    "item_ids": [Command.create(vals) for vals in item_vals],
                }
            )
        )
        self.env["amazon.account"]._amazon_trigger_job(CRON_XMLID)
        return self.env["amazon.inbound.plan"].browse(plan.id)

    def _amazon_inbound_account(self, account=None):
        """``(account, marketplace)`` (sudo) this replenishment is sent with."""
        self.ensure_one()
        # sudo: Inventory administrators need no Amazon rights to find the account of the
        # Amazon location; only its id, marketplaces and settings are read.
        Location = self.env["stock.location"].sudo()
        pool = Location.search([("amazon_replenishment_type_id", "=", self.picking_type_id.id)])
        pool = pool[:1]
        if pool:
            root, network = pool._amazon_root(), pool.amazon_network
        else:
            warehouse = (
                self.env["stock.warehouse"]
                .sudo()
                .search([("amazon_replenishment_type_id", "=", self.picking_type_id.id)], limit=1)
            )
            root, network = warehouse.amazon_location_id, None
        if not root:
            raise UserError(
                self.env._(
                    "Transfer %(picking)s is not an Amazon FBA replenishment: only transfers of "
                    "an Amazon FBA Replenishment operation type can be sent to Amazon.",
                    picking=self.name,
                )
            )
        accounts = (
            account.sudo()
            if account
            else self.env["amazon.account"]
            .sudo()
            .search([("location_id", "=", root.id), ("company_id", "=", self.company_id.id)])
        )
        found = []
        for candidate in accounts:
            if candidate.company_id != self.company_id:
                raise UserError(
                    self.env._(
                        "Amazon account %(account)s belongs to %(account_company)s: transfer "
                        "%(picking)s of %(company)s cannot be sent with it.",
                        account=candidate.name,
                        account_company=candidate.company_id.name,
                        picking=self.name,
                        company=self.company_id.name,
                    )
                )
            marketplaces = candidate.marketplace_ids.filtered(
                lambda m, network=network: network is None or m._amazon_network() == network
            )
            if marketplaces:
                found.append((candidate, marketplaces[0]))
        if not found:
            raise UserError(
                self.env._(
                    "No Amazon account of %(company)s has a marketplace served by %(location)s: "
                    "add the marketplace to the account, then send transfer %(picking)s again.",
                    company=self.company_id.name,
                    location=(pool or root).display_name,
                    picking=self.name,
                )
            )
        if len(found) > 1:
            raise UserError(
                self.env._(
                    "Several Amazon accounts use %(location)s (%(accounts)s): Odoo cannot tell "
                    "which seller receives transfer %(picking)s. Send it from Seller Central.",
                    location=(pool or root).display_name,
                    accounts=", ".join(a.name for a, _m in found),
                    picking=self.name,
                )
            )
        return found[0]

    def _amazon_inbound_item_vals(self, account, marketplace):
        """Values of the plan's items: one per (SKU, lot) of what the transfer moves (done
        quantities once validated, reserved ones before), with the lot's expiration date.
        Serial numbers are no manufacturing lots: a product tracked by serial number gives one
        item per (SKU, expiration date), without lot code. Raises one UserError listing every
        product that cannot be sent."""
        self.ensure_one()
        quantities = defaultdict(float)
        for line in self.move_line_ids:
            if line.move_id.state == "cancel" or line.quantity <= 0:
                continue
            quantity = line.product_uom_id._compute_quantity(
                line.quantity, line.product_id.uom_id, rounding_method="HALF-UP"
            )
            lot = line.lot_id
            expiration = False
            if lot and "expiration_date" in lot._fields and lot.expiration_date:
                expiration = fields.Datetime.context_timestamp(self, lot.expiration_date).date()
            if line.product_id.tracking == "serial":
                lot = lot.browse()
            quantities[(line.product_id, lot, expiration)] += quantity
        if not quantities:
            raise UserError(
                self.env._(
                    "Transfer %(picking)s moves nothing yet: reserve or enter its quantities "
                    "and lots, then send it to Amazon.",
                    picking=self.name,
                )
            )
        errors, skus = [], {}
        for product in {product for product, _lot, _expiration in quantities}:
            try:
                skus[product] = self._amazon_inbound_sku(account, marketplace, product)
            except UserError as error:
                errors.append(str(error))
        vals_list = []
        for (product, lot, expiration), quantity in quantities.items():
            if product not in skus:
                continue
            sku, per_unit = skus[product]
            units = float_round(quantity / per_unit, precision_digits=6)
            if abs(units - round(units)) > 1e-6:
                errors.append(
                    self.env._(
                        "%(product)s: %(qty)s units do not make whole units of SKU %(sku)s "
                        "(%(per)s per unit): change the quantity.",
                        product=product.display_name,
                        qty=quantity,
                        sku=sku,
                        per=per_unit,
                    )
                )
                continue
            vals_list.append(
                {
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "msku": sku,
                    "lot_code": lot.name or False,
                    "expiration": expiration,
                    "quantity": round(units),
                    "product_qty": quantity,
                }
            )
        if errors:
            raise UserError(
                self.env._(
                    "Transfer %(picking)s cannot be sent to Amazon; nothing was sent:\n%(errors)s",
                    picking=self.name,
                    errors="\n".join(f"- {error}" for error in sorted(errors)),
                )
            )
        return vals_list

    def _amazon_inbound_sku(self, account, marketplace, product):
        """``(SKU, product units per SKU unit)`` of ``product`` on ``account``: the offer whose
        product is the product's FBA kit or the product itself (for the marketplace, or
        without marketplace); an offer of the marketplace, then a single unit, wins."""
        company = self.company_id
        kits = (
            product._get_amazon_fba_kits(company=company)
            if product.tracking != "none"
            else product.browse()
        )
        # sudo: offers are Amazon records; an Inventory administrator sends the SKUs the
        # account's offers give, without reading anything else of the account.
        offers = (
            self.env["amazon.offer"]
            .sudo()
            .search(
                [
                    ("account_id", "=", account.id),
                    ("product_id", "in", (product | kits).ids),
                    "|",
                    ("marketplace_id", "=", False),
                    ("marketplace_id", "in", account.marketplace_ids.ids),
                ]
            )
        )
        if not offers:
            raise UserError(
                self.env._(
                    "%(product)s has no Amazon offer on account %(account)s: link the SKU "
                    "Amazon knows it by (Sales > Amazon > Offers) to %(what)s, then send again.",
                    product=product.display_name,
                    account=account.name,
                    what=" or ".join([product.display_name] + kits.mapped("display_name")),
                )
            )
        per_unit = {}
        for offer in offers:
            if offer.product_id == product:
                per_unit[offer] = 1.0
            else:
                per_unit[offer] = offer.product_id._get_amazon_fba_kit_component(company)[1] or 1.0

        def rank(offer):
            # this marketplace's offer, then one without marketplace, then another
            # marketplace's of the pool; a single unit before a multipack
            where = 0 if offer.marketplace_id == marketplace else 2 if offer.marketplace_id else 1
            return (where, abs(per_unit[offer] - 1.0) > 1e-9)

        best = min(rank(offer) for offer in offers)
        chosen = offers.filtered(lambda o: rank(o) == best)
        skus = set(chosen.mapped("sku"))
        if len(skus) > 1:
            at_amazon = set(
                self.env["amazon.fba.inventory"]
                .sudo()
                .search([("account_id", "=", account.id), ("sku", "in", list(skus))])
                .mapped("sku")
            )
            if len(at_amazon) == 1:
                skus = at_amazon
        if len(skus) > 1:
            raise UserError(
                self.env._(
                    "%(product)s has several Amazon offers on account %(account)s (%(skus)s): "
                    "keep only its FBA SKU linked to it (Sales > Amazon > Offers), then send "
                    "again.",
                    product=product.display_name,
                    account=account.name,
                    skus=", ".join(sorted(skus)),
                )
            )
        sku = skus.pop()
        return sku, per_unit[chosen.filtered(lambda o: o.sku == sku)[:1]]

    def _amazon_inbound_request(self, account, marketplace, item_vals):
        """The createInboundPlan body, checked; raises UserError naming what to fix."""
        self.ensure_one()
        warehouse = self.picking_type_id.warehouse_id or account.warehouse_id
        partner = warehouse.partner_id or self.company_id.partner_id
        items = [
            fulfillment_inbound.PlanItem(
                msku=vals["msku"],
                quantity=vals["quantity"],
                lot_code=vals["lot_code"] or None,
                expiration=vals["expiration"] or None,
            )
            for vals in item_vals
        ]
        address = {
            "name": partner.name,
            "companyName": self.company_id.name,
            "addressLine1": partner.street,
            "addressLine2": partner.street2,
            "city": partner.city,
            "stateOrProvinceCode": partner.state_id.code,
            "postalCode": partner.zip,
            "countryCode": partner.country_id.code,
            "phoneNumber": partner.phone or partner.mobile,
            "email": partner.email,
        }
        try:
            return fulfillment_inbound.build_request(
                marketplace_id=marketplace.api_ref,
                items=items,
                source_address=address,
                name=self.name,
                label_owner=account.inbound_label_owner,
                prep_owner=account.inbound_prep_owner,
            )
        except fulfillment_inbound.InboundPlanInvalid as error:
            if (error.field or "").startswith("sourceAddress"):
                raise UserError(
                    self.env._(
                        "Transfer %(picking)s cannot be sent to Amazon: %(error)s Complete the "
                        "address of %(partner)s (the ship-from address of warehouse "
                        "%(warehouse)s), then send again.",
                        picking=self.name,
                        error=str(error),
                        partner=partner.display_name,
                        warehouse=warehouse.name,
                    )
                ) from None
            raise UserError(
                self.env._(
                    "Transfer %(picking)s cannot be sent to Amazon (%(field)s): %(error)s",
                    picking=self.name,
                    field=error.field,
                    error=str(error),
                )
            ) from None
