import * as z from 'zod';

/** The components of the seeds' memory budget (000/001 "Memory Requirements Breakdown"), GB each. */
export const capacityComponentsSchema = z.strictObject({
  /** TensorFlow / PyTorch. */
  framework: z.number().min(0).optional(),
  /** OpenCV, scikit-image, Pillow. */
  computerVision: z.number().min(0).optional(),
  /** The FAISS index and its vector cache. */
  faissIndex: z.number().min(0).optional(),
  /** The SCIN dataset cache. */
  datasetCache: z.number().min(0).optional(),
  /** Additional ML libraries (transformers, timm, scikit-learn…). */
  libraries: z.number().min(0).optional(),
  /** Application runtime and system overhead. */
  runtime: z.number().min(0).optional(),
  /** Buffer / safety margin. */
  buffer: z.number().min(0).optional(),
});
export type CapacityComponents = z.infer<typeof capacityComponentsSchema>;

/**
 * The memory the service needs (seeds 000/001), as a total or by component, in GB. When given,
 * the capacity preflight compares it with the instance type's memory before any change.
 * Exactly one of the two: a total beside components would leave unclear which one counts.
 */
export const capacitySchema = z
  .strictObject({
    /** Total memory the service needs, GB. */
    memoryGb: z.number().positive().optional(),
    /** Or by component, GB each; the total is their sum. */
    components: capacityComponentsSchema.optional(),
  })
  .refine((c) => (c.memoryGb === undefined) !== (c.components === undefined), {
    message: 'give either memoryGb or components, not both',
  })
  .refine((c) => c.components === undefined || Object.values(c.components).some((gb) => gb !== undefined && gb > 0), {
    message: 'components must name at least one component above 0 GB',
    path: ['components'],
  });
export type CapacitySpec = z.infer<typeof capacitySchema>;
