/**
 * A relay global id, as the API hands them out: base64("Type:uuid"). Encoding is plain
 * text work, shared by GraphQL and by the links channels put in emails and Slack;
 * decoding a caller's id (and its errors) is `databaseId` in src/schema/global-id.ts.
 */
export function encodeGlobalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString("base64");
}
