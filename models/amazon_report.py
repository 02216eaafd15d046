"""FBA reports of an Amazon account (Reports API): requested, polled, downloaded, imported once.

The scheduled action ``ir_cron_amazon_reports`` works through each account's reports as a state
machine whose state is committed after every step, so a killed run resumes where it stopped:

- *requested*: Amazon accepted ``createReport`` and gave its report id (one report per type and
  account per day, covering the last :data:`LOOKBACK_DAYS` days: Amazon posts events late, and
  rows already imported are recognised by their identity);
- *in_progress*: ``getReport`` said IN_QUEUE / IN_PROGRESS: left as is, the scheduled action is
  triggered again in a minute (never sleeping in a transaction);
- *done*: Amazon's document is ready; *imported*: its rows are stored (``amazon.ledger.row``)
  and applied; *cancelled*: Amazon cancelled it (no data); *error*: FATAL or unreadable.
"""

import logging
from datetime import datetime, time, timedelta

from odoo import api, fields, models

from ..spapi import reports as spapi_reports
from ..spapi.exceptions import AmazonBudgetExhausted, AmazonError, AmazonRetryableError
from .amazon_account_jobs import MAX_RATE_LIMIT_WAIT

_logger = logging.getLogger(__name__)

CRON_XMLID = "ir_cron_amazon_reports"
LOOKBACK_DAYS = 3  # days each daily report covers (overlapping: late events are caught)
POLL_DELAY = 60  # seconds before polling a pending report again
REPORT_TYPES = [
    (spapi_reports.REPORT_LEDGER, "FBA Inventory Ledger (detailed)"),
    (spapi_reports.REPORT_CUSTOMER_RETURNS, "FBA Customer Returns"),
]


