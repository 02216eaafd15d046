"""The order sync in Odoo as production runs it: a prefork server with HTTP workers, a cron worker
and a short --limit-time-real-cron, the addon's own scheduled action, a slow Amazon, a SIGKILL.

tools/test.sh copies the test database (the addon installed, nothing else) to ``AFK_PROD_DB``
before the tests start; this test drives a real ``odoo`` server process on that copy, over
XML-RPC as a user would (the account, products, "Sync now"), and reads the result with SQL.

Checked: every order of a backlog that no single run can book within Odoo's limit is booked
exactly once, after the workers were SIGKILLed in the middle of a run; no run was killed by
Odoo's watchdog (each run ended itself within its budget); the window's watermark moved.

Environment knobs (for measuring a bigger backlog by hand, not used by the test command):
``AFK_PREFORK_ORDERS`` (default 160), ``AFK_PREFORK_PAGE`` (20), ``AFK_PREFORK_DELAY`` (3.0 s per
page), ``AFK_PREFORK_LIMIT`` (110 s, --limit-time-real-cron), ``AFK_PREFORK_KILLS`` (1),
``AFK_PREFORK_TIMEOUT`` (300 s), ``AFK_PREFORK_REPORT`` (a file to append the figures to).

Odoo's idle cron worker sleeps up to 69 s without pinging its watchdog, and the sleep counts
against the cron limit: below about 70 s Odoo kills its own idle cron workers. 110 s leaves the
job 40 s after a full idle sleep (a budget of 13 s). Amazon's slow pages alone (8 x 3 s) outlast
that budget even after the kill at a third of the backlog, however fast the booking is (with
batch booking, 2 s pages let one run finish the rest).
"""

import datetime
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import xmlrpc.client

import psycopg2

import odoo
from odoo.tools import config

from ..tools.sp_api_simulator import SpApiSimulator, make_item, make_order

CLIENT_ID = "amzn1.application-oa2-client.fake-prefork"
CLIENT_SECRET = "fake-prefork-secret"
REFRESH_TOKEN = "Atzr|fake.prefork.refresh"


def _env_number(name, default, kind=int):
    return kind(os.environ.get(name, default))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _odoo_script():
    """Odoo's command script: the prefork server starts its long-polling worker with it."""
    script = os.path.join(os.path.dirname(sys.executable), "odoo")
    if os.path.exists(script):
        return script
    return os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")


def _children(pid):
    """PIDs of the direct children of ``pid`` (the server's workers)."""
    result = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            result.append(int(entry))
    return result


