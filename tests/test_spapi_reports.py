"""Pure tests of the FBA report documents parser (no database)."""

import datetime
import gzip
import unittest

from ..spapi import reports
from ..tools.sp_api_simulator import report_document

LEDGER_HEADER = (
    '"Date"\t"FNSKU"\t"ASIN"\t"MSKU"\t"Title"\t"Event Type"\t"Reference ID"\t"Quantity"\t'
    '"Fulfillment Center"\t"Disposition"\t"Reason"\t"Country"\t"Reconciled Quantity"\t'
    '"Unreconciled Quantity"\t"Date and Time"'
)
LEDGER_ROWS = (
    (
        '"05/26/2021"\t"X001SL"\t"B0000COYXD"\t"SLU_2PK"\t"How Deep Lies the Shadow"\t'
        '"Adjustments"\t"21188081"\t"-16"\t"LGB3"\t"SELLABLE"\t"M"\t"US"\t"5"\t"11"\t"2021-05-26T04:10:00-0700"'
    ),
    (
        '"07/06/2026"\t"X004XONY53"\t"B0G51NDRX4"\t"FB-COF-HGE-250"\t"Example Coffee 250g"\t'
        '"Shipments"\t""\t"-1"\t"ACY1"\t"SELLABLE"\t""\t"US"\t""\t""\t"2026-07-06T00:00:00-07:00"'
    ),
)
RETURNS = (
    "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
    "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n"
    "2026-06-28T05:45:35+00:00\t113-2355691-4739435\tFPS0028-FBA\tB0TEST0001\tX001TEST01\t"
    "Hydration Conditioner 75ml\t1\tPHX3\tSELLABLE\tUNWANTED_ITEM\tUnit returned to inventory\t"
    "LPNRR0000000001\t\n"
)


class TestLedgerParser(unittest.TestCase):
    def test_quoted_spaced_header(self):
        """Amazon's quoted layout: every field read, dates and signed quantities converted."""
        rows = reports.parse_ledger("\ufeff" + LEDGER_HEADER + "\r\n" + "\r\n".join(LEDGER_ROWS))
        self.assertEqual(len(rows), 2)
        first, second = rows
        self.assertIsInstance(first, reports.LedgerRow)
        self.assertEqual(first.date, datetime.date(2021, 5, 26))
        self.assertEqual(first.sku, "SLU_2PK")
        self.assertEqual(first.event_type, reports.EVENT_ADJUSTMENTS)
        self.assertEqual(first.quantity, -16)
        self.assertEqual(first.reason, "M")
        self.assertEqual(first.reference, "21188081")
        self.assertEqual(first.fulfillment_center, "LGB3")
        self.assertEqual(first.moment, datetime.datetime(2021, 5, 26, 11, 10))
        # the offset with a colon is read as well
        self.assertEqual(second.moment, datetime.datetime(2026, 7, 6, 7, 0))
        self.assertEqual(second.reference, "")

    def test_camel_case_header_and_store_column(self):
        """The developer docs' camel-cased names and the optional 16th column are accepted."""
        header = (
            LEDGER_HEADER.replace('"Event Type"', '"EventType"').replace(
                '"Fulfillment Center"', '"FulfillmentCenter"'
            )
            + '\t"Store"'
        )
        rows = reports.parse_ledger(header + "\n" + LEDGER_ROWS[0] + '\t""\n')
        self.assertEqual(rows[0].event_type, "Adjustments")
        self.assertEqual(rows[0].fulfillment_center, "LGB3")

    def test_malformed_rows_keep_a_reason(self):
        bad_qty = LEDGER_ROWS[0].replace('"-16"', '"many"')
        bad_date = LEDGER_ROWS[0].replace('"05/26/2021"', '"2021-26-05"')
        rows = reports.parse_ledger(f'{LEDGER_HEADER}\n{bad_qty}\n{bad_date}\n"x"\t"y"')
        self.assertTrue(all(isinstance(row, reports.MalformedRow) for row in rows))
        self.assertIn("Quantity 'many' is not a whole number", rows[0].reason)
        self.assertIn("Date", rows[1].reason)
        self.assertEqual(rows[2].reason, "too few columns")
        self.assertEqual([row.line for row in rows], [2, 3, 4])

    def test_missing_column_refuses_the_document(self):
        with self.assertRaisesRegex(reports.ReportFormatError, "Quantity|quantity"):
            reports.parse_ledger(LEDGER_HEADER.replace('"Quantity"', '"Qty"'))

    def test_identical_lines_are_separate_events(self):
        """Two identical single-unit lines are two events, with stable distinct identities."""
        text = "\n".join((LEDGER_HEADER, LEDGER_ROWS[1], LEDGER_ROWS[1]))
        ids = [
            i for _row, i in reports.identities(reports.REPORT_LEDGER, reports.parse_ledger(text))
        ]
        self.assertEqual(len(set(ids)), 2)
        again = reports.identities(reports.REPORT_LEDGER, reports.parse_ledger(text))
        self.assertEqual(ids, [i for _row, i in again])

    def test_identity_ignores_what_amazon_updates_later(self):
        """A later report of the same adjustment, now partly reconciled, is the same event."""
        first = reports.parse_ledger(f"{LEDGER_HEADER}\n{LEDGER_ROWS[0]}")
        later_row = LEDGER_ROWS[0].replace('"5"\t"11"', '"16"\t"0"').replace("Shadow", "Shade")
        later = reports.parse_ledger(f"{LEDGER_HEADER}\n{later_row}")
        self.assertNotEqual(first[0].raw, later[0].raw)
        self.assertEqual(
            reports.identities(reports.REPORT_LEDGER, first)[0][1],
            reports.identities(reports.REPORT_LEDGER, later)[0][1],
        )


