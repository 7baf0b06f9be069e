/**
 * Why a file could not be read, in a few words for a message that names the
 * file: never the system error's own text (it repeats the path and may carry
 * more of the environment).
 *
 * @module
 */

/** `no such file`, `permission denied`, `is a directory` or `cannot be read`, from a read's error code. */
export function unreadableReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'is a directory'
        : 'cannot be read';
}
