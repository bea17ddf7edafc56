/**
 * The typed model of a Pacemaker CIB (configuration and status).
 *
 * It mirrors the XML closely: every element we support has a type here,
 * ids and document order are kept, and values stay strings where Pacemaker
 * itself interprets them late (scores, intervals, booleans), so that writing
 * the model back gives the same document. `line` records where an element
 * came from, for error messages.
 */

export interface Located {
  line?: number;
}

export interface NvPair extends Located {
  id?: string;
  name: string;
  value?: string;
  idRef?: string;
}

export type NvSetKind = "meta_attributes" | "instance_attributes" | "utilization" | "cluster_property_set";

export interface NvSet extends Located {
  kind: NvSetKind;
  id?: string;
  idRef?: string;
  score?: string;
  rule?: Rule;
  nvpairs: NvPair[];
}

export interface Rule extends Located {
  id?: string;
  idRef?: string;
  score?: string;
  scoreAttribute?: string;
  booleanOp?: "and" | "or";
  role?: string;
  children: RuleCondition[];
}

export type RuleCondition = Rule | AttrExpression | DateExpression | RscExpression | OpExpression;

export interface AttrExpression extends Located {
  kind: "expression";
  id?: string;
  idRef?: string;
  attribute: string;
  operation: string;
  value?: string;
  type?: string;
  valueSource?: string;
}

export interface DateSpec {
  id?: string;
  fields: Record<string, string>;
}

export interface DateExpression extends Located {
  kind: "date_expression";
  id?: string;
  operation: string;
  start?: string;
  end?: string;
  duration?: Record<string, string>;
  durationId?: string;
  dateSpec?: DateSpec;
}

export interface RscExpression extends Located {
  kind: "rsc_expression";
  id?: string;
  class?: string;
  provider?: string;
  type?: string;
}

export interface OpExpression extends Located {
  kind: "op_expression";
  id?: string;
  name: string;
  interval?: string;
}

export function isRule(c: RuleCondition): c is Rule {
  return !("kind" in c);
}

export interface OpConfig extends Located {
  id: string;
  name: string;
  interval: string;
  /** Every attribute of the <op> element, in document order. */
  attrs: Record<string, string>;
  meta: NvSet[];
  instance: NvSet[];
}

export interface PrimitiveConfig extends Located {
  kind: "primitive";
  id: string;
  class: string;
  provider?: string;
  type: string;
  description?: string;
  meta: NvSet[];
  instance: NvSet[];
  utilization: NvSet[];
  ops: OpConfig[];
  /** id / id-ref of the <operations> element (an id-ref reuses another primitive's ops). */
  operationsId?: string;
  operationsIdRef?: string;
  /**
   * Element names of the children in document order ("instance_attributes",
   * "meta_attributes", "utilization", "operations"), kept only when it differs
   * from the order write.ts uses by default (crmsh keeps the order they were typed in).
   */
  childOrder?: string[];
}

export interface GroupConfig extends Located {
  kind: "group";
  id: string;
  description?: string;
  meta: NvSet[];
  instance: NvSet[];
  children: PrimitiveConfig[];
  /** As PrimitiveConfig.childOrder, for the group's attribute sets. */
  childOrder?: string[];
}

export interface CloneConfig extends Located {
  kind: "clone";
  id: string;
  description?: string;
  /** true for the legacy <master> element (always promotable). */
  legacyMaster: boolean;
  meta: NvSet[];
  instance: NvSet[];
  child: PrimitiveConfig | GroupConfig;
  /** As PrimitiveConfig.childOrder, for the clone's attribute sets. */
  childOrder?: string[];
}

export type ResourceConfig = PrimitiveConfig | GroupConfig | CloneConfig;

export interface ResourceRef {
  id: string;
}

export interface ResourceSet extends Located {
  id?: string;
  idRef?: string;
  sequential?: string;
  requireAll?: string;
  ordering?: string;
  action?: string;
  role?: string;
  score?: string;
  kind?: string;
  resources: string[];
}

