# pylint: disable=print-used
"""Demo of the order sync: run by tools/demo.sh on a database with the addon's demo data.

Stocks the demo products in WH/Stock, sends their lots to WH/Amazon with an FBA replenishment
transfer (as a seller does), starts the local SP-API simulator with a default set of FBA and FBM
orders, points the demo account at it, runs the real order sync, picks and validates the FBM
delivery with a carrier and tracking number, confirms it to Amazon (the scheduled action) and
prints what it booked and confirmed. Then sends the replenishment to Amazon as an inbound plan
with its lots (Send to Amazon) and runs the scheduled action until Amazon's operation succeeds.
"""

import argparse
import logging
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import odoo
from odoo.modules.registry import Registry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sp_api_payloads import make_fulfillment_order, make_shipment_item
from sp_api_simulator import SpApiSimulator, make_item, make_order

STOCK = {  # default_code: [(lot or None, quantity in WH/Stock, quantity sent to Amazon)]
    "VITC-500": [("VC-2611A", 40, 20), ("VC-2612B", 40, 30)],
    "BPM-1": [(f"BPM-{n:04d}", 1, 1) for n in range(1, 7)],
    "OMEGA3": [("OM-2610", 30, 20)],
    "SHAKER": [(None, 100, 50)],
}


def demo_orders(now):
    def order(ref, items, minutes_ago, **kwargs):
        when = now - timedelta(minutes=minutes_ago)
        return make_order(ref, items=items, created=when, last_updated=when, **kwargs)

    malformed = order("114-0000007-0000007", [make_item("I1", "SHAKER", 1, 8.0)], 40)
    del malformed["orderItems"][0]["quantityOrdered"]
    partly_cancelled = make_item("I1", "VITC-500", 3, 12.9, tax=2.06, shipped=2)
    for key in ("proceedsTotal",):  # Amazon charges only what it shipped (2 of 3)
        partly_cancelled["proceeds"][key]["amount"] = "27.86"
    partly_cancelled["proceeds"]["breakdowns"][0]["subtotal"]["amount"] = "25.80"
    return [
        # US sales tax is collected and remitted by Amazon (marketplace facilitator).
        order("114-0000001-0000001", [make_item("I1", "VITC-500", 2, 12.9, tax=2.06)], 90),
        order("114-0000002-0000002", [make_item("I1", "BPM-1", 1, 39.0)], 80),
        order(
            "114-0000003-0000003",
            [
                # Free shipping: a DISCOUNT of subtype SHIPPING, not a discount on the product.
                make_item(
                    "I1",
                    "VITC-500",
                    1,
                    12.9,
                    shipping=4.99,
                    shipping_discount=4.99,
                    promotion_ids=["FREE-SHIPPING"],
                ),
                make_item(
                    "I2",
                    "SHAKER",
                    2,
                    8.0,
                    gift_wrap=2.99,
                    discount=1.6,
                    promotion_ids=["10-PERCENT"],
                ),
            ],
            70,
        ),
        # A state without facilitator law: the seller collects the tax.
        order(
            "114-0000004-0000004", [make_item("I1", "SHAKER", 1, 8.0, tax=0.66, tax_model=None)], 60
        ),
        order(
            "114-0000005-0000005",
            [make_item("I1", "VITC-500", 3, 12.9, shipping=5.99)],
            55,
            fulfilled_by="MERCHANT",
            status="UNSHIPPED",
        ),
        order("114-0000006-0000006", [make_item("I1", "OMEGA3", 1, 17.5)], 50),
        malformed,
        order("114-0000008-0000008", [make_item("I1", "BPM-1", 1, 39.0)], 30, status="PENDING"),
        # Multi-Channel Fulfilment: sold on the seller's own shop, shipped by Amazon.
        order("114-0000009-0000009", [make_item("I1", "SHAKER", 2, 8.0)], 45, channel="NON_AMAZON"),
        # One unit of three cancelled: Amazon shipped (and charged) two.
        order("114-0000010-0000010", [partly_cancelled], 35),
    ]


