/** Request schemas shared by more than one route. Strict: unknown fields are refused. */
import * as z from 'zod';
import { MAX_COUNT_PER_REQUEST } from '../../domain/catalog';

export const ModelId = z.string().min(1).max(64);
export const OutputCount = z.int().min(1).max(MAX_COUNT_PER_REQUEST);
