"""pytest plugin (loaded by tools/test.sh with -p): importing the test modules is test business.

Odoo logs an ERROR with a stack trace ("Importing test framework, avoid importing from business
modules...") when ``odoo.tests`` is imported outside test mode, which is what happens while pytest
collects these modules: pytest-odoo only turns ``test_enable`` on per test module, later.
tools/test.sh passes ``--odoo-extra=test-enable`` so it is on from the start (pytest-odoo itself
imports ``odoo.tests`` before collecting); this plugin turns it off once collection is done, before
the registry loads (else Odoo would run every installed module's at_install tests while loading it).
"""

from odoo.tools import config


def pytest_collection(session):
    config["test_enable"] = True


def pytest_collection_finish(session):
    config["test_enable"] = False