def stock_and_replenish(env, account):
    """Stock WH/Stock by inventory adjustment, then send lots to the stock pool of the account's
    first marketplace (WH/Amazon/US) with its FBA replenishment type."""
    pool = account._amazon_pool_location(account.marketplace_ids[:1])
    picking_type = pool.amazon_replenishment_type_id or account.replenishment_picking_type_id
    stock_location = picking_type.default_location_src_id
    picking = env["stock.picking"].create(
        {
            "picking_type_id": picking_type.id,
            "location_id": stock_location.id,
            "location_dest_id": pool.id,
            "origin": "Demo FBA replenishment",
        }
    )
    for code, lots in STOCK.items():
        product = env["product.product"].search([("default_code", "=", code)], limit=1)
        move = env["stock.move"].create(
            {
                "name": product.display_name,
                "picking_id": picking.id,
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": sum(sent for _lot, _qty, sent in lots),
                "location_id": stock_location.id,
                "location_dest_id": pool.id,
            }
        )
        for lot_name, quantity, sent in lots:
            lot = lot_name and env["stock.lot"].create(
                {"name": lot_name, "product_id": product.id, "company_id": account.company_id.id}
            )
            env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": stock_location.id,
                    "lot_id": lot.id if lot else False,
                    "inventory_quantity": quantity,
                }
            ).action_apply_inventory()
            env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_id": lot.id if lot else False,
                    "quantity": sent,
                    "location_id": stock_location.id,
                    "location_dest_id": pool.id,
                }
            )
    picking.action_confirm()
    picking.move_ids.picked = True
    picking.button_validate()
    return picking


def ship_fbm_orders(env, account):
    """Pick, pack and validate the delivery of each FBM order with a carrier and a tracking
    number, as the warehouse does; then run the scheduled action that confirms them to Amazon."""
    carrier = env["delivery.carrier"].search([("name", "=", "UPS Ground")], limit=1)
    if not carrier:
        product = env["product.product"].create(
            {"name": "UPS Ground", "type": "service", "list_price": 0.0}
        )
        carrier = env["delivery.carrier"].create(
            {"name": "UPS Ground", "delivery_type": "fixed", "product_id": product.id}
        )
    orders = env["sale.order"].search(
        [("amazon_account_id", "=", account.id), ("amazon_fulfilled_by", "=", "merchant")]
    )
    pickings = orders.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
    for number, picking in enumerate(pickings, start=1):
        picking.action_assign()
        picking.carrier_id = carrier
        picking.carrier_tracking_ref = f"1Z999AA1012345678{number}"
        picking.move_ids.picked = True
        # skip_sms: stock_sms (auto-installed with sms) would ask whether to text the customer
        picking.with_context(skip_sms=True).button_validate()
    env["amazon.shipment.confirmation"]._cron_send_pending()
    return pickings


