"""FBA Inventory ``InventorySummary`` (fbaInventory.json) -> :class:`InventoryRow` (pure)."""

from dataclasses import dataclass

from . import _parse


@dataclass(frozen=True)
class InventoryRow:
    sku: str
    asin: str | None
    fnsku: str | None
    product_name: str | None
    condition: str | None
    fulfillable: int  # inventoryDetails.fulfillableQuantity
    inbound: int  # inbound working + shipped + receiving
    reserved: int  # reservedQuantity.totalReservedQuantity
    unfulfillable: int  # unfulfillableQuantity.totalUnfulfillableQuantity
    researching: int  # researchingQuantity.totalResearchingQuantity
    total: int  # totalQuantity (inbound + in Amazon's fulfillment centres)


def map_inventory_summary(data, path="inventorySummaries[0]"):
    """Map one ``InventorySummary``; quantities Amazon leaves out (``details=false``) count 0."""
    if not isinstance(data, dict):
        _parse.fail(path, "must be an object")
    details = _parse.obj(data, "inventoryDetails", path)
    details_path = _parse.join(path, "inventoryDetails")

    def qty(source, key, where):
        value = _parse.get(source, key, where, int, default=0)
        if value < 0:
            _parse.fail(_parse.join(where, key), f"must not be negative ({value})")
        return value

    def nested(key, total_key):
        where = _parse.join(details_path, key)
        return qty(_parse.obj(details, key, details_path), total_key, where)

    return InventoryRow(
        sku=_parse.text(data, "sellerSku", path, required=True),
        asin=_parse.text(data, "asin", path),
        fnsku=_parse.text(data, "fnSku", path),
        product_name=_parse.text(data, "productName", path),
        condition=_parse.text(data, "condition", path),
        fulfillable=qty(details, "fulfillableQuantity", details_path),
        inbound=sum(
            qty(details, key, details_path)
            for key in (
                "inboundWorkingQuantity",
                "inboundShippedQuantity",
                "inboundReceivingQuantity",
            )
        ),
        reserved=nested("reservedQuantity", "totalReservedQuantity"),
        unfulfillable=nested("unfulfillableQuantity", "totalUnfulfillableQuantity"),
        researching=nested("researchingQuantity", "totalResearchingQuantity"),
        total=qty(data, "totalQuantity", path),
    )
