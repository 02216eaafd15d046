# pylint: disable=print-used
"""Benchmark of the order sync against the bare ORM; run by tools/benchmark.sh.

On a database with the addon (no demo data) it builds a catalogue (lot and serial tracked products
with their FBA kits, untracked products, their offers), then for each size N:

- *sync*: the local SP-API simulator serves N generated orders (mostly FBA, part of their lines
  lot/serial tracked and so sold as kits, some multi-line, some FBM) under Amazon's documented
  searchOrders rate (0.0056 req/s, burst 20); the real ``_amazon_sync_orders_one`` books them;
- *baseline*: the same sale orders (delivery contact, lines, confirmation, lock) and the same done
  stock moves out of WH/Amazon (FBM: a normal confirmation with its delivery) created straight
  through the ORM, one order after the other, without fetching, mapping or lookups.

Both are timed (wall clock, perf_counter) and their SQL queries counted (odoo.sql_db.sql_counter);
each measurement runs in a savepoint that is rolled back, so every one starts from the same
database and nothing is committed. Peak memory is measured in a separate, untimed pass with
tracemalloc (peak of Python allocations during the run; tracemalloc slows the code down, so it
is kept apart), and the process's peak RSS (ru_maxrss, high-water mark) is printed after each size.
"""

import argparse
import cProfile
import logging
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import odoo
from odoo import Command
from odoo.modules.registry import Registry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sp_api_simulator import ORDERS_PATH, SpApiSimulator, make_item, make_order

CLIENT_ID = "amzn1.application-oa2-client.bench"
CLIENT_SECRET = "fake.bench.secret"
REFRESH_TOKEN = "Atzr|fake.bench.refresh"
SEARCH_ORDERS_RATE, SEARCH_ORDERS_BURST = 0.0056, 20  # Amazon's documented usage plan
CATALOGUE = {"lot": 60, "serial": 20, "none": 120}  # products per tracking
FBM_SHARE = 0.15
MULTI_LINE_SHARE = 0.25
TRACKED_LINE_SHARE = 0.45  # of the lines: a lot or serial tracked SKU (sold as its kit if FBA)


def generate_orders(count, skus, now, seed):
    """``count`` raw orders (Orders API 2026-01-01), reproducible from ``seed``."""
    rng = random.Random(seed)
    tracked = [sku for sku, tracking in skus.items() if tracking != "none"]
    untracked = [sku for sku, tracking in skus.items() if tracking == "none"]
    orders = []
    for n in range(count):
        fbm = rng.random() < FBM_SHARE
        lines = rng.choice((2, 3)) if rng.random() < MULTI_LINE_SHARE else 1
        picked = set()
        items = []
        for i in range(lines):
            pool = tracked if rng.random() < TRACKED_LINE_SHARE else untracked
            sku = rng.choice([sku for sku in pool if sku not in picked] or pool)
            picked.add(sku)
            qty = 1 if skus[sku] == "serial" else rng.choice((1, 1, 1, 2, 3))
            items.append(make_item(f"{n:07d}{i}", sku, qty, round(rng.uniform(5, 80), 2)))
        # Spread over the window the sync asks for: 3 h back to 5 min ago.
        when = now - timedelta(minutes=175) + timedelta(seconds=int(10200 * n / max(count, 1)))
        orders.append(
            make_order(
                f"{900 + n // 10**7:03d}-{n // 1000:07d}-{n % 10**7:07d}",
                items=items,
                created=when,
                last_updated=when,
                fulfilled_by="MERCHANT" if fbm else "AMAZON",
                status="UNSHIPPED" if fbm else "SHIPPED",
            )
        )
    return orders


def build_catalogue(env):
    """Tracked products with their FBA kits, untracked products; returns ``{sku: tracking}``."""
    skus = {}
    vals = []
    for tracking, count in CATALOGUE.items():
        for n in range(count):
            sku = f"BENCH-{tracking.upper()}-{n:04d}"
            skus[sku] = tracking
            vals.append(
                {
                    "name": f"Bench {tracking} {n}",
                    "default_code": sku,
                    "type": "consu",
                    "is_storable": True,
                    "tracking": tracking,
                    "list_price": 10.0,
                }
            )
    products = env["product.product"].create(vals)
    for product in products.filtered(lambda p: p.tracking != "none"):
        product._create_amazon_fba_kit()
    return skus


