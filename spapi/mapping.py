"""Orders API 2026-01-01 ``Order`` JSON -> small frozen records (pure Python).

Where the amounts come from (see ``OrderItem`` in orders_2026-01-01.json):

- ``unit_price``: ``product.price.unitPrice`` (the price of one unit as sold). If Amazon leaves it
  out, the ``ITEM`` entry of ``proceeds.breakdowns`` divided by the quantity; else 0.
- ``tax``: the ``TAX`` entry of the item's ``proceeds.breakdowns``, the tax of the whole line
  (dataset PROCEEDS). 0 when absent.
- ``discount``: the ``DISCOUNT`` entry of the item's ``proceeds.breakdowns`` as a positive amount
  for the whole line (Amazon books it as a negative proceed). 0 when absent.
- ``promotion_ids``: ``promotion.breakdowns[].promotionId`` (dataset PROMOTION).

Amounts are floats converted from Amazon's exact decimal strings; a derived unit price is rounded
to 6 decimals. Datasets not requested (BUYER, RECIPIENT ...) simply leave fields ``None``; missing
required fields or wrong types raise :class:`AmazonMappingError` naming the field.

Money, exactly (what booking uses): each item's ``proceeds.breakdowns`` become ``charges``, one
:class:`Charge` per kind (``ITEM``, ``SHIPPING``, ``GIFT_WRAP``, ``COD_FEE``, ``OTHER``; any other
kind counts as ``OTHER``), as exact Decimals: the ``DISCOUNT`` entries go to the charge of their
``detailedBreakdowns`` subtype (``ITEM`` when Amazon gives none), and so does the ``TAX``. Whether
the item's amounts include the tax is read from Amazon's own arithmetic (``proceedsTotal`` is the
sum of the breakdowns with or without ``TAX``), else from the marketplace (US and CA prices
exclude tax, the others include it). ``OrderLine.seller_total`` is what the seller books for the
item: its charges, with the tax only when the seller collects it (not ``MARKETPLACE_FACILITATOR``).
``Order.seller_total`` adds the order-level charges (``DELIVERY_TIP``) and is checked against
``proceeds.grandTotal`` (less the facilitator tax): an order whose amounts do not add up is
refused with :class:`AmazonMappingError`, as is one mixing currencies.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from . import _parse, const
from .inventory import InventoryRow, map_inventory_summary  # noqa: F401  (public re-export)

# The kinds of charge booked on lines of their own (everything else counts as OTHER).
CHARGE_KINDS = ("ITEM", "SHIPPING", "GIFT_WRAP", "COD_FEE", "OTHER")
# Order-level breakdown types aggregated over the items (the rest, e.g. DELIVERY_TIP, is extra).
ORDER_AGGREGATES = (*CHARGE_KINDS, "TAX", "DISCOUNT")
FACILITATOR = "MARKETPLACE_FACILITATOR"
CHANNEL_AMAZON = "AMAZON"
CHANNEL_NON_AMAZON = "NON_AMAZON"  # Multi-Channel Fulfilment: sold elsewhere, shipped by Amazon
# Programs that only exist for merchant-fulfilled orders (fulfilledBy left out: still known).
MERCHANT_PROGRAMS = ("AMAZON_EASY_SHIP", "FBM_SHIP_PLUS", "IN_STORE_PICK_UP")
MAX_AMOUNT = Decimal("1e12")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Charge:
    """One kind of charge of an item, in Amazon's exact amounts.

    ``amount``: the charge net of its discounts, tax excluded; ``discount``: those discounts
    (a positive amount); ``tax``: Amazon's tax on it (seller-collected or facilitator).
    """

    kind: str
    amount: Decimal
    discount: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass(frozen=True)
class Address:
    name: str | None
    street: str | None
    street2: str | None
    city: str | None
    state: str | None
    zip: str | None
    country_code: str | None
    phone: str | None
    company: str | None = None


@dataclass(frozen=True)
class OrderLine:
    item_ref: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity: int
    unit_price: float
    tax: float
    discount: float
    promotion_ids: tuple[str, ...]
    serial_numbers: tuple[str, ...]
    quantity_shipped: int | None = None  # fulfillment.quantityFulfilled
    quantity_unshipped: int | None = None  # fulfillment.quantityUnfulfilled
    charges: tuple[Charge, ...] = ()
    tax_included: bool = False  # Amazon's ITEM/SHIPPING... amounts include the TAX
    facilitator: bool = False  # Amazon collects and remits the tax (MARKETPLACE_FACILITATOR)

    def charge(self, kind):
        return next((charge for charge in self.charges if charge.kind == kind), None)

    def seller_amount(self, charge):
        """What the seller books for ``charge``: with its tax unless Amazon remits it."""
        return charge.amount if self.facilitator else charge.amount + charge.tax

    @property
    def seller_total(self):
        return sum((self.seller_amount(charge) for charge in self.charges), ZERO)

    @property
    def seller_tax(self):
        return ZERO if self.facilitator else sum((c.tax for c in self.charges), ZERO)

    @property
    def facilitator_tax(self):
        return sum((c.tax for c in self.charges), ZERO) if self.facilitator else ZERO

    def quantity_to_book(self, fulfilled_by):
        """Units to book: what Amazon shipped (FBA), what is not cancelled (FBM)."""
        if fulfilled_by == const.FULFILLED_BY_AMAZON:
            return self.quantity if self.quantity_shipped is None else self.quantity_shipped
        if self.quantity_shipped is None or self.quantity_unshipped is None:
            return self.quantity
        return min(self.quantity, self.quantity_shipped + self.quantity_unshipped)


@dataclass(frozen=True)
class Order:
    order_ref: str
    created: datetime.datetime  # naive UTC
    last_updated: datetime.datetime  # naive UTC
    status: str  # a const.FulfillmentStatus value
    fulfilled_by: str  # "AMAZON" (FBA) or "MERCHANT" (FBM)
    marketplace_id: str | None
    currency: str | None
    buyer_name: str | None
    buyer_email: str | None
    buyer_company: str | None
    address: Address | None
    lines: tuple[OrderLine, ...]
    channel: str = CHANNEL_AMAZON  # salesChannel.channelName
    grand_total: Decimal | None = None  # proceeds.grandTotal
    extra_charges: tuple[Charge, ...] = ()  # order-level proceeds (DELIVERY_TIP ...), kind kept
    programs: tuple[str, ...] = ()
    # orderAliases[SELLER_ORDER_ID]: for an MCF order, the seller's fulfilment order id.
    seller_order_ref: str | None = None

    @property
    def seller_total(self):
        """The contract: Amazon's grand total less the tax Amazon remits as facilitator."""
        lines = sum((line.seller_total for line in self.lines), ZERO)
        return lines + sum((charge.amount for charge in self.extra_charges), ZERO)

    @property
    def seller_tax(self):
        return sum((line.seller_tax for line in self.lines), ZERO)

    @property
    def facilitator_tax(self):
        return sum((line.facilitator_tax for line in self.lines), ZERO)


