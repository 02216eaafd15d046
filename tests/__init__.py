from . import test_install
from . import test_spapi_adapter
from . import test_spapi_layout
from . import test_spapi_mapping
from . import test_spapi_simulator
from . import test_spapi_substitution