def build_account(env, sim, now):
    account = env["amazon.account"].create(
        {
            "name": "Benchmark US",
            "seller_id": "A1BENCHMARK",
            "region": "na",
            "lwa_client_id": CLIENT_ID,
            "lwa_client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "marketplace_ids": [
                Command.set(
                    env["amazon.marketplace"].search([("api_ref", "=", "ATVPDKIKX0DER")]).ids
                )
            ],
            "api_endpoint": sim.url,
            "lwa_endpoint": sim.lwa_url,
        }
    )
    account.partner_id = env["res.partner"].create(
        {
            "name": "Amazon customers (bench)",
            "is_company": True,
            "company_id": account.company_id.id,
        }
    )
    return account


def baseline_plan(env, account, orders):
    """What the sync books for each order, resolved before the clock starts (no lookups)."""
    offers = env["amazon.offer"]._get_or_create_for_skus(
        account, {i["product"]["sellerSku"] for o in orders for i in o["orderItems"]}
    )
    kit_of = {}
    for offer in offers.values():
        product = offer.product_id
        if product.tracking != "none":
            kit_of[product.id] = product._get_amazon_fba_kit(account.company_id)
    us = env["amazon.marketplace"].search([("api_ref", "=", "ATVPDKIKX0DER")])
    country = env["res.country"].search([("code", "=", "US")], limit=1)
    plan = []
    for raw in orders:
        fba = raw["fulfillment"]["fulfilledBy"] == "AMAZON"
        address = raw["recipient"]["deliveryAddress"]
        lines = []
        for item in raw["orderItems"]:
            offer = offers[item["product"]["sellerSku"]]
            product = offer.product_id
            kit = kit_of.get(product.id) if fba else None
            lines.append(
                {
                    "product_id": (kit or product).id,
                    "product_uom_qty": item["quantityOrdered"],
                    "price_unit": float(item["product"]["price"]["unitPrice"]["amount"]),
                    "amazon_item_ref": item["orderItemId"],
                    "amazon_offer_id": offer.id,
                    "amazon_tracked_product_id": product.id if kit else False,
                }
            )
        created = datetime.fromisoformat(raw["createdTime"].replace("Z", ""))
        plan.append(
            {
                "fba": fba,
                "shipping": {
                    "parent_id": account.partner_id.id,
                    "type": "delivery",
                    "name": address["name"],
                    "street": address["addressLine1"],
                    "city": address["city"],
                    "zip": address["postalCode"],
                    "country_id": country.id,
                    "phone": address["phone"],
                    "email": raw["buyer"].get("buyerEmail"),
                    "company_id": account.company_id.id,
                },
                "order": {
                    "partner_id": account.partner_id.id,
                    "partner_invoice_id": account.partner_id.id,
                    "company_id": account.company_id.id,
                    "client_order_ref": raw["orderId"],
                    "origin": f"Amazon {raw['orderId']}",
                    "date_order": created,
                    "amazon_account_id": account.id,
                    "amazon_order_ref": raw["orderId"],
                    "amazon_fulfilled_by": "amazon" if fba else "merchant",
                    "amazon_marketplace_id": us.id,
                    "warehouse_id": account.warehouse_id.id,
                    "order_line": [Command.create(line) for line in lines],
                },
            }
        )
    return plan


def run_baseline(env, account, plan):
    """The same records as the sync, straight through the ORM, one order at a time."""
    location = account.location_id
    customers = env.ref("stock.stock_location_customers")
    Partner, SaleOrder, Move = env["res.partner"], env["sale.order"], env["stock.move"]
    for entry in plan:
        shipping = Partner.create(entry["shipping"])
        order = SaleOrder.create(dict(entry["order"], partner_shipping_id=shipping.id))
        if not entry["fba"]:
            order.action_confirm()
            continue
        order.with_context(skip_procurement=True).action_confirm()
        order.action_lock()
        moves = Move.create(
            [
                {
                    "name": line.name,
                    "origin": order.name,
                    "company_id": order.company_id.id,
                    "product_id": line.product_id.id,
                    "product_uom": line.product_uom.id,
                    "product_uom_qty": line.product_uom_qty,
                    "location_id": location.id,
                    "location_dest_id": customers.id,
                    "partner_id": shipping.id,
                    "sale_line_id": line.id,
                    "warehouse_id": location.warehouse_id.id,
                }
                for line in order.order_line
            ]
        )
        moves._action_confirm(merge=False)
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()


