from odoo import Command, models
from odoo.exceptions import UserError


class ProductProduct(models.Model):
    _inherit = "product.product"

    def action_create_amazon_fba_kit(self):
        """Button: create (or find) the Amazon FBA kit of this tracked product and open it."""
        self.ensure_one()
        kit = self._create_amazon_fba_kit()
        return kit._get_amazon_fba_kit_form_action(kit.product_tmpl_id)

    def action_open_amazon_fba_kits(self):
        """Smart button on a tracked product: open the kit(s) that stand for it."""
        kits = self._get_amazon_fba_kits()
        if len(kits.product_tmpl_id) == 1:
            return self._get_amazon_fba_kit_form_action(kits.product_tmpl_id)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Amazon FBA Kits"),
            "res_model": "product.template",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", kits.product_tmpl_id.ids)],
        }

    def action_open_amazon_fba_kit_component(self):
        """Smart button on a kit: open the tracked product it stands for."""
        self.ensure_one()
        component = self._get_amazon_fba_kit_component()[0]
        if not component:
            raise UserError(
                self.env._(
                    "%(kit)s has no kit Bill of Materials yet, so it stands for no tracked "
                    "product.",
                    kit=self.display_name,
                )
            )
        return self._get_amazon_fba_kit_form_action(component.product_tmpl_id)

    def _get_amazon_fba_kit_form_action(self, template):
        return {
            "type": "ir.actions.act_window",
            "name": template.display_name,
            "res_model": "product.template",
            "res_id": template.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _create_amazon_fba_kit(self):
        """Return the Amazon FBA kit of this tracked product, creating it with its kit BoM first
        when there is none in the product's company.

        :rtype: product.product
        """
        self.ensure_one()
        if self.tracking == "none":
            raise UserError(
                self.env._(
                    "%(product)s is not tracked by lots or serial numbers, so it needs no Amazon "
                    "FBA kit: Amazon orders can book it directly. A kit is only for a product "
                    "with Track Inventory set to By Lots or By Unique Serial Number.",
                    product=self.display_name,
                )
            )
        kit = self._get_amazon_fba_kits(company=self.company_id or self.env.company)[:1]
        if kit:
            return kit
        # Defaults of the form the button was clicked in (e.g. default_is_storable from the
        # Inventory app) must not leak into the kit.
        env = self.env(
            context={
                key: value
                for key, value in self.env.context.items()
                if not key.startswith("default_") and key != "create_product_product"
            }
        )
        template = env["product.template"].create(self._prepare_amazon_fba_kit_vals())
        kit = template.product_variant_id
        env["mrp.bom"].create(self._prepare_amazon_fba_kit_bom_vals(kit))
        # Orders that waited for this kit: the next order sync run retries them.
        self.env["amazon.sync.error"]._amazon_retry_soon([("product_id", "=", self.id)])
        return self.browse(kit.id)

    def _prepare_amazon_fba_kit_vals(self):
        self.ensure_one()
        return {
            "name": self.env._("%(product)s (Amazon FBA kit)", product=self.name),
            "default_code": self.default_code and f"{self.default_code}-FBA",
            "amazon_fba_kit": True,
            "type": "consu",
            "is_storable": False,
            "tracking": "none",
            "sale_ok": True,
            "purchase_ok": False,
            "list_price": self.lst_price,
            "taxes_id": [Command.set(self.taxes_id.ids)],
            "uom_id": self.uom_id.id,
            "uom_po_id": self.uom_po_id.id,
            "categ_id": self.categ_id.id,
            "invoice_policy": self.invoice_policy,
            "company_id": self.company_id.id,
        }

    def _prepare_amazon_fba_kit_bom_vals(self, kit):
        self.ensure_one()
        return {
            "product_tmpl_id": kit.product_tmpl_id.id,
            "type": "phantom",
            "product_qty": 1.0,
            "product_uom_id": kit.uom_id.id,
            "company_id": self.company_id.id,
            "bom_line_ids": [
                Command.create(
                    {
                        "product_id": self.id,
                        "product_qty": 1.0,
                        "product_uom_id": self.uom_id.id,
                    }
                )
            ],
        }

    def _get_amazon_fba_kits(self, company=None):
        """Active Amazon FBA kit variants whose kit BoM in ``company`` (default: the current
        company; BoMs without company count) has one of these tracked products as its sole
        component. A constant number of queries, whatever the catalogue size.

        :rtype: product.product
        """
        company = company or self.env.company
        # Narrow sudo: a read-only lookup, so the order sync finds kits also when it runs as a
        # user without Manufacturing rights. The result is returned in the caller's env.
        bom_model = self.env["mrp.bom"].sudo()
        boms = bom_model.search_fetch(
            [
                ("type", "=", "phantom"),
                ("bom_line_ids.product_id", "in", self.ids),
                ("product_tmpl_id.amazon_fba_kit", "=", True),
                ("company_id", "in", [False, company.id]),
            ],
            ["product_id", "product_tmpl_id"],
        )
        if not boms:
            return self.browse()
        candidates = (
            boms.product_id
            | boms.filtered(lambda b: not b.product_id).product_tmpl_id.product_variant_ids
        )
        found = bom_model._bom_find(candidates, bom_type="phantom", company_id=company.id)
        kits = candidates.filtered(
            lambda kit: (
                kit.active
                and len(found[kit].bom_line_ids) == 1
                and found[kit].bom_line_ids.product_id in self
            )
        )
        return self.browse(kits.ids)

    def _get_amazon_fba_kit(self, company=None):
        """The one Amazon FBA kit that stands for this tracked product in ``company``.

        :raises UserError: when there is none, or more than one
        :rtype: product.product
        """
        self.ensure_one()
        company = company or self.env.company
        kits = self._get_amazon_fba_kits(company=company)
        if not kits:
            raise UserError(
                self.env._(
                    "No Amazon FBA kit stands for %(product)s in %(company)s, so an Amazon FBA "
                    "order cannot book it (Amazon does not say which lot or serial number it "
                    "shipped). Open %(product)s and click 'Create Amazon FBA Kit'.",
                    product=self.display_name,
                    company=company.name,
                )
            )
        if len(kits) > 1:
            raise UserError(
                self.env._(
                    "Several Amazon FBA kits stand for %(product)s in %(company)s: %(kits)s. "
                    "Keep one: archive the others or their kit Bills of Materials.",
                    product=self.display_name,
                    company=company.name,
                    kits=", ".join(kits.mapped("display_name")),
                )
            )
        return kits

    def _get_amazon_fba_kit_component(self, company=None):
        """On an Amazon FBA kit: its tracked component and the component quantity per kit unit
        (in the component's unit of measure), from the kit BoM found for ``company``.

        :return: ``(product.product, float)``; ``(empty recordset, 0.0)`` when this is not a kit
            or it has no valid kit BoM yet
        """
        self.ensure_one()
        empty = (self.env["product.product"], 0.0)
        if not self.amazon_fba_kit:
            return empty
        company = company or self.env.company
        # Narrow sudo: read-only BoM lookup, as in _get_amazon_fba_kits.
        bom = (
            self.env["mrp.bom"]
            .sudo()
            ._bom_find(self, bom_type="phantom", company_id=company.id)
            .get(self)
        )
        if not bom or len(bom.bom_line_ids) != 1:
            return empty
        line = bom.bom_line_ids
        component = line.product_id
        if component.tracking == "none":
            return empty
        line_qty = line.product_uom_id._compute_quantity(
            line.product_qty, component.uom_id, round=False
        )
        kit_qty = bom.product_uom_id._compute_quantity(bom.product_qty, self.uom_id, round=False)
        return self.env["product.product"].browse(component.id), line_qty / kit_qty
