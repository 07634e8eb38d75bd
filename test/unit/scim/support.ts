/** Helpers shared by the SCIM unit tests. */
import { ScimError } from '../../../shared/scim/errors.ts';

/** The ScimError `f` throws (status, scimType, detail); fails the test on any other outcome. */
export function scimErrorOf(f: () => unknown): {
  status: number;
  scimType?: string;
  detail: string;
} {
  try {
    f();
  } catch (error) {
    if (error instanceof ScimError) {
      return { status: error.status, scimType: error.scimType, detail: error.detail };
    }
    throw new Error(`expected a ScimError, got ${String(error)}`);
  }
  throw new Error('expected a ScimError, but nothing was thrown');
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A PatchOp body around operations. */
export const patchBody = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
