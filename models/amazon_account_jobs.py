"""What every long job of an Amazon account shares: its time budget, commit points, re-triggering.

Odoo 18 in production runs scheduled actions in a prefork cron worker that the server SIGKILLs
after ``limit_time_real_cron`` seconds (``-1``: ``limit_time_real``, 120 s by default; ``0``: no
limit). That watchdog is reset only once per loop of the worker, *before* it sleeps: the idle
sleep (``SLEEP_INTERVAL`` + up to 9 s, cut short when a job is triggered), the registry loading
of a new worker and every ready job of the database all count against the same limit. A job
cannot see how much of it is already spent, so the jobs here:

- take a time budget of a third of what the limit leaves after a full idle sleep
  (:func:`cron_job_room`); no request starts after it, a request's timeout is a quarter of it,
  and the work on what the last request brought stops at 1.5 times the budget
  (:meth:`_amazon_job_overtime`), after at least one unit of progress. The job thus ends within
  half of that room, which leaves the other half for what ran before it in the same cycle. The
  ``amazon_fba_kit.sync_time_budget`` system parameter can only lower it;
- commit after each unit of work (a page of orders, a batch of retries), so a killed worker loses
  at most the unit in flight, and the state that says where to resume is committed with it;
- when work remains, ask their scheduled action to run again (``ir.cron._trigger``): at once when
  the budget ran out, or when Amazon's quota allows, instead of sleeping in a transaction.

Under test (``TransactionCase``) commits are skipped; a test may patch :meth:`_amazon_commit` to
simulate a kill between two commit points.
"""

import logging
import threading
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.service.server import SLEEP_INTERVAL
from odoo.tools import SQL, config

from ..spapi import const

_logger = logging.getLogger(__name__)

DEFAULT_TIME_BUDGET = 300  # seconds of one job call when Odoo sets no cron limit (threaded mode)
CRON_LIMIT_SHARE = 1 / 3  # part of the cron limit's room one job call may use for requests
MIN_TIME_BUDGET = 5  # seconds: below this a job could not make progress
# Longest idle sleep of the cron worker, its watchdog running (SLEEP_INTERVAL + pid % 10).
CRON_IDLE_SLEEP = SLEEP_INTERVAL + 10
MAX_RATE_LIMIT_WAIT = 5  # seconds a job may sleep for a rate-limit token inside a transaction
NO_COMMIT_KEY = "amazon_fba_kit__no_commit"  # context key: never commit (benchmark, callers' tx)


def cron_time_limit():
    """Seconds after which Odoo kills a cron worker's cycle here, or None when it never does."""
    if not config.get("workers"):
        return None  # threaded server: Odoo only logs a job over the limit
    limit = config.get("limit_time_real_cron")
    if limit is not None and limit < 0:
        limit = config.get("limit_time_real")
    return limit if limit and limit > 0 else None


def lock_row_in_state(record, field, states):
    """Lock the row of ``record`` for this transaction if its ``field`` is still one of
    ``states``: False when another transaction (a second cron worker, a button) holds it or it
    moved on. The scheduled actions that work through a queue take each record this way."""
    record.ensure_one()
    record.env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE id = %s AND %s IN %s FOR UPDATE SKIP LOCKED",
            SQL.identifier(record._table),
            record.id,
            SQL.identifier(field),
            tuple(states),
        )
    )
    if not record.env.cr.fetchone():
        return False
    record.invalidate_recordset()
    return True


def cron_job_room():
    """Seconds a job surely has under Odoo's cron limit (after a full idle sleep), or None."""
    limit = cron_time_limit()
    if limit is None:
        return None
    room = limit - CRON_IDLE_SLEEP
    if room < 3 * MIN_TIME_BUDGET:
        _logger.warning(
            "The cron time limit (%s s) hardly exceeds the cron worker's idle sleep (up to %s s): "
            "Odoo may kill its cron worker before or while it runs a job. Raise "
            "--limit-time-real-cron to 120 s or more.",
            limit,
            CRON_IDLE_SLEEP,
        )
    return max(room, 3 * MIN_TIME_BUDGET)


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    @api.model
    def _amazon_job_budget(self, default=DEFAULT_TIME_BUDGET):
        """Seconds one call of a scheduled job may spend: fits Odoo's cron limit by construction."""
        budget = default
        param = self.env["ir.config_parameter"].sudo().get_param("amazon_fba_kit.sync_time_budget")
        if param:
            try:
                budget = min(budget, max(1, int(param)))
            except ValueError:
                _logger.warning("amazon_fba_kit.sync_time_budget=%r is not a number", param)
        room = cron_job_room()
        if room:
            budget = min(budget, max(MIN_TIME_BUDGET, room * CRON_LIMIT_SHARE))
        return budget

    @api.model
    def _amazon_job_deadline(self, time_budget=None):
        """A ``time.monotonic()`` deadline for a job starting now."""
        return time.monotonic() + (time_budget or self._amazon_job_budget())

    @api.model
    def _amazon_request_timeout(self, budget):
        """HTTP timeout of a job's requests: one started just before the deadline still ends in
        the room the budget leaves under Odoo's limit."""
        return max(2.0, min(const.DEFAULT_TIMEOUT, budget / 4))

    @api.model
    def _amazon_job_overtime(self, deadline, budget):
        """When a job stops working on what its last request brought (``time.monotonic()``)."""
        return deadline + budget / 2

    def _amazon_commit(self):
        """A commit point of a long job: keep what is done, unless under test or asked not to."""
        if getattr(threading.current_thread(), "testing", False) or self.env.context.get(
            NO_COMMIT_KEY
        ):
            self.env.flush_all()
            return
        self.env.cr.commit()  # pylint: disable=invalid-commit  # a job's commit point, by design

    @api.model
    def _amazon_trigger_job(self, xmlid, delay=0):
        """Ask the scheduled action ``xmlid`` of this module to run again in ``delay`` seconds."""
        cron = self.env.ref(f"amazon_fba_kit.{xmlid}", raise_if_not_found=False)
        if not cron:
            return
        at = fields.Datetime.now() + timedelta(seconds=max(0, int(delay) + (1 if delay else 0)))
        # sudo: triggering a scheduled action of this module is part of the job itself; the
        # caller's rights were checked by the caller (a button checks the account's access).
        cron.sudo()._trigger(at if delay else None)