class _Currency:
    """The one currency of an order's amounts; a second one is refused."""

    def __init__(self):
        self.code = None

    def see(self, code, field):
        if code and self.code and code != self.code:
            _parse.fail(field, f"is in {code}, while the order is in {self.code}")
        self.code = self.code or code


def _amount(data, key, path, currency):
    amount, code = _parse.money(data, key, path)
    if amount is not None:
        if abs(amount) >= MAX_AMOUNT:
            _parse.fail(_parse.join(_parse.join(path, key), "amount"), f"is too large ({amount})")
        currency.see(code, _parse.join(path, key))
    return amount


def _breakdown_totals(proceeds, path, currency=None):
    """Sum of ``proceeds.breakdowns`` per type, and the first currency seen."""
    currency = currency or _Currency()
    totals = {}
    where = _parse.join(path, "breakdowns")
    for index, entry in enumerate(_parse.items(proceeds, "breakdowns", path)):
        entry_path = _parse.join(where, index)
        if not isinstance(entry, dict):
            _parse.fail(entry_path, "must be an object")
        kind = _parse.text(entry, "type", entry_path, required=True)
        amount = _amount(entry, "subtotal", entry_path, currency)
        if amount is None:
            _parse.fail(_parse.join(entry_path, "subtotal"), "is missing")
        totals[kind] = totals.get(kind, Decimal(0)) + amount
    return totals, currency.code


