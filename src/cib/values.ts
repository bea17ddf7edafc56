/** Pacemaker's spellings of booleans ("true", "on", "yes", "y", "1"). */
export function isTrue(value: string | undefined): boolean {
  if (value === undefined) return false;
  return ["true", "on", "yes", "y", "1"].includes(value.trim().toLowerCase());
}

/** A boolean option with a default for when it is unset or not a boolean word. */
export function boolOption(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  if (["true", "on", "yes", "y", "1"].includes(v)) return true;
  if (["false", "off", "no", "n", "0"].includes(v)) return false;
  return fallback;
}
