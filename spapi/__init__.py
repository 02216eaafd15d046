"""Plain-Python SP-API layer (no odoo import)."""
