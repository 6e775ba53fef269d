"""Order, order line and customer views (see `nodes` for how graphql-core reads them)."""

from __future__ import annotations

from typing import Any, ClassVar

from sandbox.saleor import order_records as rec
from sandbox.saleor.catalog import Catalog, Record, to_global_id
from sandbox.saleor.context import Info
from sandbox.saleor.nodes import ChannelNode, RecordNode, WarehouseNode, money, taxed
from sandbox.saleor.paging import connection
from sandbox.saleor.product_nodes import VariantNode

COUNTRIES = {"IN": "India", "US": "United States of America", "MX": "Mexico", "GB": "United Kingdom"}


def address(data: dict[str, Any] | None, key: str = "") -> dict[str, Any] | None:
    """An Address object from a stored AddressInput-shaped dict."""
    if not data:
        return None
    code = str(data.get("country") or "US")
    fields = ("firstName", "lastName", "companyName", "streetAddress1", "streetAddress2", "city", "cityArea",
              "postalCode", "countryArea")
    return {
        "id": to_global_id("Address", key or "0"),
        **{f: str(data.get(f) or "") for f in fields},
        "country": {"code": code, "country": COUNTRIES.get(code, code), "vat": None},
        "phone": data.get("phone"),
        "metadata": [],
        "privateMetadata": [],
        "isDefaultShippingAddress": None,
        "isDefaultBillingAddress": None,
    }


class CustomerNode(RecordNode):
    """A store customer as Saleor's `User`."""

    table = "customers"
    isStaff = False
    isConfirmed = True
    languageCode = "EN_US"
    restrictedAccessToChannels = False
    externalReference = None
    addresses: ClassVar[tuple[Any, ...]] = ()

    @property
    def email(self) -> str:
        return str(self.row["email"])

    @property
    def firstName(self) -> str:
        return str(self.row.get("first_name") or "")

    @property
    def lastName(self) -> str:
        return str(self.row.get("last_name") or "")

    @property
    def note(self) -> str | None:
        return self.row.get("note")

    @property
    def isActive(self) -> bool:
        return bool(self.row.get("is_active", True))

    @property
    def dateJoined(self) -> str:
        return str(self.row["joined"])

    updatedAt = dateJoined

    @property
    def metadata(self) -> list[dict[str, str]]:  # type: ignore[override]
        return [{"key": k, "value": v} for k, v in self.row.get("metadata", {}).items()]

    def metafield(self, info: Info, key: str) -> Any:
        return self.row.get("metadata", {}).get(key)

    @property
    def defaultShippingAddress(self) -> dict[str, Any] | None:
        return address(self.row.get("address"), f"{self.pk}-ship")

    @property
    def defaultBillingAddress(self) -> dict[str, Any] | None:
        return address(self.row.get("address"), f"{self.pk}-bill")

    def orders(self, info: Info, **page: Any) -> dict[str, Any]:
        page.pop("where", None)
        rows = self.catalog.table("orders")
        mine = sorted((pk for pk, row in rows.items() if row.get("customer") == self.pk),
                      key=lambda pk: rec.number_value(rows[pk]["number"]) or 0, reverse=True)
        return connection([OrderNode(self.catalog, pk) for pk in mine], "orders", **page)


