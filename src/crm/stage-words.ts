/**
 * What a stage's name says about it, for pipelines inferred on first import: whether it closes a
 * deal as won or lost, and which funnel phase it belongs to. Names come in the CRM user's language.
 */
import type { FunnelPhase } from '../core/deals.js';

/** Lower case, accents dropped ("Gagnée" → "gagnee"), full-width forms folded. */
function normalize(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

function wordsOf(normalized: string): string[] {
  return normalized.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
}

// Whole words after normalizing; "closedwon" is HubSpot's internal stage id.
const wonWords = new Set([
  'won',
  'closedwon',
  'gagne', // fr: gagné, gagnée
  'gagnee',
  'ganado', // es
  'ganada',
  'ganho', // pt
  'ganha',
  'gewonnen', // de, nl
  'vinto', // it
  'vinta',
]);
const lostWords = new Set([
  'lost',
  'closedlost',
  'perdu', // fr
  'perdue',
  'perdido', // es, pt
  'perdida',
  'verloren', // de, nl
  'perso', // it
  'persa',
]);
// Chinese and Japanese write no spaces between words: these are found anywhere in the name.
const wonSigns = ['贏得', '赢得', '成交', '赢单', '贏單', '受注', '成約'];
const lostSigns = ['输单', '輸單', '丢单', '丟單', '失敗', '失败', '失注'];

// A won word after one of these ("Closed - Not Won", "no ganado"), or written "won't", is no win.
const negations = new Set(['not', 'no', 'non', 'pas', 'nicht', 'niet', 'nao', 'kein', 'sin']);
const negatingSigns = ['未', '不', '没', '沒'];

/** 'won' or 'lost' when the stage's name says so in a language we know; null otherwise. */
export function outcomeOfStage(name: string): 'won' | 'lost' | null {
  const normalized = normalize(name);
  const words = wordsOf(normalized);
  let won = false;
  let lost =
    words.some((word) => lostWords.has(word)) || lostSigns.some((sign) => name.includes(sign));
  for (const [i, word] of words.entries()) {
    if (!wonWords.has(word)) continue;
    const negated = negations.has(words[i - 1] ?? '') || words[i + 1] === 't';
    if (negated) lost = true;
    else won = true;
  }
  for (const sign of wonSigns) {
    for (let at = name.indexOf(sign); at !== -1; at = name.indexOf(sign, at + 1)) {
      if (negatingSigns.includes(name[at - 1] ?? '')) lost = true;
      else won = true;
    }
  }
  // "Won / Lost" names no single outcome.
  if (won === lost) return null;
  return won ? 'won' : 'lost';
}

// Word beginnings, several languages each; later phases are checked first, so that
// "Proposal / Negotiation" is a decision stage.
const phaseStems: readonly (readonly [FunnelPhase, readonly string[]])[] = [
  ['decision', ['nego', 'verhandl', 'contract', 'contrat', 'vertrag', 'commit', 'closing']],
  [
    'consideration',
    ['demo', 'propos', 'propuest', 'angebot', 'offert', 'engag', 'present', 'evaluat', 'trial'],
  ],
  [
    'awareness',
    [
      'prospect',
      'prospecc',
      'qualif',
      'calific',
      'discover',
      'descubr',
      'decouv',
      'lead',
      'new',
      'appointment',
      'contact',
    ],
  ],
];

/**
 * A sensible first guess at a stage's funnel phase from its name; a name with no telling word is
 * placed by its position among the pipeline's `count` stages. Closing stages are decisions.
 */
export function phaseOfStage(name: string, index: number, count: number): FunnelPhase {
  if (outcomeOfStage(name) !== null) return 'decision';
  const words = wordsOf(normalize(name));
  for (const [phase, stems] of phaseStems) {
    if (words.some((word) => stems.some((stem) => word.startsWith(stem)))) return phase;
  }
  const third = count <= 0 ? 0 : Math.floor((Math.max(0, index) * 3) / count);
  return third <= 0 ? 'awareness' : third === 1 ? 'consideration' : 'decision';
}