def report(env, account, run, picking, sim):
    orders = env["sale.order"].search(
        [("amazon_account_id", "=", account.id)], order="amazon_order_ref"
    )
    kit_lines = orders.order_line.filtered("amazon_tracked_product_id")
    fba = orders.filtered(lambda o: o.amazon_fulfilled_by == "amazon")
    out = [
        "",
        f"Amazon order sync — account '{account.name}', SP-API simulator at {sim.url}",
        (
            f"FBA replenishment {picking.name} ({picking.state}): lots sent to "
            f"{picking.location_dest_id.complete_name}"
        ),
        (
            f"Orders booked: {run.counts['booked']} ({len(fba)} FBA, {len(orders) - len(fba)} "
            f"FBM); lines sold as FBA kits: {len(kit_lines)}; waiting for Amazon: "
            f"{run.counts['pending']}; errors: {run.counts['failed']}"
        ),
        "",
        "Booked:",
    ]
    for order in orders:
        how = (
            f"FBA, done from {order.order_line.move_ids.location_id[:1].complete_name}"
            if order.amazon_fulfilled_by == "amazon"
            else ("FBM, delivery " + ", ".join(f"{p.name} ({p.state})" for p in order.picking_ids))
        )
        out.append(f"  {order.name}  {order.amazon_order_ref}  {how}")
        same = (
            "equal"
            if order.currency_id.is_zero(order.amount_total - order.amazon_total)
            else ("DIFFERENT")
        )
        tax_gap = (
            f", Odoo's tax differs from Amazon's by {order.amazon_tax_difference:.2f}"
            if order.amazon_tax_mismatch
            else ""
        )
        out.append(
            f"      Amazon total {order.amazon_total:.2f} {order.currency_id.name} | Odoo total "
            f"{order.amount_total:.2f} (tax {order.amount_tax:.2f}) -> {same}"
            + (
                f"; tax remitted by Amazon {order.amazon_facilitator_tax:.2f}"
                if order.amazon_facilitator_tax
                else ""
            )
            + tax_gap
        )
        for line in order.order_line:
            kit = (
                f"  <- kit for tracked {line.amazon_tracked_product_id.display_name}"
                if line.amazon_tracked_product_id
                else ""
            )
            out.append(
                f"      {line.product_uom_qty:g} x {line.product_id.display_name}"
                f" = {line.price_total:.2f} (delivered {line.qty_delivered:g}){kit}"
            )
            for move_line in line.amazon_component_move_ids.move_line_ids:
                source = dict(move_line._fields["amazon_lot_source"].selection).get(
                    move_line.amazon_lot_source, ""
                )
                out.append(
                    f"          lot {move_line.lot_id.name}: {move_line.quantity:g} from "
                    f"{move_line.location_id.complete_name} ({source})"
                )
            if line.amazon_unattributed_qty:
                out.append(f"          unattributed: {line.amazon_unattributed_qty:g}")
    shipped = env["amazon.shipment.confirmation"].search(
        [("account_id", "=", account.id)], order="id"
    )
    out.append("")
    out.append(
        "FBM shipments confirmed to Amazon (confirmShipment; Sales > Amazon > Shipment "
        "Confirmations):"
    )
    for confirmation in shipped:
        out.append(
            f"  {confirmation.picking_id.name} {confirmation.amazon_order_ref} package "
            f"{confirmation.package_ref} [{confirmation.items_summary}]: {confirmation.state} "
            f"(Amazon now shows the order {sim.order_status(confirmation.amazon_order_ref)})"
        )
        out.append(f"      {confirmation.message}")
    mcf_orders = env["amazon.mcf.order"].search([("account_id", "=", account.id)])
    if mcf_orders:
        out.append("")
        out.append("Multi-Channel Fulfilment (stock only, no sale):")
        for mcf in mcf_orders:
            for move in mcf.move_ids:
                out.append(
                    f"  {mcf.amazon_order_ref}  {move.product_uom_qty:g} x "
                    f"{move.product_id.display_name} out of {move.location_id.complete_name} "
                    f"({move.state})"
                )
    errors = env["amazon.sync.error"].search(
        [("account_id", "=", account.id), ("state", "=", "open")], order="amazon_order_ref"
    )
    out.append("")
    out.append(
        "Sync errors (kept with their payload, retried with backoff by the runs; "
        "Sales > Amazon > Sync Errors):"
    )
    for error in errors:
        out.append(f"  {error.amazon_order_ref} [{error.kind}] {error.message}")
    requests = [r for r in sim.requests if r["path"] != "/auth/o2/token"]
    out.append("")
    out.append(
        f"SP-API requests made: {len(requests)} (statuses {[r['status'] for r in requests]})"
    )
    return "\n".join(out)


