import type { z } from 'zod';
import { strictMapping } from './fields.js';
import { checkAccess, checkSections } from './workflow-rules.js';
import {
  accessSchema,
  breakglassSchema,
  extendSchema,
  targetsSchema,
  vendorSchema,
  workflowName,
} from './workflow-sections.js';

/**
 * One workflow file (`workflows/*.yml`), snake_case as written (docs/contracts/workflows.md
 * describes every key). Every mapping is strict: an unknown key is an error, never ignored. Parsing applies
 * the plain defaults (approvals_required 1, require_reason true, request_timeout 30m, …);
 * defaults that depend on other fields are applied when mapping to the domain (to-workflow.ts).
 */
export const workflowFileSchema = strictMapping(
  {
    name: workflowName,
    targets: targetsSchema,
    access: accessSchema.superRefine(checkAccess),
    breakglass: breakglassSchema.optional(),
    vendor: vendorSchema.optional(),
    extend: extendSchema.optional(),
  },
  'a mapping with name, targets, access',
).superRefine(checkSections);

export type WorkflowFile = z.output<typeof workflowFileSchema>;
