from odoo import fields, models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    amazon_carrier_code = fields.Char(
        help="The carrier's code in Amazon's list of carrier codes (for example UPS, USPS, FedEx, "
        "DHL, Royal Mail, Deutsche Post), sent when FBM shipments are confirmed to Amazon. "
        "Empty: guessed from the shipping connector or the carrier's name; failing that, sent as "
        "'Other' with the carrier's name.",
    )
    amazon_shipping_method = fields.Char(
        help="The shipping method told to Amazon with FBM shipment confirmations (for example "
        "'Ground'). Empty: the carrier's name.",
    )
