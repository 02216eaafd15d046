"""Order sync of an Amazon account: the run (lock, window, pages, retries, errors, report).

Fetching is the adapter's (spapi/adapter.py), mapping is pure (spapi/mapping.py), and booking
orders is in amazon_account_booking.py; a page's new orders are booked in batch (see
:meth:`AmazonAccount._amazon_apply_orders`).
"""

import hashlib
import json
import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..spapi import const, mapping
from ..spapi.exceptions import (
    AmazonAuthError,
    AmazonBudgetExhausted,
    AmazonError,
    AmazonMappingError,
    AmazonPermanentError,
)
from .amazon_account_jobs import MAX_RATE_LIMIT_WAIT
from .amazon_sync_error import MANUAL_KINDS

_logger = logging.getLogger(__name__)

FIRST_SYNC_DAYS = 3
SYNC_LOCK_NAMESPACE = 0x414D5A  # "AMZ": first key of the per-account advisory lock
RETRY_BATCH = 50  # open errors retried between two commit points
# New orders of a page booked together in one savepoint (see _amazon_book_batch). Past a few
# dozen the per-order cost hardly drops; a batch is never cut by the clock, and a failing one is
# booked again order by order, so it stays small enough for both to fit in the run's overtime.
BATCH_SIZE = 50
NO_BATCH_KEY = "amazon_fba_kit__no_batch"  # context key: book every order on its own


class _LockLost(Exception):
    """Another run took the account's lock between two commit points of this one."""


