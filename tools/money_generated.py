# pylint: disable=print-used
"""Book a large set of orders generated from Amazon's Orders API model; report the totals.

    python tools/money_generated.py --database DB --addons-path PATH [--count 2000]

On a database with the addon, inside one transaction that is rolled back (nothing is kept):

1. ``--count`` orders of Amazon's model as the model allows them (tools/order_generator.py,
   ``raw_order_strategy``) go through mapping: how many map, and what the refusals name;
2. ``--count`` orders narrowed to what a seller gets and whose own totals add up
   (``bookable_order_strategy`` + ``repair``) are booked by the real apply step of the sync:
   how many booked with a total equal to Amazon's (grandTotal less facilitator tax), how many
   with another total (a bug), and what the others were refused or left for.

Deterministic (hypothesis, derandomized). Outside the test suite: it takes minutes.
"""

import argparse
import collections
import logging
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings

import odoo
from odoo import Command
from odoo.modules.registry import Registry

sys.path.insert(0, str(Path(__file__).resolve().parent))
import order_generator

SKUS = ("AFKGEN-PLAIN", "AFKGEN-LOT", "AFKGEN-SERIAL", "AFKGEN-UNKNOWN")


def generate(strategy, count):
    collected = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value):
        collected.append(value)

    collect()
    return collected


def _shape(message):
    """A refusal's message without its particulars (values, references)."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    message = re.sub(r"-?\d[\d.,-]*", "N", message)
    return message[:110]


def map_raw(env, count):
    from odoo.addons.amazon_fba_kit.spapi import mapping
    from odoo.addons.amazon_fba_kit.spapi.exceptions import AmazonMappingError

    outcome = collections.Counter()
    orders = generate(order_generator.raw_order_strategy(), count)
    for raw in orders:
        try:
            mapping.map_order(raw)
            outcome["mapped"] += 1
        except AmazonMappingError as exc:
            field = re.sub(r"\[\d+\]", "[]", exc.field or "?")
            outcome[f"refused: {field}"] += 1
        except Exception as exc:  # noqa: BLE001 - the point is to count them
            outcome[f"UNEXPECTED {type(exc).__name__}: {exc}"] += 1
    return len(orders), outcome


def setup(env):
    Product = env["product.product"]
    plain = Product.create({"name": "Gen plain", "default_code": SKUS[0], "is_storable": True})
    lot = Product.create(
        {"name": "Gen lot", "default_code": SKUS[1], "is_storable": True, "tracking": "lot"}
    )
    serial = Product.create(
        {"name": "Gen serial", "default_code": SKUS[2], "is_storable": True, "tracking": "serial"}
    )
    lot._create_amazon_fba_kit()
    serial._create_amazon_fba_kit()
    us = env["amazon.marketplace"].search([("api_ref", "=", "ATVPDKIKX0DER")])
    account = env["amazon.account"].create(
        {
            "name": "Generated orders",
            "seller_id": "A1GENERATED",
            "lwa_client_id": "amzn1.application-oa2-client.gen",
            "marketplace_ids": [Command.set(us.ids)],
        }
    )
    env["stock.quant"]._update_available_quantity(plain, account.location_id, 100000)
    return account


def book(env, account, count):
    from odoo.addons.amazon_fba_kit.models.amazon_account_orders import SyncRun

    outcome = collections.Counter()
    orders = generate(order_generator.bookable_order_strategy(SKUS), count)
    run = SyncRun(account)
    for number, generated in enumerate(orders, 1):
        ref = f"990-{number:07d}-0000001"
        raw = order_generator.repair(generated, ref, "2026-11-01T00:00:00Z")
        before = dict(run.counts)
        account._amazon_apply_orders([raw], run)
        sale = env["sale.order"].search(
            [("amazon_account_id", "=", account.id), ("amazon_order_ref", "=", ref)]
        )
        changed = [k for k, v in run.counts.items() if v != before.get(k, 0)]
        if sale:
            expected = order_generator.expected_total(raw)
            booked = Decimal(str(sale.amount_total)).quantize(Decimal("0.01"))
            same = booked == expected.quantize(Decimal("0.01"))
            outcome["booked, total equal to Amazon's" if same else "booked, TOTAL DIFFERS"] += 1
            if sale.amazon_tax_mismatch:
                outcome["  of which Odoo's tax differs from Amazon's (flagged)"] += 1
            continue
        error = env["amazon.sync.error"].search(
            [("account_id", "=", account.id), ("amazon_order_ref", "=", ref)]
        )
        if error:
            outcome[f"refused [{error.kind}] {_shape(error.message)}"] += 1
        else:
            channel = raw["salesChannel"]["channelName"]
            what = changed[0] if changed else "?"
            label = "MCF, stock only" if channel == "NON_AMAZON" else what
            outcome[f"no sale order: {label} ({raw['fulfillment']['fulfillmentStatus']})"] += 1
    return len(orders), outcome


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--booking-only", action="store_true", help="skip the mapping set")
    args = parser.parse_args(argv)
    odoo.tools.config.parse_config(
        ["-d", args.database, "--addons-path", args.addons_path, "--log-level=error"]
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.perf_counter()
        total, outcome = (
            (0, collections.Counter()) if args.booking_only else map_raw(env, args.count)
        )
        print(
            f"Mapping {total} orders as Amazon's model allows them "
            f"({time.perf_counter() - start:.0f} s):"
        )
        for label, number in outcome.most_common():
            print(f"  {number:5d}  {label}")
        start = time.perf_counter()
        account = setup(env)
        total, outcome = book(env, account, args.count)
        print(
            f"\nBooking {total} orders whose own totals add up "
            f"({time.perf_counter() - start:.0f} s):"
        )
        for label, number in sorted(outcome.items(), key=lambda kv: -kv[1]):
            print(f"  {number:5d}  {label}")
        cr.rollback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
