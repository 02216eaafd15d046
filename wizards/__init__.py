from . import stock_lot_amazon_recall
from . import sale_order_amazon_reattribute
