"""Recall of a lot: orders whose lot Amazon reported apart from inferred ones; MCF orders too."""

from odoo import Command, api, fields, models

from ..models.stock_move_line import LOT_SOURCES

RECALL_SOURCES = [
    ("amazon", "Reported by Amazon"),
    ("inferred", "Inferred (FIFO/FEFO)"),
    ("manual", "Corrected by hand"),
    ("possible", "Possible (not attributed)"),
]


def recall_source(sources):
    """One recall provenance for an order's set of move line provenances: reported only when
    Amazon reported every unit of the lot the order got."""
    if not sources:
        return "possible"
    if sources == {"amazon"}:
        return "amazon"
    if "manual" in sources:
        return "manual"
    return "inferred"


class StockLotAmazonRecall(models.TransientModel):
    _inherit = "stock.lot.amazon.recall"

    reported_count = fields.Integer(compute="_compute_source_counts")
    inferred_count = fields.Integer(compute="_compute_source_counts")

    @api.depends("line_ids.lot_source")
    def _compute_source_counts(self):
        for recall in self:
            sources = recall.line_ids.mapped("lot_source")
            recall.reported_count = sources.count("amazon")
            recall.inferred_count = sources.count("inferred")

    def action_find_orders(self):
        """Also: each order's provenance kind, and the MCF orders the lot was booked to."""
        res = super().action_find_orders()
        lot = self.lot_id
        sources = lot._amazon_provenance_sources()
        for line in self.line_ids:
            line.lot_source = (
                recall_source(sources.get(line.sale_order_id.id)) if line.attributed else "possible"
            )
        labels = dict(LOT_SOURCES)
        commands = [
            Command.create(
                {
                    "mcf_order_id": mcf.id,
                    "attributed": True,
                    "quantity": quantity,
                    "provenance": ", ".join(sorted(labels[s] for s in mcf_sources)),
                    "lot_source": recall_source(mcf_sources),
                }
            )
            for mcf, (quantity, mcf_sources) in lot._amazon_recall_mcf_orders().items()
        ]
        if commands:
            self.write({"line_ids": commands})
        return res


class StockLotAmazonRecallLine(models.TransientModel):
    _inherit = "stock.lot.amazon.recall.line"

    sale_order_id = fields.Many2one(required=False)
    mcf_order_id = fields.Many2one(
        "amazon.mcf.order",
        "MCF Order",
        readonly=True,
        help="A Multi-Channel Fulfilment order the lot was booked to (sold on another channel, "
        "shipped by Amazon).",
    )
    lot_source = fields.Selection(
        RECALL_SOURCES,
        "Lot Known By",
        readonly=True,
        help="Reported by Amazon: Amazon named this lot for every unit the order got (serial "
        "numbers, MCF lot codes). Inferred: the addon's FIFO/FEFO guess, for some units at "
        "least. Corrected by hand. Possible: a sale while the lot was at Amazon.",
    )

    def _export_row(self):
        row = super()._export_row()
        if self.mcf_order_id:
            mcf = self.mcf_order_id
            row.update(
                order_ref=self.env._("MCF %(ref)s", ref=mcf.amazon_order_ref),
                amazon_order_ref=mcf.amazon_order_ref,
                date=fields.Datetime.to_string(mcf.date) or "",
            )
        return row
