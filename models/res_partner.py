"""Amazon buyers' delivery contacts: one per address and name, anonymised after retention."""

import hashlib

from odoo import api, fields, models, tools

# Fields of a buyer delivery contact that identify the address (the contact is reused for it).
ADDRESS_KEY_FIELDS = ("name", "street", "street2", "city", "zip", "state_id", "country_id")
# Fields cleared by anonymisation; country, state and ZIP stay (tax), and so does the contact.
BUYER_PII_FIELDS = (
    "street",
    "street2",
    "city",
    "phone",
    "mobile",
    "email",
    "vat",
    "ref",
    "website",
    "function",
    "comment",
    "company_name",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    amazon_address_key = fields.Char(
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Technical: digest of the name and address of an Amazon buyer's delivery contact, "
        "so that later orders to the same address reuse it. Empty once anonymised.",
    )
    amazon_anonymized_date = fields.Datetime(
        "Amazon Buyer Data Removed On",
        copy=False,
        readonly=True,
        help="When the Amazon buyer's personal data of this contact was removed, at the end of "
        "the account's retention period. Country, state and ZIP are kept.",
    )

    @api.model
    def _amazon_address_key(self, vals):
        parts = []
        for fname in ADDRESS_KEY_FIELDS:
            value = vals.get(fname)
            parts.append(" ".join(str(value).casefold().split()) if value else "")
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    @api.model
    def _amazon_delivery_contact(self, parent, vals):
        """The delivery contact of ``parent`` for this buyer and address, created once.

        ``vals`` are the contact's values (name, street, street2, city, zip, state_id,
        country_id, phone, email, company_id). A contact of the same name and address is
        reused (its phone and e-mail follow the latest order); an anonymised one never is.
        """
        return self._amazon_delivery_contacts(parent, [vals])[0]

    @api.model
    def _amazon_delivery_contacts(self, parent, vals_list):
        """The delivery contacts of ``parent`` for these buyers and addresses, in their order.

        What :meth:`_amazon_delivery_contact` does for each, for a page of orders in one search,
        one ``create`` of the missing contacts and one ``write`` per contact whose phone or
        e-mail changed: orders to the same address share its contact, created once, and the
        phone and e-mail end as the last order that gives them says, as if booked one by one.
        """
        keys = [self._amazon_address_key(vals) for vals in vals_list]
        found = {}
        if keys:
            for contact in self.search(
                [
                    ("parent_id", "=", parent.id),
                    ("type", "=", "delivery"),
                    ("amazon_address_key", "in", sorted(set(keys))),
                ]
            ):
                found.setdefault(contact.amazon_address_key, contact)  # the first, as limit=1
        new, changes = {}, {}
        for key, vals in zip(keys, vals_list, strict=True):
            latest = {fname: vals[fname] for fname in ("phone", "email") if vals.get(fname)}
            if key in found:
                changes.setdefault(key, {}).update(latest)
            elif key in new:
                new[key].update(latest)
            else:
                new[key] = {
                    **vals,
                    "parent_id": parent.id,
                    "type": "delivery",
                    "amazon_address_key": key,
                }
        if new:
            found.update(zip(new, self.create(list(new.values())), strict=True))
        for key, latest in changes.items():
            contact = found[key]
            changed = {fname: value for fname, value in latest.items() if value != contact[fname]}
            if changed:
                contact.write(changed)
        return [found[key] for key in keys]

    @api.model
    @tools.ormcache("country_id", "text")
    def _amazon_state_id(self, country_id, text):
        """The id of the state ``text`` (code or name, as Amazon sends it) of a country."""
        if not (country_id and text):
            return False
        text = text.strip()
        state = self.env["res.country.state"].search(
            [
                ("country_id", "=", country_id),
                "|",
                ("code", "=ilike", text),
                ("name", "=ilike", text),
            ],
            limit=1,
        )
        return state.id

    def _amazon_anonymize_buyer(self):
        """Remove the buyer's personal data; keep country, state, ZIP; archive the contact.

        The contact stays (its orders, deliveries and invoices refer to it), archived, so
        nothing can pick it again. No tracking (it would keep the old values), and its own
        messages go (they may quote the buyer).
        """
        vals = dict.fromkeys(BUYER_PII_FIELDS, False)
        vals.update(
            {
                "name": self.env._("Amazon buyer (anonymised)"),
                "amazon_address_key": False,
                "amazon_anonymized_date": fields.Datetime.now(),
                "active": False,
            }
        )
        # sudo: the retention job anonymises contacts whoever owns them; no tracking.
        contacts = self.sudo().with_context(tracking_disable=True, mail_notrack=True)
        contacts.write(vals)
        self.env["mail.message"].sudo().search(
            [("model", "=", "res.partner"), ("res_id", "in", self.ids)]
        ).unlink()
        return True

    def _handle_first_contact_creation(self):
        """Not for an Amazon delivery contact: the account's customer never takes its address.

        Odoo gives the first contact's address to a company without one, and checks that it is
        the first by reading every contact of the company (``len(parent.child_ids)``): for the
        account's customer, every buyer the account ever had, on each create (issue #19), and
        the first buyer's address on the customer.
        """
        if self.amazon_address_key:
            return None
        return super()._handle_first_contact_creation()
