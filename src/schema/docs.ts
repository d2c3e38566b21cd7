/**
 * Descriptions shared by many schema coordinates: the relay connection plumbing and
 * the root types. Each domain describes its own types and fields beside them; these
 * are the ones no domain owns. test/schema/descriptions.test.ts fails on any
 * coordinate left undescribed.
 */

/** Spread into the relay plugin's options (src/schema/builder.ts). */
export const relayDocs = {
  nodeTypeOptions: {
    description: "An object with a global id: refetch any of them with `node(id:)`.",
  },
  idFieldOptions: {
    description: "Opaque global id (base64 of type and database id). Pass it back unchanged; do not parse it.",
  },
  pageInfoTypeOptions: {
    description: "Where a page sits in its list (relay cursor pagination).",
  },
  hasNextPageFieldOptions: {
    description: "Whether more items follow this page: fetch them with `first` and `after: endCursor`.",
  },
  hasPreviousPageFieldOptions: {
    description: "Whether items precede this page: fetch them with `last` and `before: startCursor`.",
  },
  startCursorFieldOptions: {
    description: "Cursor of the first item of the page; null when the page is empty.",
  },
  endCursorFieldOptions: {
    description: "Cursor of the last item of the page; null when the page is empty.",
  },
  cursorFieldOptions: {
    description: "Opaque position of this item, for `after`/`before`.",
  },
  nodeFieldOptions: {
    description: "The item.",
  },
  edgesFieldOptions: {
    description: "The page's items, each with its cursor, in the list's order.",
  },
  pageInfoFieldOptions: {
    description: "Cursors and whether more pages exist.",
  },
  firstArgOptions: {
    description: "Page size counted from the start (or from `after`); at most 100, default 20. Negative: BAD_USER_INPUT.",
  },
  lastArgOptions: {
    description: "Page size counted from the end (or from `before`); at most 100. Negative: BAD_USER_INPUT.",
  },
  afterArgOptions: {
    description: "Return items after this cursor (an `endCursor` or edge `cursor` of this same list). Not a cursor this API handed out: BAD_USER_INPUT.",
  },
  beforeArgOptions: {
    description: "Return items before this cursor (a `startCursor` or edge `cursor` of this same list). Not a cursor this API handed out: BAD_USER_INPUT.",
  },
  defaultConnectionTypeOptions: {
    description: "One page of a list, with relay cursors.",
  },
  defaultEdgeTypeOptions: {
    description: "One item of a page, with its cursor.",
  },
} as const;

export const rootTypeDocs = {
  Query:
    "Reads. Every field needs `Authorization: Bearer <JWT>` (UNAUTHENTICATED otherwise, except `node`/`nodes`, which answer null) " +
    "and sees only the caller's organization: another organization's id is NOT_FOUND, exactly like a missing one.",
  Mutation:
    "Writes, each validated (BAD_USER_INPUT names the field at fault in `extensions.field`) and limited per user (RATE_LIMITED). " +
    "Roles: VIEWER reads only; AGENT works conversations and alerts; ORG_ADMIN also manages settings, queues, numbers and deliveries.",
  Subscription:
    "Live events over WebSocket (graphql-ws, protocol `graphql-transport-ws`, same `/graphql` path), authenticated once at connect with " +
    '`connectionParams: { authorization: "Bearer <JWT>" }`. A missing or bad token closes the socket at connect (4403 Forbidden); ' +
    "its expiry closes it then (4401); a user deactivated meanwhile is closed with 4403. Events are the caller's organization's only.",
} as const;
