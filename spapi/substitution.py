"""Which product an Amazon order line sells (pure; the lead's rules, see DESIGN.md).

An FBA order of a lot/serial tracked product cannot be booked as a done move of that product
(Amazon never says which lot it shipped), so it sells the product's *FBA kit* instead: a
non-tracked product whose kit BoM has the tracked product as its sole component.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from . import const
from .exceptions import AmazonSubstitutionError


@dataclass(frozen=True)
class KitOption:
    product_id: int
    component_qty: float  # component units per kit (e.g. 2.0 for a 2-pack)


@dataclass(frozen=True)
class LineProduct:
    product_id: int  # the product the sale line sells
    quantity: float  # in that product's units
    tracked_product_id: int | None  # the tracked product a kit stands for


def decide(
    *,
    fulfilled_by,
    product_id,
    product_is_tracked,
    product_is_fba_kit,
    kit_component_id,
    kit_component_qty,
    kits: Sequence[KitOption],
    quantity,
    uom_rounding=0.01,
):
    """The product, quantity and tracked component of one order line.

    ``kit_component_id`` / ``kit_component_qty`` describe ``product_id`` when it is an FBA kit;
    ``kits`` are the FBA kits of ``product_id`` when it is tracked.
    """
    if fulfilled_by == const.FULFILLED_BY_MERCHANT:
        tracked = kit_component_id if product_is_fba_kit else None
        return LineProduct(product_id, float(quantity), tracked)
    if fulfilled_by != const.FULFILLED_BY_AMAZON:
        raise ValueError(f"fulfilled_by must be AMAZON or MERCHANT, not {fulfilled_by!r}")
    if product_is_fba_kit:
        return LineProduct(product_id, float(quantity), kit_component_id)
    if not product_is_tracked:
        return LineProduct(product_id, float(quantity), None)
    if not kits:
        raise AmazonSubstitutionError(
            "This product is tracked by lot or serial number and has no FBA kit: Amazon does not "
            "say which lot it shipped, so the FBA sale must sell a kit. Create its FBA kit.",
            reason="missing_kit",
            product_id=product_id,
        )
    if len(kits) > 1:
        raise AmazonSubstitutionError(
            f"This product has {len(kits)} FBA kits and the offer does not say which one Amazon "
            "sold: point the offer's SKU at the kit itself.",
            reason="ambiguous_kit",
            product_id=product_id,
        )
    kit = kits[0]
    per_kit = float(kit.component_qty or 0.0)
    if per_kit <= 0:
        raise ValueError("an FBA kit must contain a positive quantity of its component")
    kit_quantity = quantity / per_kit
    whole = round(kit_quantity)
    if abs(kit_quantity - whole) > (uom_rounding or 0.0) / 2:
        raise AmazonSubstitutionError(
            f"Amazon sold {quantity:g} units, which is not a whole number of FBA kits of "
            f"{per_kit:g} units: fix the offer or the kit.",
            reason="fractional_kit",
            product_id=product_id,
        )
    return LineProduct(kit.product_id, float(whole), product_id)
