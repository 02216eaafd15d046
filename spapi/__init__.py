"""Plain-Python SP-API layer: no ``odoo`` import anywhere in this package.

- ``adapter``: the only module of the addon that imports ``sp_api`` (clients, endpoints, timeouts,
  rate limits, error mapping, pagination);
- ``mapping`` / ``inventory``: SP-API JSON -> small frozen records;
- ``substitution``: which product an order line sells (tracked product -> its FBA kit);
- ``ratelimit``: token buckets; ``const`` / ``exceptions``: shared constants and errors.
"""
