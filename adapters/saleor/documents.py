"""Every GraphQL document the Saleor adapter sends.

Each constant is a complete document (its fragments included) so that it can be validated on
its own against Saleor's schema; `ALL_DOCUMENTS` lists them for that test.
"""

from __future__ import annotations

from adapters.saleor import order_documents as _orders
from adapters.saleor import shop_documents as _shop

# Orders, drafts, fulfilments and refunds; customers, vouchers, promotions and stock (kept in
# their own modules, named here so that every document is in this module's ALL_DOCUMENTS).
DRAFT_ORDER_BY_NUMBER = _orders.DRAFT_ORDER_BY_NUMBER
DRAFT_ORDER_COMPLETE = _orders.DRAFT_ORDER_COMPLETE
DRAFT_ORDER_CREATE = _orders.DRAFT_ORDER_CREATE
ORDER_BY_ID = _orders.ORDER_BY_ID
ORDER_BY_NUMBER = _orders.ORDER_BY_NUMBER
ORDER_CANCEL = _orders.ORDER_CANCEL
ORDER_FULFILL = _orders.ORDER_FULFILL
ORDER_GRANT_REFUND_CREATE = _orders.ORDER_GRANT_REFUND_CREATE
ORDER_NOTE_ADD = _orders.ORDER_NOTE_ADD
ORDER_REFUND_LEGACY = _orders.ORDER_REFUND_LEGACY
ORDERS = _orders.ORDERS
SHIPPING_METHODS = _orders.SHIPPING_METHODS
TRANSACTION_REQUEST_REFUND = _orders.TRANSACTION_REQUEST_REFUND
CUSTOMER = _shop.CUSTOMER
CUSTOMER_UPDATE = _shop.CUSTOMER_UPDATE
CUSTOMERS = _shop.CUSTOMERS
PRODUCT_STOCK = _shop.PRODUCT_STOCK
PROMOTION_CREATE = _shop.PROMOTION_CREATE
PROMOTIONS = _shop.PROMOTIONS
STOCK_BY_SKU = _shop.STOCK_BY_SKU
STOCKS = _shop.STOCKS
VARIANT_STOCKS_UPDATE = _shop.VARIANT_STOCKS_UPDATE
VOUCHER = _shop.VOUCHER
VOUCHER_CHANNEL_LISTING_UPDATE = _shop.VOUCHER_CHANNEL_LISTING_UPDATE
VOUCHER_CREATE = _shop.VOUCHER_CREATE
VOUCHER_UPDATE = _shop.VOUCHER_UPDATE
VOUCHERS = _shop.VOUCHERS
WAREHOUSES = _shop.WAREHOUSES

ERROR_FIELDS = "errors { field code message }"

VARIANT_FIELDS = """
fragment VariantFields on ProductVariant {
  id
  sku
  name
  weight { unit value }
  channelListings {
    channel { id slug currencyCode }
    price { amount currency }
    costPrice { amount currency }
  }
}
"""

PRODUCT_FIELDS = """
fragment ProductFields on Product {
  id
  name
  slug
  description
  seoTitle
  seoDescription
  productType { id name }
  category { id name }
  collections { id name slug }
  thumbnail { url }
  defaultVariant { id }
  channelListings {
    channel { id slug currencyCode }
    isPublished
    publishedAt
    isAvailableForPurchase
  }
  productVariants(first: 100) {
    edges { node { ...VariantFields } }
  }
}
"""

ATTRIBUTE_FIELDS = """
fragment AttributeFields on Attribute { id name slug inputType }
"""

PRODUCT_TYPE_FIELDS = """
fragment ProductTypeFields on ProductType {
  id
  name
  slug
  productAttributes { ...AttributeFields }
  assignedVariantAttributes { attribute { ...AttributeFields } }
}
"""

COLLECTION_FIELDS = """
fragment CollectionFields on Collection {
  id
  name
  slug
  description
  seoTitle
  seoDescription
  channelListings {
    channel { id slug }
    isPublished
    publishedAt
  }
  products(first: 100) {
    totalCount
    edges { node { id name slug } }
  }
}
"""

# --- authentication --------------------------------------------------------------------------

