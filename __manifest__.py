{
    "name": "Amazon FBA Kits",
    "summary": "Sync Amazon orders; sell FBA orders of lot/serial tracked products as kits",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "amazon_fba_kit contributors",
    "website": "https://github.com/amazon-fba-kit/amazon_fba_kit",
    "license": "LGPL-3",
    "depends": ["sale_stock", "sale_mrp"],
    "external_dependencies": {"python": ["python-amazon-sp-api"]},
    "development_status": "Alpha",
    "data": [
        "security/amazon_fba_kit_groups.xml",
        "security/ir.model.access.csv",
        "security/amazon_account_security.xml",
        "views/amazon_account_views.xml",
        "views/amazon_marketplace_views.xml",
        "views/product_template_views.xml",
        "views/mrp_bom_views.xml",
        "views/amazon_fba_kit_menus.xml",
        "data/amazon_marketplace_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "amazon_fba_kit/static/src/tours/amazon_fba_kit_tour.js",
        ],
    },
}
