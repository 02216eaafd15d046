from . import test_install
from . import test_amazon_account
from . import test_amazon_marketplace
from . import test_amazon_connection
from . import test_amazon_security