def _split_by_subtype(proceeds, path, kind, currency):
    """``{subtype: amount}`` of the ``kind`` (TAX or DISCOUNT) breakdowns of an item.

    What the ``detailedBreakdowns`` leave unexplained (none given, or not adding up) counts
    for ``ITEM``; a subtype ``DISCOUNT`` (tax on a discount) too.
    """
    where = _parse.join(path, "breakdowns")
    split = {}
    for index, entry in enumerate(_parse.items(proceeds, "breakdowns", path)):
        if entry.get("type") != kind:
            continue
        entry_path = _parse.join(where, index)
        subtotal = _amount(entry, "subtotal", entry_path, currency)
        details_path = _parse.join(entry_path, "detailedBreakdowns")
        explained = ZERO
        for number, detail in enumerate(_parse.items(entry, "detailedBreakdowns", entry_path)):
            detail_path = _parse.join(details_path, number)
            if not isinstance(detail, dict):
                _parse.fail(detail_path, "must be an object")
            value = _amount(detail, "value", detail_path, currency)
            if value is None:
                continue
            subtype = _parse.text(detail, "subtype", detail_path) or "ITEM"
            subtype = subtype if subtype in CHARGE_KINDS else "ITEM"
            split[subtype] = split.get(subtype, ZERO) + value
            explained += value
        if subtotal != explained:
            split["ITEM"] = split.get("ITEM", ZERO) + subtotal - explained
    return split


def _map_charges(item, path, tax_included_default, currency):
    """The item's charges, whether its amounts include the tax, and Amazon's item total."""
    proceeds = _parse.obj(item, "proceeds", path)
    proceeds_path = _parse.join(path, "proceeds")
    totals, _code = _breakdown_totals(proceeds, proceeds_path, currency)
    charged = {}
    for kind, amount in totals.items():
        if kind in ("TAX", "DISCOUNT"):
            continue
        kind = kind if kind in CHARGE_KINDS else "OTHER"
        charged[kind] = charged.get(kind, ZERO) + amount
    tax_total = totals.get("TAX", ZERO)
    untaxed = sum(charged.values(), ZERO) + totals.get("DISCOUNT", ZERO)
    total = _amount(proceeds, "proceedsTotal", proceeds_path, currency)
    if total is not None and total != untaxed + tax_total and (not tax_total or total != untaxed):
        _parse.fail(
            _parse.join(proceeds_path, "proceedsTotal"),
            f"is {total}, while its breakdowns add up to {untaxed + tax_total}",
        )
    if not tax_total:
        tax_included = False
    elif total is None:
        tax_included = tax_included_default
    else:
        tax_included = total == untaxed
    discounts = _split_by_subtype(proceeds, proceeds_path, "DISCOUNT", currency)
    taxes = _split_by_subtype(proceeds, proceeds_path, "TAX", currency)
    charges = []
    for kind in CHARGE_KINDS:
        if kind not in charged and kind not in discounts and kind not in taxes:
            continue
        discount, tax = discounts.get(kind, ZERO), taxes.get(kind, ZERO)
        amount = charged.get(kind, ZERO) + discount - (tax if tax_included else ZERO)
        charges.append(Charge(kind=kind, amount=amount, discount=-discount, tax=tax))
    return tuple(charges), tax_included, totals


def _facilitator(item, path):
    tax_path = _parse.join(path, "tax")
    collections_path = _parse.join(tax_path, "taxCollections")
    tax = _parse.obj(item, "tax", path)
    for index, entry in enumerate(_parse.items(tax, "taxCollections", tax_path)):
        if not isinstance(entry, dict):
            _parse.fail(_parse.join(collections_path, index), "must be an object")
        if _parse.text(entry, "model", _parse.join(collections_path, index)) == FACILITATOR:
            return True
    return False


def _strings(data, key, path):
    values = _parse.items(data, key, path)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            _parse.fail(_parse.join(_parse.join(path, key), index), "must be a string")
        if "\x00" in value:
            _parse.fail(_parse.join(_parse.join(path, key), index), "contains a NUL character")
    return tuple(values)


def _quantity(data, key, path, required=False):
    value = _parse.get(data, key, path, int, required=required)
    if value is not None and value < 0:
        _parse.fail(_parse.join(path, key), f"must not be negative ({value})")
    return value


