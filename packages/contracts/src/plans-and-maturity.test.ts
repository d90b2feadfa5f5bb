import { describe, expect, it } from 'vitest';
import { isPlan, planLimits, PLAN_NAMES } from './plans.js';
import { isMaturity, KIDS_MAX_MATURITY, maturityAllows, minMaturity, MATURITY_RATINGS } from './maturity.js';

describe('plans', () => {
  it('maps each plan to its resolution ceiling and stream count', () => {
    expect(planLimits('basic')).toEqual({ maxHeight: 720, maxStreams: 1 });
    expect(planLimits('standard')).toEqual({ maxHeight: 1080, maxStreams: 2 });
    expect(planLimits('premium')).toEqual({ maxHeight: 2160, maxStreams: 4 });
    expect(PLAN_NAMES).toEqual(['basic', 'standard', 'premium']);
  });

  it('recognises plan names only', () => {
    expect(isPlan('premium')).toBe(true);
    expect(isPlan('toString')).toBe(false);
    expect(isPlan('gold')).toBe(false);
  });
});

describe('maturity', () => {
  it('orders G < PG < PG-13 < R < NC-17', () => {
    expect(MATURITY_RATINGS).toEqual(['G', 'PG', 'PG-13', 'R', 'NC-17']);
    expect(maturityAllows('PG-13', 'PG-13')).toBe(true);
    expect(maturityAllows('PG-13', 'PG')).toBe(true);
    expect(maturityAllows('PG-13', 'R')).toBe(false);
    expect(maturityAllows('NC-17', 'NC-17')).toBe(true);
  });

  it('caps kids at PG', () => {
    expect(KIDS_MAX_MATURITY).toBe('PG');
    expect(maturityAllows(KIDS_MAX_MATURITY, 'G')).toBe(true);
    expect(maturityAllows(KIDS_MAX_MATURITY, 'PG-13')).toBe(false);
    expect(minMaturity('R', KIDS_MAX_MATURITY)).toBe('PG');
    expect(minMaturity('G', KIDS_MAX_MATURITY)).toBe('G');
  });

  it('recognises ratings only', () => {
    expect(isMaturity('PG-13')).toBe(true);
    expect(isMaturity('pg')).toBe(false);
  });
});
