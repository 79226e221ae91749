import { ClosedloopError } from '../../core/errors.js';
import type { CrmNames } from '../../store/ports.js';

/**
 * The names of Pipedrive's stages and pipelines from what its API lists: the JSON of
 * `GET /v1/stages` (`{"data": [{"id", "name", "pipeline_id", "pipeline_name"}, …]}`), or of
 * `GET /api/v2/stages` (no pipeline names: pipelines then keep their ids), or that list alone.
 * Webhooks name both by id; with these names their deals meet the deals of a CSV export.
 * Errors name the entry and field (`data.3.name: …`).
 */
export function parsePipedriveStages(json: unknown): CrmNames {
  const wrapped = typeof json === 'object' && json !== null && !Array.isArray(json);
  const list = wrapped ? (json as { data?: unknown }).data : json;
  const where = wrapped ? 'data' : 'stages';
  if (!Array.isArray(list)) {
    throw invalid(where, 'expected the list of stages Pipedrive\'s API returns ("data": [...])');
  }
  const stages: Record<string, string> = {};
  const pipelines: Record<string, string> = {};
  for (const [i, entry] of list.entries()) {
    const field = (name: string) => `${where}.${i}.${name}`;
    if (typeof entry !== 'object' || entry === null)
      throw invalid(`${where}.${i}`, 'expected a stage');
    const stage = entry as Record<string, unknown>;
    const id = idOf(stage.id, field('id'));
    stages[id] = nameOf(stage.name, field('name'));
    if (stage.pipeline_name !== undefined && stage.pipeline_name !== null) {
      pipelines[idOf(stage.pipeline_id, field('pipeline_id'))] = nameOf(
        stage.pipeline_name,
        field('pipeline_name'),
      );
    }
  }
  if (Object.keys(stages).length === 0) throw invalid(where, 'expected at least one stage');
  return { pipelines, stages };
}

function idOf(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  throw invalid(
    field,
    `expected a positive whole number, got ${JSON.stringify(value) ?? 'nothing'}`,
  );
}

function nameOf(value: unknown, field: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw invalid(field, `expected a name, got ${JSON.stringify(value) ?? 'nothing'}`);
}

function invalid(field: string, message: string): ClosedloopError {
  return new ClosedloopError('CL_ERR_CONFIG', `${field}: ${message}`);
}
