from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    amazon_fba_kit = fields.Boolean(
        string="Amazon FBA Kit",
        help="Sell this product on Amazon FBA in place of a product tracked by lot or serial "
        "number. Amazon does not report which lot or serial number it shipped, so an FBA sale "
        "books this kit instead of the tracked product. An Amazon FBA kit is a goods product "
        "without Track Inventory whose kit Bill of Materials has the tracked product as its only "
        "component. 'Create Amazon FBA Kit' on a tracked product makes one in one click.",
    )
    amazon_fba_kit_component_id = fields.Many2one(
        "product.product",
        string="Amazon FBA Kit Component",
        compute="_compute_amazon_fba_kit_component_id",
        help="The lot/serial tracked product this Amazon FBA kit stands for, read from its kit "
        "Bill of Materials in the current company.",
    )
    amazon_fba_kit_bom_missing = fields.Boolean(
        string="Amazon FBA Kit Without Kit BoM",
        compute="_compute_amazon_fba_kit_component_id",
        help="This product is flagged as an Amazon FBA kit but has no kit Bill of Materials in "
        "the current company: Amazon orders cannot use it yet.",
    )
    amazon_fba_kit_count = fields.Integer(
        string="Amazon FBA Kits",
        compute="_compute_amazon_fba_kit_count",
        help="Number of Amazon FBA kits that stand for this tracked product.",
    )

    @api.depends("amazon_fba_kit")
    @api.depends_context("company")
    def _compute_amazon_fba_kit_component_id(self):
        for template in self:
            component = self.env["product.product"]
            variant = template._origin.product_variant_id
            if template.amazon_fba_kit and variant:
                component = variant._get_amazon_fba_kit_component()[0]
            template.amazon_fba_kit_component_id = component
            template.amazon_fba_kit_bom_missing = template.amazon_fba_kit and not component

    @api.depends("tracking")
    @api.depends_context("company")
    def _compute_amazon_fba_kit_count(self):
        for template in self:
            variants = template._origin.product_variant_ids
            tracked = template.tracking != "none" and variants
            template.amazon_fba_kit_count = len(variants._get_amazon_fba_kits()) if tracked else 0

    @api.constrains("amazon_fba_kit", "type", "is_storable", "tracking")
    def _check_amazon_fba_kit(self):
        for template in self.filtered("amazon_fba_kit"):
            if template.type != "consu":
                raise ValidationError(
                    self.env._(
                        "%(product)s is an Amazon FBA kit, so it must be a goods product. Set its "
                        "Product Type to Goods, or untick Amazon FBA Kit.",
                        product=template.display_name,
                    )
                )
            if template.is_storable:
                raise ValidationError(
                    self.env._(
                        "%(product)s is an Amazon FBA kit, so it cannot have Track Inventory: the "
                        "stock (and its lots or serial numbers) is kept on the tracked product "
                        "inside the kit. Untick Track Inventory, or untick Amazon FBA Kit.",
                        product=template.display_name,
                    )
                )
            if template.tracking != "none":
                raise ValidationError(
                    self.env._(
                        "%(product)s is an Amazon FBA kit, so it cannot itself be tracked by "
                        "lots or serial numbers: only its component is. Set its tracking to By "
                        "Quantity, or untick Amazon FBA Kit.",
                        product=template.display_name,
                    )
                )
        # Narrow sudo: the kit rules must see every BoM, also when the user editing the product
        # has no Manufacturing rights. Nothing is written.
        self.filtered("amazon_fba_kit").sudo().bom_ids._check_amazon_fba_kit_bom()
        self._check_amazon_fba_kit_components()

    def _check_amazon_fba_kit_components(self):
        """Re-check the Amazon FBA kits that use these products as their component: a component
        must stay tracked, and a serial-tracked one comes in whole units."""
        # Narrow sudo: read-only lookup of the kits that use these products (see above).
        lines = (
            self.env["mrp.bom.line"]
            .sudo()
            .search(
                [
                    ("product_tmpl_id", "in", self.ids),
                    ("bom_id.active", "=", True),
                    ("bom_id.product_tmpl_id.amazon_fba_kit", "=", True),
                ]
            )
        )
        lines.bom_id._check_amazon_fba_kit_bom()

    def action_create_amazon_fba_kit(self):
        self.ensure_one()
        if self.product_variant_count != 1:
            raise UserError(
                self.env._(
                    "%(product)s has %(count)s variants: open the variant you sell on Amazon and "
                    "create its Amazon FBA kit from there.",
                    product=self.display_name,
                    count=self.product_variant_count,
                )
            )
        return self.product_variant_id.action_create_amazon_fba_kit()

    def action_open_amazon_fba_kits(self):
        self.ensure_one()
        return self.product_variant_ids.action_open_amazon_fba_kits()

    def action_open_amazon_fba_kit_component(self):
        self.ensure_one()
        return self.product_variant_id.action_open_amazon_fba_kit_component()
