// The typed mirror of the `tensorTrace.*` settings declared in package.json. Every read goes through
// readConfig, which validates and clamps, so no other file touches getConfiguration or loose strings.

import * as vscode from 'vscode';
import type { BackendSetting } from '../worker/protocol';

export const AutoTrace = { OnType: 'onType', OnSave: 'onSave', Off: 'off' } as const;
export type AutoTrace = (typeof AutoTrace)[keyof typeof AutoTrace];

export const HintDensity = { Off: 'off', Minimal: 'minimal', Normal: 'normal', Verbose: 'verbose' } as const;
export type HintDensity = (typeof HintDensity)[keyof typeof HintDensity];

export const Backend = { Auto: 'auto', Node: 'node', Wasm: 'wasm', Cpu: 'cpu' } as const satisfies Record<string, BackendSetting>;

/** Setting keys relative to the `tensorTrace` section. */
export const ConfigKey = {
  DefaultInputShape: 'defaultInputShape',
  AutoTrace: 'autoTrace',
  NumericOnSave: 'numericOnSave',
  Backend: 'backend',
  TfjsNodePath: 'tfjsNodePath',
  TimeLimitMs: 'timeLimitMs',
  NumericTimeLimitMs: 'numericTimeLimitMs',
  MemoryLimitMB: 'memoryLimitMB',
  HintsDensity: 'hints.density',
  DebounceMs: 'debounceMs',
} as const;
export type ConfigKey = (typeof ConfigKey)[keyof typeof ConfigKey];

export const configSection = 'tensorTrace';

export interface TensorTraceConfig {
  /** Input shape for entry traces of a class when none was chosen for it. */
  defaultInputShape: number[];
  autoTrace: AutoTrace;
  numericOnSave: boolean;
  backend: BackendSetting;
  /** An existing @tensorflow/tfjs-node installation (its folder) for the node backend; '' for the one beside the extension. */
  tfjsNodePath: string;
  timeLimitMs: number;
  /** Time limit of numeric traces (values and gradients), which take far longer than symbolic ones. */
  numericTimeLimitMs: number;
  memoryLimitMB: number;
  hints: { density: HintDensity };
  debounceMs: number;
}

/** Defaults, identical to package.json's. */
export const defaults: TensorTraceConfig = {
  defaultInputShape: [1, 3, 224, 224],
  autoTrace: AutoTrace.OnType,
  numericOnSave: false,
  backend: Backend.Auto,
  tfjsNodePath: '',
  timeLimitMs: 5000,
  numericTimeLimitMs: 60000,
  memoryLimitMB: 2048,
  hints: { density: HintDensity.Normal },
  debounceMs: 300,
};

function oneOf<T extends string>(values: Record<string, T>, v: unknown, fallback: T): T {
  return (Object.values(values) as unknown[]).includes(v) ? (v as T) : fallback;
}

function clamp(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

function shape(v: unknown, fallback: number[]): number[] {
  return Array.isArray(v) && v.length > 0 && v.length <= 8 && v.every((d) => Number.isInteger(d) && d > 0) ? (v as number[]) : fallback;
}

/** Reads and validates the settings for a resource (a document URI), or for any resource when none is given. */
export function readConfig(scope?: vscode.ConfigurationScope): TensorTraceConfig {
  const c = vscode.workspace.getConfiguration(configSection, scope ?? null);
  return {
    defaultInputShape: shape(c.get(ConfigKey.DefaultInputShape), defaults.defaultInputShape),
    autoTrace: oneOf(AutoTrace, c.get(ConfigKey.AutoTrace), defaults.autoTrace),
    numericOnSave: c.get(ConfigKey.NumericOnSave) === true,
    backend: oneOf(Backend, c.get(ConfigKey.Backend), defaults.backend),
    tfjsNodePath: text(c.get(ConfigKey.TfjsNodePath)),
    timeLimitMs: clamp(c.get(ConfigKey.TimeLimitMs), 100, 600_000, defaults.timeLimitMs),
    numericTimeLimitMs: clamp(c.get(ConfigKey.NumericTimeLimitMs), 1000, 3_600_000, defaults.numericTimeLimitMs),
    memoryLimitMB: clamp(c.get(ConfigKey.MemoryLimitMB), 64, 65_536, defaults.memoryLimitMB),
    hints: { density: oneOf(HintDensity, c.get(ConfigKey.HintsDensity), defaults.hints.density) },
    debounceMs: clamp(c.get(ConfigKey.DebounceMs), 0, 10_000, defaults.debounceMs),
  };
}

/** Whether a configuration change touches one of our keys. */
export function affects(e: vscode.ConfigurationChangeEvent, key: ConfigKey): boolean {
  return e.affectsConfiguration(`${configSection}.${key}`);
}
