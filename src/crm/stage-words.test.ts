import { describe, expect, it } from 'vitest';
import { outcomeOfStage, phaseOfStage } from './stage-words.js';

describe('outcomeOfStage', () => {
  it('knows won stages in several languages, any case and accents', () => {
    for (const name of [
      'Closed Won',
      'Won',
      'closedwon',
      'CLOSED - WON',
      'Gagné',
      'Affaire gagnée',
      'gagne',
      'Ganado',
      'Cerrada ganada',
      'Gewonnen',
      'Fechado ganho',
      'Chiuso vinto',
      '贏得',
      '已成交',
      '赢单',
      '受注',
    ]) {
      expect(outcomeOfStage(name), name).toBe('won');
    }
  });
  it('knows lost stages likewise', () => {
    for (const name of [
      'Closed Lost',
      'Lost',
      'closedlost',
      'Perdu',
      'Affaire perdue',
      'Perdido',
      'Verloren',
      'Perso',
      '输单',
      '失敗',
      '失注',
    ]) {
      expect(outcomeOfStage(name), name).toBe('lost');
    }
  });
  it('reads a won word that is negated as lost, not won', () => {
    for (const name of [
      'Closed - Not Won',
      'Closed Not Won',
      "Won't Proceed",
      'Won’t proceed',
      'No ganado',
      'Non gagné',
      'Nicht gewonnen',
      '未成交',
      '不成交',
    ]) {
      expect(outcomeOfStage(name), name).toBe('lost');
    }
    // The negation must stand right before it.
    expect(outcomeOfStage('Not yet contacted / Won')).toBe('won');
  });
  it('says nothing of open stages, of words that merely contain the stems, or of both at once', () => {
    for (const name of [
      'Prospecting',
      'Negotiation/Review',
      'Closed',
      'Wonderful',
      'Lostwithiel',
      'Persona review',
      'Won / Lost',
      '',
    ]) {
      expect(outcomeOfStage(name), name).toBeNull();
    }
  });
});

describe('phaseOfStage', () => {
  it('reads telling words', () => {
    expect(phaseOfStage('Prospecting', 5, 6)).toBe('awareness');
    expect(phaseOfStage('Qualified To Buy', 4, 6)).toBe('awareness');
    expect(phaseOfStage('Discovery call', 3, 6)).toBe('awareness');
    expect(phaseOfStage('Demo Scheduled', 0, 6)).toBe('consideration');
    expect(phaseOfStage('Proposal/Price Quote', 0, 6)).toBe('consideration');
    expect(phaseOfStage('Engaging', 0, 6)).toBe('consideration');
    expect(phaseOfStage('Negotiation/Review', 0, 6)).toBe('decision');
    expect(phaseOfStage('Contract Sent', 0, 6)).toBe('decision');
    expect(phaseOfStage('Négociation', 0, 6)).toBe('decision');
    expect(phaseOfStage('Commit', 0, 6)).toBe('decision');
  });
  it('takes the later phase when a name has two', () => {
    expect(phaseOfStage('Proposal / Negotiation', 0, 6)).toBe('decision');
  });
  it('puts closing stages in the decision phase', () => {
    expect(phaseOfStage('Closed Won', 0, 6)).toBe('decision');
    expect(phaseOfStage('Perdu', 0, 6)).toBe('decision');
  });
  it('places a name with no telling word by its position', () => {
    expect(phaseOfStage('Stage A', 0, 6)).toBe('awareness');
    expect(phaseOfStage('Stage B', 2, 6)).toBe('consideration');
    expect(phaseOfStage('Stage C', 5, 6)).toBe('decision');
    expect(phaseOfStage('Only stage', 0, 1)).toBe('awareness');
    expect(phaseOfStage('Nowhere', 0, 0)).toBe('awareness');
  });
});
