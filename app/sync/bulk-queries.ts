// Admin GraphQL (2025-07) queries behind the backfill and the reconciliation pass. Each selects exactly
// what the node mappers in ./mappers/graphql.ts read; mappers/graphql.test.ts checks that the bulk and paginated
// versions select the same fields. Written out in full (no interpolation, no fragments) so that
// `#graphql` tooling can see them and so a bulk operation gets a self-contained document.
//
// Customer contact fields: Customer.email, emailMarketingConsent and smsMarketingConsent are deprecated
// in 2025-07 in favour of defaultEmailAddress { emailAddress marketingState } and
// defaultPhoneNumber { marketingState }, which is what is selected here.

// Bulk operations (bulkOperationRunQuery): no `first` or pagination on any connection; nested connections
// arrive as separate JSONL rows carrying `__parentId`. In 2025-07 groupObjects defaults to true, which
// puts each order's line rows after it; later versions default to false, so readers should group by
// __parentId rather than rely on position. `orders` only reaches back 60 days without read_all_orders.

export const BULK_CUSTOMERS_QUERY = `#graphql
  {
    customers {
      edges {
        node {
          id
          firstName
          lastName
          defaultEmailAddress {
            emailAddress
            marketingState
          }
          defaultPhoneNumber {
            marketingState
          }
          tags
          defaultAddress {
            city
            provinceCode
            countryCodeV2
          }
          createdAt
          updatedAt
        }
      }
    }
  }
`;

/** What Tailored reads of a line item, in the bulk export and in reconciliation alike (mappers/graphql.ts). */
const LINE_ITEM_FIELDS = `id
  title
  sku
  quantity
  vendor
  product {
    id
    productType
    vendor
  }
  variant {
    id
  }
  originalUnitPriceSet {
    shopMoney {
      amount
      currencyCode
    }
  }`;

export const BULK_ORDERS_QUERY = `#graphql
  {
    orders {
      edges {
        node {
          id
          name
          email
          customer {
            id
          }
          createdAt
          processedAt
          updatedAt
          cancelledAt
          test
          displayFinancialStatus
          totalPriceSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          totalRefundedSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          lineItems {
            edges {
              node {
                ${LINE_ITEM_FIELDS}
              }
            }
          }
        }
      }
    }
  }
`;

export const BULK_PRODUCTS_QUERY = `#graphql
  {
    products {
      edges {
        node {
          id
          handle
          title
          productType
          vendor
          tags
          status
          createdAt
          updatedAt
          featuredMedia {
            preview {
              image {
                url
              }
            }
          }
          priceRangeV2 {
            minVariantPrice {
              amount
              currencyCode
            }
          }
        }
      }
    }
  }
`;

// Reconciliation: catch what webhooks missed since a checkpoint. Pass
// { first, after, query: "updated_at:>'2025-01-01T00:00:00Z'" } and page on pageInfo.endCursor;
// sorting by UPDATED_AT lets the caller advance its checkpoint page by page.
//
// A single query may request at most 1000 cost points, and a connection costs 2 + first × (objects per
// node). A customer node is 4 objects, so first ≤ 249. An order node is 6 objects plus its line items at
// 5 objects each: with lineItems(first: 250) one order alone would request ~1260 and Shopify would refuse
// it, so line items are capped at 50 (≈259 per order) and first ≤ 3. An order with more lines than that
// says so in lineItems.pageInfo.hasNextPage, and the rest comes page by page from ORDER_LINE_ITEMS_QUERY.

export const CUSTOMERS_UPDATED_SINCE_PAGE_SIZE = 200;
export const ORDERS_UPDATED_SINCE_PAGE_SIZE = 3;
export const ORDERS_UPDATED_SINCE_LINE_ITEMS = 50;

/** One page of an order's line items, as both reconciliation queries read it. */
const LINE_ITEM_PAGE = `nodes {
  ${LINE_ITEM_FIELDS}
}
pageInfo {
  hasNextPage
  endCursor
}`;

export const CUSTOMERS_UPDATED_SINCE_QUERY = `#graphql
  query CustomersUpdatedSince($first: Int!, $after: String, $query: String) {
    customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        id
        firstName
        lastName
        defaultEmailAddress {
          emailAddress
          marketingState
        }
        defaultPhoneNumber {
          marketingState
        }
        tags
        defaultAddress {
          city
          provinceCode
          countryCodeV2
        }
        createdAt
        updatedAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const ORDERS_UPDATED_SINCE_QUERY = `#graphql
  query OrdersUpdatedSince($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        id
        name
        email
        customer {
          id
        }
        createdAt
        processedAt
        updatedAt
        cancelledAt
        test
        displayFinancialStatus
        totalPriceSet {
          shopMoney {
            amount
            currencyCode
          }
        }
        totalRefundedSet {
          shopMoney {
            amount
            currencyCode
          }
        }
        lineItems(first: 50) {
          ${LINE_ITEM_PAGE}
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

// The rest of one order's line items, after the first page that ORDERS_UPDATED_SINCE_QUERY brought.
// Cost: 1 for the order + 2 + first × 5 for the lines, so first = 150 requests 753 points.
export const ORDER_LINE_ITEMS_PAGE_SIZE = 150;

export const ORDER_LINE_ITEMS_QUERY = `#graphql
  query OrderLineItems($id: ID!, $first: Int!, $after: String) {
    order(id: $id) {
      id
      lineItems(first: $first, after: $after) {
        ${LINE_ITEM_PAGE}
      }
    }
  }
`;
