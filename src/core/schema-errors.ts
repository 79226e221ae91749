/** One error of a failed TypeBox check, as its `Errors` iterator gives it. */
export interface SchemaError {
  readonly keyword: string;
  readonly schemaPath: string;
  readonly instancePath: string;
  readonly message: string;
  readonly params?: unknown;
}

/** Errors read for one message: enough for every branch of a choice, few for a huge bad body. */
const errorsRead = 32;

const fieldOf = (instancePath: string) => instancePath.replace(/^\//, '').replaceAll('/', '.');

/**
 * The first error of a value as one line naming the field (`deals.0.amount: …`; `whole` names
 * the value itself). A field the schema does not have is called unknown, so a misspelt one is
 * not dropped unseen; a choice names what it takes.
 */
export function describeSchemaError(errors: Iterable<SchemaError>, whole: string): string {
  const read: SchemaError[] = [];
  for (const error of errors) {
    read.push(error);
    if (read.length === errorsRead) break;
  }
  const [first] = read;
  if (first === undefined) return `${whole}: does not match the expected shape`;
  const path = fieldOf(first.instancePath);
  const within = (name: string) => (path === '' ? name : `${path}.${name}`);
  const params = (first.params ?? {}) as {
    requiredProperties?: string[];
    additionalProperties?: string[];
  };
  if (first.keyword === 'boolean' && first.schemaPath.endsWith('/additionalProperties')) {
    return `${path}: unknown field`;
  }
  const extra = params.additionalProperties?.[0];
  if (first.keyword === 'additionalProperties' && extra !== undefined) {
    return `${within(extra)}: unknown field`;
  }
  const missing = params.requiredProperties?.[0];
  if (missing !== undefined) return `${within(missing)}: is required`;
  // The branches of a choice (`anyOf`) fail one by one before the choice itself does.
  const branches = read.filter(
    (error) => error.instancePath === first.instancePath && error.keyword !== 'anyOf',
  );
  const field = path === '' ? whole : path;
  if (branches.length > 1 && branches.every((error) => error.keyword === 'const')) {
    const allowed = branches.map((error) =>
      JSON.stringify((error.params as { allowedValue?: unknown }).allowedValue),
    );
    return `${field}: expected ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
  }
  if (read.some((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath)) {
    return `${field}: ${branches.map((error) => error.message).join(', or ')}`;
  }
  return `${field}: ${first.message}`;
}
