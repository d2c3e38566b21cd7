import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema/index.js";

/**
 * Every schema coordinate an integrator can meet in GraphiQL's Docs panel or in
 * schema.graphql that has no description: types, fields, their arguments, input
 * fields and enum values. Built-in scalars and introspection types are graphql-js's.
 */
function undescribedCoordinates(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const blank = (text: string | null | undefined) => !text || text.trim() === "";
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || isSpecifiedScalarType(type)) continue;
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing.sort();
}

describe("the schema documents itself", () => {
  it("has a description on every type, field, argument, input field and enum value", () => {
    // On failure the diff lists each undescribed coordinate, e.g. `Query.alert(id:)` or `AlertStatus.OPEN`.
    expect(undescribedCoordinates(schema)).toEqual([]);
  });

  it("says who may call each root field and which errors it gives", () => {
    const rootFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((root) =>
      root ? Object.values(root.getFields()).map((field) => ({ coordinate: `${root.name}.${field.name}`, description: field.description ?? "" })) : [],
    );
    // Each root field's description names its audience ("Any signed-in user", "Org admins", "Any caller"…) and its error codes.
    const audience = /\b(signed-in|logged-in|any caller|public|admins?|agents?|viewers?|super admins?|org_admin|super_admin)\b/i;
    const errorCode = /\b(UNAUTHENTICATED|FORBIDDEN|NOT_FOUND|BAD_USER_INPUT|CONFLICT|RATE_LIMITED|CUSTOMER_WINDOW_CLOSED)\b/;
    const withoutAudience = rootFields.filter((f) => !audience.test(f.description)).map((f) => f.coordinate);
    const withoutErrors = rootFields.filter((f) => !errorCode.test(f.description)).map((f) => f.coordinate);
    expect({ withoutAudience, withoutErrors }).toEqual({ withoutAudience: [], withoutErrors: [] });
  });
});
