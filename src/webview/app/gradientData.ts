// Pure (DOM-free) extraction of what the gradient view plots: gradient flow, shortcut shares, f(x) − x statistics.

import type { Location } from '../../core/diagnostics';
import type { ModuleCall, ModuleGrad, TensorStats, TraceResult } from '../../core/trace/types';
import { moduleKeys } from './rows';

/**
 * Gradient fields a later engine may add to ModuleGrad (proposed to the protocol owner): the gradient w.r.t. the
 * call's input, which the seed prints as "Gradient of Input Tensor (first 5 elements)". Read when present.
 */
export type ModuleGradWithInput = ModuleGrad & { inputNorm?: number; inputFirst?: number[] };

/** True when the trace carries numbers from a forward/backward run, so the gradient view has something to show. */
export function hasNumericData(trace: TraceResult | null): boolean {
  if (!trace) return false;
  return (
    trace.modules.some((m) => m.grad !== undefined || m.stats !== undefined) ||
    trace.skips.some((s) => s.shortcutGradShare !== undefined || s.residualStats !== undefined)
  );
}

export interface FlowRow {
  key: string;
  /** Qualified name, or the class for a root call. */
  label: string;
  className: string;
  /** ‖∂L/∂output‖ of this call, or null when it got no gradient. */
  norm: number | null;
  /** The same layer's norm in the model without skip connections, when that trace exists. */
  noSkipNorm: number | null;
  /** Largest parameter-gradient norm of the layer, for the tooltip. */
  paramNorms: Record<string, number>;
  location: Location;
}

function label(m: ModuleCall): string {
  return m.name === '' ? m.className : m.name;
}

/** Leaf calls (the layers that compute) in call order; every call when a trace has no leaves with gradients. */
function flowCalls(trace: TraceResult): ModuleCall[] {
  const leaves = trace.modules.filter((m) => m.children.length === 0 && m.grad !== undefined);
  return leaves.length > 0 ? leaves : trace.modules.filter((m) => m.grad !== undefined);
}

/** Per-layer output-gradient norms in call order, with the no-skip model's norm for the same layer when given. */
export function gradientFlow(trace: TraceResult, noSkip: TraceResult | null): FlowRow[] {
  const keys = moduleKeys(trace.modules);
  const other = new Map<string, number>();
  if (noSkip) {
    const okeys = moduleKeys(noSkip.modules);
    for (const m of noSkip.modules) if (m.grad) other.set(okeys.get(m.id)!, m.grad.outputNorm);
  }
  return flowCalls(trace).map((m) => {
    const key = keys.get(m.id)!;
    return {
      key,
      label: label(m),
      className: m.className,
      norm: m.grad ? m.grad.outputNorm : null,
      noSkipNorm: other.get(key) ?? null,
      paramNorms: m.grad?.paramNorms ?? {},
      location: m.callSite,
    };
  });
}

export interface ShareRow {
  label: string;
  kind: 'identity' | 'projection';
  shortcutLabel: string;
  /** Share of the block-input gradient that came through the shortcut, 0..1. */
  shortcut: number;
  location: Location;
}

/** Shortcut-vs-branch gradient shares, one per skip connection that has one. */
export function gradientShares(trace: TraceResult): ShareRow[] {
  const byId = new Map(trace.modules.map((m) => [m.id, m]));
  return trace.skips.flatMap((s) => {
    if (s.shortcutGradShare === undefined) return [];
    const owner = byId.get(s.module);
    return [
      {
        label: owner ? label(owner) : `block ${s.module}`,
        kind: s.kind,
        shortcutLabel: s.label,
        shortcut: Math.min(1, Math.max(0, s.shortcutGradShare)),
        location: s.site,
      },
    ];
  });
}

export interface ResidualRow {
  label: string;
  kind: 'identity' | 'projection';
  stats: TensorStats;
  location: Location;
}

/** Statistics of f(x) − x per skip connection (how far each block moves its input). */
export function residualRows(trace: TraceResult): ResidualRow[] {
  const byId = new Map(trace.modules.map((m) => [m.id, m]));
  return trace.skips.flatMap((s) => {
    if (!s.residualStats) return [];
    const owner = byId.get(s.module);
    return [{ label: owner ? label(owner) : `block ${s.module}`, kind: s.kind, stats: s.residualStats, location: s.site }];
  });
}

export interface SeedGradients {
  /** The call whose gradients these are (the model's output call). */
  label: string;
  input: number[] | null;
  output: number[] | null;
}

/** The first values of the input and output gradients of the model's output call, as the seed script prints them. */
export function seedGradients(trace: TraceResult): SeedGradients | null {
  const roots = trace.modules.filter((m) => m.parent === null && m.grad !== undefined);
  const root = roots[roots.length - 1];
  if (!root || !root.grad) return null;
  const g = root.grad as ModuleGradWithInput;
  return { label: label(root), input: g.inputFirst ?? null, output: g.outputFirst.length > 0 ? g.outputFirst : null };
}

export interface SkipComparison {
  /** The earliest layer that has a gradient in both runs. */
  layer: string;
  withSkips: number;
  withoutSkips: number;
  /** withSkips / withoutSkips: how many times more gradient reaches that layer thanks to the shortcuts. */
  ratio: number;
}

/** How much more gradient reaches the earliest layer with skip connections than without. */
export function compareSkips(flow: readonly FlowRow[]): SkipComparison | null {
  const row = flow.find((r) => r.norm !== null && r.noSkipNorm !== null && r.norm > 0 && r.noSkipNorm > 0);
  if (!row || row.norm === null || row.noSkipNorm === null) return null;
  return { layer: row.label, withSkips: row.norm, withoutSkips: row.noSkipNorm, ratio: row.norm / row.noSkipNorm };
}
