"""GraphQL documents of the order tools: orders, draft orders, fulfilments, cancels and refunds.

Re-exported by `documents`, whose `ALL_DOCUMENTS` the tests validate against Saleor's schema.
"""

from __future__ import annotations

_ERRORS = "errors { field code message }"

ORDER_SUMMARY_FIELDS = """
fragment OrderSummaryFields on Order {
  id
  number
  status
  created
  updatedAt
  userEmail
  user { id email firstName lastName }
  channel { id slug currencyCode }
  paymentStatus
  chargeStatus
  total { gross { amount currency } }
  totalCharged { amount currency }
  totalRefunded { amount currency }
  lines { id quantity quantityFulfilled }
}
"""

ADDRESS_FIELDS = """
fragment AddressFields on Address {
  firstName
  lastName
  companyName
  streetAddress1
  streetAddress2
  city
  postalCode
  country { code }
  countryArea
  phone
}
"""

ORDER_FIELDS = (
    """
fragment OrderFields on Order {
  ...OrderSummaryFields
  authorizeStatus
  isPaid
  customerNote
  voucherCode
  shippingMethodName
  subtotal { gross { amount currency } }
  shippingPrice { gross { amount currency } }
  totalRefundPending { amount currency }
  shippingAddress { ...AddressFields }
  billingAddress { ...AddressFields }
  lines {
    id
    productName
    variantName
    productSku
    quantity
    quantityFulfilled
    quantityToFulfill
    unitPrice { gross { amount currency } }
    totalPrice { gross { amount currency } }
    variant { id }
    allocations { quantity warehouse { id name } }
  }
  fulfillments {
    id
    fulfillmentOrder
    status
    trackingNumber
    created
    warehouse { id name }
    lines { quantity orderLine { id productSku } }
  }
  transactions {
    id
    name
    chargedAmount { amount currency }
    refundedAmount { amount currency }
    refundPendingAmount { amount currency }
  }
  payments {
    id
    gateway
    isActive
    chargeStatus
    capturedAmount { amount currency }
    availableRefundAmount { amount currency }
  }
  grantedRefunds {
    id
    createdAt
    amount { amount currency }
    reason
    status
    shippingCostsIncluded
    lines { quantity orderLine { id productSku } }
  }
  events { id date type message user { email } }
}
"""
    + ORDER_SUMMARY_FIELDS
    + ADDRESS_FIELDS
)

# --- reads -----------------------------------------------------------------------------------

ORDERS = (
    """
query Orders($where: OrderWhereInput, $search: String, $first: Int = 20, $after: String) {
  orders(where: $where, search: $search, first: $first, after: $after, sortBy: {field: NUMBER, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...OrderSummaryFields } }
  }
}
"""
    + ORDER_SUMMARY_FIELDS
)

ORDER_BY_NUMBER = (
    """
query OrderByNumber($number: Int!) {
  orders(where: {number: {eq: $number}}, first: 1) {
    edges { node { ...OrderFields } }
  }
}
"""
    + ORDER_FIELDS
)

DRAFT_ORDER_BY_NUMBER = (
    """
query DraftOrderByNumber($number: Int!) {
  draftOrders(where: {number: {eq: $number}}, first: 1) {
    edges { node { ...OrderFields } }
  }
}
"""
    + ORDER_FIELDS
)

ORDER_BY_ID = (
    """
query OrderById($id: ID!) {
  order(id: $id) { ...OrderFields }
}
"""
    + ORDER_FIELDS
)

SHIPPING_METHODS = """
query ShippingMethods($channel: String) {
  shippingZones(first: 100, channel: $channel) {
    edges { node { id name shippingMethods { id name } } }
  }
}
"""

# --- writes ----------------------------------------------------------------------------------

ORDER_FULFILL = f"""
mutation OrderFulfill($order: ID!, $input: OrderFulfillInput!) {{
  orderFulfill(order: $order, input: $input) {{
    fulfillments {{ id fulfillmentOrder trackingNumber }}
    order {{ id }}
    {_ERRORS}
  }}
}}
"""

ORDER_CANCEL = f"""
mutation OrderCancel($id: ID!) {{
  orderCancel(id: $id) {{
    order {{ id status }}
    {_ERRORS}
  }}
}}
"""

ORDER_NOTE_ADD = f"""
mutation OrderNoteAdd($order: ID!, $message: String!) {{
  orderNoteAdd(order: $order, input: {{message: $message}}) {{
    event {{ id }}
    {_ERRORS}
  }}
}}
"""

ORDER_GRANT_REFUND_CREATE = f"""
mutation OrderGrantRefundCreate($id: ID!, $input: OrderGrantRefundCreateInput!) {{
  orderGrantRefundCreate(id: $id, input: $input) {{
    grantedRefund {{ id amount {{ amount currency }} status }}
    {_ERRORS}
  }}
}}
"""

TRANSACTION_REQUEST_REFUND = f"""
mutation TransactionRequestRefundForGrantedRefund($grantedRefundId: ID!) {{
  transactionRequestRefundForGrantedRefund(grantedRefundId: $grantedRefundId) {{
    transaction {{ id refundedAmount {{ amount currency }} refundPendingAmount {{ amount currency }} }}
    {_ERRORS}
  }}
}}
"""

# The legacy Payments API (deprecated by Saleor): used only for orders paid without transactions.
ORDER_REFUND_LEGACY = f"""
mutation OrderRefundLegacy($id: ID!, $amount: PositiveDecimal!) {{
  orderRefund(id: $id, amount: $amount) {{
    order {{ id }}
    {_ERRORS}
  }}
}}
"""

DRAFT_ORDER_CREATE = f"""
mutation DraftOrderCreate($input: DraftOrderCreateInput!) {{
  draftOrderCreate(input: $input) {{
    order {{ id number }}
    {_ERRORS}
  }}
}}
"""

DRAFT_ORDER_COMPLETE = f"""
mutation DraftOrderComplete($id: ID!) {{
  draftOrderComplete(id: $id) {{
    order {{ id number status }}
    {_ERRORS}
  }}
}}
"""

DOCUMENTS: tuple[str, ...] = (
    ORDERS,
    ORDER_BY_NUMBER,
    DRAFT_ORDER_BY_NUMBER,
    ORDER_BY_ID,
    SHIPPING_METHODS,
    ORDER_FULFILL,
    ORDER_CANCEL,
    ORDER_NOTE_ADD,
    ORDER_GRANT_REFUND_CREATE,
    TRANSACTION_REQUEST_REFUND,
    ORDER_REFUND_LEGACY,
    DRAFT_ORDER_CREATE,
    DRAFT_ORDER_COMPLETE,
)