def ledger_events(env, account, sim, now):
    """Amazon's ledger says: one unit of order 114-0000001-0000001 came back (sellable), and a
    unit was damaged in a fulfilment centre. The report job imports both, with lots."""
    day = now.strftime("%m/%d/%Y")
    sim.report_polls_until_done = 1
    sim.set_report_rows(
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        [
            {
                "return-date": now.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                "order-id": "114-0000001-0000001",
                "sku": "VITC-500",
                "asin": "B00DEMO",
                "fnsku": "X00DEMO",
                "product-name": "Vitamin C 500mg",
                "quantity": "1",
                "fulfillment-center-id": "PHX3",
                "detailed-disposition": "SELLABLE",
                "reason": "UNWANTED_ITEM",
                "status": "Unit returned to inventory",
                "license-plate-number": "LPNDEMO1",
            }
        ],
    )
    damaged = {
        "Date": day,
        "FNSKU": "X00DEMO",
        "ASIN": "B00DEMO",
        "MSKU": "VITC-500",
        "Title": "Vitamin C 500mg",
        "Event Type": "Adjustments",
        "Reference ID": "13895071006",
        "Fulfillment Center": "PHX3",
        "Country": "US",
        "Date and Time": now.strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }
    sim.set_report_rows(
        "GET_LEDGER_DETAIL_VIEW_DATA",
        [
            dict(damaged, Quantity="-1", Disposition="SELLABLE", Reason="E"),
            dict(damaged, Quantity="1", Disposition="WAREHOUSE_DAMAGED", Reason="P"),
        ],
    )
    for _run in range(4):  # request, then poll until Amazon's reports are done, then import
        env["amazon.report"]._amazon_reports_run(account)


def ledger_report(env, account):
    out = ["", "FBA inventory ledger (Sales > Amazon > FBA Inventory Ledger):"]
    for row in env["amazon.ledger.row"].search([("account_id", "=", account.id)], order="id"):
        out.append(
            f"  {row.kind} {row.sku} {row.quantity:g} {row.disposition or ''}: {row.state}"
            + (f" ({row.message})" if row.message else "")
        )
        for line in row.move_ids.move_line_ids:
            out.append(
                f"      lot {line.lot_id.name or '-'}: {line.quantity:g} "
                f"{line.location_id.complete_name} -> {line.location_dest_id.complete_name}"
            )
    return "\n".join(out)


def send_to_amazon(env, account, picking):
    """Send to Amazon: queue the replenishment as an inbound plan (its lots and expiry dates),
    then run the scheduled action until Amazon's asynchronous operation is over, waiting until
    each poll is due (a few seconds) as the cron worker would."""
    codes = picking.move_ids.product_id.mapped("default_code")
    env["amazon.offer"]._get_or_create_for_skus(account, codes)  # the SKUs Amazon knows them by
    plan = picking._amazon_queue_inbound_plan(account=account)
    Plan = env["amazon.inbound.plan"]
    for _run in range(10):
        Plan._cron_amazon_inbound_plans()
        plan.invalidate_recordset()
        if plan.state not in ("queued", "creating"):
            break
        wait = (plan.next_attempt - datetime.now(timezone.utc).replace(tzinfo=None)).total_seconds()
        time.sleep(min(max(wait, 0) + 0.5, 70))
    return plan


def inbound_report(plan):
    out = [
        "",
        f"Send to Amazon: transfer {plan.picking_id.name} as an inbound plan ({plan.state})",
        (
            f"  Amazon inbound plan id: {plan.inbound_plan_ref or '-'}; Amazon answered "
            f"IN_PROGRESS {plan.poll_count} time(s) before the end of its operation"
        ),
    ]
    for item in plan.item_ids:
        out.append(
            f"  SKU {item.msku} x {item.quantity}: lot {item.lot_code or '-'}, expires "
            f"{item.expiration or '-'}"
        )
    if plan.seller_central_url:
        out.append(f"  Continue in Seller Central: {plan.seller_central_url}")
    if plan.state != "created":
        out.append(f"  {plan.message or ''} {plan.problems or ''}")
    return "\n".join(out)


