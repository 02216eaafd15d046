"""How the lots of an account's shipped tracked units were known, over a period: counts."""

from datetime import timedelta

from odoo import api, fields, models

INFERRED = ("fifo", "fefo")


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    amazon_provenance_days = fields.Integer(
        "Provenance Period (days)",
        default=30,
        help="The lot provenance counts of this account cover the tracked units shipped in "
        "this many last days.",
    )
    amazon_units_reported = fields.Float(
        "Reported by Amazon",
        compute="_compute_amazon_provenance_counts",
        digits="Product Unit of Measure",
        help="Units (of lot/serial tracked products) shipped to customers in the period whose "
        "lot Amazon reported: serial numbers of an order, lot codes of an MCF shipment.",
    )
    amazon_units_inferred = fields.Float(
        "Inferred (FIFO/FEFO)",
        compute="_compute_amazon_provenance_counts",
        digits="Product Unit of Measure",
        help="Units shipped in the period whose lot the addon inferred with the FIFO/FEFO policy.",
    )
    amazon_units_manual = fields.Float(
        "Corrected by Hand",
        compute="_compute_amazon_provenance_counts",
        digits="Product Unit of Measure",
        help="Units whose lot a person set with a lot correction in the period (the units a "
        "correction takes back stay counted where they were first attributed).",
    )
    amazon_units_unattributed = fields.Float(
        "Not Attributed",
        compute="_compute_amazon_provenance_counts",
        digits="Product Unit of Measure",
        help="Tracked units Amazon shipped in the period whose lot is not known: FBA kit sales "
        "under the Kit only policy (or not attributed yet for lack of stock), MCF units left "
        "unbooked under Kit only or still waiting for Amazon's lot codes.",
    )

    @api.depends("amazon_provenance_days")
    def _compute_amazon_provenance_counts(self):
        for account in self:
            # sudo: quantities summed over this account's own shipments (company-filtered),
            # shown to whoever may read the account; no record leaves this method. As the user,
            # the Own Documents rules of sale orders would make them differ per salesperson.
            counts = account.sudo()._amazon_provenance_counts() if account.id else {}
            account.amazon_units_reported = counts.get("amazon", 0.0)
            account.amazon_units_inferred = counts.get("inferred", 0.0)
            account.amazon_units_manual = counts.get("manual", 0.0)
            account.amazon_units_unattributed = counts.get("unattributed", 0.0)

    def _amazon_provenance_counts(self, date_from=None, date_to=None):
        """``{"amazon", "inferred", "manual", "unattributed": units}`` of this account's
        tracked units shipped from ``date_from`` (default: the account's period) to
        ``date_to`` (default: now). A few grouped queries, whatever the number of orders."""
        self.ensure_one()
        date_from = date_from or fields.Datetime.now() - timedelta(
            days=max(self.amazon_provenance_days, 0)
        )
        period = [("date", ">=", date_from)]
        if date_to:
            period.append(("date", "<=", date_to))
        company = [("company_id", "=", self.company_id.id)]
        out = [("state", "=", "done"), ("location_dest_id.usage", "=", "customer")]
        fba_line = [("move_id.amazon_sale_line_id.order_id.amazon_account_id", "=", self.id)]
        mcf_line = [("move_id.amazon_mcf_order_id.account_id", "=", self.id)]
        MoveLine = self.env["stock.move.line"]
        counts = {"amazon": 0.0, "inferred": 0.0, "manual": 0.0, "unattributed": 0.0}
        attributed_fba = 0.0
        for is_fba, which in ((True, fba_line), (False, mcf_line)):
            groups = MoveLine._read_group(
                [*company, *period, *out, ("amazon_lot_source", "!=", False), *which],
                ["amazon_lot_source"],
                ["quantity_product_uom:sum"],
            )
            for source, quantity in groups:
                counts["inferred" if source in INFERRED else source] += quantity
                if is_fba:
                    attributed_fba += quantity
        # FBA: the tracked units the kit lines shipped (kit moves, per kit product) less those
        # attributed; MCF: the tracked units of MCF moves not done (pending or unbooked).
        Move = self.env["stock.move"]
        kit_moves = Move._read_group(
            [
                *company,
                *period,
                *out,
                ("sale_line_id.amazon_tracked_product_id", "!=", False),
                ("sale_line_id.order_id.amazon_account_id", "=", self.id),
            ],
            ["product_id"],
            ["product_qty:sum"],
        )
        shipped_fba = 0.0
        for kit, quantity in kit_moves:
            _component, per_kit = kit._get_amazon_fba_kit_component(self.company_id)
            shipped_fba += quantity * (per_kit or 1.0)
        [(not_booked,)] = Move._read_group(
            [
                *company,
                *period,
                ("state", "!=", "done"),
                ("amazon_mcf_order_id.account_id", "=", self.id),
                ("product_id.tracking", "!=", "none"),
            ],
            [],
            ["product_qty:sum"],
        )
        counts["unattributed"] = max(0.0, shipped_fba - attributed_fba) + (not_booked or 0.0)
        return counts
