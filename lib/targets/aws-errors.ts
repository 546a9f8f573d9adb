/**
 * Kept for imports written before lib/aws/: the classifier lives in lib/aws/errors.ts and the
 * clients in lib/aws/clients.ts. New code imports from there.
 */
export { aws, isAlreadyExists, isNotFound, mapAwsError } from '../aws/errors.js';
