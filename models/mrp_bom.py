from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    amazon_fba_kit = fields.Boolean(
        related="product_tmpl_id.amazon_fba_kit",
        string="Amazon FBA Kit",
    )

    @api.constrains(
        "type",
        "active",
        "product_tmpl_id",
        "product_id",
        "bom_line_ids",
        "product_qty",
        "product_uom_id",
        "company_id",
    )
    def _check_amazon_fba_kit_bom(self):
        for bom in self:
            if bom.active and bom.product_tmpl_id.amazon_fba_kit:
                bom._check_amazon_fba_kit_bom_structure()

    def _check_amazon_fba_kit_bom_structure(self):
        self.ensure_one()
        kit = self.product_tmpl_id.display_name
        if self.type != "phantom":
            raise ValidationError(
                self.env._(
                    "%(kit)s is an Amazon FBA kit: it is sold, never manufactured, so its Bill of "
                    "Materials must be of type Kit. Set the BoM Type to Kit, or untick Amazon FBA "
                    "Kit on %(kit)s.",
                    kit=kit,
                )
            )
        lines = self.bom_line_ids
        if len(lines) != 1:
            raise ValidationError(
                self.env._(
                    "The kit Bill of Materials of the Amazon FBA kit %(kit)s has %(count)s "
                    "component lines; it needs exactly one: the lot/serial tracked product the kit "
                    "stands for. Keep (or add) that one line.",
                    kit=kit,
                    count=len(lines),
                )
            )
        component = lines.product_id
        if component.tracking not in ("lot", "serial"):
            raise ValidationError(
                self.env._(
                    "The component %(component)s of the Amazon FBA kit %(kit)s is not tracked by "
                    "lots or serial numbers, but an FBA kit stands for a tracked product. Keep "
                    "(or set) Track Inventory by lots or by serial numbers on %(component)s, or "
                    "choose a tracked component (an untracked product is sold on Amazon "
                    "directly, without a kit).",
                    component=component.display_name,
                    kit=kit,
                )
            )
        kit_company = self.product_tmpl_id.company_id
        if kit_company and component.company_id and component.company_id != kit_company:
            raise ValidationError(
                self.env._(
                    "The Amazon FBA kit %(kit)s belongs to %(kit_company)s but its component "
                    "%(component)s belongs to %(component_company)s. Use a component of the same "
                    "company.",
                    kit=kit,
                    kit_company=kit_company.name,
                    component=component.display_name,
                    component_company=component.company_id.name,
                )
            )
        rounding = lines.product_uom_id.rounding
        if float_compare(lines.product_qty, 0.0, precision_rounding=rounding) <= 0:
            raise ValidationError(
                self.env._(
                    "The quantity of %(component)s in the Amazon FBA kit %(kit)s must be positive "
                    "(e.g. 1, or 2 for a pack of two).",
                    component=component.display_name,
                    kit=kit,
                )
            )
        if component.tracking == "serial":
            qty = lines.product_uom_id._compute_quantity(
                lines.product_qty, component.uom_id, round=False
            ) / self.product_uom_id._compute_quantity(
                self.product_qty, self.product_tmpl_id.uom_id, round=False
            )
            if float_compare(qty, round(qty), precision_rounding=component.uom_id.rounding):
                raise ValidationError(
                    self.env._(
                        "%(component)s is tracked by serial number, so each Amazon FBA kit "
                        "%(kit)s must hold a whole number of units of it, not %(qty)s. Set a "
                        "whole quantity on the component line.",
                        component=component.display_name,
                        kit=kit,
                        qty=round(qty, 6),
                    )
                )

    def write(self, vals):
        # Lines removed through the BoM are judged by _check_amazon_fba_kit_bom on the result of
        # the whole write (a line may be replaced by another in the same write).
        return super(MrpBom, self.with_context(amazon_fba_kit__bom_write=True)).write(vals)


class MrpBomLine(models.Model):
    _inherit = "mrp.bom.line"

    @api.constrains("product_id", "product_qty", "product_uom_id", "bom_id")
    def _check_amazon_fba_kit_bom_line(self):
        self.bom_id._check_amazon_fba_kit_bom()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_amazon_fba_kit_component(self):
        if self.env.context.get("amazon_fba_kit__bom_write"):
            return
        for bom in self.bom_id:
            if bom.active and bom.product_tmpl_id.amazon_fba_kit and not bom.bom_line_ids - self:
                raise UserError(
                    self.env._(
                        "%(component)s is the only component of the Amazon FBA kit %(kit)s and "
                        "cannot be removed: the kit would stand for no tracked product. Archive "
                        "the Bill of Materials, or untick Amazon FBA Kit on %(kit)s, instead.",
                        component=(bom.bom_line_ids & self).product_id.display_name,
                        kit=bom.product_tmpl_id.display_name,
                    )
                )
