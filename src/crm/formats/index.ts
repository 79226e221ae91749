/** The export formats `closedloop import deals --format NAME` knows (`--map` builds its own). */
import { ClosedloopError } from '../../core/errors.js';
import { closedloopFormat } from './closedloop.js';
import type { DealFormat } from './format.js';
import { hubspotFormat } from './hubspot.js';
import { mavenFormat } from './maven.js';
import { pipedriveFormat } from './pipedrive.js';
import { salesforceFormat } from './salesforce.js';

export { createMappedFormat, type DealMapping, parseDealMapping } from './mapped.js';

const formats: readonly DealFormat[] = [
  closedloopFormat,
  salesforceFormat,
  hubspotFormat,
  pipedriveFormat,
  mavenFormat,
];

export const formatNames: readonly string[] = formats.map((format) => format.name);

export function formatByName(name: string): DealFormat {
  const format = formats.find((candidate) => candidate.name === name.trim().toLowerCase());
  if (format === undefined) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `--format: expected one of ${formatNames.join(', ')}, got "${name}"`,
    );
  }
  return format;
}
