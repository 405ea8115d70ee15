/** Request schemas shared by more than one route. Strict: unknown fields are refused. */
import * as z from 'zod';
import { MAX_COUNT_PER_REQUEST } from '../../domain/catalog';

export const ModelId = z.string().min(1).max(64);
export const OutputCount = z.int().min(1).max(MAX_COUNT_PER_REQUEST);

/** `?limit=` of a paged list: 1-100, default 20. */
export const PageLimit = z.stringFormat('limit', /^[1-9][0-9]{0,2}$/).transform(Number).pipe(z.int().min(1).max(100)).default(20);