def _map_line(item, path, tax_included_default=False, currency=None):
    currency = currency or _Currency()
    if not isinstance(item, dict):
        _parse.fail(path, "must be an object")
    item_ref = _parse.text(item, "orderItemId", path, required=True)
    quantity = _quantity(item, "quantityOrdered", path, required=True)
    product = _parse.obj(item, "product", path, required=True)
    product_path = _parse.join(path, "product")
    sku = _parse.text(product, "sellerSku", product_path)
    asin = _parse.text(product, "asin", product_path)
    if quantity > 0 and not sku and not asin:
        _parse.fail(_parse.join(product_path, "sellerSku"), "is missing, and so is the asin")
    price_path = _parse.join(product_path, "price")
    unit_price = _amount(
        _parse.obj(product, "price", product_path), "unitPrice", price_path, currency
    )
    fulfillment_path = _parse.join(path, "fulfillment")
    fulfillment = _parse.obj(item, "fulfillment", path)
    shipped = _quantity(fulfillment, "quantityFulfilled", fulfillment_path)
    unshipped = _quantity(fulfillment, "quantityUnfulfilled", fulfillment_path)
    if shipped is not None and shipped > quantity:
        _parse.fail(
            _parse.join(fulfillment_path, "quantityFulfilled"),
            f"is {shipped}, more than the {quantity} unit(s) ordered",
        )
    if shipped is not None and unshipped is not None and shipped + unshipped > quantity:
        _parse.fail(
            _parse.join(fulfillment_path, "quantityUnfulfilled"),
            f"is {unshipped}: with {shipped} shipped, more than the {quantity} ordered",
        )
    charges, tax_included, totals = _map_charges(item, path, tax_included_default, currency)
    if "proceeds" not in item and unit_price is not None and quantity:
        # No PROCEEDS dataset: the price as sold is all Amazon says (tax unknown).
        charges = (Charge(kind="ITEM", amount=unit_price * quantity),)
    if unit_price is None:
        unit_price = totals["ITEM"] / quantity if quantity and "ITEM" in totals else Decimal(0)
    promotion_path = _parse.join(path, "promotion")
    promotion_ids = []
    breakdowns_path = _parse.join(promotion_path, "breakdowns")
    promotions = _parse.obj(item, "promotion", path)
    for index, entry in enumerate(_parse.items(promotions, "breakdowns", promotion_path)):
        if not isinstance(entry, dict):
            _parse.fail(_parse.join(breakdowns_path, index), "must be an object")
        promotion_id = _parse.text(entry, "promotionId", _parse.join(breakdowns_path, index))
        if promotion_id:
            promotion_ids.append(promotion_id)
    line = OrderLine(
        item_ref=item_ref,
        sku=sku,
        asin=asin,
        title=_parse.text(product, "title", product_path),
        quantity=quantity,
        unit_price=round(float(unit_price), 6),
        tax=float(totals.get("TAX", 0)),
        discount=abs(float(totals.get("DISCOUNT", 0))),
        promotion_ids=tuple(promotion_ids),
        serial_numbers=_strings(product, "serialNumbers", product_path),
        quantity_shipped=shipped,
        quantity_unshipped=unshipped,
        charges=charges,
        tax_included=tax_included,
        facilitator=_facilitator(item, path),
    )
    return line, currency.code


def _map_extra_charges(proceeds, grand_total, lines_total, currency):
    """Order-level proceeds not aggregated from the items (``DELIVERY_TIP``...).

    Kept when ``grandTotal`` counts them (a ``PENDING`` one may not be counted yet).
    """
    extras, pending = [], []
    where = "proceeds.breakdowns"
    for index, entry in enumerate(_parse.items(proceeds, "breakdowns", "proceeds")):
        entry_path = _parse.join(where, index)
        if not isinstance(entry, dict):
            _parse.fail(entry_path, "must be an object")
        kind = _parse.text(entry, "type", entry_path, required=True)
        amount = _amount(entry, "subtotal", entry_path, currency)
        if amount is None:
            _parse.fail(_parse.join(entry_path, "subtotal"), "is missing")
        if kind in ORDER_AGGREGATES:
            continue
        charge = Charge(kind=kind, amount=amount)
        extras.append(charge)
        if _parse.text(entry, "status", entry_path) == "PENDING":
            pending.append(charge)
    if grand_total is None:
        return tuple(extras)
    for candidate in (extras, [c for c in extras if c not in pending]):
        if lines_total + sum((c.amount for c in candidate), ZERO) == grand_total:
            return tuple(candidate)
    expected = lines_total + sum((c.amount for c in extras), ZERO)
    _parse.fail(
        "proceeds.grandTotal",
        f"is {grand_total}, while the order's items and charges add up to {expected}",
    )