class TestProductionPrefork(unittest.TestCase):
    """One short prefork scenario (about two to three minutes here)."""

    def setUp(self):
        super().setUp()
        self.db = os.environ.get("AFK_PROD_DB")
        if not self.db:
            self.skipTest("AFK_PROD_DB is not set: run this test through tools/test.sh")
        self.orders = _env_number("AFK_PREFORK_ORDERS", 160)
        self.page = _env_number("AFK_PREFORK_PAGE", 20)
        self.delay = _env_number("AFK_PREFORK_DELAY", 3.0, float)
        self.limit = _env_number("AFK_PREFORK_LIMIT", 110)
        self.kills = _env_number("AFK_PREFORK_KILLS", 1)
        self.timeout = _env_number("AFK_PREFORK_TIMEOUT", 300)
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.refs = [f"113-{n:07d}-0000001" for n in range(self.orders)]
        backlog = []
        for n, ref in enumerate(self.refs):
            when = now - datetime.timedelta(hours=20) + datetime.timedelta(seconds=30 * n)
            items = [make_item("I1", "PF-SHAKER", 1 + n % 3, 9.5)]
            if n % 4 == 0:
                items.append(make_item("I2", "PF-LOT", 2, 12.9))  # sold as its FBA kit
            backlog.append(make_order(ref, items=items, created=when, last_updated=when))
        self.sim = SpApiSimulator(
            orders=backlog,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
            page_size=self.page,
            rate_limit=50.0,
        )
        self.sim.orders_delay = self.delay
        self.sim.start()
        self.addCleanup(self.sim.stop)
        handle, self.log = tempfile.mkstemp(prefix="afk-prefork-", suffix=".log")
        os.close(handle)
        self.addCleanup(os.unlink, self.log)
        self.port = _free_port()
        self.server = subprocess.Popen(
            [
                sys.executable,
                _odoo_script(),
                f"--addons-path={config['addons_path']}",
                "-d",
                self.db,
                f"--db-filter=^{self.db}$",
                "--workers=2",
                "--max-cron-threads=1",
                f"--limit-time-real-cron={self.limit}",
                "--limit-time-real=120",
                f"--http-port={self.port}",
                f"--gevent-port={_free_port()}",
                "--http-interface=127.0.0.1",
                f"--logfile={self.log}",
                "--log-level=info",
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.addCleanup(self._stop_server)

    def _stop_server(self):
        if self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()

    def _log_text(self):
        with open(self.log, encoding="utf-8", errors="replace") as log:
            return log.read()

    def _fail(self, message):
        self.fail(f"{message}\n--- server log (end) ---\n{self._log_text()[-6000:]}")

    def _rpc(self):
        url = f"http://127.0.0.1:{self.port}/xmlrpc/2/"
        deadline = time.monotonic() + 120
        while True:
            try:
                uid = xmlrpc.client.ServerProxy(url + "common").authenticate(
                    self.db, "admin", "admin", {}
                )
                break
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    self._fail("the prefork server did not start")
                time.sleep(1)
        models = xmlrpc.client.ServerProxy(url + "object", allow_none=True)

        def call(model, method, *args, **kwargs):
            return models.execute_kw(self.db, uid, "admin", model, method, list(args), kwargs)

        return call

    def _sql(self, query, params=()):
        with psycopg2.connect(dbname=self.db) as conn, conn.cursor() as cr:
            cr.execute(query, params)
            rows = cr.fetchall()
        conn.close()
        return rows

    def test_backlog_books_once_despite_kills_and_the_cron_limit(self):
        call = self._rpc()
        # What a seller sets up in the Sales app: products, an FBA kit, an Amazon account.
        call(
            "product.product",
            "create",
            {"name": "PF Shaker", "default_code": "PF-SHAKER", "is_storable": True},
        )
        lot_product = call(
            "product.product",
            "create",
            {
                "name": "PF Vitamin",
                "default_code": "PF-LOT",
                "is_storable": True,
                "tracking": "lot",
            },
        )
        call("product.product", "action_create_amazon_fba_kit", [lot_product])
        us = call("amazon.marketplace", "search", [("api_ref", "=", "ATVPDKIKX0DER")])
        since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
        account = call(
            "amazon.account",
            "create",
            {
                "name": "Prefork US",
                "seller_id": "A1PREFORK",
                "region": "na",
                "lwa_client_id": CLIENT_ID,
                "lwa_client_secret": CLIENT_SECRET,
                "refresh_token": REFRESH_TOKEN,
                "marketplace_ids": [(6, 0, us)],
                "api_endpoint": self.sim.url,
                "lwa_endpoint": self.sim.lwa_url,
                "last_orders_sync": since.strftime("%Y-%m-%d %H:%M:%S"),
            },
        )
        # The other scheduled actions of the database stay out of the way of this scenario.
        cron_id = self._sql(
            "SELECT res_id FROM ir_model_data WHERE module = 'amazon_fba_kit' "
            "AND name = 'ir_cron_amazon_sync_orders'"
        )[0][0]
        self._sql(
            "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' + interval '1 day' "
            "WHERE id != %s RETURNING id",
            [cron_id],
        )
        started = time.monotonic()
        call("amazon.account", "action_sync_orders", [account])  # "Sync now"

        kills = 0
        deadline = started + self.timeout
        while True:
            booked = self._sql(
                "SELECT count(*), count(DISTINCT amazon_order_ref) FROM sale_order "
                "WHERE amazon_account_id = %s",
                [account],
            )[0]
            if booked[0] >= self.orders:
                break
            if kills < self.kills and booked[0] >= self.orders * (kills + 1) // (self.kills + 2):
                for pid in _children(self.server.pid):  # every worker, in the middle of a run
                    os.kill(pid, signal.SIGKILL)
                kills += 1
            if time.monotonic() > deadline or self.server.poll() is not None:
                self._fail(f"only {booked[0]} of {self.orders} orders booked in {self.timeout} s")
            time.sleep(0.5)
        elapsed = time.monotonic() - started

        # Nothing lost, nothing twice: each order once, its lines once, their moves done once.
        booked, distinct = self._sql(
            "SELECT count(*), count(DISTINCT amazon_order_ref) FROM sale_order "
            "WHERE amazon_account_id = %s",
            [account],
        )[0]
        self.assertEqual((booked, distinct), (self.orders, self.orders))
        refs = {
            ref
            for (ref,) in self._sql(
                "SELECT amazon_order_ref FROM sale_order WHERE amazon_account_id = %s", [account]
            )
        }
        self.assertEqual(refs, set(self.refs))
        lines = self._sql(
            "SELECT count(*) FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id "
            "WHERE o.amazon_account_id = %s",
            [account],
        )[0][0]
        self.assertEqual(lines, self.orders + len(range(0, self.orders, 4)))
        moves = self._sql(
            "SELECT count(*), count(DISTINCT m.sale_line_id) FROM stock_move m "
            "JOIN sale_order_line l ON l.id = m.sale_line_id "
            "JOIN sale_order o ON o.id = l.order_id "
            "WHERE o.amazon_account_id = %s AND m.state = 'done'",
            [account],
        )[0]
        self.assertEqual(moves, (lines, lines))
        errors = self._sql(
            "SELECT count(*) FROM amazon_sync_error WHERE account_id = %s AND state = 'open'",
            [account],
        )[0][0]
        self.assertEqual(errors, 0)
        # The window is complete once the last page is committed: wait for the run to end it.
        while self._sql(
            "SELECT orders_sync_token IS NOT NULL FROM amazon_account WHERE id = %s", [account]
        )[0][0]:
            if time.monotonic() > deadline:
                self._fail("the resume token was never cleared")
            time.sleep(0.5)

        log = self._log_text()
        runs = len(re.findall(r"Amazon account Prefork US: ", log))
        self.assertFalse(
            re.findall(r"WorkerCron \(\d+\) timeout after", log),
            "a run outlived Odoo's cron limit and was killed by the watchdog",
        )
        self.assertEqual(kills, self.kills)
        self.assertGreaterEqual(runs, 2, "a single run cannot book this backlog within the limit")
        self.assertIn("The run stopped early", log)
        report = os.environ.get("AFK_PREFORK_REPORT")
        if report:  # the scenario's figures, when measured by hand
            with open(report, "a", encoding="utf-8") as out:
                out.write(
                    f"{self.orders} orders, {self.page}/page, {self.delay}s/page, "
                    f"--limit-time-real-cron={self.limit}: all booked once in {elapsed:.0f} s, "
                    f"{runs} runs ended themselves, {kills} SIGKILL(s) of the workers, "
                    f"0 lost, 0 duplicated\n"
                )
