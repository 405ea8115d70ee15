import { MAX_COUNT_PER_REQUEST, MODELS, PLANS, PLAN_IDS, findModel, usageLimitsTable } from '../../../lambdas/domain/catalog';
import { DomainError, InsufficientCreditsError, UnknownModelError, WriteConflictError } from '../../../lambdas/domain/errors';

describe('catalog', () => {
  test('every model and plan is priced in whole, positive credits', () => {
    for (const m of MODELS) expect(Number.isSafeInteger(m.credits) && m.credits > 0).toBe(true);
    for (const id of PLAN_IDS) {
      const plan = PLANS[id];
      expect(plan.id).toBe(id);
      expect(Number.isSafeInteger(plan.monthlyCredits) && plan.monthlyCredits > 0).toBe(true);
      expect(plan.minTopupCredits).toBeLessThanOrEqual(plan.maxTopupCredits);
    }
    expect(new Set(MODELS.map((m) => m.id)).size).toBe(MODELS.length);
  });

  test('findModel finds known models and throws UnknownModelError otherwise', () => {
    expect(findModel('veo-3.1').credits).toBe(60);
    expect(() => findModel('nope')).toThrow(UnknownModelError);
  });

  test('MAX_COUNT_PER_REQUEST bounds every plan; the usage table lists every plan in order', () => {
    expect(MAX_COUNT_PER_REQUEST).toBe(16);
    expect(usageLimitsTable().map((row) => row.plan)).toEqual(PLAN_IDS);
  });
});

describe('errors', () => {
  test('InsufficientCreditsError carries required and available credits with a stable code', () => {
    const error = new InsufficientCreditsError(40, 12);

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ name: 'InsufficientCreditsError', code: 'insufficient_credits', requiredCredits: 40, availableCredits: 12, details: { required: 40, available: 12 } });
  });

  test('WriteConflictError keeps its cause', () => {
    const cause = new Error('ConditionalCheckFailed');

    expect(new WriteConflictError(3, { cause })).toMatchObject({ code: 'write_conflict', cause, details: { attempts: 3 } });
  });
});
