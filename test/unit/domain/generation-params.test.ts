import { MODELS, findModel } from '../../../lambdas/domain/catalog';
import { assertParamsFit, paramsIssues } from '../../../lambdas/domain/generation-params';

describe('paramsIssues: what each model offers, checked before the debit', () => {
  test('each model accepts its own options, every one of them', () => {
    for (const model of MODELS) {
      for (const aspectRatio of model.options.aspectRatios) expect(paramsIssues(model, { prompt: 'p', aspectRatio })).toEqual([]);
      for (const resolution of model.options.resolutions ?? []) expect(paramsIssues(model, { prompt: 'p', resolution })).toEqual([]);
      for (const durationSeconds of model.options.durationsSeconds ?? []) expect(paramsIssues(model, { prompt: 'p', durationSeconds })).toEqual([]);
      if (model.options.seed) expect(paramsIssues(model, { prompt: 'p', seed: 7 })).toEqual([]);
      const references = Array.from({ length: model.options.maxReferenceImages }, (_, i) => `gen_00000000000000000000000000/${i}`);
      expect(paramsIssues(model, { prompt: 'p', referenceImages: references })).toEqual([]);
    }
  });

  test('what a model does not offer is named, by field, in words', () => {
    const veo = findModel('veo-3.1');
    expect(paramsIssues(veo, { prompt: 'p', aspectRatio: '1:1', resolution: '4K', durationSeconds: 5, referenceImages: ['a', 'b'] }).map((i) => i.path)).toEqual([
      'body.params.aspectRatio',
      'body.params.resolution',
      'body.params.durationSeconds',
      'body.params.referenceImages',
    ]);
    expect(paramsIssues(findModel('nano-banana-2'), { prompt: 'p', resolution: '720p', durationSeconds: 4 }).map((i) => i.message)).toEqual(['Nano Banana 2 takes no resolution.', 'Nano Banana 2 takes no duration.']);
    expect(paramsIssues(findModel('gpt-image-2'), { prompt: 'p', seed: 1, referenceImages: ['x'] }).map((i) => i.message)).toEqual(['GPT Image 2 takes no seed.', 'GPT Image 2 takes no reference images.']);
  });

  test('assertParamsFit throws one 400 invalid_request with every issue', () => {
    expect(() => assertParamsFit(findModel('veo-3.1'), { prompt: 'p', aspectRatio: '4:3' })).toThrow(expect.objectContaining({ code: 'invalid_request', details: { issues: [{ path: 'body.params.aspectRatio', message: 'Veo 3.1 offers the aspect ratios 16:9, 9:16.' }] } }));
    expect(() => assertParamsFit(findModel('veo-3.1'), { prompt: 'p' })).not.toThrow();
  });
});

describe('quoteGeneration: the model\'s own count limit, before the plan\'s', () => {
  test('videos one per request; GPT Image 2 at most 10 (one call); the plan limit still applies', async () => {
    const { quoteGeneration } = await import('../../../lambdas/domain/generation');
    expect(quoteGeneration('TEAM', 'gpt-image-2', 10)).toEqual({ model: 'gpt-image-2', count: 10, credits: 50 });
    expect(() => quoteGeneration('TEAM', 'gpt-image-2', 11)).toThrow(expect.objectContaining({ code: 'invalid_request', message: 'GPT Image 2 makes at most 10 outputs per request.' }));
    expect(() => quoteGeneration('TEAM', 'veo-3.1', 2)).toThrow(expect.objectContaining({ code: 'invalid_request', message: 'Veo 3.1 makes one video per request; ask for 2 separately.' }));
    expect(quoteGeneration('TEAM', 'nano-banana-2', 16).credits).toBe(128);
    expect(() => quoteGeneration('FREE', 'nano-banana-2', 5)).toThrow(expect.objectContaining({ code: 'count_above_plan_limit' }));
  });
});