class TestReturnsParser(unittest.TestCase):
    def test_plain_layout(self):
        (row,) = reports.parse_customer_returns(RETURNS)
        self.assertEqual(row.order_id, "113-2355691-4739435")
        self.assertEqual(row.quantity, 1)
        self.assertEqual(row.disposition, "SELLABLE")
        self.assertEqual(row.license_plate, "LPNRR0000000001")
        self.assertEqual(row.date, datetime.date(2026, 6, 28))

    def test_amazon_order_id_alias_and_sc_date(self):
        text = RETURNS.replace("order-id", "amazon-order-id").replace(
            "2026-06-28T05:45:35+00:00", "28-06-2026"
        )
        (row,) = reports.parse_customer_returns(text)
        self.assertEqual(row.order_id, "113-2355691-4739435")
        self.assertEqual(row.date, datetime.date(2026, 6, 28))
        self.assertIsNone(row.moment)

    def test_non_positive_quantity_is_malformed(self):
        (row,) = reports.parse_customer_returns(RETURNS.replace("\t1\tPHX3", "\t0\tPHX3"))
        self.assertIsInstance(row, reports.MalformedRow)
        self.assertIn("not positive", row.reason)

    def test_gzip_and_charset(self):
        body = gzip.compress(RETURNS.replace("Hydration", "Hydratation é").encode("cp1252"))
        text = reports.decode(reports.decompress(body, "GZIP"))
        self.assertIn("Hydratation é", text)
        self.assertEqual(reports.decompress(b"plain", None), b"plain")
        with self.assertRaises(reports.ReportFormatError):
            reports.decompress(b"not gzip", "GZIP")

    def test_written_document_round_trips(self):
        doc = report_document(
            reports.REPORT_LEDGER,
            [{"Date": "01/02/2026", "MSKU": "A", "Event Type": "Adjustments", "Quantity": "-1"}],
        )
        (row,) = reports.parse_ledger(doc)
        self.assertEqual((row.sku, row.quantity), ("A", -1))
