/**
 * Why each open deal counts for what it does: its chance of being won within the horizon, when
 * (the month by which half of that chance is reached), its expected value, and the reason in words
 * — stage, age in stage against the stage's usual time, where its value comes from.
 */
import type { ValueSource } from './deal-values.js';
import type { DealOutlook, FittedModel } from './model.js';

export interface DealExplanation {
  readonly dealId: string;
  readonly name: string | null;
  readonly stage: string | null;
  /** Chance of being won within the horizon. */
  readonly winChance: number;
  /** YYYY-MM: the month by which half of the within-horizon chance is reached; null when ~0. */
  readonly expectedClose: string | null;
  /** Booking if won (minor units); null when it cannot be valued. */
  readonly value: number | null;
  readonly valueSource: ValueSource;
  /** winChance × value. */
  readonly expectedValue: number | null;
  readonly daysInStage: number | null;
  readonly usualDaysInStage: number | null;
  readonly daysSinceCreated: number | null;
  /** "history", "pooled" (with `pooledWith`), "default" (stage probability), or "creation". */
  readonly basis: 'history' | 'pooled' | 'default' | 'creation';
  readonly pooledWith: readonly string[];
  readonly reason: string;
}

/** Below this, a deal is taken as having no real chance within the horizon. */
const negligible = 1e-4;

export function explainDeals(model: FittedModel): DealExplanation[] {
  return model.outlooks
    .map((outlook) => explainDeal(model, outlook))
    .sort((a, b) => (b.expectedValue ?? 0) - (a.expectedValue ?? 0) || b.winChance - a.winChance);
}

function explainDeal(model: FittedModel, outlook: DealOutlook): DealExplanation {
  const winChance = outlook.chances.reduce((sum, chance) => sum + chance, 0);
  // A won size's average is no whole amount: shown, as all money is, in whole minor units.
  const value = outlook.value.value === null ? null : Math.round(outlook.value.value);
  const basis = outlook.curve === null ? 'creation' : outlook.curve.source;
  const usual = outlook.curve?.usualDays ?? null;
  return {
    dealId: outlook.deal.id,
    name: outlook.deal.name,
    stage: outlook.stage,
    winChance,
    expectedClose: winChance < negligible ? null : halfwayMonth(model, outlook.chances, winChance),
    value,
    valueSource: outlook.value.source,
    expectedValue: value === null ? null : Math.round(winChance * value),
    daysInStage: outlook.daysInStage,
    usualDaysInStage: usual,
    daysSinceCreated: outlook.daysSinceCreated,
    basis,
    pooledWith: outlook.curve?.pooledWith ?? [],
    reason: reasonOf(outlook, basis, usual),
  };
}

function halfwayMonth(model: FittedModel, chances: Float64Array, total: number): string | null {
  let reached = 0;
  for (let m = 0; m < chances.length; m++) {
    reached += chances[m];
    if (reached >= total / 2) return model.months[m].key;
  }
  return null;
}

function reasonOf(
  outlook: DealOutlook,
  basis: DealExplanation['basis'],
  usual: number | null,
): string {
  const stage = outlook.stage ?? 'no stage';
  const days = outlook.daysInStage === null ? null : Math.round(outlook.daysInStage);
  // Without a stage of the pipeline the deal's clock is its creation, not a stage entry.
  const clock = basis === 'creation' ? 'since creation' : 'in stage';
  const age =
    days === null
      ? 'no date on record'
      : `${days} ${days === 1 ? 'day' : 'days'} ${clock}${usual === null ? '' : ` (usual ${Math.round(usual)})`}`;
  const chanceFrom = {
    history: `its stage's history`,
    pooled: `its stage pooled with ${outlook.curve?.pooledWith.join(', ')}`,
    default: `the stage's default probability (too little history)`,
    creation: `all deals by age since creation (${outlook.stage === null ? 'it has no stage' : 'stage not in the pipeline'})`,
  }[basis];
  if (outlook.value.source === 'no exchange rate') {
    return `${stage}, ${age}; chance from ${chanceFrom}; value unknown: its currency has no exchange rate`;
  }
  const valueFrom =
    outlook.value.source === 'amount'
      ? 'its own amount'
      : outlook.value.source === 'none'
        ? 'no amount and no won deal to compare'
        : `the ${outlook.value.distribution?.key ?? outlook.value.source} won size`;
  return `${stage}, ${age}; chance from ${chanceFrom}; value from ${valueFrom}`;
}
