/** Helpers shared by the SCIM unit tests. */
import { AppError } from '../../../shared/errors.ts';

/** The application error `f` throws (status, scimType, detail); fails the test on any other outcome. */
export function scimErrorOf(f: () => unknown): {
  status: number;
  scimType?: string;
  detail: string;
} {
  try {
    f();
  } catch (error) {
    if (error instanceof AppError) {
      return { status: error.statusCode, scimType: error.scimType, detail: error.message };
    }
    throw new Error(`expected an AppError, got ${String(error)}`);
  }
  throw new Error('expected an AppError, but nothing was thrown');
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A PatchOp body around operations. */
export const patchBody = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