TOKEN_CREATE = f"""
mutation TokenCreate($email: String!, $password: String!) {{
  tokenCreate(email: $email, password: $password) {{
    token
    refreshToken
    {ERROR_FIELDS}
  }}
}}
"""

TOKEN_REFRESH = f"""
mutation TokenRefresh($refreshToken: String!) {{
  tokenRefresh(refreshToken: $refreshToken) {{
    token
    {ERROR_FIELDS}
  }}
}}
"""

# --- lookups ---------------------------------------------------------------------------------

CHANNEL_BY_SLUG = """
query ChannelBySlug($slug: String!) {
  channel(slug: $slug) { id slug name currencyCode }
}
"""

PRODUCT_TYPES = (
    """
query ProductTypes($search: String, $first: Int = 100) {
  productTypes(first: $first, filter: {search: $search}) {
    edges { node { ...ProductTypeFields } }
  }
}
"""
    + PRODUCT_TYPE_FIELDS
    + ATTRIBUTE_FIELDS
)

PRODUCT_TYPE_BY_ID = (
    """
query ProductTypeById($id: ID!) {
  productType(id: $id) { ...ProductTypeFields }
}
"""
    + PRODUCT_TYPE_FIELDS
    + ATTRIBUTE_FIELDS
)

CATEGORIES = """
query Categories($search: String, $first: Int = 100) {
  categories(first: $first, filter: {search: $search}) {
    edges { node { id name slug } }
  }
}
"""

CATEGORY_BY_ID = """
query CategoryById($id: ID!) {
  category(id: $id) { id name slug }
}
"""

COLLECTIONS = """
query Collections($search: String, $first: Int = 100) {
  collections(first: $first, filter: {search: $search}) {
    edges { node { id name slug } }
  }
}
"""

COLLECTION = (
    """
query Collection($id: ID, $slug: String) {
  collection(id: $id, slug: $slug) { ...CollectionFields }
}
"""
    + COLLECTION_FIELDS
)

# --- products --------------------------------------------------------------------------------

PRODUCTS_SEARCH = (
    """
query ProductsSearch($search: String, $where: ProductWhereInput, $channel: String, $first: Int = 20) {
  products(first: $first, search: $search, where: $where, channel: $channel) {
    totalCount
    edges { node { ...ProductFields } }
  }
}
"""
    + PRODUCT_FIELDS
    + VARIANT_FIELDS
)

# Every product of a `where`, a page at a time (bulk price changes).
PRODUCTS_PAGE = (
    """
query ProductsPage($where: ProductWhereInput, $channel: String, $after: String) {
  products(first: 100, where: $where, channel: $channel, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { ...ProductFields } }
  }
}
"""
    + PRODUCT_FIELDS
    + VARIANT_FIELDS
)

PRODUCT = (
    """
query Product($id: ID, $slug: String) {
  product(id: $id, slug: $slug) { ...ProductFields }
}
"""
    + PRODUCT_FIELDS
    + VARIANT_FIELDS
)

VARIANT_BY_SKU = (
    """
query VariantBySku($sku: String!) {
  productVariant(sku: $sku) {
    ...VariantFields
    product {
      id
      name
      slug
      productType { id }
      channelListings { channel { id slug } }
    }
  }
}
"""
    + VARIANT_FIELDS
)

PRODUCT_CREATE = f"""
mutation ProductCreate($input: ProductCreateInput!) {{
  productCreate(input: $input) {{
    product {{ id slug }}
    {ERROR_FIELDS}
  }}
}}
"""

# One atomic mutation for a product with its variants, channel listings and prices (Saleor runs it
# in one transaction; the default error policy REJECT_EVERYTHING writes nothing on any error).
PRODUCT_BULK_CREATE = """
mutation ProductBulkCreate($products: [ProductBulkCreateInput!]!) {
  productBulkCreate(products: $products, errorPolicy: REJECT_EVERYTHING) {
    count
    results { product { id slug } errors { path code message } }
    errors { path code message }
  }
}
"""

PRODUCT_VARIANT_BULK_CREATE = f"""
mutation ProductVariantBulkCreate($product: ID!, $variants: [ProductVariantBulkCreateInput!]!) {{
  productVariantBulkCreate(product: $product, variants: $variants, errorPolicy: REJECT_EVERYTHING) {{
    count
    results {{ productVariant {{ id sku }} errors {{ field path code message }} }}
    {ERROR_FIELDS}
  }}
}}
"""

