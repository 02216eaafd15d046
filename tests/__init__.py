from . import test_install
from . import test_fba_kit
from . import test_fba_kit_create
from . import test_fba_kit_tour
