{
    "name": "QuickBooks Online Connector",
    "summary": "Link each company to its QuickBooks Online file and keep accounting data in step, "
               "batched, throttled and idempotent",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "account_quickbooks_online contributors",
    "depends": ["account", "mail"],
    "external_dependencies": {"python": ["python-quickbooks", "intuit-oauth"]},
    "data": [
        "security/qbo_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/qbo_templates.xml",
        "views/qbo_connection_views.xml",
        "views/qbo_sync_job_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/qbo_connection_reset_views.xml",
        "views/qbo_menus.xml",
    ],
    "assets": {
        "web.assets_backend": ["account_quickbooks_online/static/src/qbo_connection.scss"],
    },
    "post_init_hook": "_qbo_post_init",
    "installable": True,
    "application": False,
    "description": "Connects each Odoo company to its QuickBooks Online company. See README.md.",
}