def _fulfilled_by(fulfillment, programs):
    fulfilled_by = _parse.text(fulfillment, "fulfilledBy", "fulfillment")
    if fulfilled_by is None:
        if set(programs) & set(MERCHANT_PROGRAMS):
            return const.FULFILLED_BY_MERCHANT
        return None  # booking says so when it needs to know
    if fulfilled_by not in const.FULFILLED_BY:
        _parse.fail("fulfillment.fulfilledBy", f"has an unknown value {fulfilled_by!r}")
    return fulfilled_by


def _map_address(recipient):
    data = _parse.obj(recipient, "deliveryAddress", "recipient")
    if not data:
        return None
    path = "recipient.deliveryAddress"
    line2 = [_parse.text(data, key, path) for key in ("addressLine2", "addressLine3")]
    return Address(
        name=_parse.text(data, "name", path),
        street=_parse.text(data, "addressLine1", path),
        street2=", ".join(part for part in line2 if part) or None,
        city=_parse.text(data, "city", path),
        state=_parse.text(data, "stateOrRegion", path),
        zip=_parse.text(data, "postalCode", path),
        country_code=_parse.text(data, "countryCode", path),
        phone=_parse.text(data, "phone", path),
        company=_parse.text(data, "companyName", path),
    )


def map_order(data):
    """Map one ``Order`` of searchOrders/getOrder; raises AmazonMappingError naming the field."""
    if not isinstance(data, dict):
        _parse.fail("order", "must be an object")
    order_ref = _parse.text(data, "orderId", "", required=True)
    fulfillment = _parse.obj(data, "fulfillment", "")
    status = _parse.text(fulfillment, "fulfillmentStatus", "fulfillment", required=True)
    if status not in const.FULFILLMENT_STATUSES:
        _parse.fail("fulfillment.fulfillmentStatus", f"has an unknown value {status!r}")
    programs = _strings(data, "programs", "")
    fulfilled_by = _fulfilled_by(fulfillment, programs)
    sales_channel = _parse.obj(data, "salesChannel", "")
    channel = _parse.text(sales_channel, "channelName", "salesChannel") or CHANNEL_AMAZON
    marketplace_id = _parse.text(sales_channel, "marketplaceId", "salesChannel")
    raw_items = _parse.items(data, "orderItems", "", required=True)
    currency = _Currency()
    proceeds = _parse.obj(data, "proceeds", "")
    grand_total = _amount(proceeds, "grandTotal", "proceeds", currency)
    tax_included = marketplace_id not in const.TAX_EXCLUSIVE_MARKETPLACES
    lines = []
    for index, item in enumerate(raw_items):
        line, _code = _map_line(item, _parse.join("orderItems", index), tax_included, currency)
        lines.append(line)
    refs = [line.item_ref for line in lines]
    if len(set(refs)) != len(refs):
        _parse.fail("orderItems", "repeats an orderItemId")
    lines_total = sum(
        (charge.amount + charge.tax for line in lines for charge in line.charges), ZERO
    )
    extra_charges = _map_extra_charges(proceeds, grand_total, lines_total, currency)
    buyer = _parse.obj(data, "buyer", "")
    return Order(
        order_ref=order_ref,
        created=_parse.datetime_utc(data, "createdTime", "", required=True),
        last_updated=_parse.datetime_utc(data, "lastUpdatedTime", "", required=True),
        status=status,
        fulfilled_by=fulfilled_by,
        marketplace_id=marketplace_id,
        currency=currency.code,
        buyer_name=_parse.text(buyer, "buyerName", "buyer"),
        buyer_email=_parse.text(buyer, "buyerEmail", "buyer"),
        buyer_company=_parse.text(buyer, "buyerCompanyName", "buyer"),
        address=_map_address(_parse.obj(data, "recipient", "")),
        lines=tuple(lines),
        channel=channel,
        grand_total=grand_total,
        extra_charges=extra_charges,
        programs=programs,
        seller_order_ref=_seller_order_ref(data),
    )


def _seller_order_ref(data):
    """The ``SELLER_ORDER_ID`` alias of an order (``orderAliases``), or None. Lenient: an
    alias Odoo cannot read never stops the order's booking (only MCF lot reading uses it)."""
    aliases = data.get("orderAliases")
    for alias in aliases if isinstance(aliases, list) else ():
        if not isinstance(alias, dict) or alias.get("aliasType") != "SELLER_ORDER_ID":
            continue
        value = alias.get("aliasId")
        if isinstance(value, str) and value.strip() and "\x00" not in value:
            return value.strip()
    return None
