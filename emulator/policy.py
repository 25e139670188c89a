"""Behaviour switches: token lifetimes, and the answers Intuit's documentation leaves contested.

``POST /_emulator/config {"policy": {...}}`` sets any field; a switch only
takes one of its ``CHOICES``. Each default is documented in README.md with
its source (Intuit's reference, a reported observation, or a choice).
"""
from dataclasses import dataclass, fields

CHOICES = {
    # Intuit: the refresh token value changes about once a day (a refresh inside 24 h returns the
    # same value, ruckus/quickbooks-ruby#389); "always" rotates on every refresh.
    "refresh_token_rotation": ("daily", "always"),
    # Intuit's "Manage linked transactions": a void clears the links and leaves the payments
    # unapplied; LanternOps/breeze#5180 saw a refusal.
    "paid_invoice_void": ("unapply", "refuse"),
    # Intuit's Invoice reference: unlink first; "unapply" deletes and leaves the payments unapplied.
    "paid_invoice_delete": ("refuse", "unapply"),
    # Intuit's schema (Finance.xsd, SalesItemLineDetail.ItemRef): a line without ItemRef is
    # "documentation" and its Amount is ignored; clients report the default item being used.
    "line_without_item": ("documentation", "default_item"),
    # transactions.md §3: an omitted ExchangeRate takes the day's rate (ExchangeRate entity page)
    # or 1 (the field's documented default).
    "omitted_exchange_rate": ("day_rate", "one"),
    # transactions.md §14(2): under automated sales tax, is TxnTaxDetail.TotalTax 0 an override?
    "ast_zero_total_tax": ("ignore", "override"),
    # Intuit's published TaxInclusive samples return net Amount and UnitPrice with the gross in
    # TaxInclusiveAmt; "gross" keeps the line amounts as sent (the emulator's former behaviour).
    "tax_inclusive_lines": ("net", "gross"),
}


@dataclass
class Policy:
    # OAuth
    access_token_ttl: float = 3600.0
    refresh_token_ttl: float = 8726400.0   # 101 days, as x_refresh_token_expires_in says
    refresh_grace: float = 600.0           # a superseded refresh token still works this long
    code_ttl: float = 600.0
    refresh_token_rotation: str = "daily"
    refresh_rotation_interval: float = 86400.0
    # Accounting API
    paid_invoice_void: str = "unapply"
    paid_invoice_delete: str = "refuse"
    line_without_item: str = "documentation"
    omitted_exchange_rate: str = "day_rate"
    ast_zero_total_tax: str = "ignore"
    tax_inclusive_lines: str = "net"

    def set(self, key, value):
        """Set one field, refusing unknown fields and values outside a switch's choices."""
        names = {f.name for f in fields(self)}
        if key not in names:
            raise KeyError("policy.%s" % key)
        if key in CHOICES and value not in CHOICES[key]:
            raise ValueError("policy.%s must be one of %s" % (key, ", ".join(CHOICES[key])))
        setattr(self, key, value)


# The name the OAuth server and older callers use.
TokenPolicy = Policy
