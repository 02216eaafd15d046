from . import stock_lot_amazon_recall
from . import sale_order_amazon_reattribute
from . import amazon_fba_inventory_adjust
from . import sale_order_amazon_return
from . import stock_lot_amazon_recall_mcf