class OrderLineNode:
    """One order line (kept inside its order's record)."""

    metadata: ClassVar[tuple[Any, ...]] = ()
    privateMetadata: ClassVar[tuple[Any, ...]] = ()
    isShippingRequired = True
    taxRate = 0.0
    isGift = False
    isPriceOverridden = False

    def __init__(self, catalog: Catalog, order: Record, line: Record) -> None:
        self.catalog = catalog
        self.order = order
        self.line = line

    @property
    def _currency(self) -> str:
        return str(self.catalog.table("channels")[self.order["channel"]]["currency"])

    @property
    def id(self) -> str:
        return to_global_id("OrderLine", self.line["id"])

    @property
    def productName(self) -> str:
        return str(self.line["product_name"])

    translatedProductName = productName

    @property
    def variantName(self) -> str:
        return str(self.line.get("variant_name") or "")

    translatedVariantName = variantName

    @property
    def productSku(self) -> str | None:
        return self.line.get("sku")

    @property
    def productVariantId(self) -> str | None:
        return to_global_id("ProductVariant", self.line["variant"]) if self.line.get("variant") else None

    @property
    def quantity(self) -> int:
        return int(self.line["quantity"])

    @property
    def quantityFulfilled(self) -> int:
        return int(self.line["quantity_fulfilled"])

    @property
    def quantityToFulfill(self) -> int:
        return self.quantity - self.quantityFulfilled

    @property
    def unitPrice(self) -> dict[str, Any] | None:
        return taxed(self.line["unit_price"], self._currency)

    undiscountedUnitPrice = unitPrice

    @property
    def totalPrice(self) -> dict[str, Any] | None:
        return taxed(rec.money_round(self.line["unit_price"] * self.quantity), self._currency)

    undiscountedTotalPrice = totalPrice

    @property
    def variant(self) -> VariantNode | None:
        pk = self.line.get("variant")
        return VariantNode(self.catalog, pk) if pk and pk in self.catalog.table("variants") else None

    @property
    def allocations(self) -> list[dict[str, Any]]:
        return [{"id": to_global_id("Allocation", f"{self.line['id']}-{wh}"), "quantity": qty,
                 "warehouse": WarehouseNode(self.catalog, wh)}
                for wh, qty in self.line.get("allocations", {}).items() if qty]

    def thumbnail(self, info: Info, **_: Any) -> None:
        return None