PRODUCT_UPDATE = f"""
mutation ProductUpdate($id: ID!, $input: ProductInput!) {{
  productUpdate(id: $id, input: $input) {{
    product {{ id slug }}
    {ERROR_FIELDS}
  }}
}}
"""

PRODUCT_CHANNEL_LISTING_UPDATE = f"""
mutation ProductChannelListingUpdate($id: ID!, $input: ProductChannelListingUpdateInput!) {{
  productChannelListingUpdate(id: $id, input: $input) {{
    product {{ id }}
    {ERROR_FIELDS}
  }}
}}
"""

PRODUCT_VARIANT_CREATE = f"""
mutation ProductVariantCreate($input: ProductVariantCreateInput!) {{
  productVariantCreate(input: $input) {{
    productVariant {{ id sku }}
    {ERROR_FIELDS}
  }}
}}
"""

PRODUCT_VARIANT_UPDATE = f"""
mutation ProductVariantUpdate($id: ID!, $input: ProductVariantInput!) {{
  productVariantUpdate(id: $id, input: $input) {{
    productVariant {{ id sku }}
    {ERROR_FIELDS}
  }}
}}
"""

PRODUCT_VARIANT_CHANNEL_LISTING_UPDATE = f"""
mutation ProductVariantChannelListingUpdate($id: ID!, $input: [ProductVariantChannelListingAddInput!]!) {{
  productVariantChannelListingUpdate(id: $id, input: $input) {{
    variant {{ id }}
    {ERROR_FIELDS}
  }}
}}
"""

# --- collections -----------------------------------------------------------------------------

COLLECTION_CREATE = f"""
mutation CollectionCreate($input: CollectionCreateInput!) {{
  collectionCreate(input: $input) {{
    collection {{ id slug }}
    {ERROR_FIELDS}
  }}
}}
"""

COLLECTION_CHANNEL_LISTING_UPDATE = f"""
mutation CollectionChannelListingUpdate($id: ID!, $input: CollectionChannelListingUpdateInput!) {{
  collectionChannelListingUpdate(id: $id, input: $input) {{
    collection {{ id }}
    {ERROR_FIELDS}
  }}
}}
"""

COLLECTION_ADD_PRODUCTS = f"""
mutation CollectionAddProducts($collectionId: ID!, $products: [ID!]!) {{
  collectionAddProducts(collectionId: $collectionId, products: $products) {{
    collection {{ id }}
    {ERROR_FIELDS}
  }}
}}
"""

COLLECTION_REMOVE_PRODUCTS = f"""
mutation CollectionRemoveProducts($collectionId: ID!, $products: [ID!]!) {{
  collectionRemoveProducts(collectionId: $collectionId, products: $products) {{
    collection {{ id }}
    {ERROR_FIELDS}
  }}
}}
"""

ALL_DOCUMENTS: tuple[str, ...] = (
    TOKEN_CREATE,
    TOKEN_REFRESH,
    CHANNEL_BY_SLUG,
    PRODUCT_TYPES,
    PRODUCT_TYPE_BY_ID,
    CATEGORIES,
    CATEGORY_BY_ID,
    COLLECTIONS,
    COLLECTION,
    PRODUCTS_SEARCH,
    PRODUCT,
    VARIANT_BY_SKU,
    PRODUCT_CREATE,
    PRODUCT_BULK_CREATE,
    PRODUCT_VARIANT_BULK_CREATE,
    PRODUCT_UPDATE,
    PRODUCT_CHANNEL_LISTING_UPDATE,
    PRODUCT_VARIANT_CREATE,
    PRODUCT_VARIANT_UPDATE,
    PRODUCT_VARIANT_CHANNEL_LISTING_UPDATE,
    COLLECTION_CREATE,
    COLLECTION_CHANNEL_LISTING_UPDATE,
    COLLECTION_ADD_PRODUCTS,
    COLLECTION_REMOVE_PRODUCTS,
    PRODUCTS_PAGE,
    *_orders.DOCUMENTS,
    *_shop.DOCUMENTS,
)
