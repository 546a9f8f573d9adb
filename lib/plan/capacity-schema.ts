import { z } from 'zod';

/**
 * The memory the service needs (seeds 000/001), as a total or by component, in GB. When given,
 * the capacity preflight compares it with the instance type's memory before any change.
 */
export const capacitySchema = z
  .strictObject({
    /** Total memory the service needs, GB. */
    memoryGb: z.number().positive().optional(),
    /** Or by component, GB each; the total is their sum. */
    components: z
      .strictObject({
        framework: z.number().min(0).optional(),
        computerVision: z.number().min(0).optional(),
        faissIndex: z.number().min(0).optional(),
        datasetCache: z.number().min(0).optional(),
        libraries: z.number().min(0).optional(),
        runtime: z.number().min(0).optional(),
        buffer: z.number().min(0).optional(),
      })
      .optional(),
  })
  .refine((c) => c.memoryGb !== undefined || c.components !== undefined, {
    message: 'give memoryGb or components',
  });
export type CapacitySpec = z.infer<typeof capacitySchema>;