class AmazonReport(models.Model):
    _name = "amazon.report"
    _description = "Amazon Report"
    _check_company_auto = True
    _order = "create_date desc, id desc"
    _rec_name = "report_type"

    account_id = fields.Many2one(
        "amazon.account", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    report_type = fields.Selection(REPORT_TYPES, required=True, readonly=True)
    date_start = fields.Datetime("Period Start", readonly=True)
    date_end = fields.Datetime("Period End", readonly=True)
    amazon_report_ref = fields.Char("Amazon Report ID", readonly=True, copy=False)
    amazon_document_ref = fields.Char("Amazon Document ID", readonly=True, copy=False)
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("in_progress", "In Progress"),
            ("done", "Ready"),
            ("imported", "Imported"),
            ("cancelled", "Cancelled by Amazon"),
            ("error", "Error"),
        ],
        default="requested",
        required=True,
        readonly=True,
        index=True,
    )
    row_count = fields.Integer(
        "Rows Imported", readonly=True, help="New rows this report added to the ledger."
    )
    row_ids = fields.One2many("amazon.ledger.row", "report_id", "Rows", readonly=True)
    message = fields.Text(readonly=True, help="What happened to this report, or why it stopped.")

    _sql_constraints = (
        (
            "amazon_report_ref_uniq",
            "unique(account_id, amazon_report_ref)",
            "An Amazon report is recorded once per account.",
        ),
    )

    # ------------------------------------------------------------------ cron

    @api.model
    def _cron_amazon_reports(self):
        """Scheduled action: request, poll, download and import the FBA reports of every active
        account, then retry its ledger rows that could not be applied. Never raises for one
        account's failure: it is written on the report."""
        Account = self.env["amazon.account"]
        for account in Account.search([("active", "=", True)]):
            account = account.with_company(account.company_id)
            self.with_company(account.company_id)._amazon_reports_run(account)
        return True

    def _amazon_reports_run(self, account, now=None):
        """One pass over ``account``'s reports; commits after each report."""
        Account = self.env["amazon.account"]
        budget = Account._amazon_job_budget()
        try:
            adapter = account._get_sp_api_adapter(
                deadline=Account._amazon_job_deadline(budget),
                timeout=Account._amazon_request_timeout(budget),
                max_wait=MAX_RATE_LIMIT_WAIT,
            )
        except Exception as error:  # noqa: BLE001  # UserError / AmazonError: reported, not raised
            _logger.info("Amazon account %s: reports not run: %s", account.id, error)
            return
        applied = self.env["amazon.ledger.row"]
        with adapter:
            try:
                self._amazon_request_reports(adapter, account, now)
                pending = self.search(
                    [
                        ("account_id", "=", account.id),
                        ("state", "in", ("requested", "in_progress", "done")),
                    ],
                    order="id",
                )
                for report in pending:
                    applied |= report._amazon_advance(adapter)
                    Account._amazon_commit()
            except AmazonBudgetExhausted as error:
                Account._amazon_trigger_job(CRON_XMLID, delay=error.retry_in or 0)
            except AmazonRetryableError as error:
                _logger.info("Amazon account %s: reports stopped: %s", account.id, error)
                Account._amazon_trigger_job(CRON_XMLID, delay=POLL_DELAY)
        self.env["amazon.ledger.row"]._amazon_retry(account, exclude=applied)
        Account._amazon_commit()

    def _amazon_request_reports(self, adapter, account, now=None):
        """Request today's report of each type not requested yet (one per type and day)."""
        today = datetime.combine((now or fields.Datetime.now()).date(), time.min)
        for report_type, _label in REPORT_TYPES:
            if self.search_count(
                [
                    ("account_id", "=", account.id),
                    ("report_type", "=", report_type),
                    ("date_end", "=", today),
                ]
            ):
                continue
            start = today - timedelta(days=LOOKBACK_DAYS)
            marketplaces = account.marketplace_ids.mapped("api_ref")
            try:
                report_ref = adapter.create_report(
                    report_type=report_type,
                    marketplace_ids=marketplaces,
                    start=start,
                    end=today,
                )
            except (AmazonRetryableError, AmazonBudgetExhausted):
                raise
            except AmazonError as error:
                self.create(
                    {
                        "account_id": account.id,
                        "report_type": report_type,
                        "date_start": start,
                        "date_end": today,
                        "state": "error",
                        "message": account._hide_secrets(str(error)),
                    }
                )
                continue
            self.create(
                {
                    "account_id": account.id,
                    "report_type": report_type,
                    "date_start": start,
                    "date_end": today,
                    "amazon_report_ref": report_ref,
                    "state": "requested",
                }
            )
            self.env["amazon.account"]._amazon_commit()

    def _amazon_advance(self, adapter):
        """Move this report one or two steps on: poll it, then import it when ready.

        :return: the ledger rows it imported (and applied), if any
        """
        self.ensure_one()
        Row = self.env["amazon.ledger.row"]
        if self.state in ("requested", "in_progress"):
            try:
                report = adapter.get_report(self.amazon_report_ref)
            except (AmazonRetryableError, AmazonBudgetExhausted):
                raise
            except AmazonError as error:
                self.write({"state": "error", "message": str(error)})
                return Row
            status = report.get("processingStatus")
            if status in spapi_reports.PENDING_STATUSES:
                self.write({"state": "in_progress", "message": False})
                self.env["amazon.account"]._amazon_trigger_job(CRON_XMLID, delay=POLL_DELAY)
                return Row
            if status == spapi_reports.STATUS_CANCELLED:
                self.write(
                    {
                        "state": "cancelled",
                        "message": self.env._(
                            "Amazon cancelled this report (no data for the period, or it "
                            "replaced it): nothing to import."
                        ),
                    }
                )
                return Row
            if status != spapi_reports.STATUS_DONE or not report.get("reportDocumentId"):
                self.write(
                    {
                        "state": "error",
                        "message": self.env._(
                            "Amazon could not produce this report (status %(status)s): the next "
                            "daily run requests a new one.",
                            status=status,
                        ),
                    }
                )
                return Row
            self.write({"state": "done", "amazon_document_ref": report["reportDocumentId"]})
        if self.state == "done":
            return self._amazon_import(adapter)
        return Row

    def _amazon_import(self, adapter):
        """Download, parse and store the rows of this ready report, then apply them.

        :return: the new ledger rows
        """
        self.ensure_one()
        Row = self.env["amazon.ledger.row"]
        try:
            content, charset = adapter.get_report_document(self.amazon_document_ref)
        except (AmazonRetryableError, AmazonBudgetExhausted):
            raise
        except AmazonError as error:
            self.write({"state": "error", "message": str(error)})
            return Row
        try:
            rows = spapi_reports.parse(self.report_type, spapi_reports.decode(content, charset))
        except spapi_reports.ReportFormatError as error:
            self.write(
                {
                    "state": "error",
                    "message": self.env._("Unreadable report document: %(error)s", error=error),
                }
            )
            return Row
        new_rows = self.env["amazon.ledger.row"]._amazon_store(self, rows)
        malformed = sum(1 for row in rows if isinstance(row, spapi_reports.MalformedRow))
        self.write(
            {
                "state": "imported",
                "row_count": len(new_rows),
                "message": self.env._(
                    "%(total)s rows read, %(new)s new, %(malformed)s malformed.",
                    total=len(rows),
                    new=len(new_rows),
                    malformed=malformed,
                ),
            }
        )
        new_rows._amazon_apply()
        return new_rows
