export function printConfiguration(_cib: unknown): string { return ""; }
