/**
 * Tickets (multi-site clusters), as Pacemaker 2.1.5 handles them: the
 * ticket state recorded in the status section, and rsc_ticket constraints
 * that let resources run only while this site holds a ticket.
 *
 * A ticket that is not granted (or is granted but in standby) bans the
 * resources depending on it at unpack time, through their allowed-node
 * scores. What happens to a resource still active when the ticket is lost
 * follows loss-policy: stop (ban), demote (ban unless the dependency is on
 * the promoted role only, in which case the promotable code must refuse
 * promotion: see requirePromotionTickets), fence the nodes it is active
 * on, or freeze it where it is (unmanaged and blocked).
 */
import type { ResourceSet, TicketConstraint } from "../cib/model.js";
import { INFINITY } from "../cib/score.js";
import { isTrue } from "../cib/values.js";
import { configWarning, expandTagsInSets, findConstraintResource, referenceToSet, resolveSet, setMember } from "./constraints.js";
import { resourceLocation } from "./node-scores.js";
import { fenceNode } from "./nodes.js";
import { Role, parseRole, type RscTicket, type SResource, type Ticket, type TicketLossPolicy, type WorkingSet } from "./types.js";

/** Read the status section's <tickets>: later entries for the same ticket add to (and override) earlier ones. */
export function unpackTicketStates(ws: WorkingSet): void {
  const tickets = new Map<string, Ticket>();
  ws.tickets = tickets;
  for (const state of ws.cib.tickets) {
    if (state.id === "") continue;
    const ticket = ticketNamed(ws, state.id);
    for (const [name, value] of Object.entries(state.attrs)) if (name !== "id") ticket.attrs[name] = value;
    ticket.granted = isTrue(ticket.attrs.granted);
    ticket.standby = isTrue(ticket.attrs.standby);
    const lastGranted = ticket.attrs["last-granted"];
    if (lastGranted !== undefined) ticket.lastGranted = Number.parseInt(lastGranted, 10) || 0;
  }
}

/** The ticket with this id, created (not granted) if the cluster has never heard of it. */
function ticketNamed(ws: WorkingSet, id: string): Ticket {
  const tickets = (ws.tickets ??= new Map());
  let ticket = tickets.get(id);
  if (!ticket) {
    ticket = { id, granted: false, standby: false, attrs: {} };
    tickets.set(id, ticket);
  }
  return ticket;
}

export function unpackRscTicket(ws: WorkingSet, c: TicketConstraint): void {
  if (c.ticket === "") {
    configWarning(ws, `Ignoring constraint '${c.id}' without ticket`);
    return;
  }
  const ticket = ticketNamed(ws, c.ticket);
  const sets = ticketSets(ws, c);
  if (sets === undefined) return;
  for (const written of sets) {
    const set = resolveSet(ws, written);
    if (!set || !unpackTicketSet(ws, c, set, ticket)) return;
  }
  if (sets.length > 0) return;

  if (c.rsc === undefined) {
    configWarning(ws, `Ignoring constraint '${c.id}' without resource`);
    return;
  }
  const rsc = findConstraintResource(ws, c.rsc);
  if (!rsc) {
    configWarning(ws, `Ignoring constraint '${c.id}' because resource '${c.rsc}' does not exist`);
    return;
  }
  newRscTicket(ws, c.id, rsc, ticket, c.rscRole, c.lossPolicy);
}

/** The constraint's sets with tags expanded; a tag in `rsc` becomes a set (taking rsc-role). */
function ticketSets(ws: WorkingSet, c: TicketConstraint): ResourceSet[] | undefined {
  const expanded = expandTagsInSets(ws, c.id, c.sets);
  if (expanded !== c.sets) return expanded;
  const converted = referenceToSet(ws, c.id, c.rsc, false);
  if (converted === "invalid") return undefined;
  return converted ? [...c.sets, { ...converted, role: c.rscRole }] : c.sets;
}