export interface LocationConstraint extends Located {
  type: "rsc_location";
  id: string;
  rsc?: string;
  rscPattern?: string;
  role?: string;
  score?: string;
  node?: string;
  resourceDiscovery?: string;
  rules: Rule[];
  sets: ResourceSet[];
}

export interface ColocationConstraint extends Located {
  type: "rsc_colocation";
  id: string;
  score?: string;
  rsc?: string;
  withRsc?: string;
  rscRole?: string;
  withRscRole?: string;
  nodeAttribute?: string;
  influence?: string;
  sets: ResourceSet[];
}

export interface OrderConstraint extends Located {
  type: "rsc_order";
  id: string;
  first?: string;
  then?: string;
  firstAction?: string;
  thenAction?: string;
  kind?: string;
  score?: string;
  symmetrical?: string;
  requireAll?: string;
  sets: ResourceSet[];
}

export interface TicketConstraint extends Located {
  type: "rsc_ticket";
  id: string;
  ticket: string;
  rsc?: string;
  rscRole?: string;
  lossPolicy?: string;
  sets: ResourceSet[];
}

export type Constraint = LocationConstraint | ColocationConstraint | OrderConstraint | TicketConstraint;

export interface NodeConfig extends Located {
  id: string;
  uname: string;
  type?: string;
  description?: string;
  instance: NvSet[];
  utilization: NvSet[];
}

export interface FencingLevel extends Located {
  id: string;
  index: string;
  devices: string;
  target?: string;
  targetPattern?: string;
  targetAttribute?: string;
  targetValue?: string;
}

export interface Tag extends Located {
  id: string;
  refs: string[];
}

export interface Alert extends Located {
  id: string;
  path: string;
  description?: string;
  meta: NvSet[];
  instance: NvSet[];
  recipients: { id: string; value: string; description?: string; meta: NvSet[]; instance: NvSet[] }[];
  select?: string[];
  /** The <attribute> children of <select_attributes>, when select lists names. */
  selectAttributes?: { id?: string; name: string }[];
}

/** One <lrm_rsc_op>: every attribute kept as-is, the ones we use typed. */
export interface OperationRecord extends Located {
  id: string;
  operation: string;
  callId: number;
  rcCode: number;
  opStatus: number;
  interval: number;
  lastRcChange?: number;
  transitionKey?: string;
  transitionMagic?: string;
  opDigest?: string;
  attrs: Record<string, string>;
}

export interface ResourceHistory extends Located {
  id: string;
  class?: string;
  provider?: string;
  type?: string;
  container?: string;
  shutdownLock?: string;
  ops: OperationRecord[];
}

export interface NodeStatus extends Located {
  id: string;
  uname?: string;
  /** All <node_state> attributes: in_ccm, crmd, join, expected, ... */
  attrs: Record<string, string>;
  transientAttributes: NvSet[];
  resources: ResourceHistory[];
  /** false when the node_state has no <lrm> element (history unknown). */
  hasLrm: boolean;
  lrmId?: string;
  transientAttributesId?: string;
}

export interface TicketState extends Located {
  id: string;
  attrs: Record<string, string>;
}

export interface Cib {
  /** Attributes of the <cib> element (epoch, validate-with, have-quorum, execution-date, ...). */
  attrs: Record<string, string>;
  crmConfig: NvSet[];
  rscDefaults: NvSet[];
  opDefaults: NvSet[];
  nodes: NodeConfig[];
  resources: ResourceConfig[];
  constraints: Constraint[];
  fencingTopology: FencingLevel[];
  tags: Tag[];
  alerts: Alert[];
  status: NodeStatus[];
  tickets: TicketState[];
  /**
   * Order of the optional configuration sections ("fencing-topology",
   * "rsc_defaults", "op_defaults", "tags", "alerts") when it differs from
   * write.ts's default (crmsh adds them in the order they are first used).
   */
  sectionOrder?: string[];
}
