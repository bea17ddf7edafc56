/**
 * Parsed crm configure statements. Each carries the model fragment it
 * describes, with the ids crmsh would generate left empty ("" or undefined)
 * for build.ts to fill in, and the positions of the names it refers to so
 * that later checks can point at them.
 */
import type { Alert, CloneConfig, Constraint, FencingLevel, GroupConfig, NodeConfig, NvSet, OpConfig, PrimitiveConfig, Tag } from "../cib/model.js";

/** A name as written, with where it was written. */
export interface Ref {
  id: string;
  line: number;
  column: number;
}

interface StatementBase {
  line: number;
  column: number;
  /** The object's id as written (absent for property/defaults/fencing_topology). */
  name?: Ref;
  /** `$id-ref=` uses inside the statement, resolved and checked by build.ts. */
  idRefs: Ref[];
}

export interface PrimitiveStatement extends StatementBase {
  kind: "primitive";
  primitive: PrimitiveConfig;
}

export interface GroupStatement extends StatementBase {
  kind: "group";
  group: GroupConfig;
  members: Ref[];
}

export interface CloneStatement extends StatementBase {
  kind: "clone";
  clone: Omit<CloneConfig, "child">;
  child: Ref;
}

export interface ConstraintStatement extends StatementBase {
  kind: "constraint";
  constraint: Constraint;
  /** The resources it names (not patterns). */
  resources: Ref[];
}

export interface MonitorStatement extends StatementBase {
  kind: "monitor";
  resource: Ref;
  op: OpConfig;
}

export type DefaultsSection = "crm_config" | "rsc_defaults" | "op_defaults";

export interface DefaultsStatement extends StatementBase {
  kind: "defaults";
  section: DefaultsSection;
  set: NvSet;
}

export interface NodeStatement extends StatementBase {
  kind: "node";
  node: NodeConfig;
}

export interface FencingStatement extends StatementBase {
  kind: "fencing_topology";
  /** Levels with their targets; empty ids. */
  levels: FencingLevel[];
  /** The target-less form: these device lists apply to every node, in order. */
  everyNode?: string[];
  devices: Ref[];
}

export interface TagStatement extends StatementBase {
  kind: "tag";
  tag: Tag;
  members: Ref[];
}

export interface AlertStatement extends StatementBase {
  kind: "alert";
  alert: Alert;
}

export type Statement =
  | PrimitiveStatement
  | GroupStatement
  | CloneStatement
  | ConstraintStatement
  | MonitorStatement
  | DefaultsStatement
  | NodeStatement
  | FencingStatement
  | TagStatement
  | AlertStatement;
