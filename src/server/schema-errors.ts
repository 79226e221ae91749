/** The first TypeBox error of a value as one line naming the field (`deals.0.amount: …`). */
export function describeSchemaError(
  error: { instancePath: string; message: string; params?: unknown } | undefined,
  whole: string,
): string {
  if (error === undefined) return `${whole}: does not match the expected shape`;
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = (error.params as { requiredProperties?: string[] } | undefined)
    ?.requiredProperties;
  if (missing !== undefined && missing.length > 0) {
    return `${path === '' ? '' : `${path}.`}${missing[0]}: is required`;
  }
  return `${path === '' ? whole : path}: ${error.message}`;
}
