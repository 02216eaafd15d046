import json
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from .amazon_shipment_confirmation import CONFIRMATION_STATES

# What the delivery shows when its packages differ: the state that needs attention first.
STATE_PRIORITY = ("error", "failed", "pending", "done")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_confirmation_ids = fields.One2many(
        "amazon.shipment.confirmation",
        "picking_id",
        "Amazon Shipment Confirmations",
        readonly=True,
        groups="amazon_fba_kit.amazon_fba_kit_group_user",
    )
    amazon_fbm_delivery = fields.Boolean(
        "Amazon FBM Delivery",
        compute="_compute_amazon_fbm_delivery",
        help="A delivery to the customer of a merchant-fulfilled Amazon order: once validated, "
        "its packages are confirmed to Amazon with the carrier and tracking reference.",
    )
    amazon_confirmation_state = fields.Selection(
        CONFIRMATION_STATES,
        "Amazon Confirmation",
        compute="_compute_amazon_confirmation",
        compute_sudo=True,
        help="Where the confirmation of this delivery's packages to Amazon stands (the package "
        "that needs attention first).",
    )
    amazon_confirmation_message = fields.Text(
        compute="_compute_amazon_confirmation",
        compute_sudo=True,
    )

    @api.depends("sale_id.amazon_fulfilled_by", "picking_type_code", "location_dest_id.usage")
    def _compute_amazon_fbm_delivery(self):
        for picking in self:
            picking.amazon_fbm_delivery = picking._amazon_is_fbm_delivery()

    @api.depends("amazon_confirmation_ids.state", "amazon_confirmation_ids.message")
    def _compute_amazon_confirmation(self):
        for picking in self:
            confirmations = picking.amazon_confirmation_ids
            states = set(confirmations.mapped("state"))
            state = next((s for s in STATE_PRIORITY if s in states), False)
            if state in ("error", "failed"):
                shown = confirmations.filtered(lambda c: c.state in ("error", "failed"))
            elif state == "pending":
                shown = confirmations.filtered(lambda c: c.state == "pending" and c.message)
            else:
                shown = confirmations.browse()
            picking.amazon_confirmation_state = state
            picking.amazon_confirmation_message = (
                "\n".join(f"{c.display_name}: {c.message}" for c in shown) or False
            )

    # -- validation ---------------------------------------------------------------------------

    def _pre_action_done_hook(self):
        # Before Odoo's own checks and wizards (backorder...): a missing tracking reference is
        # the first thing to fix, and nothing has been done yet.
        self._amazon_check_shipment_details()
        res = super()._pre_action_done_hook()
        return res

    def _action_done(self):
        res = super()._action_done()
        self._amazon_queue_shipment_confirmations()
        return res

    def action_amazon_retry_confirmation(self):
        """Send the delivery's refused or unsent package confirmations again (by the scheduled
        action), after fixing the carrier or the tracking reference."""
        self.check_access("write")
        # sudo: whoever may fix the delivery may ask for it to be confirmed again; the
        # confirmation records are the addon's bookkeeping, reserved to Amazon users otherwise.
        self.sudo().amazon_confirmation_ids.filtered(
            lambda c: c.state in ("failed", "error")
        ).action_retry()
        return True

    # -- helpers ------------------------------------------------------------------------------

    def _amazon_fbm_order(self):
        """The merchant-fulfilled Amazon order this delivery ships to its customer (sudo), or
        an empty recordset."""
        self.ensure_one()
        # sudo: the warehouse user validating the delivery may have no sales rights; only the
        # order's Amazon flags and reference are read, to decide what to tell Amazon.
        order = self.sudo().sale_id
        if (
            order.amazon_account_id
            and order.amazon_fulfilled_by == "merchant"
            and self.picking_type_code == "outgoing"
            and self.location_dest_id.usage == "customer"
        ):
            return order
        return order.browse()

    def _amazon_is_fbm_delivery(self):
        return bool(self._amazon_fbm_order())

    def _amazon_carrier_makes_tracking(self):
        """Whether validating asks the carrier's connector for the shipment, and so for the
        tracking number (stock_delivery's own condition, in ``_send_confirmation_email``)."""
        self.ensure_one()
        carrier = self.carrier_id
        return bool(
            carrier.integration_level == "rate_and_ship"
            and carrier.delivery_type not in ("fixed", "base_on_rule")
            and self.picking_type_id.print_label
        )

    def _amazon_check_shipment_details(self):
        for picking in self.filtered(lambda p: p.state != "done" and p._amazon_is_fbm_delivery()):
            order = picking._amazon_fbm_order()
            if order.amazon_fulfillment_status == "SHIPPED":
                continue  # Amazon already knows: nothing will be confirmed
            if not picking.carrier_id:
                raise UserError(
                    self.env._(
                        "%(picking)s delivers Amazon order %(order)s, which you ship yourself "
                        "(FBM): Amazon must be told the carrier and the tracking reference, or it "
                        "counts the order as late. Set the Carrier and the Tracking Reference "
                        "(tab Additional Info), then validate again.",
                        picking=picking.name,
                        order=order.amazon_order_ref,
                    )
                )
            if not picking.carrier_tracking_ref and not picking._amazon_carrier_makes_tracking():
                raise UserError(
                    self.env._(
                        "%(picking)s delivers Amazon order %(order)s with %(carrier)s, which "
                        "gives Odoo no tracking number: Amazon requires one to confirm the "
                        "shipment. Enter the Tracking Reference (tab Additional Info), then "
                        "validate again.",
                        picking=picking.name,
                        order=order.amazon_order_ref,
                        carrier=picking.carrier_id.name,
                    )
                )

    def _amazon_queue_shipment_confirmations(self):
        """One confirmation per package of each validated FBM delivery, sent later by the
        scheduled action: validating never waits for Amazon, nor fails because of it."""
        Confirmation = self.env["amazon.shipment.confirmation"].sudo()
        vals_list, messages = [], []
        for picking in self.filtered(lambda p: p.state == "done" and p._amazon_is_fbm_delivery()):
            if picking.sudo().amazon_confirmation_ids:
                continue  # never twice
            order = picking._amazon_fbm_order()
            for package, items in picking._amazon_shipped_items().items():
                vals = {
                    "picking_id": picking.id,
                    "package_id": package.id,
                    "sale_order_id": order.id,
                    "account_id": order.amazon_account_id.id,
                    "amazon_order_ref": order.amazon_order_ref,
                    "item_data": json.dumps(items),
                }
                if order.amazon_fulfillment_status == "SHIPPED":
                    vals.update(
                        state="done",
                        next_attempt=False,
                        date_done=fields.Datetime.now(),
                        message=self.env._(
                            "Amazon already shows order %(order)s as shipped (confirmed outside "
                            "Odoo, e.g. in Seller Central): not confirmed again.",
                            order=order.amazon_order_ref,
                        ),
                    )
                    messages.append((picking, vals["message"]))
                vals_list.append(vals)
        if not vals_list:
            return Confirmation
        # sudo: the addon's own bookkeeping; whoever may validate the delivery records it.
        confirmations = Confirmation.create(vals_list)
        for picking, message in messages:
            picking.message_post(body=message)
        if "pending" in confirmations.mapped("state"):
            Confirmation._amazon_trigger_cron()
        return confirmations

    def _amazon_shipped_items(self):
        """``{package: [(Amazon order item id, quantity)]}`` of what this delivery shipped; the
        empty package holds what shipped outside packages. Quantities are in the sale line's
        unit (Amazon's units); a kit line counts the kits this delivery completed."""
        self.ensure_one()
        per_package = defaultdict(lambda: defaultdict(float))
        kit_moves = defaultdict(lambda: self.env["stock.move"])
        for move in self.move_ids:
            line = move.sale_line_id
            if move.state != "done" or move.scrapped or not line.amazon_item_ref:
                continue
            if move.product_id != line.product_id:
                kit_moves[line] |= move  # a component of a kit (multipack) line
                continue
            for move_line in move.move_line_ids:
                quantity = move_line.product_uom_id._compute_quantity(
                    move_line.quantity, line.product_uom
                )
                per_package[move_line.result_package_id][line.amazon_item_ref] += quantity
        for line, moves in kit_moves.items():
            quantity = self._amazon_kits_shipped(line, moves)
            if quantity:
                package = moves.move_line_ids.result_package_id[:1]
                per_package[package][line.amazon_item_ref] += quantity
        result = {}
        for package, items in per_package.items():
            shipped = [(ref, float_round(qty, 6)) for ref, qty in items.items() if qty > 0]
            if shipped:
                result[package] = shipped
        return result

    def _amazon_kits_shipped(self, line, moves):
        """Kits of ``line`` (sale line unit) completed by ``moves``, its component moves in this
        delivery: the kits delivered with them, less those delivered before (Odoo's own kit
        count, as in ``sale_mrp``'s delivered quantity)."""
        bom = moves.bom_line_id.bom_id.filtered(
            lambda b: (
                b.type == "phantom"
                and (
                    b.product_id == line.product_id
                    or (b.product_tmpl_id == line.product_id.product_tmpl_id and not b.product_id)
                )
            )
        )[:1]
        if not bom:
            return 0.0
        filters = {"incoming_moves": lambda m: True, "outgoing_moves": lambda m: False}
        order_qty = line.product_uom._compute_quantity(line.product_uom_qty, bom.product_uom_id)
        delivered = line.move_ids.filtered(
            lambda m: (
                m.state == "done"
                and not m.scrapped
                and m.location_dest_id.usage == "customer"
                and m.bom_line_id.bom_id == bom
            )
        )
        before = delivered - moves
        kits = delivered._compute_kit_quantities(line.product_id, order_qty, bom, filters)
        if before:
            kits -= before._compute_kit_quantities(line.product_id, order_qty, bom, filters)
        return bom.product_uom_id._compute_quantity(kits, line.product_uom)

    def _amazon_tracking_ref_for(self, confirmation):
        """The tracking number of one package: the delivery's Tracking Reference, or its n-th
        comma-separated number when it holds one per package (as shipping connectors write)."""
        self.ensure_one()
        refs = [ref.strip() for ref in (self.carrier_tracking_ref or "").split(",") if ref.strip()]
        if len(refs) <= 1:
            return refs[0] if refs else False
        siblings = self.sudo().amazon_confirmation_ids.sorted("id")
        if len(siblings) == len(refs) and confirmation in siblings:
            return refs[siblings.ids.index(confirmation.id)]
        return refs[0]
