"""18.0.1.1.0: FBA stock pools per fulfilment network under WH/Amazon.

Creates the pools of every account, gives open FBA component moves their marketplace's pool,
and moves the stock of WH/Amazon itself into the pool of an Amazon location whose accounts have
one pool; accounts with several pools get a message asking to split the stock by hand.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["amazon.account"]._amazon_migrate_to_pools()
