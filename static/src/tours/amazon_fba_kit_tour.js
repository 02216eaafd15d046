/** @odoo-module **/
/*
 * The documented steps, as a person follows them: open a lot-tracked product in the Sales app,
 * create its Amazon FBA kit with the button, open the kit's Bill of Materials and see its one
 * component, then try to enable Track Inventory on the kit and see the refusal.
 * The product "FBA Tour Sunscreen" is created by tests/test_fba_kit_tour.py.
 */
import {registry} from "@web/core/registry";

const PRODUCT = "FBA Tour Sunscreen";
const KIT = `${PRODUCT} (Amazon FBA kit)`;
const BOM_LINES = ".o_field_widget[name=bom_line_ids] .o_data_row";

registry.category("web_tour.tours").add("amazon_fba_kit_tour", {
    url: "/odoo/action-sale.product_template_action",
    steps: () => [
        {
            content: "Open the tracked product from the Sales app's products",
            trigger: `.o_kanban_record:contains("${PRODUCT}")`,
            run: "click",
        },
        {
            content: "Create its Amazon FBA kit",
            trigger: ".o_form_view button[name=action_create_amazon_fba_kit]",
            run: "click",
        },
        {
            content: "The kit's form opens, flagged as an Amazon FBA kit",
            trigger: `.o_breadcrumb:contains("${KIT}")`,
        },
        {
            trigger: ".o_form_view .o_field_widget[name=amazon_fba_kit] input:checked",
        },
        {
            content: "It links back to the tracked product it stands for",
            trigger: ".o_form_view button[name=action_open_amazon_fba_kit_component]",
        },
        {
            content: "Open the kit's Bills of Materials",
            trigger: ".o_form_view .oe_stat_button:contains(Bill of Materials)",
            run: "click",
        },
        {
            content: "Open its kit BoM",
            trigger: `.o_list_view .o_data_row:contains("${KIT}") .o_data_cell`,
            run: "click",
        },
        {
            content: "The BoM says it belongs to an Amazon FBA kit",
            trigger: ".o_form_view .o_amazon_fba_kit_bom_alert",
        },
        {
            content: "Its one component is the tracked product",
            trigger: `${BOM_LINES}:contains("${PRODUCT}")`,
            run() {
                const count = document.querySelectorAll(BOM_LINES).length;
                if (count !== 1) {
                    throw new Error(`The kit BoM shows ${count} component lines, not 1.`);
                }
            },
        },
        {
            content: "Back to the kit",
            trigger: `.o_breadcrumb .breadcrumb-item a:contains("${KIT}")`,
            run: "click",
        },
        {
            content: "Try to enable Track Inventory on the kit",
            trigger: ".o_form_view .o_field_widget[name=is_storable] input:not(:checked)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=is_storable] input:checked",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Odoo refuses, and says why",
            trigger: ".o_error_dialog:contains(cannot have Track Inventory)",
        },
        {
            content: "Close the message",
            trigger: ".o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Discard the change",
            trigger: ".o_form_view .o_form_button_cancel",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=is_storable] input:not(:checked)",
        },
    ],
});