def outcome(env, account):
    """What is booked now: (orders, lines, done moves, pickings) of the account."""
    orders = env["sale.order"].search([("amazon_account_id", "=", account.id)])
    return (
        len(orders),
        len(orders.order_line),
        len(orders.order_line.move_ids.filtered(lambda m: m.state == "done")),
        len(orders.picking_ids),
    )


def check_requests(requests):
    """Replay Amazon's token bucket over the searchOrders calls the simulator logged."""
    calls = [r for r in requests if r["path"] == ORDERS_PATH]
    tokens, last, over = float(SEARCH_ORDERS_BURST), None, 0
    for call in calls:
        if last is not None:
            tokens = min(SEARCH_ORDERS_BURST, tokens + (call["time"] - last) * SEARCH_ORDERS_RATE)
        last = call["time"]
        if tokens < 1.0 - 1e-9:
            over += 1
        tokens -= 1.0
    statuses = sorted({r["status"] for r in calls})
    throttled = sum(1 for r in calls if r["status"] == 429)
    return len(calls), over, throttled, statuses


class Bench:
    def __init__(self, env, account, sim, ratelimit, profile=None):
        self.env = env
        self.cr = env.cr
        # Each measurement is rolled back: the sync must not commit its pages here.
        self.account = account.with_context(amazon_fba_kit__no_commit=True)
        self.sim = sim
        self.ratelimit = ratelimit
        self.profile = profile

    def measure(self, job, memory=False):
        """Run ``job()`` in a savepoint rolled back afterwards: seconds, queries, peak bytes."""
        savepoint = self.cr.savepoint()
        try:
            self.env.invalidate_all()
            if memory:
                tracemalloc.start()
            queries = odoo.sql_db.sql_counter
            start = time.perf_counter()
            result = job()
            self.env.flush_all()
            seconds = time.perf_counter() - start
            queries = odoo.sql_db.sql_counter - queries
            peak = tracemalloc.get_traced_memory()[1] if memory else None
            if memory:
                tracemalloc.stop()
            booked = outcome(self.env, self.account)
        finally:
            savepoint.close(rollback=True)
        return {"seconds": seconds, "queries": queries, "peak": peak, "booked": booked, **result}

    def sync(self, orders, memory=False):
        self.sim.set_orders(orders)
        self.sim.requests.clear()
        # A fresh bucket, as a first run of the day (or a new worker) has: burst 20 available.
        self.ratelimit.forget()

        def job():
            self.account.write(
                {
                    "last_orders_sync": datetime.now(timezone.utc).replace(tzinfo=None)
                    - timedelta(days=1),
                    "orders_sync_token": False,
                }
            )
            if self.profile:
                profiler = cProfile.Profile()
                run = profiler.runcall(self.account._amazon_sync_orders_one, time_budget=3600)
                profiler.dump_stats(self.profile)
            else:
                run = self.account._amazon_sync_orders_one(time_budget=3600)
            return {"counts": dict(run.counts), "failures": run.failures[:3]}

        result = self.measure(job, memory)
        calls, over, throttled, statuses = check_requests(self.sim.requests)
        result.update(calls=calls, over_limit=over, throttled=throttled, statuses=statuses)
        return result

    def baseline(self, plan, memory=False):
        return self.measure(lambda: run_baseline(self.env, self.account, plan) or {}, memory)


