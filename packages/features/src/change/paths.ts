/**
 * Name of the root, as a subsystem and as a directory. Files at the repository root have no
 * first directory; they still form one subsystem and one directory. `.` cannot be a git path
 * component, so it cannot collide with a real top-level directory.
 */
export const ROOT = '.';

/** Subsystem of a path: its first component when it lies in a directory, else the root. */
export function subsystemOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? ROOT : path.slice(0, slash);
}

/** Parent directory of a path, the root for a top-level file. */
export function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ROOT : path.slice(0, slash);
}
