"""GraphQL documents of the customer, voucher, promotion, stock and bulk-pricing tools.

Re-exported by `documents`, whose `ALL_DOCUMENTS` the tests validate against Saleor's schema.
"""

from __future__ import annotations

from adapters.saleor.order_documents import ADDRESS_FIELDS

_ERRORS = "errors { field code message }"

CUSTOMER_FIELDS = (
    """
fragment CustomerFields on User {
  id
  email
  firstName
  lastName
  note
  isActive
  dateJoined
  metadata { key value }
  defaultShippingAddress { ...AddressFields }
  defaultBillingAddress { ...AddressFields }
  orders(first: 100) {
    totalCount
    edges { node { number created status total { gross { amount currency } } } }
  }
}
"""
    + ADDRESS_FIELDS
)

VOUCHER_FIELDS = """
fragment VoucherFields on Voucher {
  id
  name
  type
  discountValueType
  startDate
  endDate
  usageLimit
  used
  applyOncePerCustomer
  codes(first: 100) { edges { node { code isActive used } } }
  channelListings {
    channel { id slug currencyCode }
    discountValue
    minSpent { amount currency }
  }
  products(first: 100) { edges { node { id name } } }
  categories(first: 100) { edges { node { id name } } }
  collections(first: 100) { edges { node { id name } } }
}
"""

PROMOTION_FIELDS = """
fragment PromotionFields on Promotion {
  id
  name
  type
  startDate
  endDate
  rules {
    id
    channels { id slug currencyCode }
    rewardValueType
    rewardValue
    cataloguePredicate
  }
}
"""

STOCK_VARIANT_FIELDS = """
fragment StockVariantFields on ProductVariant {
  id
  sku
  name
  product { id name }
  stocks { warehouse { id name } quantity quantityAllocated }
}
"""

# --- customers -------------------------------------------------------------------------------

CUSTOMERS = (
    """
query Customers($search: String, $where: CustomerWhereInput, $first: Int = 20, $after: String) {
  customers(search: $search, where: $where, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { ...CustomerFields } }
  }
}
"""
    + CUSTOMER_FIELDS
)

CUSTOMER = (
    """
query Customer($id: ID, $email: String) {
  user(id: $id, email: $email) { ...CustomerFields }
}
"""
    + CUSTOMER_FIELDS
)

CUSTOMER_UPDATE = f"""
mutation CustomerUpdate($id: ID!, $input: CustomerInput!) {{
  customerUpdate(id: $id, input: $input) {{
    user {{ id }}
    {_ERRORS}
  }}
}}
"""

# --- vouchers and promotions -----------------------------------------------------------------

VOUCHERS = (
    """
query Vouchers($search: String, $first: Int = 20) {
  vouchers(filter: {search: $search}, first: $first) {
    edges { node { ...VoucherFields } }
  }
}
"""
    + VOUCHER_FIELDS
)

VOUCHER = (
    """
query Voucher($id: ID!) {
  voucher(id: $id) { ...VoucherFields }
}
"""
    + VOUCHER_FIELDS
)

VOUCHER_CREATE = f"""
mutation VoucherCreate($input: VoucherInput!) {{
  voucherCreate(input: $input) {{
    voucher {{ id }}
    {_ERRORS}
  }}
}}
"""

VOUCHER_UPDATE = f"""
mutation VoucherUpdate($id: ID!, $input: VoucherInput!) {{
  voucherUpdate(id: $id, input: $input) {{
    voucher {{ id }}
    {_ERRORS}
  }}
}}
"""

VOUCHER_CHANNEL_LISTING_UPDATE = f"""
mutation VoucherChannelListingUpdate($id: ID!, $input: VoucherChannelListingInput!) {{
  voucherChannelListingUpdate(id: $id, input: $input) {{
    voucher {{ id }}
    {_ERRORS}
  }}
}}
"""

PROMOTIONS = (
    """
query Promotions($name: String!) {
  promotions(where: {name: {eq: $name}}, first: 10) {
    edges { node { ...PromotionFields } }
  }
}
"""
    + PROMOTION_FIELDS
)

PROMOTION_CREATE = (
    f"""
mutation PromotionCreate($input: PromotionCreateInput!) {{
  promotionCreate(input: $input) {{
    promotion {{ ...PromotionFields }}
    {_ERRORS}
  }}
}}
"""
    + PROMOTION_FIELDS
)

# --- stock -----------------------------------------------------------------------------------

WAREHOUSES = """
query Warehouses($search: String) {
  warehouses(first: 100, filter: {search: $search}) {
    edges { node { id name slug } }
  }
}
"""

STOCK_BY_SKU = (
    """
query StockBySku($sku: String!) {
  productVariant(sku: $sku) { ...StockVariantFields }
}
"""
    + STOCK_VARIANT_FIELDS
)

PRODUCT_STOCK = (
    """
query ProductStock($id: ID!) {
  product(id: $id) {
    productVariants(first: 100) { edges { node { ...StockVariantFields } } }
  }
}
"""
    + STOCK_VARIANT_FIELDS
)

STOCKS = (
    """
query Stocks($first: Int = 100, $after: String) {
  productVariants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { ...StockVariantFields } }
  }
}
"""
    + STOCK_VARIANT_FIELDS
)

VARIANT_STOCKS_UPDATE = f"""
mutation VariantStocksUpdate($sku: String!, $stocks: [StockInput!]!) {{
  productVariantStocksUpdate(sku: $sku, stocks: $stocks) {{
    productVariant {{ id }}
    {_ERRORS}
  }}
}}
"""

DOCUMENTS: tuple[str, ...] = (
    CUSTOMERS,
    CUSTOMER,
    CUSTOMER_UPDATE,
    VOUCHERS,
    VOUCHER,
    VOUCHER_CREATE,
    VOUCHER_UPDATE,
    VOUCHER_CHANNEL_LISTING_UPDATE,
    PROMOTIONS,
    PROMOTION_CREATE,
    WAREHOUSES,
    STOCK_BY_SKU,
    PRODUCT_STOCK,
    STOCKS,
    VARIANT_STOCKS_UPDATE,
)
