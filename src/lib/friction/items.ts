import { can, rolesFor } from '../core/auth/access-rules';
import type { Role } from '../core/auth/roles';

/**
 * Friction items, browser-safe: statuses in their order, labels, and who may change items.
 * (Kept in step with the write rules in src/lib/core/auth/access-rules.server.ts.)
 */
export const ITEM_STATUSES = ['new', 'acknowledged', 'in_progress', 'fixed', 'reported_back'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const STATUS_LABELS: Record<ItemStatus, string> = {
	new: 'New',
	acknowledged: 'Acknowledged',
	in_progress: 'In progress',
	fixed: 'Fixed',
	reported_back: 'Reported back'
};

export const ITEM_KINDS = ['theme', 'structural'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** Roles whose users can own an item (support leads own them; managers may take one). */
export const OWNER_ROLES = rolesFor('friction.own');

export function isItemStatus(value: string): value is ItemStatus {
	return (ITEM_STATUSES as readonly string[]).includes(value);
}

export function canWriteFriction(role: Role | undefined): boolean {
	return can(role, 'friction.write');
}

/** A structural point's subject: metric, dimension and value. */
export function structuralSubject(metric: string, dimension: string, value: string): string {
	return `${metric}:${dimension}:${value}`;
}

export function parseStructuralSubject(subject: string): { metric: string; dimension: string; value: string } | null {
	const m = /^([a-z_]+):([a-z_]+):(.+)$/s.exec(subject);
	return m ? { metric: m[1], dimension: m[2], value: m[3] } : null;
}
