"""Screenshots of the real screens for the Apps description page (static/description/).

Not a test of the suite (tools/, not tests/): tools/screenshots.sh runs it with pytest-odoo on the
demo database that tools/demo.sh builds (demo data, then one real order sync against the local
SP-API simulator), opens each screen in Odoo's headless Chromium as the browser tours do, waits
until it has rendered, and saves a PNG next to index.html.
"""

import base64
import io
import json
import os
from unittest.mock import patch

from PIL import Image

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "description"
)

# Wait for the selector, then for the view to settle (fonts, list widths), then succeed.
WAIT = """
(async () => {
    const until = Date.now() + 30000;
    while (!document.querySelector(%s)) {
        if (Date.now() > until) { throw new Error("screen did not render: " + %s); }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    console.log("test successful");
})()
"""


@tagged("post_install", "-at_install", "-standard", "amazon_fba_kit_screenshots")
class ScreenshotScreens(HttpCase):
    browser_size = "1280x800"

    def _shot(self, url, name, selector):
        shots = []
        stop = ChromeBrowser.stop

        def stop_after_screenshot(browser):
            result = browser._websocket_request(
                "Page.captureScreenshot", params={"format": "png"}, timeout=30
            )
            shots.append(base64.b64decode(result["data"]))
            return stop(browser)

        selector_js = json.dumps(selector)
        with patch.object(ChromeBrowser, "stop", stop_after_screenshot):
            self.browser_js(
                url, WAIT % (selector_js, selector_js), ready="odoo.isReady", login="admin"
            )
        image = Image.open(io.BytesIO(shots[0])).convert("RGB")
        # 256 colours: a screen of flat colours stays sharp at a fraction of the size
        image = image.quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        path = os.path.join(OUT, name)
        image.save(path, optimize=True)
        return path

    def test_screenshots(self):
        account = self.env.ref("amazon_fba_kit.amazon_account_demo")
        orders = self.env["sale.order"].search([("amazon_account_id", "=", account.id)])
        kit_order = orders.filtered(
            lambda o: o.amazon_fulfilled_by == "amazon" and o.order_line.amazon_tracked_product_id
        )[:1]
        self.assertTrue(kit_order, "tools/demo.sh books FBA orders that sell kits")
        lot = kit_order.order_line.move_ids.move_line_ids.lot_id[:1] or self.env[
            "stock.lot"
        ].search(
            [("product_id", "=", kit_order.order_line.amazon_tracked_product_id[:1].id)], limit=1
        )
        kit = kit_order.order_line.product_id.filtered("amazon_fba_kit")[:1]
        shots = [
            (
                f"/odoo/action-sale.action_orders/{kit_order.id}",
                "screenshot_order.png",
                ".o_form_view .o_field_widget",
            ),
            (
                "/odoo/action-amazon_fba_kit.amazon_sync_error_action",
                "screenshot_sync_errors.png",
                ".o_data_row",
            ),
            (
                f"/odoo/action-amazon_fba_kit.amazon_account_action/{account.id}",
                "screenshot_account.png",
                ".o_form_view .o_field_widget",
            ),
            (
                f"/odoo/action-product.product_template_action/{kit.product_tmpl_id.id}",
                "screenshot_kit.png",
                ".o_form_view .oe_stat_button",
            ),
        ]
        if lot:
            # the recall of a lot the demo sold, as its "Amazon Recall" button opens it (a
            # transient record: created as the user who looks at it)
            admin = self.env.ref("base.user_admin")
            recall = self.env["stock.lot.amazon.recall"].with_user(admin).create({"lot_id": lot.id})
            recall.action_find_orders()
            shots.append(
                (
                    f"/odoo/action-amazon_fba_kit.stock_lot_amazon_recall_action/{recall.id}",
                    "screenshot_recall.png",
                    ".o_form_view .o_data_row",
                )
            )
        for url, name, selector in shots:
            with self.subTest(screen=name):
                path = self._shot(url, name, selector)
                self.assertGreater(os.path.getsize(path), 10_000, path)
