/**
 * A problem in a CIB that the user must fix. Carries where it was found
 * (file, line, element and id) so every message can point at the culprit.
 */
export interface CibProblemLocation {
  file?: string;
  line?: number;
  element?: string;
  id?: string;
}

export class CibError extends Error {
  constructor(
    message: string,
    readonly where: CibProblemLocation = {},
  ) {
    super(formatProblem(message, where));
    this.name = "CibError";
  }
}

export function formatProblem(message: string, where: CibProblemLocation): string {
  const place: string[] = [];
  if (where.file) place.push(where.line ? `${where.file}:${where.line}` : where.file);
  else if (where.line) place.push(`line ${where.line}`);
  if (where.element) place.push(where.id ? `<${where.element} id="${where.id}">` : `<${where.element}>`);
  return place.length ? `${place.join(" ")}: ${message}` : message;
}
