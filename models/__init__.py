from . import amazon_marketplace
from . import amazon_account
from . import stock_warehouse
from . import product_template
from . import product_product
from . import mrp_bom