def mcf_lot_codes(env, account, sim, now):
    """An MCF order of Vitamin C sold on the seller's own shop: Amazon's fulfilment order says
    which lots it shipped (two lot codes for one item), the scheduled action books exactly those,
    *Reported by Amazon*. Returns the printed report."""
    when = now - timedelta(minutes=20)
    raw = make_order(
        "114-0000011-0000011",
        items=[make_item("I1", "VITC-500", 3, 12.9)],
        created=when,
        last_updated=when,
        channel="NON_AMAZON",
    )
    raw["orderAliases"] = [{"aliasId": "SHOP-1042", "aliasType": "SELLER_ORDER_ID"}]
    sim.add_orders([raw])
    sim.set_fulfillment_order(
        make_fulfillment_order(
            "SHOP-1042",
            shipments=[
                (
                    "SHIPPED",
                    [
                        make_shipment_item(
                            "VITC-500", "SHOP-1042-1", 3, lot_codes=["VC-2612B", "VC-2611A"]
                        )
                    ],
                )
            ],
        )
    )
    account.last_orders_sync = now - timedelta(hours=1)
    account._amazon_sync_orders_one()
    mcf = env["amazon.mcf.order"].search(
        [("account_id", "=", account.id), ("amazon_order_ref", "=", "114-0000011-0000011")]
    )
    out = [
        "",
        "Multi-Channel Fulfilment lots (Sales > Amazon > Multi-Channel Fulfilment):",
        (
            f"  after the order sync: {mcf.amazon_order_ref} lots {mcf.lot_state} "
            f"(fulfilment order {mcf.fulfillment_order_ref})"
        ),
    ]
    env["amazon.mcf.order"]._cron_amazon_read_lots()
    out.append(f"  after the scheduled action: lots {mcf.lot_state}")
    labels = dict(env["stock.move.line"]._fields["amazon_lot_source"].selection)
    for line in mcf.move_ids.move_line_ids:
        out.append(
            f"      lot {line.lot_id.name}: {line.quantity:g} x {line.product_id.display_name} "
            f"{line.location_id.complete_name} -> {line.location_dest_id.complete_name} "
            f"[{labels.get(line.amazon_lot_source)}]"
        )
    account.invalidate_recordset()
    out.append(
        f"  units of the last {account.amazon_provenance_days} days: "
        f"{account.amazon_units_reported:g} reported by Amazon, "
        f"{account.amazon_units_inferred:g} inferred, {account.amazon_units_manual:g} by hand, "
        f"{account.amazon_units_unattributed:g} not attributed"
    )
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    args = parser.parse_args(argv)
    odoo.tools.config.parse_config(
        ["-d", args.database, "--addons-path", args.addons_path, "--log-level=warn"]
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per HTTP request
    registry = Registry(args.database)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with (
        SpApiSimulator(
            orders=demo_orders(now),
            client_id="amzn1.application-oa2-client.demo",
            client_secret="fake.demo.secret",
            refresh_token="Atzr|fake.demo.refresh",
        ) as sim,
        registry.cursor() as cr,
    ):
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = env.ref("amazon_fba_kit.amazon_account_demo")
        account.write(
            {
                "api_endpoint": sim.url,
                "lwa_endpoint": sim.lwa_url,
                "last_orders_sync": now - timedelta(hours=3),
                "marketplace_ids": [
                    odoo.Command.set(
                        env["amazon.marketplace"].search([("api_ref", "=", "ATVPDKIKX0DER")]).ids
                    )
                ],
            }
        )
        picking = stock_and_replenish(env, account)
        run = account._amazon_sync_orders_one()
        ship_fbm_orders(env, account)
        ledger_events(env, account, sim, now)
        plan = send_to_amazon(env, account, picking)
        cr.flush()  # the cursor commits when the block ends
        print(report(env, account, run, picking, sim))
        print(ledger_report(env, account))
        print(inbound_report(plan))
        print(mcf_lot_codes(env, account, sim, now))
    print(
        "\nOpen the result in the browser:\n"
        f"  {sys.executable} -m odoo --addons-path={args.addons_path} -d {args.database}\n"
        "  then http://localhost:8069 (login admin, password admin): Sales > Amazon."
    )
    return 0 if run.counts["booked"] else 1


if __name__ == "__main__":
    sys.exit(main())
