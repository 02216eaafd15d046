from . import amazon_fba_inventory_adjust
