from odoo import fields, models

LOT_SOURCES = [
    ("amazon", "Reported by Amazon"),
    ("fifo", "Inferred (FIFO)"),
    ("fefo", "Inferred (FEFO)"),
    ("manual", "Corrected by hand"),
]


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    amazon_lot_source = fields.Selection(
        LOT_SOURCES,
        "Amazon Lot Provenance",
        readonly=True,
        copy=False,
        help="How the lot of this FBA sale was known: reported by Amazon (serial numbers in the "
        "order), inferred by the order sync (FIFO/FEFO), or corrected by a person.",
    )
