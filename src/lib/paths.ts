import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** True when `child` is `parent` or lies under it (both absolute, already resolved). */
export function isWithin(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** The path with every symbolic link resolved, or null when it does not exist (or a link is broken). */
export async function realPathOrNull(target: string): Promise<string | null> {
  return realpath(target).catch(() => null);
}
