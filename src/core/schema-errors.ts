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

/** The part of `value` at a JSON pointer (`/stages/0/outcome`); undefined where there is none. */
function valueAt(value: unknown, instancePath: string): unknown {
  if (instancePath === '') return value;
  let part: unknown = value;
  for (const key of instancePath.slice(1).split('/')) {
    if (typeof part !== 'object' || part === null) return undefined;
    const name = key.replaceAll('~1', '/').replaceAll('~0', '~');
    part = Object.hasOwn(part, name) ? (part as Record<string, unknown>)[name] : undefined;
  }
  return part;
}

const shownChars = 60;

/** A value as the message quotes it, cut short: a bad field can hold a whole object. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > shownChars ? `${text.slice(0, shownChars)}…` : text;
}

/**
 * The first error of a value as one line naming the field (`deals.0.amount: …`; `whole` names
 * the value itself). A field the schema does not have is called unknown, so a misspelt one is
 * not dropped unseen; a choice names what it takes, and, given the value `checked`, what it got
 * (the errors do not carry it).
 */
export function describeSchemaError(
  errors: Iterable<SchemaError>,
  whole: string,
  checked?: { readonly value: unknown },
): string {
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
  const allowed = choiceOfValues(branches);
  if (allowed !== undefined) {
    const got =
      checked === undefined ? '' : `, got ${shown(valueAt(checked.value, first.instancePath))}`;
    return `${field}: expected ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}${got}`;
  }
  if (read.some((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath)) {
    return `${field}: ${branches.map((error) => error.message).join(', or ')}`;
  }
  return `${field}: ${first.message}`;
}

const isNull = (error: SchemaError) =>
  error.keyword === 'type' && (error.params as { type?: unknown } | undefined)?.type === 'null';

/**
 * The values a choice of constants takes, written as JSON, when every branch that failed is one:
 * a `Type.Null()` beside them is one more ("won", "lost" or null). A branch's type error (5 is no
 * string) comes with its constant's and says nothing more. Undefined for any other choice.
 */
function choiceOfValues(branches: readonly SchemaError[]): string[] | undefined {
  const byBranch = new Map<string, SchemaError[]>();
  for (const error of branches) {
    byBranch.set(error.schemaPath, [...(byBranch.get(error.schemaPath) ?? []), error]);
  }
  if (byBranch.size < 2) return undefined;
  const allowed: string[] = [];
  let constants = 0;
  for (const errors of byBranch.values()) {
    const constant = errors.find((error) => error.keyword === 'const');
    if (constant !== undefined) {
      constants++;
      allowed.push(JSON.stringify((constant.params as { allowedValue?: unknown }).allowedValue));
    } else if (errors.length === 1 && errors.every(isNull)) {
      allowed.push('null');
    } else {
      return undefined;
    }
  }
  return constants === 0 ? undefined : allowed;
}