def spread(values, fmt):
    values = sorted(values)
    return "/".join(fmt.format(v) for v in (values[0], statistics.median(values), values[-1]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--sizes", default="200,2000", help="order counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size and side")
    parser.add_argument(
        "--memory-sizes",
        help="sizes given the (slow, untimed) tracemalloc pass; default: every size; 0: none",
    )
    parser.add_argument("--profile", help="write a cProfile of one sync of the first size here")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    memory_sizes = (
        sizes
        if args.memory_sizes is None
        else [int(size) for size in args.memory_sizes.split(",") if size]
    )
    odoo.tools.config.parse_config(
        ["-d", args.database, "--addons-path", args.addons_path, "--log-level=warn"]
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("odoo.addons.amazon_fba_kit").setLevel(logging.WARNING)
    from odoo.addons.amazon_fba_kit.spapi import ratelimit

    registry = Registry(args.database)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with (
        SpApiSimulator(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
            page_size=100,
            rate_limit=SEARCH_ORDERS_RATE,
        ) as sim,
        registry.cursor() as cr,
    ):
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        skus = build_catalogue(env)
        account = build_account(env, sim, now)
        all_orders = generate_orders(max(sizes), skus, now, seed=42)
        plan_all = baseline_plan(env, account, all_orders)  # also creates the offers
        bench = Bench(env, account, sim, ratelimit)
        print(
            f"catalogue: {len(skus)} SKUs ({CATALOGUE}), their FBA kits and offers; "
            f"orders: {1 - FBM_SHARE:.0%} FBA, {MULTI_LINE_SHARE:.0%} multi-line, "
            f"{TRACKED_LINE_SHARE:.0%} of lines lot/serial tracked"
        )
        # Warm up (registry caches, the access token, the code paths), not measured.
        bench.sync(all_orders[:20])
        bench.baseline(plan_all[:20])
        rows = []
        for size in sizes:
            orders, plan = all_orders[:size], plan_all[:size]
            syncs, bases = [], []
            for n in range(args.repeat):
                bench.profile = (
                    args.profile if (args.profile and size == sizes[0] and not n) else None
                )
                syncs.append(bench.sync(orders))
                bases.append(bench.baseline(plan))
                s, b = syncs[-1], bases[-1]
                print(
                    f"  N={size} run {n + 1}: sync {s['seconds']:.2f}s {s['queries']} queries "
                    f"{s['counts']} | baseline {b['seconds']:.2f}s {b['queries']} queries",
                    flush=True,
                )
                if s["booked"] != b["booked"] or s["counts"]["failed"]:
                    print(f"    MISMATCH sync {s['booked']} {s['failures']} vs base {b['booked']}")
            mem_sync = mem_base = None
            if size in memory_sizes:
                mem_sync = bench.sync(orders, memory=True)["peak"]
                mem_base = bench.baseline(plan, memory=True)["peak"]
            rows.append((size, syncs, bases, mem_sync, mem_base))
            print(
                f"  process peak RSS so far (ru_maxrss): "
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB",
                flush=True,
            )
        cr.rollback()
    print_report(rows, args.repeat)
    return 0


def print_report(rows, repeat):
    print()
    print(f"min/median/max of {repeat} run(s) each; wall clock; 2 shared cores: expect noise")
    header = (
        f"{'N':>5}  {'sync s':>20}  {'base s':>20}  {'ratio':>14}  {'sync orders/s':>17}  "
        f"{'sync q/order':>12}  {'base q/order':>12}  {'peak MiB sync/base':>18}"
    )
    print(header)
    for size, syncs, bases, mem_sync, mem_base in rows:
        ratios = [s["seconds"] / b["seconds"] for s, b in zip(syncs, bases, strict=True)]
        mem = f"{mem_sync / 2**20:.1f}/{mem_base / 2**20:.1f}" if mem_sync is not None else "n/a"
        print(
            f"{size:>5}  {spread([s['seconds'] for s in syncs], '{:.2f}'):>20}  "
            f"{spread([b['seconds'] for b in bases], '{:.2f}'):>20}  "
            f"{spread(ratios, '{:.2f}'):>14}  "
            f"{spread([size / s['seconds'] for s in syncs], '{:.1f}'):>17}  "
            f"{statistics.median(s['queries'] for s in syncs) / size:>12.1f}  "
            f"{statistics.median(b['queries'] for b in bases) / size:>12.1f}  {mem:>18}"
        )
    print()
    for size, syncs, bases, _ms, _mb in rows:
        s = syncs[-1]
        print(
            f"N={size}: booked (orders, lines, done moves, pickings) sync {s['booked']} "
            f"baseline {bases[-1]['booked']}; SP-API searchOrders calls {s['calls']} "
            f"(statuses {s['statuses']}, 429s {s['throttled']}, beyond Amazon's bucket "
            f"{s['over_limit']}, rate {SEARCH_ORDERS_RATE}/s burst {SEARCH_ORDERS_BURST})"
        )
    if len(rows) > 1:
        (n1, s1, _b1, _m1, _n1), (n2, s2, _b2, _m2, _n2) = rows[0], rows[-1]
        t1 = statistics.median(s["seconds"] for s in s1) / n1
        t2 = statistics.median(s["seconds"] for s in s2) / n2
        q1 = statistics.median(s["queries"] for s in s1) / n1
        q2 = statistics.median(s["queries"] for s in s2) / n2
        print(
            f"N {n1} -> {n2}: sync time per order {t1 * 1000:.1f} -> {t2 * 1000:.1f} ms "
            f"({(t2 / t1 - 1):+.1%}); queries per order {q1:.1f} -> {q2:.1f} ({(q2 / q1 - 1):+.1%})"
        )


if __name__ == "__main__":
    sys.exit(main())
