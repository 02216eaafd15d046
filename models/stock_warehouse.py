from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    amazon_location_id = fields.Many2one(
        "stock.location",
        copy=False,
        readonly=True,
        check_company=True,
        help="Internal location holding this warehouse's stock at Amazon (FBA). Created with the "
        "first Amazon account of the company and shared by its later accounts.",
    )
    amazon_replenishment_type_id = fields.Many2one(
        "stock.picking.type",
        string="Amazon FBA Replenishment Type",
        copy=False,
        readonly=True,
        check_company=True,
        help="Internal operation type moving stock from this warehouse to its Amazon location.",
    )

    def _get_amazon_location(self):
        """Return the warehouse's Amazon location, creating it the first time.

        The location ("Amazon" under the warehouse's view location, i.e. ``WH/Amazon``) and its
        "Amazon FBA Replenishment" operation type are created together and stored on the
        warehouse, so later calls reuse them. The warehouse row is locked first: two transactions
        linking the company's first accounts at the same time create one location, not two.

        :return: the ``stock.location`` (one record)
        """
        self.ensure_one()
        self.env.cr.execute("SELECT id FROM stock_warehouse WHERE id = %s FOR UPDATE", [self.id])
        # Another transaction may have created the location while we waited for the lock.
        self.invalidate_recordset(["amazon_location_id", "amazon_replenishment_type_id"])
        # sudo: linking an Amazon account creates the location and its operation type as a side
        # effect; the Amazon manager doing it needs no Inventory administrator rights for that.
        warehouse = self.sudo()
        location = warehouse.amazon_location_id
        if not location:
            location = warehouse.env["stock.location"].create(
                warehouse._prepare_amazon_location_vals()
            )
            warehouse.amazon_location_id = location
        if not warehouse.amazon_replenishment_type_id:
            warehouse.amazon_replenishment_type_id = warehouse.env["stock.picking.type"].create(
                warehouse._prepare_amazon_replenishment_type_vals(location)
            )
        return self.amazon_location_id

    def _prepare_amazon_location_vals(self):
        self.ensure_one()
        return {
            "name": "Amazon",  # a brand: not translated
            "usage": "internal",
            "location_id": self.view_location_id.id,
            "company_id": self.company_id.id,
        }

    def _prepare_amazon_replenishment_type_vals(self, location):
        self.ensure_one()
        return {
            "name": self.env._("Amazon FBA Replenishment"),
            "code": "internal",
            "sequence_code": "AMZ",
            "default_location_src_id": self.lot_stock_id.id,
            "default_location_dest_id": location.id,
            "use_create_lots": False,
            "use_existing_lots": True,
            "warehouse_id": self.id,
            "company_id": self.company_id.id,
        }

    def _get_amazon_pool(self, network, parent=None):
        """Return the stock pool of fulfilment network ``network`` (e.g. ``"EU"``), creating it
        (``WH/Amazon/EU``, an internal sub-location of the Amazon location ``parent``, by default
        the warehouse's) and its replenishment operation type the first time. The warehouse row
        is locked as for the Amazon location.

        :return: the ``stock.location`` (one record)
        """
        self.ensure_one()
        amazon_location = self._get_amazon_location()
        parent = parent or amazon_location
        pool = parent.child_ids.filtered(lambda loc: loc.amazon_network == network)[:1]
        if pool and pool.amazon_replenishment_type_id:
            return pool
        # sudo: as for the Amazon location, a side effect of linking an account.
        warehouse = self.sudo()
        pool = pool.sudo() or warehouse.env["stock.location"].create(
            warehouse._prepare_amazon_pool_vals(parent, network)
        )
        if not pool.amazon_replenishment_type_id:
            pool.amazon_replenishment_type_id = warehouse.env["stock.picking.type"].create(
                dict(
                    warehouse._prepare_amazon_replenishment_type_vals(pool),
                    name=self.env._("Amazon FBA Replenishment %(network)s", network=network),
                    sequence_code=f"AMZ{network}"[:10],
                )
            )
        parent.invalidate_recordset(["child_ids"])
        return self.env["stock.location"].browse(pool.id)

    def _prepare_amazon_pool_vals(self, parent, network):
        self.ensure_one()
        return {
            "name": network,
            "usage": "internal",
            "location_id": parent.id,
            "company_id": self.company_id.id,
            "amazon_network": network,
        }
