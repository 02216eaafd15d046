"""The translations template holds every translatable term of the addon."""

import io
import os
import warnings

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

POT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n")


@tagged("post_install", "-at_install")
class TestTranslationTemplate(TransactionCase):
    def test_pot_has_every_translatable_term(self):
        """What Odoo's exporter finds now (code, views, menus, fields, selections, data) is all in
        i18n/amazon_fba_kit.pot, so translators get every term."""
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            # babel's extractor imports pkg_resources (deprecated): noise from Odoo's dependency
            warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
            trans_export(False, ["amazon_fba_kit"], buffer, "po", self.env.cr)
        exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode("utf-8"))}
        committed = {entry.msgid for entry in polib.pofile(os.path.join(POT, "amazon_fba_kit.pot"))}
        # The exporter sees the addon's own terms: a broken export would make this test vacuous.
        self.assertIn("Amazon Account", exported)
        missing = sorted(exported - committed)
        if missing:
            self.fail(
                f"{len(missing)} translatable term(s) missing from i18n/amazon_fba_kit.pot: "
                f"{'; '.join(repr(term) for term in missing)}\n"
                "Run tools/i18n_export.sh and commit i18n/amazon_fba_kit.pot."
            )