function unpackTicketSet(ws: WorkingSet, c: TicketConstraint, set: ResourceSet, ticket: Ticket): boolean {
  if (set.id === undefined) {
    configWarning(ws, `Ignoring resource_set without id in constraint '${c.id}'`);
    return false;
  }
  for (const ref of set.resources) {
    const rsc = setMember(ws, set.id, ref);
    if (!rsc) return false;
    newRscTicket(ws, set.id, rsc, ticket, set.role, c.lossPolicy);
  }
  return true;
}

function newRscTicket(
  ws: WorkingSet,
  id: string,
  rsc: SResource,
  ticket: Ticket,
  roleText: string | undefined,
  lossText: string | undefined,
): void {
  const role = ticketRole(ws, id, roleText);
  const rscTicket: RscTicket = { id, rsc, ticket, role, lossPolicy: lossPolicy(ws, ticket, role, lossText) };
  (rsc.tickets ??= []).push(rscTicket);
  if (!ticket.granted || ticket.standby) applyTicketLoss(ws, rsc, rscTicket);
}

function ticketRole(ws: WorkingSet, id: string, text: string | undefined): Role {
  if (text === undefined || text.toLowerCase() === "started") return Role.Unknown;
  const role = parseRole(text);
  if (role === undefined) configWarning(ws, `Unknown role '${text}' in ticket constraint '${id}'`);
  return role ?? Role.Unknown;
}

/** loss-policy, defaulting to demote for a promoted-role dependency and stop otherwise; fence needs fencing enabled. */
function lossPolicy(ws: WorkingSet, ticket: Ticket, role: Role, text: string | undefined): TicketLossPolicy {
  const written = text?.toLowerCase();
  if (written === "fence") {
    if (ws.options.stonithEnabled) return "fence";
    configWarning(ws, `Resetting 'loss-policy' for ticket '${ticket.id}' to 'stop' because fencing is not configured`);
    return "stop";
  }
  if (written === "freeze" || written === "demote" || written === "stop") return written;
  return role === Role.Promoted ? "demote" : "stop";
}

/**
 * What a missing (or standby) ticket does to the primitives below `rsc`.
 * Bans add -INFINITY on every node; the promoted-only dependency with
 * loss-policy demote is left to requirePromotionTickets.
 */
function applyTicketLoss(ws: WorkingSet, rsc: SResource, rt: RscTicket): void {
  if (rt.ticket.granted && !rt.ticket.standby) return;
  if (rsc.children.length > 0) {
    for (const child of rsc.children) applyTicketLoss(ws, child, rt);
    return;
  }
  const ban = (source: string) => resourceLocation(ws, rsc, undefined, -INFINITY, source);
  const banUnlessPromotedOnly = (source: string) => {
    if (rt.role !== Role.Promoted || rt.lossPolicy === "stop") ban(source);
  };

  if (!rt.ticket.granted && rsc.runningOn.length > 0) {
    const roleMatches = rt.role === Role.Unknown || rt.role === rsc.role;
    switch (rt.lossPolicy) {
      case "stop":
        ban("__loss_of_ticket__");
        break;
      case "demote":
        if (rt.role !== Role.Promoted) ban("__loss_of_ticket__");
        break;
      case "fence":
        if (!roleMatches) return;
        ban("__loss_of_ticket__");
        for (const node of rsc.runningOn) fenceNode(node, "deadman ticket was lost");
        break;
      case "freeze":
        if (!roleMatches) return;
        rsc.managed = false;
        rsc.blocked = true;
        break;
    }
  } else if (!rt.ticket.granted) {
    banUnlessPromotedOnly("__no_ticket__");
  } else {
    banUnlessPromotedOnly("__ticket_standby__");
  }
}

/**
 * For the promotable clone code, when it orders instances for promotion
 * (Pacemaker: pcmk__require_promotion_tickets): a resource that needs a
 * ticket for the promoted role, and lacks it or has it in standby, is
 * banned from every node.
 */
export function requirePromotionTickets(ws: WorkingSet, rsc: SResource): void {
  for (const rt of rsc.tickets ?? []) {
    if (rt.role === Role.Promoted && (!rt.ticket.granted || rt.ticket.standby)) {
      resourceLocation(ws, rsc, undefined, -INFINITY, "__stateful_without_ticket__");
    }
  }
}
