/** Plain booleans that both hide menu entries and guard routes. */
import { useMe } from "../api/hooks";
import type { Me } from "../api/types";

export interface Access {
  loggedIn: boolean;
  isAdmin: boolean;
  /** Heads some unit or is an admin: may create people, import, manage units. */
  canManageSomething: boolean;
  canSeeAudit: boolean;
  canSeeJobs: boolean;
}

export function accessFor(me: Me | null | undefined): Access {
  const isAdmin = !!me?.is_admin;
  const heads = (me?.managed_unit_ids.length ?? 0) > 0;
  return {
    loggedIn: !!me,
    isAdmin,
    canManageSomething: isAdmin || heads,
    canSeeAudit: isAdmin,
    canSeeJobs: isAdmin,
  };
}

export function useAccess(): Access {
  return accessFor(useMe().data);
}
