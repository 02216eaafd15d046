/** @odoo-module **/
/*
 * A person fixes a sync error: open Sales > Amazon > Sync Errors, open the order that could not be
 * booked (its lot-tracked product has no FBA kit), read what to do, press "Create FBA kit", and land
 * on the new kit. The error and its order are created by tests/test_amazon_tours.py.
 */
import {registry} from "@web/core/registry";

const ORDER_REF = "112-7770000-0000001";
const KIT = "Tour Omega-3 (Amazon FBA kit)";

registry.category("web_tour.tours").add("amazon_sync_error_tour", {
    url: "/odoo/action-amazon_fba_kit.amazon_sync_error_action",
    steps: () => [
        {
            content: "The open error of the order is listed",
            trigger: `.o_list_view .o_data_row:contains("${ORDER_REF}") .o_data_cell`,
            run: "click",
        },
        {
            content: "It says what is wrong and what to do",
            trigger: ".o_form_view .alert-danger:contains(Create its Amazon FBA kit)",
        },
        {
            content: "Create the missing FBA kit from the error",
            trigger: ".o_form_view button[name=action_create_fba_kit]",
            run: "click",
        },
        {
            content: "The new kit opens",
            trigger: `.o_breadcrumb:contains("${KIT}")`,
        },
    ],
});