class OrderNode(RecordNode):
    table = "orders"
    origin = "DRAFT"
    trackingClientId = ""
    taxExemption = False
    displayGrossPrices = True
    isShippingRequired = True
    languageCodeEnum = "EN_US"
    payments: ClassVar[tuple[Any, ...]] = ()
    giftCards: ClassVar[tuple[Any, ...]] = ()
    invoices: ClassVar[tuple[Any, ...]] = ()
    discounts: ClassVar[tuple[Any, ...]] = ()
    errors: ClassVar[tuple[Any, ...]] = ()

    def __init__(self, catalog: Catalog, pk: str) -> None:  # no channel slug: `channel` is a field here
        self.catalog = catalog
        self.pk = pk

    def _money(self, value: float) -> dict[str, Any] | None:
        return money(value, self._currency)

    @property
    def _currency(self) -> str:
        return str(self.catalog.table("channels")[self.row["channel"]]["currency"])

    number = property(lambda self: str(self.row["number"]))
    status = property(lambda self: str(self.row["status"]))
    created = property(lambda self: str(self.row["created"]))
    updatedAt = property(lambda self: str(self.row["updated"]))
    customerNote = property(lambda self: str(self.row.get("customer_note") or ""))
    voucherCode = property(lambda self: self.row.get("voucher_code"))
    shippingMethodName = property(lambda self: self.row.get("shipping_method"))

    @property
    def statusDisplay(self) -> str:
        return str(self.row["status"]).replace("_", " ").capitalize()

    @property
    def userEmail(self) -> str | None:
        return self.row.get("user_email")

    @property
    def user(self) -> CustomerNode | None:
        pk = self.row.get("customer")
        return CustomerNode(self.catalog, pk) if pk and pk in self.catalog.table("customers") else None

    @property
    def channel(self) -> ChannelNode:  # type: ignore[override]
        return ChannelNode(self.catalog, self.row["channel"])

    @property
    def lines(self) -> list[OrderLineNode]:
        return [OrderLineNode(self.catalog, self.row, line) for line in self.row["lines"]]

    def line_node(self, line_id: str) -> OrderLineNode | None:
        line = next((li for li in self.row["lines"] if li["id"] == line_id), None)
        return OrderLineNode(self.catalog, self.row, line) if line else None

    paymentStatus = property(lambda self: rec.payment_status(self.row))
    chargeStatus = property(lambda self: rec.charge_status(self.row))
    authorizeStatus = property(lambda self: rec.authorize_status(self.row))

    @property
    def paymentStatusDisplay(self) -> str:
        return rec.payment_status(self.row).replace("_", " ").capitalize()

    @property
    def isPaid(self) -> bool:
        return rec.charged(self.row) >= rec.total(self.row) > 0

    total = property(lambda self: taxed(rec.total(self.row), self._currency))
    undiscountedTotal = property(lambda self: taxed(rec.subtotal(self.row) + self.row["shipping_price"], self._currency))
    subtotal = property(lambda self: taxed(rec.subtotal(self.row), self._currency))
    shippingPrice = property(lambda self: taxed(self.row["shipping_price"], self._currency))
    totalCharged = property(lambda self: self._money(rec.charged(self.row)))
    totalRefunded = property(lambda self: self._money(rec.refunded(self.row)))
    totalGrantedRefund = property(lambda self: self._money(rec.granted(self.row)))
    totalRefundPending = property(lambda self: self._money(0.0))
    totalBalance = property(lambda self: self._money(rec.charged(self.row) - rec.refunded(self.row)
                                                     - rec.total(self.row)))

    @property
    def shippingAddress(self) -> dict[str, Any] | None:
        return address(self.row.get("shipping_address"), f"{self.pk}-ship")

    @property
    def billingAddress(self) -> dict[str, Any] | None:
        return address(self.row.get("billing_address"), f"{self.pk}-bill")

    @property
    def fulfillments(self) -> list[dict[str, Any]]:
        return [
            {
                "id": to_global_id("Fulfillment", f["id"]),
                "fulfillmentOrder": f["number"],
                "status": f["status"],
                "statusDisplay": str(f["status"]).capitalize(),
                "trackingNumber": f.get("tracking_number") or "",
                "created": f["created"],
                "warehouse": WarehouseNode(self.catalog, f["warehouse"]) if f.get("warehouse") else None,
                "lines": [{"id": to_global_id("FulfillmentLine", f"{f['id']}-{i}"), "quantity": item["quantity"],
                           "orderLine": self.line_node(item["line"])} for i, item in enumerate(f["lines"])],
                "metadata": [],
                "privateMetadata": [],
            }
            for f in self.row["fulfillments"]
        ]

    @property
    def transactions(self) -> list[dict[str, Any]]:
        zero = self._money(0.0)
        return [
            {
                "id": to_global_id("TransactionItem", t["id"]),
                "name": t.get("name") or "",
                "pspReference": t.get("psp_reference") or "",
                "message": "",
                "chargedAmount": self._money(t["charged"]),
                "refundedAmount": self._money(t["refunded"]),
                "authorizedAmount": self._money(t.get("authorized", 0.0)),
                "refundPendingAmount": zero, "chargePendingAmount": zero, "authorizePendingAmount": zero,
                "canceledAmount": zero, "cancelPendingAmount": zero,
                "createdAt": t["created"], "modifiedAt": t["created"],
                "actions": ["REFUND"] if t["charged"] > t["refunded"] else [],
                "events": [], "metadata": [], "privateMetadata": [],
            }
            for t in self.row["transactions"]
        ]

    @property
    def grantedRefunds(self) -> list[dict[str, Any]]:
        return [
            {
                "id": to_global_id("OrderGrantedRefund", g["id"]),
                "createdAt": g["created"],
                "updatedAt": g["created"],
                "amount": self._money(g["amount"]),
                "reason": g.get("reason"),
                "status": g["status"],
                "shippingCostsIncluded": bool(g.get("shipping")),
                "lines": [{"id": to_global_id("OrderGrantedRefundLine", f"{g['id']}-{i}"), "quantity": item["quantity"],
                           "orderLine": self.line_node(item["line"]), "reason": None}
                          for i, item in enumerate(g.get("lines") or [])],
            }
            for g in self.row["granted_refunds"]
        ]

    @property
    def events(self) -> list[dict[str, Any]]:
        return [
            {"id": to_global_id("OrderEvent", e["id"]), "date": e["date"], "type": e["type"], "message": e.get("message"),
             "user": {"email": e["user"]} if e.get("user") else None, "email": None}
            for e in self.row["events"]
        ]