class SyncRun:
    """What one run knows: per-run caches and the outcome counters for the report."""

    def __init__(self, account):
        self.account = account
        self.counts = dict.fromkeys(
            ("booked", "cancelled", "unchanged", "pending", "ignored", "failed"), 0
        )
        self.kit_lines = 0
        self.pages = 0
        self.again_in = None  # seconds after which the scheduled action should run again
        self.overtime = None  # time.monotonic() after which no further order of a page is booked
        self.failures = []  # (order ref, message)
        self.seen_refs = set()
        self.batch = None  # while a page collects its new orders: the list they are added to
        self.reset()

        self.offers = {}  # created before the orders' savepoints: never rolled back
        # Kit lookups per product id, for the whole run: orders never create kits or BoMs.
        self.kit_components = {}
        self.kit_options = {}

    def handled(self):
        """How many orders this run has handled (booked, failed, left as they were...)."""
        return sum(self.counts.values())

    def reset(self):
        """Forget records an order may have created: its rolled-back savepoint took them."""
        self.pricelists = {}
        self.countries = {}
        self.marketplaces = {}


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    fba_lot_policy = fields.Selection(
        [
            ("kit", "Kit only (documented workaround)"),
            ("fifo", "Attribute lots: first in, first out"),
            ("fefo", "Attribute lots: first expired, first out"),
        ],
        "FBA Lot Policy",
        default="kit",
        required=True,
        help="Kit only: an FBA sale of a tracked product books its kit; the tracked stock at "
        "Amazon is not consumed. FIFO/FEFO: it also books the tracked product out of the Amazon "
        "location with lots chosen oldest-first (by arrival at Amazon) or first-expiring-first, "
        "recorded as inferred, so on-hand at Amazon stays true and a recall finds the orders. "
        "A change applies to orders booked from then on.",
    )
    orders_sync_token = fields.Char(
        "Resume Token",
        readonly=True,
        copy=False,
        help="Amazon's pagination token where an interrupted run stopped; the next run resumes "
        "there.",
    )
    orders_sync_window_start = fields.Datetime(readonly=True, copy=False)
    orders_sync_window_end = fields.Datetime(readonly=True, copy=False)
    last_sync_message = fields.Text("Last Sync Report", readonly=True, copy=False)
    last_sync_start = fields.Datetime(
        "Last Sync Started", readonly=True, copy=False, help="When the last order sync run began."
    )
    last_sync_end = fields.Datetime(
        "Last Sync Ended",
        readonly=True,
        copy=False,
        help="When the last order sync run ended. Earlier than its start while a run is going on "
        "(or if the run was killed: the next one resumes from what was committed).",
    )
    orders_sync_requested = fields.Boolean(
        "Sync Queued",
        readonly=True,
        copy=False,
        help="'Sync now' was pressed: the scheduled action syncs this account first, in the "
        "background.",
    )
    offer_ids = fields.One2many("amazon.offer", "account_id", "Offers")
    sync_error_ids = fields.One2many("amazon.sync.error", "account_id", "Sync Errors")
    open_error_count = fields.Integer(compute="_compute_open_error_count")
    partner_id = fields.Many2one(
        "res.partner",
        "Amazon Customer",
        check_company=True,
        help="The customer of the orders of this account; each order's delivery address becomes "
        "a delivery contact of it. Created by the first sync when empty.",
    )

    def _compute_open_error_count(self):
        groups = self.env["amazon.sync.error"]._read_group(
            [("account_id", "in", self.ids), ("state", "=", "open")], ["account_id"], ["__count"]
        )
        counts = {account.id: count for account, count in groups}
        for account in self:
            account.open_error_count = counts.get(account.id, 0)

    # ------------------------------------------------------------------ actions

    def action_sync_orders(self):
        """ "Sync now" button: queue this account for the scheduled action, at once.

        Nothing is fetched or booked in the HTTP request (Odoo kills a request after
        ``limit_time_real``): the scheduled action "Amazon: sync orders" runs the job in a cron
        worker, this account first, and the form shows its progress and result.
        """
        self.ensure_one()
        self.check_access("write")  # Amazon managers only
        self.orders_sync_requested = True
        self._amazon_trigger_job("ir_cron_amazon_sync_orders")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Amazon order sync queued"),
                "message": self.env._(
                    "The scheduled action 'Amazon: sync orders' syncs %(account)s in the "
                    "background, in a minute at most. Its progress and result appear on the "
                    "account (Last Sync Report).",
                    account=self.name,
                ),
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_sync_errors(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sync Errors"),
            "res_model": "amazon.sync.error",
            "view_mode": "list,form",
            "domain": [("account_id", "=", self.id)],
            "context": {"search_default_filter_open": 1},
        }

    # ------------------------------------------------------------------ cron / entry points

    @api.model
    def _sync_orders(self):
        """Scheduled action: sync the orders of ``self``, or of every active account if empty.

        One call works within one time budget (see amazon_account_jobs.py), over the accounts
        queued by "Sync now" first, then the least recently synced. It commits as it goes and,
        when work remains, triggers itself again: at once, or when Amazon's quota allows.
        """
        accounts = self or self.search(
            [("active", "=", True)],
            order="orders_sync_requested desc, last_sync_start asc nulls first, id",
        )
        budget = self._amazon_job_budget()
        deadline = time.monotonic() + budget
        runs, again_in = [], []
        for account in accounts:
            if time.monotonic() >= deadline:
                again_in.append(0)  # the others wait for the next call, right away
                break
            run = account._amazon_sync_orders_one(deadline=deadline)
            runs.append(run)
            if run.again_in is not None:
                again_in.append(run.again_in)
        done = sum(run.counts["booked"] + run.counts["cancelled"] for run in runs)
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        if again_in:
            self._amazon_trigger_job("ir_cron_amazon_sync_orders", delay=min(again_in))
        return runs

    def _amazon_sync_orders_one(self, time_budget=None, deadline=None):
        """Sync one account: new and updated orders from Amazon, then the open errors' retries."""
        self.ensure_one()
        if deadline is None:
            deadline = self._amazon_job_deadline(time_budget)
        return self.with_company(self.company_id)._amazon_sync_run(deadline)

    def _amazon_sync_run(self, deadline):
        run = SyncRun(self)
        if not self._amazon_try_lock():
            self.last_sync_message = self.env._(
                "Skipped: another order sync of this account is running."
            )
            return run
        stop_reason = None
        try:
            self.write(
                {
                    "last_sync_start": fields.Datetime.now(),
                    "orders_sync_requested": False,
                    "last_sync_message": self.env._("Running since %(start)s.", start=_now()),
                }
            )
            self._amazon_checkpoint()
            # Older sales first: stock that arrived since the last run goes to their open quantity.
            self._amazon_attribute_pending_lots()
            self._amazon_checkpoint()
            try:
                budget = max(1.0, deadline - time.monotonic())
                run.overtime = self._amazon_job_overtime(deadline, budget)
                adapter = self._get_sp_api_adapter(
                    deadline=deadline,
                    max_wait=MAX_RATE_LIMIT_WAIT,
                    timeout=self._amazon_request_timeout(budget),
                )
                stop_reason = self._amazon_fetch_and_apply(adapter, run)
            except (AmazonError, UserError) as exc:  # could not start: credentials, endpoint...
                stop_reason = _error_message(exc)
            self._amazon_retry_due_errors(run, deadline)
        except _LockLost:
            stop_reason = self.env._("Another run of this account took over; it goes on.")
            run.again_in = None
        self.write(
            {
                "last_sync_message": self._amazon_run_report(run, stop_reason),
                "last_sync_end": fields.Datetime.now(),
            }
        )
        _logger.info("Amazon account %s: %s", self.name, self.last_sync_message)
        self._amazon_commit()
        return run

    def _amazon_checkpoint(self):
        """Commit what is done, then take this account's lock again (a commit releases it)."""
        self._amazon_commit()
        if not self._amazon_try_lock():
            raise _LockLost()

    def _amazon_try_lock(self):
        """Take this account's order-sync lock until the transaction ends; False if taken.

        A transaction-level advisory lock: two runs of the same account (cron and "Sync now",
        or two workers) cannot interleave, and nothing else (editing the account) is blocked.
        A killed worker's lock goes with its connection. Each commit point takes it again.
        """
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [SYNC_LOCK_NAMESPACE, self.id]
        )
        return self.env.cr.fetchone()[0]

    def _amazon_lock_or_refuse(self):
        """The account lock for a button (Retry, Attribute Now), or a clear refusal."""
        if not self._amazon_try_lock():
            raise UserError(
                self.env._(
                    "An order sync of Amazon account %(account)s is running: try again in a "
                    "minute.",
                    account=self.name,
                )
            )

    def _amazon_sync_window(self):
        now = fields.Datetime.now()
        end = now - timedelta(minutes=const.ORDERS_MIN_AGE_MINUTES)
        start = (self.last_orders_sync or now - timedelta(days=FIRST_SYNC_DAYS)) - timedelta(
            minutes=const.ORDERS_OVERLAP_MINUTES
        )
        return start, end

    def _amazon_fetch_and_apply(self, adapter, run):
        """Walk Amazon's pages, book and commit each. Returns why it stopped early, or None.

        The resume token is committed with the page it follows, and the watermark only once the
        last page is: a run killed at any instant loses at most the page in flight, which the
        next run fetches again with the committed token.
        """
        if self.orders_sync_token and self.orders_sync_window_end:
            start, end = self.orders_sync_window_start, self.orders_sync_window_end
            token = self.orders_sync_token
        else:
            (start, end), token = self._amazon_sync_window(), None
        self.write({"orders_sync_window_start": start, "orders_sync_window_end": end})
        marketplace_ids = self.marketplace_ids.mapped("api_ref")
        try:
            for page in adapter.iter_order_pages(
                marketplace_ids=marketplace_ids,
                last_updated_after=_iso(start),
                last_updated_before=_iso(end),
                page_token=token,
            ):
                if not self._amazon_apply_orders(page.orders, run):
                    # Out of time in the middle of the page: keep what is booked, and read the
                    # page again next time (its booked orders are then left as they are).
                    self._amazon_checkpoint()
                    run.again_in = 0
                    return self.env._("Out of time in the middle of a page of orders.")
                # Each page is booked before the next is asked for: resume from here if stopped.
                self.orders_sync_token = page.next_token or False
                run.pages += 1
                self._amazon_checkpoint()
        except AmazonBudgetExhausted as exc:
            run.again_in = exc.retry_in or 0
            return self.env._("Stopped to respect Amazon's rate limit (%(why)s).", why=exc)
        except AmazonAuthError:
            raise
        except AmazonPermanentError as exc:
            if token:  # Amazon refused our resume token (expired): start the window again.
                self.orders_sync_token = False
            return str(exc)
        except AmazonError as exc:
            return str(exc)
        # Everything up to ``end`` is handled: move the watermark; the overlap is taken off
        # the next window's start, so a late update just before ``end`` is still seen.
        self.write(
            {
                "last_orders_sync": end,
                "orders_sync_token": False,
                "orders_sync_window_start": False,
                "orders_sync_window_end": False,
            }
        )
        self._amazon_checkpoint()
        return None

    def _amazon_retry_due_errors(self, run, deadline):
        """Retry the open errors whose next attempt is due, in batches, within the budget."""
        Error = self.env["amazon.sync.error"]
        errors = Error.search(Error._amazon_due_domain(self))
        for start in range(0, len(errors), RETRY_BATCH):
            if time.monotonic() >= deadline:
                run.again_in = 0 if run.again_in is None else run.again_in
                break
            self._amazon_retry_errors(errors[start : start + RETRY_BATCH], run)
            self._amazon_checkpoint()

    def _amazon_retry_errors(self, errors, run=None):
        """Book again, from their stored payload, the open errors not already seen by this run."""
        self.ensure_one()
        run = run or SyncRun(self)
        errors = errors.filtered(lambda e: e.state == "open")
        raws = []
        for error in errors:
            if error.amazon_order_ref in run.seen_refs:
                continue
            raw = error._raw_order()
            if raw is None:
                continue
            raws.append(raw)
        if raws:
            self._amazon_apply_orders(raws, run, from_retry=True)
        return run

    # ------------------------------------------------------------------ apply

    def _amazon_apply_orders(self, raw_orders, run, from_retry=False):
        """Book a page of orders: one bad order never stops the others.

        Each order is mapped and checked in its own savepoint (a refusal is that order's error);
        the new orders are then booked together, up to ``BATCH_SIZE`` at a time, in one
        savepoint (:meth:`_amazon_book_batch`). An update, cancellation or MCF order of the page
        books its stock at once, so the new orders collected before it are booked first: stock
        goes out in page order, as when each order is booked on its own. Under the context key
        ``amazon_fba_kit__no_batch`` every order is booked on its own.

        Returns False when the run's time was up before every order was handled (checked before
        each order; a batch, once started, is booked).
        """
        refs = [_order_ref(raw) for raw in raw_orders]
        existing = {
            order.amazon_order_ref: order
            for order in self.env["sale.order"].search(
                [("amazon_account_id", "=", self.id), ("amazon_order_ref", "in", refs)]
            )
        }
        errors = {
            error.amazon_order_ref: error
            for error in self.env["amazon.sync.error"].search(
                [("account_id", "=", self.id), ("amazon_order_ref", "in", refs)]
            )
        }
        self._amazon_prepare_offers(raw_orders, run)
        batching = not self.env.context.get(NO_BATCH_KEY)
        collected = []  # [(ref, raw, NewOrder)]: new orders waiting to be booked together
        for raw, ref in zip(raw_orders, refs, strict=True):
            if collected and (
                len(collected) >= BATCH_SIZE or not _batchable(raw, existing.get(ref))
            ):
                self._amazon_book_batch(collected, run, existing, errors)
                collected = []
            if (
                run.overtime is not None
                and time.monotonic() > run.overtime
                and (run.handled() or collected)
            ):
                self._amazon_book_batch(collected, run, existing, errors)
                return False
            run.seen_refs.add(ref)
            new_order = self._amazon_apply_one(raw, ref, existing.get(ref), errors, run, batching)
            if new_order:
                collected.append((ref, raw, new_order))
        self._amazon_book_batch(collected, run, existing, errors)
        return True

    def _amazon_apply_one(self, raw, ref, sale_order, errors, run, defer=False):
        """Apply one order in its own savepoint; record its error or count its outcome.

        With ``defer``, a new order is only checked, and returned (a ``NewOrder``) for the
        page's batch to book (``run.batch`` tells :meth:`_amazon_apply_order` so); else None.
        """
        run.batch = [] if defer else None
        try:
            with self.env.cr.savepoint():
                outcome, order = self._amazon_apply_order(raw, sale_order, run)
        except Exception as exc:  # noqa: BLE001 - isolate every failure to its own order
            run.reset()
            run.counts["failed"] += 1
            run.failures.append((ref, _error_message(exc)))
            self._amazon_record_error(ref, raw, exc, errors.get(ref))
            return None
        finally:
            deferred, run.batch = run.batch, None
        if outcome == "deferred":
            return deferred[0]
        self._amazon_count(ref, outcome, order, errors, run)
        return None

    def _amazon_count(self, ref, outcome, order, errors, run):
        """Count an order's outcome in the run; a booked order resolves its open error."""
        run.counts[outcome] += 1
        if outcome == "booked" and order:
            run.kit_lines += len(order.order_line.filtered("amazon_tracked_product_id"))
        error = errors.get(ref)
        if error and error.state == "open" and outcome != "pending":
            error.write({"state": "resolved", "sale_order_id": order.id if order else False})

    def _amazon_book_batch(self, collected, run, existing, errors):
        """Book the new orders ``collected`` (``[(ref, raw, NewOrder)]``) in one savepoint.

        If anything fails, the savepoint is rolled back and each order is booked again on its
        own, in its own savepoint, as without batching: the failure stays that order's error and
        the others are booked. No clock check in between: a batch is small (``BATCH_SIZE``).
        """
        if not collected:
            return
        try:
            with self.env.cr.savepoint():
                sale_orders = self._amazon_book_new_orders(
                    [new_order for _ref, _raw, new_order in collected], run
                )
        except Exception as exc:  # noqa: BLE001 - find the order that fails: one by one
            run.reset()
            _logger.info(
                "Amazon account %s: a batch of %s new orders failed (%s); booking them one by one",
                self.name,
                len(collected),
                _error_message(exc),
            )
            for ref, raw, _new_order in collected:
                self._amazon_apply_one(raw, ref, existing.get(ref), errors, run)
            return
        for (ref, _raw, _new_order), sale_order in zip(collected, sale_orders, strict=True):
            self._amazon_count(ref, "booked", sale_order, errors, run)

    def _amazon_prepare_offers(self, raw_orders, run):
        """Get (or create) the offers of every SKU of these orders in two or three queries.

        Outside the orders' savepoints, so a SKU that cannot be stored (the mapping refuses
        it per order) must not abort the page: the batch runs in a savepoint, and on failure
        each SKU is tried alone, the bad one left to its order's own error.
        """
        skus = set()
        for raw in raw_orders:
            items = raw.get("orderItems") if isinstance(raw, dict) else None
            for item in items if isinstance(items, list) else ():
                product = (item or {}).get("product") if isinstance(item, dict) else None
                sku = product.get("sellerSku") if isinstance(product, dict) else None
                if isinstance(sku, str) and sku and "\x00" not in sku and sku not in run.offers:
                    skus.add(sku)
        Offer = self.env["amazon.offer"]
        try:
            with self.env.cr.savepoint():
                run.offers.update(Offer._get_or_create_for_skus(self, skus) if skus else {})
        except Exception:  # noqa: BLE001 - one bad SKU: retry them one by one below
            for sku in sorted(skus):
                try:
                    with self.env.cr.savepoint():
                        run.offers.update(Offer._get_or_create_for_skus(self, {sku}))
                except Exception:  # noqa: BLE001 - its order fails on its own, with the reason
                    _logger.info("Amazon account %s: no offer for SKU %r", self.name, sku)

    def _amazon_record_error(self, ref, raw, exc, error):
        kind = getattr(exc, "kind", None)
        if isinstance(exc, AmazonMappingError):
            kind = "malformed"
        now = fields.Datetime.now()
        attempts = error.attempt_count + 1 if error else 1
        vals = {
            "kind": kind or "unexpected",
            "message": _error_message(exc),
            "payload": json.dumps(raw, indent=1, sort_keys=True, default=str),
            "state": "open",
            "last_attempt": now,
            "next_attempt": (
                False
                if kind in MANUAL_KINDS
                else now + self.env["amazon.sync.error"]._amazon_backoff(attempts)
            ),
            "product_id": getattr(getattr(exc, "product", None), "id", False),
            "offer_id": getattr(getattr(exc, "offer", None), "id", False),
        }
        if kind in (None, "unexpected"):
            _logger.warning("Amazon order %s could not be booked: %s", ref, vals["message"])
        if error:
            vals["attempt_count"] = attempts
            error.write(vals)
        else:
            self.env["amazon.sync.error"].create(
                dict(vals, account_id=self.id, amazon_order_ref=ref, attempt_count=1)
            )

    def _amazon_run_report(self, run, stop_reason):
        counts = run.counts
        parts = [
            self.env._(
                "%(booked)s order(s) booked (%(kits)s line(s) sold as FBA kits), %(cancelled)s "
                "cancelled, %(pending)s waiting for Amazon, %(failed)s failed.",
                booked=counts["booked"],
                kits=run.kit_lines,
                cancelled=counts["cancelled"],
                pending=counts["pending"],
                failed=counts["failed"],
            )
        ]
        if run.pages:
            parts.append(self.env._("%(pages)s page(s) of orders read.", pages=run.pages))
        if stop_reason:
            parts.append(
                self.env._(
                    "The run stopped early and the next one resumes where it stopped: %(why)s",
                    why=stop_reason,
                )
            )
        for ref, message in run.failures[:20]:
            parts.append(f"- {ref}: {message}")
        return "\n".join(parts)


def _now():
    return fields.Datetime.to_string(fields.Datetime.now())


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def _batchable(raw, sale_order):
    """Whether ``raw`` may wait in a batch: a new order that is not Multi-Channel Fulfilment."""
    if sale_order:
        return False
    channel = raw.get("salesChannel") if isinstance(raw, dict) else None
    return not (
        isinstance(channel, dict) and channel.get("channelName") == mapping.CHANNEL_NON_AMAZON
    )


def _order_ref(raw):
    if isinstance(raw, dict) and isinstance(raw.get("orderId"), str) and raw["orderId"]:
        return raw["orderId"]
    digest = json.dumps(raw, sort_keys=True, default=str).encode()
    return "malformed-" + hashlib.sha1(digest).hexdigest()[:12]


def _error_message(exc):
    if isinstance(exc, UserError):
        return exc.args[0] if exc.args else str(exc)
    if isinstance(exc, AmazonError):
        return str(exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"
