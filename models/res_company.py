from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    qbo_connection_ids = fields.One2many("qbo.connection", "company_id", string="QuickBooks Online connection")

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["qbo.connection"]._qbo_ensure_for_companies(companies)
        return companies
