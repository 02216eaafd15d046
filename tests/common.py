from contextlib import contextmanager

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


class AmazonFbaKitCommon(TransactionCase):
    """Base class with factories for tracked products and their Amazon FBA kits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.uom_unit = cls.env.ref("uom.product_uom_unit")

    @contextmanager
    def assertRaisesRegex(self, expected_exception, expected_regex, msg=None):
        """Like unittest's, but through Odoo's assertRaises, which rolls back (database and
        cache) what the refused operation did, so that the test can go on after it."""
        with self.assertRaises(expected_exception, msg=msg) as context:
            yield context
        self.assertRegex(str(context.exception), expected_regex, msg=msg)

    @classmethod
    def _create_product(cls, name=None, tracking="lot", company=None, **vals):
        """A goods product; with Track Inventory unless ``tracking`` is ``"none"`` (override with
        ``is_storable=``)."""
        values = {
            "name": name or f"Product tracked by {tracking}",
            "type": "consu",
            "is_storable": tracking != "none",
            "tracking": tracking,
            "company_id": company.id if company else False,
        }
        values.update(vals)
        return cls.env["product.product"].create(values)

    @classmethod
    def _create_kit(cls, component, qty=1.0, name=None, with_bom=True, **vals):
        """An Amazon FBA kit product standing for ``component`` (``qty`` units per kit); with
        ``with_bom=False``, only the flagged product, without its kit BoM."""
        values = {
            "name": name or f"{component.name} (kit)",
            "type": "consu",
            "is_storable": False,
            "amazon_fba_kit": True,
            "company_id": component.company_id.id,
        }
        values.update(vals)
        kit = cls.env["product.product"].create(values)
        if with_bom:
            cls._create_kit_bom(kit, component, qty=qty)
        return kit

    @classmethod
    def _create_kit_bom(cls, kit, components, qty=1.0, **vals):
        """A BoM (kit type unless ``type=`` says otherwise) of ``kit`` with one line per
        component."""
        values = {
            "product_tmpl_id": kit.product_tmpl_id.id,
            "type": "phantom",
            "product_qty": 1.0,
            "company_id": kit.company_id.id,
            "bom_line_ids": [
                Command.create({"product_id": component.id, "product_qty": qty})
                for component in components
            ],
        }
        values.update(vals)
        return cls.env["mrp.bom"].create(values)
