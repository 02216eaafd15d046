/** @odoo-module **/
/*
 * Screens of the addon, opened as a person opens them; any client error fails the test
 * (tests/test_amazon_tours.py gives the URLs).
 */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("amazon_fba_kit_view_tour", {
    steps: () => [
        {
            content: "The view is rendered",
            trigger: ".o_action_manager .o_view_controller .o_control_panel",
        },
    ],
});

registry.category("web_tour.tours").add("amazon_order_tab_tour", {
    steps: () => [
        {
            content: "Open the Amazon tab of the order",
            trigger: ".o_notebook .nav-link:contains(Amazon)",
            run: "click",
        },
        {
            content: "It shows the Amazon order reference",
            trigger: ".o_notebook .o_field_widget[name=amazon_order_ref]:contains(112-7770000)",
        },
    ],
});

registry.category("web_tour.tours").add("amazon_lot_recall_tour", {
    steps: () => [
        {
            content: "Open the recall of the lot from its form",
            trigger: ".o_form_view button[name=action_amazon_recall]",
            run: "click",
        },
        {
            content: "The recall view opens on that lot (of the Omega-3)",
            trigger: ".o_form_view .o_field_widget[name=product_id]:contains(Tour Omega-3)",
        },
    ],
});
