"""Buyer data retention: anonymise Amazon buyers' personal data N days after the order closed.

Amazon's Data Protection Policy: keep buyer PII only as long as needed to fulfil the order (and at
most 30 days after shipment unless the law requires more). The daily scheduled action "Amazon:
remove buyer data after retention" anonymises

- the buyers' delivery contacts once every order delivered to them was shipped (its stock moves
  done) or cancelled more than the account's retention days ago: name, street, city, phone,
  e-mail go; country, state and ZIP stay for tax; the contact is archived, never deleted (orders,
  deliveries and invoices keep referring to it);
- the buyer and recipient parts of stored sync-error payloads, once Amazon's order there is
  shipped or cancelled, or the error resolved, more than that many days ago.

It works in batches and commits after each one (not under test), so a killed run keeps what it
did and the next run goes on.
"""

import json
import logging
import threading
from datetime import timedelta

from odoo import api, fields, models

from ..spapi import privacy

_logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30
BATCH_SIZE = 200

# Buyer delivery contacts whose every order closed before its account's retention cutoff.
# An order is closed when cancelled (its last write) or when its stock moves are all done or
# cancelled (the last done move's date; the order date for an order without moves). An order
# without Amazon account (a hand-made one to the same contact) uses the default retention.
_DUE_CONTACTS_SQL = """
SELECT p.id
  FROM res_partner p
 WHERE p.amazon_address_key IS NOT NULL
   AND p.create_date < %(now)s - make_interval(days => %(min_days)s)
   AND NOT EXISTS (
        SELECT 1
          FROM sale_order so
          LEFT JOIN amazon_account a ON a.id = so.amazon_account_id
         WHERE so.partner_shipping_id = p.id
           AND NOT COALESCE(
                CASE
                    WHEN so.state = 'cancel' THEN so.write_date
                    WHEN so.state = 'sale' AND NOT EXISTS (
                        SELECT 1
                          FROM stock_move m
                          JOIN sale_order_line l ON l.id = m.sale_line_id
                         WHERE l.order_id = so.id AND m.state NOT IN ('done', 'cancel')
                    ) THEN COALESCE(
                        (SELECT max(m.date)
                           FROM stock_move m
                           JOIN sale_order_line l ON l.id = m.sale_line_id
                          WHERE l.order_id = so.id AND m.state = 'done'),
                        so.date_order)
                END
                < %(now)s - make_interval(
                    days => COALESCE(a.buyer_data_retention_days, %(default_days)s)),
                FALSE)
   )
 ORDER BY p.id
 LIMIT %(limit)s
"""


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    buyer_data_retention_days = fields.Integer(
        "Keep Buyer Data (Days)",
        default=DEFAULT_RETENTION_DAYS,
        required=True,
        tracking=True,
        help="Days after an order is shipped or cancelled before the buyer's name, address, "
        "phone and e-mail are removed from its delivery contact and from stored sync-error "
        "payloads (Amazon's Data Protection Policy: 30). Country, state and ZIP are kept.",
    )

    _sql_constraints = (
        (
            "buyer_data_retention_days_positive",
            "CHECK(buyer_data_retention_days > 0)",
            "Buyer data is kept at least one day after the order is shipped or cancelled.",
        ),
    )

    @api.model
    def _amazon_remove_buyer_data(self, now=None, batch_size=BATCH_SIZE):
        """Scheduled action: anonymise the buyer data past retention, batch by batch.

        Returns ``(contacts, payloads)``, the number anonymised. Safe to run any time.
        """
        now = now or fields.Datetime.now()
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        contacts = self._amazon_anonymize_due_contacts(now, batch_size, auto_commit)
        payloads = self._amazon_anonymize_due_payloads(now, batch_size, auto_commit)
        _logger.info(
            "Amazon buyer data retention: %s delivery contacts and %s sync-error payloads "
            "anonymised",
            contacts,
            payloads,
        )
        return contacts, payloads

    def _amazon_anonymize_due_contacts(self, now, batch_size, auto_commit):
        self.env.flush_all()
        # The shortest retention of any account bounds the contacts worth looking at.
        self.env.cr.execute("SELECT min(buyer_data_retention_days) FROM amazon_account")
        days = [self.env.cr.fetchone()[0] or DEFAULT_RETENTION_DAYS, DEFAULT_RETENTION_DAYS]
        done, seen = 0, set()
        while True:
            self.env.cr.execute(
                _DUE_CONTACTS_SQL,
                {
                    "now": now,
                    "min_days": min(days),
                    "default_days": DEFAULT_RETENTION_DAYS,
                    "limit": batch_size,
                },
            )
            ids = [row[0] for row in self.env.cr.fetchall() if row[0] not in seen]
            if not ids:
                return done
            seen.update(ids)
            self.env["res.partner"].browse(ids)._amazon_anonymize_buyer()
            self.env.flush_all()
            done += len(ids)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _amazon_anonymize_due_payloads(self, now, batch_size, auto_commit):
        # sudo: payloads are restricted to Amazon managers; the job runs for every company.
        Error = self.env["amazon.sync.error"].sudo()
        done, last_id = 0, 0
        while True:
            errors = Error.search(
                [
                    ("id", ">", last_id),
                    ("payload_anonymized", "=", False),
                    ("payload", "!=", False),
                ],
                order="id",
                limit=batch_size,
            )
            if not errors:
                return done
            last_id = errors[-1].id
            due = errors.filtered(lambda error: error._amazon_payload_due(now))
            due._amazon_anonymize_payload()
            done += len(due)
            if due and auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit


class AmazonSyncError(models.Model):
    _inherit = "amazon.sync.error"

    def _amazon_payload_due(self, now):
        """Whether this error's payload is past its account's buyer data retention."""
        self.ensure_one()
        cutoff = now - timedelta(days=self.account_id.buyer_data_retention_days)
        if self.state == "resolved":
            return self.write_date < cutoff
        try:
            closed = privacy.closed_at(json.loads(self.payload))
        except ValueError:  # not JSON: judge by the last attempt
            closed = self.last_attempt
        return bool(closed and closed < cutoff)

    def _amazon_anonymize_payload(self):
        for error in self:
            try:
                payload = json.dumps(privacy.anonymize(json.loads(error.payload)), indent=2)
            except ValueError:
                payload = False  # unreadable: nothing can be kept safely
            error.write({"payload": payload, "payload_anonymized": True})
